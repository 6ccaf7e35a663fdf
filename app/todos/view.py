"""The to-do list's view: the only module that reads or writes the TodoMVC part of the DOM.

It binds the page's events to a controller and renders `Todos` into TodoMVC's template markup.
Rows are clones of index.html's `<template id="todo-row">`, keyed by to-do id and updated in place,
so a re-render (after a change in another tab, say) keeps the row being edited, its text and its
focus. At start it adopts the rows assets/boot.js painted from the same template instead of
replacing them, so whatever held a row or focus in it before Python was up still holds the live
row. Titles go in as text, never as HTML.
"""

from typing import Any

from js import document
from pyodide.ffi import jsnull

from app.dom import Handler, Listener, listen
from app.todos.controller import TodoController
from app.todos.model import Todo, Todos, count_label


def _is_pending(row: Any) -> bool:
    """A row boot.js painted for a title typed before start-up, not yet given its to-do's id."""
    return not row.hasAttribute("data-id")


def _todo_id(event: Any) -> Any:
    """The id of the to-do whose row the event is in (a JS string, so Any), or None outside a row."""
    row = event.target.closest("li[data-id]")
    return None if row is jsnull else row.dataset.id


class TodoView:
    """The list's DOM (app.todos.controller.ListView, which the controller renders through)."""

    def __init__(self) -> None:
        query = document.querySelector
        self.new_todo = query(".new-todo")
        self.main = query(".main")
        self.toggle_all = query(".toggle-all")
        self.list = query(".todo-list")
        self.footer = query(".footer")
        self.count = query(".todo-count")
        self.filter_links = document.querySelectorAll(".filters a")
        self.clear_button = query(".clear-completed")
        self.notice = query(".notice")
        self._rows: dict[str, Any] = {}  # to-do id -> its <li>
        self._titles: dict[str, str] = {}
        self._editing: str | None = None
        self._rendering = False
        self._listeners: list[Listener] = []
        self._template = document.getElementById("todo-row").content.firstElementChild
        self._pending: list[Any] = []  # boot.js's rows of typed titles, given to the to-dos added for them
        for row in self.list.querySelectorAll("li"):
            self._adopt(row)

    def _adopt(self, row: Any) -> None:
        """Take over a row boot.js painted: key it by its to-do's id (a typed title's row: keep it for
        the to-do that is added for it)."""
        if _is_pending(row):
            self._pending.append(row)
        else:
            self._rows[row.dataset.id] = row
            self._titles[row.dataset.id] = row.querySelector("label").textContent

    # Binding.

    def bind(self, controller: TodoController) -> None:
        """Route DOM events to `controller`; one delegated listener per event type on the list."""
        self.controller = controller

        def bind(element: Any, name: str, handler: Handler) -> None:
            self._listeners.append(listen(element, name, handler))

        bind(self.new_todo, "keydown", self._on_new_todo_key)
        bind(self.toggle_all, "change", lambda e: controller.set_all_completed(e.target.checked))
        bind(self.clear_button, "click", lambda e: controller.clear_completed())
        bind(self.list, "change", self._on_list_change)
        bind(self.list, "click", self._on_list_click)
        bind(self.list, "dblclick", self._on_list_dblclick)
        bind(self.list, "keydown", self._on_edit_key)
        bind(self.list, "focusout", self._on_edit_blur)
        self.notice.querySelector("button").disabled = False
        bind(self.notice.querySelector("button"), "click", lambda e: self.show_notice(None))

    def _on_new_todo_key(self, event: Any) -> None:
        if event.key != "Enter" or event.isComposing:
            return
        if self.controller.add(self.new_todo.value):
            self.new_todo.value = ""

    def _on_list_change(self, event: Any) -> None:
        if event.target.matches(".toggle"):
            self.controller.set_completed(_todo_id(event), event.target.checked)

    def _on_list_click(self, event: Any) -> None:
        if event.target.matches(".destroy"):
            self.controller.remove(_todo_id(event))

    def _on_list_dblclick(self, event: Any) -> None:
        if event.target.matches("label"):
            self._start_editing(_todo_id(event))

    def _on_edit_key(self, event: Any) -> None:
        if not event.target.matches(".edit") or event.isComposing:
            return
        if event.key == "Enter":
            self._finish_editing()
        elif event.key == "Escape":
            self._cancel_editing()

    def _on_edit_blur(self, event: Any) -> None:
        # Removing a focused row fires focusout synchronously; render() decides that edit's fate.
        if event.target.matches(".edit") and not self._rendering:
            self._finish_editing()

    # Editing state belongs to the view: it is about this tab's focus, not the list.

    def _start_editing(self, todo_id: str) -> None:
        row = self._rows.get(todo_id)
        if row is None:
            return
        self._editing = todo_id
        row.classList.add("editing")
        field = row.querySelector(".edit")
        field.value = self._titles[todo_id]
        field.focus()
        end = 1 << 30  # past the end: the browser clamps it, putting the caret after the text
        field.setSelectionRange(end, end)

    def _finish_editing(self) -> None:
        todo_id, self._editing = self._editing, None
        if todo_id is None:
            return
        row = self._rows.get(todo_id)
        if row is None:
            return
        if self.controller.edit(todo_id, row.querySelector(".edit").value):
            row.classList.remove("editing")
        else:
            self._editing = todo_id  # too long: stay in edit mode with the text kept

    def _cancel_editing(self) -> None:
        todo_id, self._editing = self._editing, None
        if todo_id in self._rows:
            self._rows[todo_id].classList.remove("editing")

    # Rendering.

    def _create_row(self, todo: Todo) -> Any:
        if self._pending and self._pending[0].querySelector("label").textContent == todo.title:
            row = self._pending.pop(0)  # the title typed before start-up, now added
        else:
            row = self._template.cloneNode(True)
        row.dataset.id = todo.id
        return row

    def _update_row(self, row: Any, todo: Todo) -> None:
        if self._titles.get(todo.id) != todo.title:
            self._titles[todo.id] = todo.title
            row.querySelector("label").textContent = todo.title
        row.classList.toggle("completed", todo.completed)
        row.querySelector(".toggle").checked = todo.completed

    def render(self, todos: Todos, filter_name: str) -> None:
        self._rendering = True
        try:
            self._render_rows(todos, filter_name)
        finally:
            self._rendering = False
        self._render_chrome(todos, filter_name)

    def _render_rows(self, todos: Todos, filter_name: str) -> None:
        visible_ids = {todo.id for todo in todos.visible(filter_name)}
        # The row being edited stays until the edit ends, even if another tab moved it out of view.
        if self._editing is not None and todos.get(self._editing) is not None:
            visible_ids.add(self._editing)
        visible = [todo for todo in todos if todo.id in visible_ids]
        alive = {todo.id for todo in todos}
        for todo_id in [i for i in self._rows if i not in alive]:
            if self._editing == todo_id:
                self._editing = None  # deleted in another tab: nothing left to save
            self._titles.pop(todo_id, None)
            self._rows.pop(todo_id).remove()
        cursor = self.list.firstElementChild
        for todo in visible:
            row = self._rows.get(todo.id)
            if row is None:
                row = self._rows[todo.id] = self._create_row(todo)
            self._update_row(row, todo)
            cursor = self._skip_hidden(cursor, visible_ids)
            if cursor is not jsnull and cursor.dataset.id == todo.id:
                cursor = cursor.nextElementSibling
            else:
                # Only rows out of place move: moving the focused row would end its edit.
                self.list.insertBefore(row, cursor or None)
        self._skip_hidden(cursor, set())

    def _skip_hidden(self, cursor: Any, visible_ids: set[str]) -> Any:
        """Remove rows from `cursor` on up to the next visible one, which it returns (or jsnull).

        Rows of titles typed before start-up stay until their to-dos are added (or boot.js's
        hand-over drops them), so they are passed over, not removed.
        """
        while cursor is not jsnull and (_is_pending(cursor) or cursor.dataset.id not in visible_ids):
            hidden_row, cursor = cursor, cursor.nextElementSibling
            if not _is_pending(hidden_row):
                hidden_row.remove()
        return cursor

    def _render_chrome(self, todos: Todos, filter_name: str) -> None:
        has_todos = len(todos) > 0
        self.main.hidden = not has_todos
        self.footer.hidden = not has_todos
        self.toggle_all.checked = todos.all_completed
        active = todos.active_count
        strong = document.createElement("strong")
        strong.textContent = str(active)
        self.count.replaceChildren(strong, f" {count_label(active)}")
        self.clear_button.hidden = todos.completed_count == 0
        selected = {"all": "#/", "active": "#/active", "completed": "#/completed"}[filter_name]
        for link in self.filter_links:
            link.classList.toggle("selected", link.getAttribute("href") == selected)

    def restore_new_title(self, text: str) -> None:
        """Put back a title typed before start-up that could not be added, so it is not lost."""
        self.new_todo.value = text
        for row in self._pending:
            if row.querySelector("label").textContent == text.strip():
                self._pending.remove(row)
                row.remove()
                break

    def show_notice(self, text: str | None) -> None:
        """Show a message to the user (None hides it). The to-do list keeps working either way."""
        self.notice.hidden = text is None
        self.notice.querySelector("p").textContent = text or ""
