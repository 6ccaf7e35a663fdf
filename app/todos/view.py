"""The page's list for Python: app.todos.screen.ListPage on assets/todo-list.js (window.todoList).

The one module of the list that reaches the browser. todo-list.js owns the list's elements (the
rows assets/boot.js painted before Python was up among them, so they are kept); Python sends it a
state as JSON text and receives the person's intents the same way, one call each.
"""

from collections.abc import Callable

from pyodide.ffi import JsDoubleProxy, create_proxy
from pyscript import window  # the page's, also where Python runs in a worker


class BrowserListPage:
    """assets/todo-list.js, as app/todos/screen.py's ListPage."""

    def __init__(self) -> None:
        self._list = window.todoList
        self._handler: JsDoubleProxy[Callable[[str], None]] | None = None

    def render(self, state_json: str) -> None:
        self._list.renderJSON(state_json)

    def show_notice(self, text: str | None) -> None:
        self._list.showNotice(text)

    def restore_new_title(self, text: str) -> None:
        self._list.restoreNewTitle(text)

    def clear_new_title(self, title: str) -> None:
        self._list.clearNewTitle(title)

    def connect(self, handler: Callable[[str], None]) -> None:
        if self._handler is not None:
            self._handler.destroy()
        self._handler = create_proxy(handler)
        self._list.connectPython(self._handler)
