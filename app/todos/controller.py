"""The to-do controller: applies user commands to the stored list and asks the view to render.

Pure Python: the store and the view are passed in (browser adapters in the page, fakes in the unit
tests). Every command first re-reads the store, because another tab may have written a newer list
since this tab last rendered; the command is applied to that newer list, so neither tab overwrites
the other's change. If a write fails (storage full), the list is kept in memory and the user told;
the commands not yet saved are replayed on top of the newest stored list with each later change,
so nothing typed here, nor anything saved by another tab meanwhile, is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, cast

from app.todos import intents
from app.todos import codec
from app.todos.store import StorageFull, TodoStore
from app.todos.model import TitleTooLong, Todos, filter_for_route, new_id

if TYPE_CHECKING:  # the assistant's package is loaded on first use, never at start
    from app.assistant.changes.commands import Batch, Step

Command = Callable[[Todos], Todos]
"""A change to the list: the list it applies to in, the changed list out."""

STORAGE_FULL = (
    "Your browser's storage for this site is full, so the last change is kept in this tab only. "
    "Free some space (for example, delete a downloaded model) and it will be saved with your next change."
)


FROZEN = (
    "Another tab saved your to-dos in a format this tab cannot read (probably a newer version of the "
    "app). Reload this tab to continue; changes made here until then are not saved."
)


def now_ms() -> int:
    return int(time.time() * 1000)


def problem_notice(problem: str, backup_key: str | None) -> str:
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


class ListView(Protocol):
    """What the controller asks of the list's view: app/todos/view.py's TodoView in the page, a
    recording fake in the unit tests (tests/typing/check_ports.py checks both against it)."""

    def render(self, todos: Todos, filter_name: str) -> None:
        """Show `todos` through the filter `filter_name` ("all", "active" or "completed")."""

    def show_notice(self, text: str | None) -> None:
        """Show a message to the person (None hides it)."""

    def restore_new_title(self, text: str) -> None:
        """Put back a title typed before start-up that could not be added, so it is not lost."""


class TodoController:
    """Commands from the view in, rendering out, kept in `store` (the TodoStore port)."""

    def __init__(self, store: TodoStore, view: ListView, clock: Callable[[], int] = now_ms) -> None:
        self.store = store
        self.view = view
        self.clock = clock
        self.todos = Todos()
        self.filter = "all"
        self._unsaved: list[Command] = []  # commands applied in this tab that storage has not taken yet
        self._frozen = False  # storage holds data this tab must not overwrite
        self._notice: str | None = None
        # Called after the list changed (app/assistant/controller.py reads it ahead):
        self._watchers: list[Callable[[], object]] = []

    def watch(self, callback: Callable[[], object]) -> None:
        """Call `callback()` after each change to the list, from this tab or another."""
        self._watchers.append(callback)

    def _changed(self, before: Todos) -> None:
        if self.todos != before:
            for callback in self._watchers:
                callback()

    def start(self, route_hash: str | None, early: Iterable[intents.Intent] = ()) -> None:
        """Load, render, then replay what was done before Python was ready (app/todos/intents.py's
        intents, in order, through the commands below); a title refused goes back to the input."""
        self.filter = filter_for_route(route_hash)
        self.todos = self._read(at_start=True)
        self.view.render(self.todos, self.filter)
        for title in intents.replay(early, self):
            self.view.restore_new_title(title)

    def _notify(self, text: str | None) -> None:
        self._notice = text
        self.view.show_notice(text)

    # Reading and writing.

    def _read(self, at_start: bool = False) -> Todos:
        """The newest stored list, with this tab's unsaved commands replayed on top of it."""
        if self._frozen:
            return self.todos
        text = self.store.read()
        decoded = codec.decode(text)
        if decoded.problem and not at_start:
            # Written by another tab, most likely a newer version of the app: leave it alone.
            self._frozen = True
            self._notify(FROZEN)
            return self.todos
        if decoded.problem:
            key = self.store.back_up(cast(str, text))  # a problem means there was text
            self._notify(problem_notice(decoded.problem, key))
            if key is None:
                self._frozen = True  # never overwrite data that has no backup
            else:
                self._write(decoded.todos)
        elif decoded.migrated:
            self._write(decoded.todos)
        todos = decoded.todos
        for command in self._unsaved:
            todos = command(todos)
        return todos

    def _write(self, todos: Todos) -> bool:
        """Store `todos`; False when storage refused (full) or must not be written."""
        if self._frozen:
            return False
        try:
            self.store.write(codec.encode(todos))
        except StorageFull:
            self._notify(STORAGE_FULL)
            return False
        if self._notice == STORAGE_FULL:
            self._notify(None)
        return True

    def _change(self, command: Command) -> bool:
        """Apply `command` to the newest list; True when it was accepted."""
        current = self._read()
        try:
            changed = command(current)
        except TitleTooLong as error:
            self._notify(f"{error} Shorten it and try again; your text is kept.")
            self.todos = current
            self.view.render(current, self.filter)
            return False
        if changed != current or self._unsaved:
            if self._write(changed):
                self._unsaved = []
            else:
                self._unsaved.append(command)
        before, self.todos = self.todos, changed
        self.view.render(changed, self.filter)
        self._changed(before)
        return True

    # Commands from the view.

    def add(self, text: str, todo_id: str | None = None) -> bool:
        # The id and time are fixed now, so replaying an unsaved add gives the same to-do.
        todo_id, created = todo_id or new_id(), self.clock()
        return self._change(lambda todos: todos.add(text, todo_id=todo_id, created=created))

    def edit(self, todo_id: str, text: str) -> bool:
        return self._change(lambda todos: todos.edit(todo_id, text))

    def toggle(self, todo_id: str) -> bool:
        return self._change(lambda todos: todos.toggle(todo_id))

    def set_completed(self, todo_id: str, completed: bool) -> bool:
        return self._change(lambda todos: todos.set_completed(todo_id, completed))

    def remove(self, todo_id: str) -> bool:
        return self._change(lambda todos: todos.remove(todo_id))

    def set_all_completed(self, completed: bool) -> bool:
        return self._change(lambda todos: todos.set_all_completed(completed))

    def clear_completed(self) -> bool:
        return self._change(lambda todos: todos.clear_completed())

    def apply_batch(self, batch: Batch) -> Step:
        """Apply an app.assistant.changes.commands.Batch (the assistant's confirmed changes, or their undo) as one
        change to the newest stored list; returns the Step of that application (notes, undo)."""
        steps: list[Step] = []

        def command(todos: Todos) -> Todos:
            step = batch.apply(todos)
            if not steps:  # a storage-full replay applies it again later: the first time is this change
                steps.append(step)
            return step.todos

        self._change(command)
        return steps[0]

    # Events from outside.

    def route(self, route_hash: str | None) -> None:
        self.filter = filter_for_route(route_hash)
        self.view.render(self.todos, self.filter)

    def external_change(self) -> None:
        """Another tab wrote the list: show its version, with this tab's unsaved changes on top."""
        before, self.todos = self.todos, self._read()
        self.view.render(self.todos, self.filter)
        self._changed(before)
