"""The assistant's wiring, imported only when the panel is first opened (app/assistant_launcher.py).

Builds what app/main.py used to build at start-up: the engines, the device, the shelf and storage of
models, the controller and its two views. The to-do list is started by then; the assistant reads it
through `get_todos` and changes it only through `apply_batch` (the to-do controller's).
"""

from app.assistant import AssistantController
from app.chat_view import ChatView
from app.device import BrowserDevice
from app.device_models_view import DeviceModelsView
from app.engine_js import browser_engines
from app.model_storage import ModelShelf, ModelStorage
from app.storage import BrowserSettings


def start(get_todos, apply_batch, watch_todos=None):
    """Wire the assistant; returns its ChatView (bound: it owns the panel and its toggle from now on).

    watch_todos(callback): the to-do controller's, so the assistant reads a changed list ahead."""
    engines = browser_engines()
    device = BrowserDevice()
    shelf = ModelShelf(engines)
    chat_view = ChatView()
    device_models_view = DeviceModelsView()
    model_storage = ModelStorage(shelf, device, device_models_view)
    assistant = AssistantController(engines, device, chat_view, BrowserSettings(), get_todos, shelf,
                                    model_storage, apply_batch=apply_batch)
    if watch_todos is not None:
        watch_todos(assistant.list_changed)
    chat_view.bind(assistant)
    device_models_view.bind(model_storage)
    return chat_view
