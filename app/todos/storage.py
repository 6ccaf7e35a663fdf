"""The browser-storage adapter: the only module that touches `localStorage`.

localStorage is synchronous, so a command can read the newest list, change it and write it back
before any other tab runs; its `storage` event tells the other tabs to re-read.
"""

from js import Date, document, localStorage, window
from pyodide.ffi import JsException

from app.dom import listen
from app.todos.store import StorageFull

# Defined once, in index.html (<html data-todos-key>), for this module and assets/boot.js: the
# attribute is there before either runs, synchronously, at no cost of a request.
TODOS_KEY = document.documentElement.dataset.todosKey
BACKUP_PREFIX = TODOS_KEY + ".backup."


def _get_item(key):
    """The stored text, or None when missing or when storage cannot be read (blocked by settings)."""
    try:
        text = localStorage.getItem(key)
    except JsException:
        return None
    return text if isinstance(text, str) else None  # JS null arrives as pyodide's JsNull


class BrowserStore:
    """The TodoStore port (app/todos/store.py) on localStorage, plus a subscription to other tabs' writes."""

    def __init__(self, key=TODOS_KEY):
        self.key = key
        self._listeners = []

    def read(self):
        return _get_item(self.key)

    def write(self, text):
        try:
            localStorage.setItem(self.key, text)
        except JsException as error:
            raise StorageFull(str(error)) from None

    def back_up(self, text):
        """Keep unreadable text under a new key; returns the key, or None when storage is full."""
        key = f"{BACKUP_PREFIX}{Date.new().toISOString()}"
        try:
            localStorage.setItem(key, text)
        except JsException:
            return None
        return key

    def on_external_change(self, callback):
        """Call `callback()` when another tab changes the list (or clears storage)."""

        def listener(event):
            if event.key is None or event.key == self.key:
                callback()

        self._listeners.append(listen(window, "storage", listener))


class BrowserSettings:
    """Small preferences (the chosen model) in localStorage; failures only lose the preference."""

    def get(self, key):
        return _get_item(key)

    def set(self, key, value):
        try:
            localStorage.setItem(key, value)
        except JsException:
            pass
