"""The browser-storage adapter: the only module that touches `localStorage`.

localStorage is synchronous, so a command can read the newest list, change it and write it back
before any other tab runs; its `storage` event tells the other tabs to re-read.
"""

from collections.abc import Callable
from typing import Any

from js import Date
from pyodide.ffi import JsException
from pyscript import document, window  # the page's, also where Python runs in a worker

from app.dom import Listener, listen
from app.todos.store import StorageFull

# Defined once, in index.html (<html data-todos-key>), for this module and assets/boot.js: the
# attribute is there before either runs, synchronously, at no cost of a request.
TODOS_KEY: str = document.documentElement.dataset.todosKey
localStorage = window.localStorage
BACKUP_PREFIX = TODOS_KEY + ".backup."


def _get_item(key: str) -> str | None:
    """The stored text, or None when missing or when storage cannot be read (blocked by settings)."""
    try:
        text = localStorage.getItem(key)
    except JsException:
        return None
    return text if isinstance(text, str) else None  # JS null arrives as pyodide's JsNull


class BrowserStore:
    """The TodoStore port (app/todos/store.py) on localStorage, plus a subscription to other tabs' writes."""

    def __init__(self, key: str = TODOS_KEY) -> None:
        self.key = key
        self._listeners: list[Listener] = []

    def read(self) -> str | None:
        return _get_item(self.key)

    def write(self, text: str) -> None:
        try:
            localStorage.setItem(self.key, text)
        except JsException as error:
            raise StorageFull(str(error)) from None

    def back_up(self, text: str) -> str | None:
        """Keep unreadable text under a new key; returns the key, or None when storage is full."""
        key = f"{BACKUP_PREFIX}{Date.new().toISOString()}"
        try:
            localStorage.setItem(key, text)
        except JsException:
            return None
        return key

    def on_external_change(self, callback: Callable[[], object]) -> None:
        """Call `callback()` when another tab changes the list (or clears storage)."""

        def listener(event: Any) -> None:
            if event.key is None or event.key == self.key:
                callback()

        self._listeners.append(listen(window, "storage", listener))


class BrowserSettings:
    """Small preferences (the chosen model) in localStorage; failures only lose the preference."""

    def get(self, key: str) -> str | None:
        return _get_item(key)

    def set(self, key: str, value: str) -> None:
        try:
            localStorage.setItem(key, value)
        except JsException:
            pass
