"""Every module of app/ imports in CPython: the browser's modules with stand-ins for Pyodide's `js`
and `pyodide.ffi` and PyScript's `pyscript`.

mypy (`make unit`) reads the annotations; this makes sure the interpreter can too. An annotation
evaluated at import (in a module without `from __future__ import annotations`: a signature, a
dataclass field, a Protocol) may name only what the module has at run time, never a type imported
for the type checker alone under `if TYPE_CHECKING:`. The other unit tests import the pure modules;
the browser's modules are otherwise imported only in the browser (tests/e2e). app/main.py is left
out: importing it starts the app.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_WITH_STAND_INS = """
import importlib, sys, types
from unittest.mock import MagicMock

for name in ("js", "pyodide", "pyodide.ffi", "pyscript"):
    stand_in = types.ModuleType(name)
    stand_in.__getattr__ = lambda attribute, name=name: MagicMock(name=f"{name}.{attribute}")
    sys.modules[name] = stand_in
for name in sys.argv[1:]:
    importlib.import_module(name)
"""


def app_modules():
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts != ("app", "main"):
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module_of_the_app_imports_with_stand_ins_for_the_browser():
    modules = list(app_modules())
    assert "app.todos.view" in modules and "app.assistant.views.chat" in modules
    result = subprocess.run([sys.executable, "-c", IMPORT_WITH_STAND_INS, *modules], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
