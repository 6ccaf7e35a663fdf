"""The list's screen: what the list's part of the page shows, as data, and the person's intents there.

Pure Python. The page's list is assets/todo-list.js, which owns its elements and renders a state
(`list_state`) it is sent as JSON text; what the person does comes back as intents
(app/todos/intents.py), also JSON text. So one string crosses per change and one per action,
whether Python runs on the page's main thread or in a worker, and no Python object holds an
element. The one thing decided here rather than in the model is which row is being edited: that
is about this tab's focus, not the list, so it is kept here, not stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Protocol

from app.todos.intents import (
    AddTitle,
    CancelEdit,
    ClearCompleted,
    FinishEdit,
    Remove,
    ReplayCommands,
    Route,
    Row,
    SetAllCompleted,
    SetCompleted,
    StartEdit,
    decode_one,
)
from app.todos.model import ROUTES, Todos, count_label

FILTER_HASHES = {filter_name: route for route, filter_name in ROUTES.items()}
"""Each filter's location hash, the link todo-list.js marks selected: the model's routes, reversed."""


def list_state(todos: Todos, filter_name: str, editing: str | None = None) -> dict[str, object]:
    """The state assets/todo-list.js renders: the rows shown, in order, and the footer's figures.

    The row being edited stays until the edit ends, even if another tab moved it out of the filter.
    """
    shown = {todo.id for todo in todos.visible(filter_name)}
    if editing is not None and todos.get(editing) is not None:
        shown.add(editing)
    else:
        editing = None
    active = todos.active_count
    return {
        "rows": [{"id": todo.id, "title": todo.title, "completed": todo.completed}
                 for todo in todos if todo.id in shown],
        "activeCount": active,
        "countLabel": count_label(active),
        "hasTodos": len(todos) > 0,
        "allCompleted": todos.all_completed,
        "hasCompleted": todos.completed_count > 0,
        "filter": FILTER_HASHES[filter_name],
        "editing": editing,
    }


class ListPage(Protocol):
    """The page's list: app/todos/view.py's BrowserListPage (assets/todo-list.js), a recording fake
    in the unit tests (tests/typing/check_ports.py checks both against it)."""

    def render(self, state_json: str) -> None:
        """Show a `list_state`, as JSON text."""

    def show_notice(self, text: str | None) -> None:
        """Show a message to the person (None hides it)."""

    def restore_new_title(self, text: str) -> None:
        """Put `text` back in the new-todo field; the row shown for it before start-up goes."""

    def clear_new_title(self, title: str) -> None:
        """Empty the new-todo field, unless its text is no longer `title` (the person typed on)."""

    def connect(self, handler: Callable[[str], None]) -> None:
        """Send every intent from now on to `handler`, as JSON text."""


class ListCommands(ReplayCommands, Protocol):
    """The controller's commands the intents call (app/todos/controller.py's TodoController): those
    a replay of boot.js's queue uses, and editing and routing, which are never queued."""

    def edit(self, todo_id: str, text: str) -> bool: ...

    def route(self, route_hash: str | None) -> None: ...


class ListScreen:
    """The controller's view (app.todos.controller.ListView) on a ListPage; its intents go to the commands."""

    def __init__(self, page: ListPage) -> None:
        self.page = page
        self.editing: str | None = None  # the id of the to-do whose row is in edit mode
        self._shown: tuple[Todos, str] | None = None
        self._commands: ListCommands | None = None

    def bind(self, commands: ListCommands) -> None:
        """Send the page's intents to `commands` from now on."""
        self._commands = commands
        self.page.connect(self.handle)

    def render(self, todos: Todos, filter_name: str) -> None:
        self._shown = (todos, filter_name)
        if self.editing is not None and todos.get(self.editing) is None:
            self.editing = None  # deleted in another tab: nothing left to save
        self.page.render(json.dumps(list_state(todos, filter_name, self.editing), separators=(",", ":")))

    def _render_again(self) -> None:
        if self._shown is not None:
            self.render(*self._shown)

    def show_notice(self, text: str | None) -> None:
        self.page.show_notice(text)

    def restore_new_title(self, text: str) -> None:
        self.page.restore_new_title(text)

    def handle(self, intent_json: str) -> None:
        """One intent from the page (JSON text): applied through the commands, or left out if not one."""
        commands = self._commands
        try:
            intent = decode_one(json.loads(intent_json))
        except ValueError:
            return
        if commands is None or intent is None:
            return
        match intent:
            case AddTitle(title=title):
                if commands.add(title):
                    self.page.clear_new_title(title)
            case SetCompleted(row=Row(todo_id=str(todo_id)), completed=completed):
                commands.set_completed(todo_id, completed)
            case Remove(row=Row(todo_id=str(todo_id))):
                commands.remove(todo_id)
            case SetAllCompleted(completed=completed):
                commands.set_all_completed(completed)
            case ClearCompleted():
                commands.clear_completed()
            case StartEdit(todo_id=todo_id) if self._shown and self._shown[0].get(todo_id):
                self.editing = todo_id
                self._render_again()
            case FinishEdit(todo_id=todo_id, title=title) if todo_id == self.editing:
                # Still in edit mode while the command renders: a title refused (too long) keeps it,
                # with the person's text; an accepted one ends it.
                if commands.edit(todo_id, title):
                    self.editing = None
                    self._render_again()
            case CancelEdit(todo_id=todo_id) if todo_id == self.editing:
                self.editing = None
                self._render_again()
            case Route(hash=route_hash):
                commands.route(route_hash)
