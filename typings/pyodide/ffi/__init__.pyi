# Pyodide's `pyodide.ffi` (Pyodide 314.0.7, the app's), reduced to what this app uses, with the
# signatures of Pyodide's own annotations (_pyodide/_core_docs.py in its standard library).
#
# PyPI's pyodide-py==314.0.7 ships the real package with its types, but it requires Python 3.14
# and the unit tests' venv (python3 here) is older, so it does not install there: hence this stub.
# Replace it by pinning pyodide-py in requirements-test.txt once the venv's Python is 3.14.
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, Generic, ParamSpec, TypeVar, overload

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)
_P = ParamSpec("_P")

class JsProxy:
    """Any JavaScript object seen from Python; its attributes are JavaScript's, so they are Any."""

    def __getattr__(self, name: str) -> Any: ...
    def new(self, *args: Any, **kwargs: Any) -> JsProxy: ...
    def to_py(self, *, depth: int = -1, default_converter: Callable[..., Any] | None = None) -> Any: ...

class JsPromise(JsProxy, Generic[_T_co]):
    def __await__(self) -> Generator[Any, Any, _T_co]: ...

class JsArray(JsProxy, Generic[_T]):
    def __iter__(self) -> Iterator[_T]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> _T: ...

class JsFetchResponse(JsProxy):
    ok: bool
    status: int
    statusText: str
    url: str
    def text(self) -> JsPromise[str]: ...
    def json(self) -> JsPromise[Any]: ...

class JsDoubleProxy(JsProxy, Generic[_T]):
    """What create_proxy() returns: a JavaScript handle on a Python object, alive until destroy()."""

    def destroy(self) -> None: ...
    def unwrap(self) -> _T: ...

class JsCallableDoubleProxy(JsDoubleProxy[Callable[_P, _T]], Generic[_P, _T]):
    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _T: ...

class JsException(JsProxy, Exception):
    """A JavaScript error raised into Python."""

    name: str
    message: str

class JsNull:
    """The type of `jsnull`, JavaScript's null (Pyodide no longer turns it into None)."""

    def __bool__(self) -> bool: ...

jsnull: JsNull

class JsOnceCallable(JsDoubleProxy[Callable[_P, _T]], Generic[_P, _T]):
    """A callable that destroys itself after its one call (pyodide.ffi.create_once_callable)."""

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _T: ...

@overload
def create_proxy(
    obj: Callable[_P, _T], /, *, capture_this: bool = False, roundtrip: bool = True
) -> JsCallableDoubleProxy[_P, _T]: ...
@overload
def create_proxy(obj: _T, /, *, capture_this: bool = False, roundtrip: bool = True) -> JsDoubleProxy[_T]: ...
def create_once_callable(obj: Callable[_P, _T], /, *, _may_syncify: bool = False) -> JsOnceCallable[_P, _T]: ...
def to_js(
    obj: Any,
    /,
    *,
    depth: int = -1,
    pyproxies: JsProxy | None = None,
    create_pyproxies: bool = True,
    dict_converter: Callable[[Iterable[JsArray[Any]]], JsProxy] | None = None,
    default_converter: Callable[..., Any] | None = None,
    eager_converter: Callable[..., Any] | None = None,
) -> Any: ...
