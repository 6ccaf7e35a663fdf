"""The to-do list, loaded at start (pyscript.toml [files]): TodoMVC's rules in pure Python, the
versioned storage record, the replay of what was done before Python was up, and the controller,
plus the list's two browser adapters, which app/main.py imports from their modules because they
need the browser: storage.py (the only module touching localStorage) and view.py (the only module
touching the list's DOM). What the rest of the app uses is named here.
"""

from app.todos.controller import TodoController
from app.todos.model import MAX_TITLE_LENGTH, Todo, Todos, new_id
from app.todos.store import StorageFull, TodoStore

__all__ = ["MAX_TITLE_LENGTH", "StorageFull", "Todo", "TodoController", "TodoStore", "Todos", "new_id"]
