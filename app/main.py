"""Start-up: wires the stores, controllers and views together, then hands over from the shell.

PyScript runs this file on the page's main thread once Pyodide is ready (see index.html).
"""

from js import location, window

from app.assistant import AssistantController
from app.chat_view import ChatView
from app.controller import TodoController
from app.device import BrowserDevice
from app.device_models_view import DeviceModelsView
from app.dom import listen
from app.engine_js import browser_engines
from app.model_storage import ModelShelf, ModelStorage
from app.storage import BrowserSettings, BrowserStore
from app.todo_view import TodoView

store = BrowserStore()
todo_view = TodoView()
todos = TodoController(store, todo_view)
todo_view.bind(todos)
todos.start(location.hash, window.bootShell.pendingTitles.to_py())
store.on_external_change(todos.external_change)
listeners = [listen(window, "hashchange", lambda event: todos.route(location.hash))]

engines = browser_engines()
device = BrowserDevice()
shelf = ModelShelf(engines)
chat_view = ChatView()
device_models_view = DeviceModelsView()
model_storage = ModelStorage(shelf, device, device_models_view)
assistant = AssistantController(engines, device, chat_view, BrowserSettings(), lambda: todos.todos, shelf,
                                model_storage, apply_batch=todos.apply_batch)
chat_view.bind(assistant)
device_models_view.bind(model_storage)

window.bootShell.handOver()
