"""Which Python the page loads when: the list's modules at start, the assistant's on the panel's first opening.

Read from the sources (no imports: several modules need the browser): pyscript.toml [files] is what
PyScript fetches before app/main.py runs; app/assistant_launcher.py's ASSISTANT_MODULES is what the
launcher fetches and imports, in that order, when the assistant toggle is first pressed.
"""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def app_imports(name):
    """The app modules that app/<name>.py imports (`from app.x import`, `from app import x`, `import app.x`)."""
    found = set()
    for node in ast.walk(ast.parse((APP / f"{name}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "app":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app."):
            found.add(node.module.removeprefix("app."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("app.") for a in node.names if a.name.startswith("app.")}
    return found


def start_modules():
    files = tomllib.loads((ROOT / "pyscript.toml").read_text())["files"]
    assert all(source == target for source, target in files.items())
    return {Path(path).stem for path in files if path.startswith("./app/")} - {"__init__"}


def assistant_modules():
    tree = ast.parse((APP / "assistant_launcher.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "ASSISTANT_MODULES":
            return list(ast.literal_eval(node.value))
    raise AssertionError("ASSISTANT_MODULES not found")


def test_everything_main_imports_at_start_is_fetched_before_it_runs():
    start = start_modules()
    for name in start | {"main"}:
        assert app_imports(name) <= start, name


def test_the_list_starts_without_the_assistant_and_its_engines():
    start = start_modules()
    assert not start & {"assistant", "chat_view", "engine", "engine_js", "prompts", "actions", "model_catalogue"}
    assert "assistant_main" in assistant_modules()


def test_every_app_module_is_loaded_either_at_start_or_with_the_assistant_once():
    lazy = assistant_modules()
    assert len(lazy) == len(set(lazy))
    every = {p.stem for p in APP.glob("*.py")} - {"__init__", "main"}
    assert start_modules() | set(lazy) == every
    assert not start_modules() & set(lazy)


def test_each_assistant_module_comes_after_the_modules_it_imports():
    loaded = set(start_modules())
    for name in assistant_modules():
        assert app_imports(name) <= loaded, name
        loaded.add(name)
