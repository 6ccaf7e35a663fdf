# PyScript's `pyscript` module (the version in package.json), reduced to what this app uses.
from typing import Any

from pyodide.ffi import JsArray, JsPromise

RUNNING_IN_WORKER: bool
config: dict[str, Any]
window: Any  # the `js` module on the main thread
document: Any

def js_import(*urls: str) -> JsPromise[JsArray[Any]]:
    """Import the JavaScript modules at `urls` (as `import(url)` would): their namespaces, in order."""
