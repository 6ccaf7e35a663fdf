"""The to-do controller: applies user commands to the stored list and asks the view to render.

Pure Python: the store and the view are passed in (browser adapters in the page, fakes in the unit
tests). Every command first re-reads the store, because another tab may have written a newer list
since this tab last rendered; the command is applied to that newer list, so neither tab overwrites
the other's change. If a write fails (storage full), the list is kept in memory and the user told;
later commands build on the in-memory list, so nothing typed is lost.
"""

import time

from app import codec
from app.todos import TitleTooLong, Todos, filter_for_route

STORAGE_FULL = (
    "Your browser's storage for this site is full, so the last change is kept in this tab only. "
    "Free some space (for example, delete a downloaded model) and it will be saved with your next change."
)


def now_ms():
    return int(time.time() * 1000)


def problem_notice(problem, backup_key):
    """The message shown when the stored record could not be read in full."""
    if backup_key is None:
        return (
            f"Your saved to-dos {problem}. Storage is too full to keep a backup, so the original data "
            "is left untouched and your changes are kept in this tab only until space is freed."
        )
    return (
        f"Your saved to-dos {problem}. The app started with what it could read, and kept the "
        f"original data in this browser's storage under “{backup_key}”."
    )


class StorageFull(Exception):
    """Raised by a store whose write did not fit in the quota."""


class TodoController:
    """Commands from the view in, rendering out. `store` offers read(), write(text), back_up(text)."""

    def __init__(self, store, view, clock=now_ms):
        self.store = store
        self.view = view
        self.clock = clock
        self.todos = Todos()
        self.filter = "all"
        self._unsaved = False

    def start(self, route_hash, pending_titles=()):
        """Load, render, then add titles typed before Python was ready."""
        self.filter = filter_for_route(route_hash)
        self.todos = self._read()
        self.view.render(self.todos, self.filter)
        for title in pending_titles:
            if not self.add(title):
                self.view.restore_new_title(title)

    # Reading and writing.

    def _read(self):
        if self._unsaved:
            return self.todos
        text = self.store.read()
        decoded = codec.decode(text)
        if decoded.problem:
            key = self.store.back_up(text)
            self.view.show_notice(problem_notice(decoded.problem, key))
            if key is None:
                self._unsaved = True  # never overwrite data that has no backup
            else:
                self._write(decoded.todos)
        return decoded.todos

    def _write(self, todos):
        try:
            self.store.write(codec.encode(todos))
        except StorageFull:
            self._unsaved = True
            self.view.show_notice(STORAGE_FULL)
        else:
            if self._unsaved:
                self._unsaved = False
                self.view.show_notice(None)

    def _change(self, command):
        """Apply `command` to the newest list; True when it was accepted."""
        current = self._read()
        try:
            changed = command(current)
        except TitleTooLong as error:
            self.view.show_notice(f"{error} Shorten it and try again; your text is kept.")
            self.todos = current
            self.view.render(current, self.filter)
            return False
        if changed != current or self._unsaved:
            self._write(changed)
        self.todos = changed
        self.view.render(changed, self.filter)
        return True

    # Commands from the view.

    def add(self, text):
        return self._change(lambda todos: todos.add(text, created=self.clock()))

    def edit(self, todo_id, text):
        return self._change(lambda todos: todos.edit(todo_id, text))

    def toggle(self, todo_id):
        return self._change(lambda todos: todos.toggle(todo_id))

    def set_completed(self, todo_id, completed):
        return self._change(lambda todos: todos.set_completed(todo_id, completed))

    def remove(self, todo_id):
        return self._change(lambda todos: todos.remove(todo_id))

    def set_all_completed(self, completed):
        return self._change(lambda todos: todos.set_all_completed(completed))

    def clear_completed(self):
        return self._change(lambda todos: todos.clear_completed())

    # Events from outside.

    def route(self, route_hash):
        self.filter = filter_for_route(route_hash)
        self.view.render(self.todos, self.filter)

    def external_change(self):
        """Another tab wrote the list: show its version (unless this tab holds unsaved changes)."""
        self.todos = self._read()
        self.view.render(self.todos, self.filter)
