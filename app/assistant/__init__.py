"""The assistant, loaded on first use: fetched and imported when its panel is first opened
(app/assistant_launcher.py), never at start-up. `start()` is its one entry point.

Its parts, one package each: engines/ (the engine port, the one adapter over the engines' JS
modules, reading their reports, the browser's device facts, the sampling), models/ (the catalogue,
which of them this device runs, the site's own models, the models on this device), requests/ (what
a message asks, the one request it gets, the prompts, the checks of an answer), changes/ (the
change schema, reading changes into commands, the proposal flow) and views/ (the panel, the
transcript, a proposal, the models on this device); the controller (controller.py), one message's
turn (turn.py), reading the chat ahead (warmer.py) and its words (text.py) sit beside them.

This module imports nothing at load: importing any of the assistant's modules imports it first,
and the launcher imports them one at a time, so no single import is a long task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.assistant.contracts import ApplyBatch, GetTodos, WatchTodos
    from app.assistant.views.chat import ChatView


def start(get_todos: GetTodos, apply_batch: ApplyBatch, watch_todos: WatchTodos | None = None) -> ChatView:
    """Wire the assistant; returns its ChatView (bound: it owns the panel and its toggle from now on).

    The to-do list is started by then; the assistant reads it through `get_todos` and changes it
    only through `apply_batch` (the to-do controller's); watch_todos(callback) is the to-do
    controller's, so the assistant reads a changed list ahead."""
    from app.assistant.controller import AssistantController
    from app.assistant.engines.device import BrowserDevice
    from app.assistant.engines.js_adapter import browser_engines
    from app.assistant.models.shelf import ModelShelf, ModelStorage
    from app.assistant.views.chat import ChatView
    from app.assistant.views.device_models import DeviceModelsView
    from app.todos.storage import BrowserSettings

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
