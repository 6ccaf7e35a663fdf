"""What the person does to the list, as assets/todo-list.js reports it: decoded warily, handled in order.

Pure Python. The page's list (assets/todo-list.js) turns events into intents, plain data. Before
Python is up, assets/boot.js queues them and paints their effect; at hand-over the controller
replays the queue through its normal commands (`replay`), so storage, the two-tab rules and the
counter apply just as if Python had been there from the start. From then on each intent comes to
app/todos/screen.py as it happens.

A row is named by its to-do's id (a saved to-do) or by `typed`, the index of the title entered
before start-up that the row shows: that to-do gets its id only when its title is added here.
(Filter links need no queue: they change the URL hash, which start-up reads. Editing waits for
Python, so its intents are never queued.)

The intents come from JavaScript, so `decode` trusts nothing: an entry it does not understand is
left out, never raised on.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from app.todos.model import new_id


@dataclass(frozen=True)
class Row:
    """A painted row: a saved to-do's id, or the index of a title typed before start-up."""

    todo_id: str | None = None
    typed: int | None = None


@dataclass(frozen=True)
class AddTitle:
    typed: int | None  # this title's index among those typed before start-up; None once Python is up
    title: str


@dataclass(frozen=True)
class SetCompleted:
    row: Row
    completed: bool  # the checkbox as the person left it (not a flip: a double replay is harmless)


@dataclass(frozen=True)
class Remove:
    row: Row


@dataclass(frozen=True)
class SetAllCompleted:
    completed: bool


@dataclass(frozen=True)
class ClearCompleted:
    pass


@dataclass(frozen=True)
class StartEdit:
    todo_id: str


@dataclass(frozen=True)
class FinishEdit:
    todo_id: str
    title: str  # the edit field's text (Enter, or the field lost the focus)


@dataclass(frozen=True)
class CancelEdit:
    todo_id: str


@dataclass(frozen=True)
class Route:
    hash: str  # the location's hash, which selects the filter


def _is_index(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _row(entry: dict[str, Any]) -> Row | None:
    todo_id, typed = entry.get("id"), entry.get("typed")
    if isinstance(todo_id, str) and todo_id and typed is None:
        return Row(todo_id=todo_id)
    if _is_index(typed) and todo_id is None:
        return Row(typed=typed)
    return None


Intent = AddTitle | SetCompleted | Remove | SetAllCompleted | ClearCompleted | StartEdit | FinishEdit | CancelEdit | Route
"""One thing done to the list, as decoded from assets/todo-list.js's intents (or boot.js's queue of them)."""


def _text(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) else None


def _decode_editing(kind: object, entry: dict[str, Any]) -> Intent | None:
    todo_id, title = _text(entry, "id"), _text(entry, "title")
    if kind == "route":
        hash_ = _text(entry, "hash")
        return Route(hash_) if hash_ is not None else None
    if not todo_id:
        return None
    if kind == "start-edit":
        return StartEdit(todo_id)
    if kind == "cancel-edit":
        return CancelEdit(todo_id)
    if kind == "edit" and title is not None:
        return FinishEdit(todo_id, title)
    return None


def decode_one(entry: object) -> Intent | None:
    """One intent (a plain dict, see assets/todo-list.js) -> an Intent, or None when it is not one."""
    if not isinstance(entry, dict):
        return None
    kind, completed = entry.get("type"), entry.get("completed")
    if kind == "add":
        title, typed = entry.get("title"), entry.get("typed")
        return AddTitle(typed, title) if isinstance(title, str) and (typed is None or _is_index(typed)) else None
    if kind == "clear-completed":
        return ClearCompleted()
    if kind in ("start-edit", "edit", "cancel-edit", "route"):
        return _decode_editing(kind, entry)
    if kind == "set-all-completed":
        return SetAllCompleted(completed) if isinstance(completed, bool) else None
    row = _row(entry)
    if row is None:
        return None
    if kind == "set-completed":
        return SetCompleted(row, completed) if isinstance(completed, bool) else None
    if kind == "remove":
        return Remove(row)
    return None


def decode(entries: object) -> tuple[Intent, ...]:
    """boot.js's queue (a list of plain dicts, see assets/boot.js) -> a tuple of intents, in order."""
    if not isinstance(entries, (list, tuple)):
        return ()
    return tuple(intent for intent in map(decode_one, entries) if intent is not None)


class ReplayCommands(Protocol):
    """The controller's commands a replay uses (app/todos/controller.py's TodoController offers them)."""

    def add(self, text: str, todo_id: str | None = None) -> bool:
        """Add a to-do (with this id); False when the title was refused (blank or too long)."""

    def set_completed(self, todo_id: str, completed: bool) -> bool: ...

    def remove(self, todo_id: str) -> bool: ...

    def set_all_completed(self, completed: bool) -> bool: ...

    def clear_completed(self) -> bool: ...


def replay(intents: Iterable[Intent], commands: ReplayCommands,
           make_id: Callable[[], str] = new_id) -> list[str]:
    """Apply `intents` in order through `commands`; returns the titles that could not be added.

    An intent on the row of a title that was refused (or is not on the list any more) changes
    nothing, as a click on a to-do deleted in another tab a moment ago changes nothing.
    """
    ids: dict[int, str] = {}  # typed index -> the id its to-do was added with
    refused: list[str] = []

    def id_of(row: Row) -> str | None:
        return row.todo_id if row.typed is None else ids.get(row.typed)

    for intent in intents:
        match intent:
            case AddTitle(typed=typed, title=title):
                todo_id = make_id()
                if commands.add(title, todo_id):
                    if typed is not None:
                        ids[typed] = todo_id
                else:
                    refused.append(title)
            case SetCompleted(row=row, completed=completed) if (row_id := id_of(row)) is not None:
                commands.set_completed(row_id, completed)
            case Remove(row=row) if (row_id := id_of(row)) is not None:
                commands.remove(row_id)
            case SetAllCompleted(completed=completed):
                commands.set_all_completed(completed)
            case ClearCompleted():
                commands.clear_completed()
    return refused
