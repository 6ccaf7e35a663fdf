# Pyodide's `js` module: JavaScript's global scope seen from Python, reduced to the names this app
# imports (Pyodide ships its own js.pyi, with pyodide-py; see pyodide/ffi/__init__.pyi for why that
# is not installed). A name missing here is a mypy error, so a typo in `from js import …` is caught.
# The DOM (document, window, location, navigator and what they return) is Any: the app's browser
# modules (app/todos/view.py, app/assistant/views/) are tested in the browser (tests/e2e), and
# typing the DOM would only restate it.
from collections.abc import Callable, Iterable
from typing import Any

from pyodide.ffi import JsArray, JsDoubleProxy, JsFetchResponse, JsNull, JsPromise, JsProxy

document: Any
window: Any
location: Any
navigator: Any

def fetch(resource: str, options: JsProxy | None = None, /) -> JsPromise[JsFetchResponse]: ...
def requestAnimationFrame(callback: Callable[[float], object] | JsDoubleProxy[Any], /) -> int: ...

class console:
    @staticmethod
    def log(*data: Any) -> None: ...
    @staticmethod
    def info(*data: Any) -> None: ...
    @staticmethod
    def warn(*data: Any) -> None: ...
    @staticmethod
    def error(*data: Any) -> None: ...

class localStorage:
    """The Web Storage API; a blocked or full storage raises JsException."""

    @staticmethod
    def getItem(key: str, /) -> str | JsNull: ...
    @staticmethod
    def setItem(key: str, value: str, /) -> None: ...
    @staticmethod
    def removeItem(key: str, /) -> None: ...

class URL(JsProxy):
    href: str
    @staticmethod
    def new(url: str, base: str | None = None, /) -> URL: ...

class Date(JsProxy):
    @staticmethod
    def new(*args: Any) -> Date: ...
    def toISOString(self) -> str: ...

class Object(JsProxy):
    @staticmethod
    def fromEntries(entries: Iterable[JsArray[Any]], /) -> JsProxy: ...
