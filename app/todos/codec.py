"""The storage codec: to-dos to and from the versioned JSON record kept in the browser.

Pure Python (no `js` imports). The record is `{"version": 1, "todos": [{"id", "title", "completed",
"created"}]}`. Decoding never raises: whatever is stored, the app gets a usable list, plus a
description of anything it could not read so the caller can back the raw text up and tell the user.
"""

import json
from collections.abc import Iterable

from app.todos.model import Todo, Todos

SCHEMA_VERSION = 1


class Decoded:
    """The outcome of decoding: the usable to-dos, `problem` (None when all was read), and
    `migrated` when the record was in an older format and should be written back in this one."""

    __slots__ = ("todos", "problem", "migrated")

    def __init__(self, todos: Todos, problem: str | None = None, migrated: bool = False) -> None:
        self.todos = todos
        self.problem = problem
        self.migrated = migrated

    def __repr__(self) -> str:
        return f"Decoded({self.todos!r}, problem={self.problem!r})"


def encode(todos: Iterable[Todo]) -> str:
    """The JSON text to store for `todos` (compact: storage quota is small)."""
    record = {
        "version": SCHEMA_VERSION,
        "todos": [
            {"id": t.id, "title": t.title, "completed": t.completed, "created": t.created}
            for t in todos
        ],
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _item(raw: object, index: int) -> Todo | None:
    """A Todo from one stored item, or None when it is unreadable."""
    if not isinstance(raw, dict):
        return None
    title = raw.get("title")
    completed = raw.get("completed", False)
    created = raw.get("created", 0)
    todo_id = raw.get("id", f"legacy-{index}")
    if not isinstance(title, str) or not title.strip() or not isinstance(completed, bool):
        return None
    if isinstance(todo_id, int) and not isinstance(todo_id, bool):
        todo_id = str(todo_id)
    if not isinstance(todo_id, str) or not todo_id:
        return None
    if not isinstance(created, (int, float)) or isinstance(created, bool):
        created = 0
    return Todo(todo_id, title.strip(), completed, int(created))


def _items(raw_items: list[object]) -> Decoded:
    todos: list[Todo] = []
    unreadable, seen = 0, set()
    for index, raw in enumerate(raw_items):
        todo = _item(raw, index)
        if todo is None or todo.id in seen:
            unreadable += 1
            continue
        seen.add(todo.id)
        todos.append(todo)
    problem = None
    if unreadable:
        problem = f"had {unreadable} unreadable to-do{'s' if unreadable != 1 else ''}"
    return Decoded(Todos(todos), problem)


def decode(text: str | None) -> Decoded:
    """Decode stored text (None when nothing is stored). Never raises."""
    if text is None or text == "":
        return Decoded(Todos())
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return Decoded(Todos(), "could not be read (not valid JSON)")
    if isinstance(record, list):
        # Version 0: a bare list of {title, completed}, as TodoMVC's vanilla examples store it.
        decoded = _items(record)
        decoded.migrated = True
        return decoded
    if not isinstance(record, dict):
        return Decoded(Todos(), "could not be read (not a to-do record)")
    version = record.get("version")
    if version != SCHEMA_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            return Decoded(Todos(), f"were saved by a newer version of the app (format {version})")
        return Decoded(Todos(), "could not be read (unknown format)")
    items = record.get("todos")
    if not isinstance(items, list):
        return Decoded(Todos(), "could not be read (no to-do list in the record)")
    return _items(items)
