"""Start-up: wires the stores, controllers and views together, then hands over from the shell.

PyScript runs this file on the page's main thread once Pyodide is ready (see index.html).
"""

from js import location, window

from app.assistant import AssistantController
from app.chat_view import ChatView
from app.controller import TodoController
from app.dom import listen
from app.llm import WebLlmEngine
from app.model_storage import ModelStorage
from app.storage import BrowserSettings, BrowserStore
from app.storage_view import StorageView
from app.todo_view import TodoView

store = BrowserStore()
todo_view = TodoView()
todos = TodoController(store, todo_view)
todo_view.bind(todos)
todos.start(location.hash, window.bootShell.pendingTitles.to_py())
store.on_external_change(todos.external_change)
listeners = [listen(window, "hashchange", lambda event: todos.route(location.hash))]

engine = WebLlmEngine()
chat_view = ChatView()
storage_view = StorageView()
assistant = AssistantController(engine, chat_view, BrowserSettings(), lambda: todos.todos)
model_storage = ModelStorage(engine, storage_view, lambda: assistant.models, assistant.model_deleted)
assistant.storage = model_storage
chat_view.bind(assistant)
storage_view.bind(model_storage)

window.bootShell.handOver()
