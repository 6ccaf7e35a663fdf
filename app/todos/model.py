"""The to-do model: TodoMVC's rules in pure Python.

No `js` or `pyscript` imports, so it runs (and is unit-tested) in plain CPython. A `Todos` value is
immutable: every command returns a new one. That lets the controller re-read the latest stored list
before each change (another tab may have written it) and apply the command to that, instead of
overwriting newer data with a stale copy.
"""

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

FILTERS = ("all", "active", "completed")
ROUTES = {"#/": "all", "#/active": "active", "#/completed": "completed"}
MAX_TITLE_LENGTH = 2000


class TitleTooLong(ValueError):
    """A title longer than MAX_TITLE_LENGTH; the caller keeps the text so nothing is lost."""


def new_id() -> str:
    """A random id that stays unique across tabs and devices (no shared counter needed)."""
    return os.urandom(8).hex()


def normalize_title(text: str) -> str:
    """Trim a title as TodoMVC does; '' means blank. Raises TitleTooLong past the limit."""
    title = text.strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise TitleTooLong(
            f"That to-do is {len(title):,} characters long; the limit is {MAX_TITLE_LENGTH:,}."
        )
    return title


def filter_for_route(hash_: str | None) -> str:
    """The filter a location hash selects; unknown hashes show everything, as TodoMVC does."""
    return ROUTES.get(hash_ or "#/", "all")


def count_label(active_count: int) -> str:
    """'item left' or 'items left', the words after the number in the footer."""
    return "item left" if active_count == 1 else "items left"


class Todo:
    """One to-do. Immutable; `created` is epoch milliseconds."""

    __slots__ = ("id", "title", "completed", "created")
    id: str
    title: str
    completed: bool
    created: int

    def __init__(self, id: str, title: str, completed: bool = False, created: int = 0) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "completed", bool(completed))
        object.__setattr__(self, "created", int(created))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Todo is immutable; use with_changes()")

    def with_changes(self, **changes: Any) -> "Todo":
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Todo(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Todo):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self) -> str:
        return f"Todo({self.id!r}, {self.title!r}, completed={self.completed}, created={self.created})"


class Todos:
    """An ordered, immutable list of to-dos with TodoMVC's commands."""

    __slots__ = ("items",)
    items: tuple[Todo, ...]

    def __init__(self, items: Iterable[Todo] = ()) -> None:
        object.__setattr__(self, "items", tuple(items))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Todos is immutable")

    def __iter__(self) -> Iterator[Todo]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Todos) and self.items == other.items

    def __repr__(self) -> str:
        return f"Todos({list(self.items)!r})"

    def get(self, todo_id: str | None) -> Todo | None:
        for todo in self.items:
            if todo.id == todo_id:
                return todo
        return None

    def _replace(self, todo_id: str, change: Callable[[Todo], Todo]) -> "Todos":
        return Todos(change(t) if t.id == todo_id else t for t in self.items)

    # Commands. Each returns a new Todos; unknown ids are ignored, because the to-do may have been
    # deleted in another tab a moment ago.

    def add(self, text: str, *, todo_id: str | None = None, created: int = 0) -> "Todos":
        """Append a to-do; a blank title is ignored (returns self)."""
        title = normalize_title(text)
        if not title:
            return self
        return Todos(self.items + (Todo(todo_id or new_id(), title, False, created),))

    def edit(self, todo_id: str, text: str) -> "Todos":
        """Rename a to-do; a blank title deletes it, as TodoMVC's spec says."""
        title = normalize_title(text)
        if not title:
            return self.remove(todo_id)
        return self._replace(todo_id, lambda t: t.with_changes(title=title))

    def set_completed(self, todo_id: str, completed: bool) -> "Todos":
        return self._replace(todo_id, lambda t: t.with_changes(completed=bool(completed)))

    def toggle(self, todo_id: str) -> "Todos":
        todo = self.get(todo_id)
        return self if todo is None else self.set_completed(todo_id, not todo.completed)

    def remove(self, todo_id: str) -> "Todos":
        return Todos(t for t in self.items if t.id != todo_id)

    def set_all_completed(self, completed: bool) -> "Todos":
        return Todos(t.with_changes(completed=bool(completed)) for t in self.items)

    def clear_completed(self) -> "Todos":
        return Todos(t for t in self.items if not t.completed)

    # Queries.

    def visible(self, filter_name: str) -> list[Todo]:
        if filter_name == "active":
            return [t for t in self.items if not t.completed]
        if filter_name == "completed":
            return [t for t in self.items if t.completed]
        return list(self.items)

    @property
    def active_count(self) -> int:
        return sum(1 for t in self.items if not t.completed)

    @property
    def completed_count(self) -> int:
        return len(self.items) - self.active_count

    @property
    def all_completed(self) -> bool:
        return bool(self.items) and self.active_count == 0
