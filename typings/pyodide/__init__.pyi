# Pyodide's `pyodide` package, as far as this app uses it: only `pyodide.ffi` (see ffi/__init__.pyi).
