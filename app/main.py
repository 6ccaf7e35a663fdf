"""Start-up: wires the stores, controllers and views together, then hands over from the shell.

PyScript runs this file on the page's main thread once Pyodide is ready (see index.html).
"""

from js import location, window
from pyodide.ffi import create_proxy

from app.assistant import AssistantController
from app.chat_view import ChatView
from app.controller import TodoController
from app.llm import WebLlmEngine
from app.storage import BrowserSettings, BrowserStore
from app.todo_view import TodoView

store = BrowserStore()
todo_view = TodoView()
todos = TodoController(store, todo_view)
todo_view.bind(todos)
todos.start(location.hash, window.bootShell.pendingTitles.to_py())
store.on_external_change(todos.external_change)
on_hash_change = create_proxy(lambda event: todos.route(location.hash))
window.addEventListener("hashchange", on_hash_change)

chat_view = ChatView()
assistant = AssistantController(WebLlmEngine(), chat_view, BrowserSettings(), lambda: todos.todos)
chat_view.bind(assistant)

window.bootShell.handOver()
