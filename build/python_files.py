"""Which Python the page loads when, written from app/'s folders: nothing about it is kept by hand.

- At start, before app/main.py runs: app/'s own modules and the app/todos/ package. They go into
  pyscript.toml's [files] (PyScript fetches them before it runs main.py); the file is written from
  build/pyscript.toml.in, which holds the rest of PyScript's configuration.
- On first use: the app/assistant/ package, fetched and imported by app/assistant_launcher.py
  when the assistant toggle is first pressed. Its files, and its modules in an order where each
  comes after the app modules it imports (and a package's __init__ before its modules), go into
  app/assistant/modules.json, which the launcher reads first.

`make build` runs this (before build/precache.py, which hashes both outputs); both are git-ignored.
Standard library only.
"""

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
TEMPLATE = ROOT / "build" / "pyscript.toml.in"
PYSCRIPT_TOML = ROOT / "pyscript.toml"
ASSISTANT_LIST = APP / "assistant" / "modules.json"
MAIN = APP / "main.py"  # the page's own <script type="py">: PyScript fetches it by itself


def module_name(path):
    """app/todos/model.py -> "app.todos.model"; app/todos/__init__.py -> "app.todos"."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def start_files():
    """The files loaded at start, as paths relative to the site: app/*.py (main.py aside) and app/todos/."""
    files = [p for p in sorted(APP.glob("*.py")) if p != MAIN] + sorted((APP / "todos").glob("*.py"))
    return [p.relative_to(ROOT).as_posix() for p in files]


def assistant_files():
    return sorted((APP / "assistant").rglob("*.py"))


def imports(path):
    """The app modules a file imports at module level (imports inside functions run later)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "app" or node.module.startswith("app."):
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("app.")}
    return found


def assistant_order():
    """The assistant's modules, each after the assistant modules it imports and after its package."""
    files = {module_name(p): p for p in assistant_files()}
    order, done = [], set()

    def visit(name, path=()):
        if name in done:
            return
        if name in path:
            raise ValueError(f"an import cycle: {' -> '.join(path + (name,))}")
        parent = name.rpartition(".")[0]
        needs = {parent} if parent in files else set()
        needs |= {m for m in imports(files[name]) if m in files}
        for need in sorted(needs):
            visit(need, path + (name,))
        done.add(name)
        order.append(name)

    for name in sorted(files):
        visit(name)
    return order


def write():
    files = start_files()
    listing = "\n".join(f'"./{f}" = "./{f}"' for f in files)
    PYSCRIPT_TOML.write_text(TEMPLATE.read_text(encoding="utf-8").rstrip("\n") + "\n" + listing + "\n",
                             encoding="utf-8")
    modules = assistant_order()
    by_name = {module_name(p): p for p in assistant_files()}
    ASSISTANT_LIST.write_text(json.dumps({
        "files": [by_name[m].relative_to(ROOT).as_posix() for m in modules],
        "modules": modules,
    }, indent=1) + "\n", encoding="utf-8")
    print(f"python files: {len(files)} at start, {len(modules)} with the assistant")


if __name__ == "__main__":
    write()
