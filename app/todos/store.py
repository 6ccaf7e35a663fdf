"""The to-do storage port: what the controller needs of a store, and the error a store raises.

Pure Python. The browser's adapter is app/todos/storage.py (`BrowserStore`, localStorage); the unit tests
use an in-memory fake, checked against `TodoStore`. The error lives here, with the port, so an
adapter depends on the port and not on the controller that catches it.
"""

from typing import Protocol


class StorageFull(Exception):
    """Raised by `TodoStore.write` when the text did not fit in the storage quota."""


class TodoStore(Protocol):
    """Where the list's encoded record (app/todos/codec.py) is kept."""

    def read(self) -> str | None:
        """The stored text, or None when there is none or it cannot be read."""

    def write(self, text: str) -> None:
        """Store `text`, replacing the record; raises StorageFull when it does not fit."""

    def back_up(self, text: str) -> str | None:
        """Keep `text` under a new key and return the key, or None when there is no room."""
