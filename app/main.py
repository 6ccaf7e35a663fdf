"""Start-up: wires the list's store, controller and view, then hands over from the shell.

PyScript runs this file on the page's main thread once Pyodide is ready (see index.html). Only the
list's modules are fetched and imported before it runs (pyscript.toml [files]); the assistant is
wired by app/assistant/__init__.py, which the launcher fetches and imports on the toggle's first press.
"""

from js import location, window

from app.todos import boot_queue
from app.assistant_launcher import AssistantLauncher
from app.todos.controller import TodoController
from app.dom import listen
from app.todos.storage import BrowserStore
from app.todos.view import TodoView

store = BrowserStore()
todo_view = TodoView()
todos = TodoController(store, todo_view)
todo_view.bind(todos)
todos.start(location.hash, boot_queue.decode(window.bootShell.queue.to_py()))
store.on_external_change(todos.external_change)
listeners = [listen(window, "hashchange", lambda event: todos.route(location.hash))]
assistant = AssistantLauncher(lambda: todos.todos, todos.apply_batch, todos.watch)

window.bootShell.handOver()
