"""Changes to the list as commands: data with `apply` and `inverse`, so a batch can be undone.

Pure Python. The assistant proposes changes; once the person confirms, they are applied as one
`Batch` to the newest stored list (another tab may have changed it since the proposal was made),
and the `Step` that results knows how to undo exactly what it did.

Each command names a to-do by id and by the title the person saw, and acts only where the to-do is
still as described: a to-do deleted elsewhere is skipped, and a rename or delete of a to-do whose
title changed elsewhere is skipped, each with a note, so neither applying nor undoing ever
overwrites another tab's edit or brings back what another tab deleted. Applying a batch twice
changes nothing the second time (an add whose id is already on the list is skipped).

`apply(todos)` returns `(new_todos, note or None)`; `inverse(before)` is asked of a command that
just changed `before` (the list it was applied to) and returns the command that reverses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.todos.model import Todo, Todos


def quoted(title: str) -> str:
    return f"“{title}”"


@dataclass(frozen=True)
class Add:
    """Add a new to-do; the id and time are fixed when proposed, so re-applying it is harmless."""

    todo_id: str
    title: str
    created: int = 0

    def describe(self) -> str:
        return f"Add {quoted(self.title)}"

    def apply(self, todos: Todos) -> tuple[Todos, str | None]:
        if todos.get(self.todo_id) is not None:
            return todos, f"{quoted(self.title)} is already on the list."
        return todos.add(self.title, todo_id=self.todo_id, created=self.created), None

    def inverse(self, before: Todos) -> Command:
        return Delete(self.todo_id, self.title)


@dataclass(frozen=True)
class Complete:
    todo_id: str
    title: str

    def describe(self) -> str:
        return f"Mark {quoted(self.title)} as done"

    def apply(self, todos: Todos) -> tuple[Todos, str | None]:
        return _set_completed(todos, self, True, "marked as done")

    def inverse(self, before: Todos) -> Command:
        return Reopen(self.todo_id, self.title)


@dataclass(frozen=True)
class Reopen:
    todo_id: str
    title: str

    def describe(self) -> str:
        return f"Mark {quoted(self.title)} as not done"

    def apply(self, todos: Todos) -> tuple[Todos, str | None]:
        return _set_completed(todos, self, False, "marked as not done")

    def inverse(self, before: Todos) -> Command:
        return Complete(self.todo_id, self.title)


@dataclass(frozen=True)
class Rename:
    todo_id: str
    title: str  # as the person saw it
    new_title: str

    def describe(self) -> str:
        return f"Rename {quoted(self.title)} to {quoted(self.new_title)}"

    def apply(self, todos: Todos) -> tuple[Todos, str | None]:
        todo = todos.get(self.todo_id)
        if todo is None:
            return todos, _gone(self.title, "renamed")
        if todo.title != self.title:
            return todos, _changed(self.title, "renamed")
        return todos.edit(self.todo_id, self.new_title), None

    def inverse(self, before: Todos) -> Command:
        return Rename(self.todo_id, self.new_title, self.title)


@dataclass(frozen=True)
class Delete:
    todo_id: str
    title: str

    def describe(self) -> str:
        return f"Delete {quoted(self.title)}"

    def apply(self, todos: Todos) -> tuple[Todos, str | None]:
        todo = todos.get(self.todo_id)
        if todo is None:
            return todos, f"{quoted(self.title)} was already deleted."
        if todo.title != self.title:
            return todos, _changed(self.title, "deleted")
        return todos.remove(self.todo_id), None

    def inverse(self, before: Todos) -> Command:
        """Put back the whole to-do (done state, creation time) where it was in `before`."""
        index = next(i for i, t in enumerate(before.items) if t.id == self.todo_id)
        return Restore(before.items[index], index)


@dataclass(frozen=True)
class Restore:
    """Put a deleted to-do back as it was, at its old place; never a second copy."""

    todo: Todo
    index: int

    def describe(self) -> str:
        return f"Restore {quoted(self.todo.title)}"

    def apply(self, todos: Todos) -> tuple[Todos, str | None]:
        if todos.get(self.todo.id) is not None:
            return todos, f"{quoted(self.todo.title)} is already on the list."
        items = todos.items
        at = min(self.index, len(items))
        return Todos(items[:at] + (self.todo,) + items[at:]), None

    def inverse(self, before: Todos) -> Command:
        return Delete(self.todo.id, self.todo.title)


Command = Add | Complete | Reopen | Rename | Delete | Restore
"""One change to the list: describe() in the person's words, apply(todos) -> (todos, note or None),
and inverse(before), the command that reverses it."""


def _set_completed(todos: Todos, command: Complete | Reopen, completed: bool,
                   done_words: str) -> tuple[Todos, str | None]:
    todo = todos.get(command.todo_id)
    if todo is None:
        return todos, _gone(command.title, done_words)
    if todo.completed == completed:
        return todos, None  # already so: nothing to do, nothing to undo
    return todos.set_completed(command.todo_id, completed), None


def _gone(title: str, done_words: str) -> str:
    return f"{quoted(title)} is no longer on the list, so it was not {done_words}."


def _changed(title: str, done_words: str) -> str:
    return f"{quoted(title)} was changed in the meantime, so it was not {done_words}."


@dataclass(frozen=True)
class Step:
    """What applying a batch did: the new list, the commands that took effect, notes on the rest,
    and `undo`, the batch that reverses exactly the commands that took effect, newest first."""

    todos: Todos
    applied: tuple[Command, ...]
    notes: tuple[str, ...]
    undo: Batch

    @property
    def changed(self) -> bool:
        return bool(self.applied)


@dataclass(frozen=True)
class Batch:
    """Commands applied together as one step (one Apply, one Undo)."""

    commands: tuple[Command, ...]

    def describe(self) -> list[str]:
        return [command.describe() for command in self.commands]

    def apply(self, todos: Todos) -> Step:
        applied: list[Command] = []
        inverses: list[Command] = []
        notes: list[str] = []
        for command in self.commands:
            before = todos
            todos, note = command.apply(todos)
            if note:
                notes.append(note)
            if todos != before:
                applied.append(command)
                inverses.append(command.inverse(before))
        return Step(todos, tuple(applied), tuple(notes), Batch(tuple(reversed(inverses))))
