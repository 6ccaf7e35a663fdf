"""Which Python the page loads when, as build/python_files.py writes it from app/'s folders: the list
at start (app/'s own modules and app/todos/) and the assistant's package on first use, in an order
the launcher can import one module at a time."""

import json

import pytest

from build import python_files
from build.python_files import APP, ROOT, assistant_order, imports, module_name, start_files


def start_modules():
    return {module_name(ROOT / f) for f in start_files()}


def test_what_main_imports_at_start_is_all_in_the_start_list():
    start = start_modules()
    for name in start | {"app.main"}:
        path = ROOT / (name.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / name.replace(".", "/") / "__init__.py"
        needed = {m for m in imports(path) if (ROOT / (m.replace(".", "/") + ".py")).exists()
                  or (ROOT / m.replace(".", "/") / "__init__.py").exists()}
        assert needed <= start, (name, needed - start)


def test_the_list_starts_without_the_assistant():
    assert start_modules()
    assert not any(name == "app.assistant" or name.startswith("app.assistant.") for name in start_modules())
    assert any(name.startswith("app.assistant.") for name in assistant_order())  # they come later
    assert "app/main.py" not in start_files()  # the page's own script: PyScript fetches it itself
    assert "app/dom.py" in start_files()  # app/'s other own modules are there


def test_every_assistant_module_comes_after_its_package_and_what_it_imports():
    order = assistant_order()
    assert order[0] == "app.assistant" and len(order) == len(set(order))
    assert set(order) == {module_name(p) for p in (APP / "assistant").rglob("*.py")}
    seen = set()
    for name in order:
        parent = name.rpartition(".")[0]
        assert parent in seen or not parent.startswith("app.assistant"), name
        path = ROOT / (name.replace(".", "/") + ".py")
        path = path if path.exists() else ROOT / name.replace(".", "/") / "__init__.py"
        assert {m for m in imports(path) if m in set(order)} <= seen, name
        seen.add(name)


def test_every_app_module_loads_once_at_start_or_with_the_assistant():
    every = {module_name(p) for p in APP.rglob("*.py")} - {"app.main"}
    lazy = set(assistant_order())
    assert start_modules() | lazy == every and not start_modules() & lazy


def test_the_assistant_package_imports_nothing_at_load():
    """Importing any assistant module imports its package first; if that imported the rest, the
    launcher's one-module-per-task import would be one long task."""
    assert imports(APP / "assistant" / "__init__.py") == set()
    assert imports(APP / "assistant" / "controller.py") != set()  # where there are imports, they are found


def test_the_files_are_written_where_the_page_and_the_launcher_read_them(tmp_path, monkeypatch):
    monkeypatch.setattr(python_files, "PYSCRIPT_TOML", tmp_path / "pyscript.toml")
    monkeypatch.setattr(python_files, "ASSISTANT_LIST", tmp_path / "modules.json")
    python_files.write()
    toml = (tmp_path / "pyscript.toml").read_text()
    assert toml.startswith(python_files.TEMPLATE.read_text().rstrip("\n"))
    assert toml.count(" = ") == len(start_files()) + 2  # [files] entries, and name/interpreter
    for path in start_files():
        assert f'"./{path}" = "./{path}"' in toml
    listing = json.loads((tmp_path / "modules.json").read_text())
    assert listing["modules"] == assistant_order()
    assert [module_name(ROOT / f) for f in listing["files"]] == listing["modules"]


def test_an_import_cycle_in_the_assistant_is_refused(monkeypatch):
    real = python_files.imports

    def cyclic(path):
        if path.name == "port.py":
            return real(path) | {"app.assistant.engines.sampling"}
        return real(path)

    monkeypatch.setattr(python_files, "imports", cyclic)
    with pytest.raises(ValueError, match="an import cycle"):
        assistant_order()
