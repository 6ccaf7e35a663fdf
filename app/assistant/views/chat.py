"""The assistant panel's view: its toggle, the model picker, load progress, errors and message box.

The only module that reads or writes those parts of the DOM. The picker groups the models by where
they run (one <optgroup> per group the controller passes: app/model_choice.groups) and marks
those on this device. The questions and answers have their own view, app/assistant/views/transcript.py's
TranscriptView: this one creates it and passes it the controller's answer calls (start_answer,
clear_transcript), so the controller sees one view of the whole panel. What the message box's Enter
does, and keeping the form from navigating, is decided on the page's thread (assets/ask-form.js):
this view sends on the form's submit event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from pyscript import document, window  # the page's, also where Python runs in a worker

from app.dom import Handler, Listener, listen
from app.assistant.views.transcript import AnswerView, TranscriptView

if TYPE_CHECKING:
    from app.assistant.controller import AssistantController
    from app.assistant.models.catalogue import Model


def _run(coroutine_function: Callable[[], Awaitable[object]]) -> Handler:
    """An event handler that starts `coroutine_function()` on Pyodide's event loop."""
    return lambda event: asyncio.ensure_future(coroutine_function())


class ChatView:
    """The assistant's panel (app.assistant.contracts.AssistantView, which the controller calls)."""

    def __init__(self) -> None:
        query = document.querySelector
        self.toggle = query(".assistant-toggle")
        self.panel = query("#assistant-panel")
        self.picker = query("#model")
        self.load_button = query(".load-model")
        self.cancel_button = query(".cancel-load")
        self.progress = query(".load-progress")
        self.progress_bar = query(".load-progress [role=progressbar]")
        self.progress_fill = query(".load-progress .bar-fill")
        self.progress_text = query(".load-status")
        self.error = query(".assistant-error")
        self.retry_button = query(".assistant-error .retry")
        self.reload_button = query(".assistant-error .reload")
        self.form = query(".ask")
        self.message = query("#message")
        self.send_button = query(".send")
        self.stop_button = query(".stop")
        self.new_chat_button = query(".new-chat")
        self.transcript = TranscriptView(lambda: self.message.focus())
        self._cached: set[str] = set()
        self._no_download: frozenset[str] = frozenset()
        self._models: dict[str, Model] = {}
        self._listeners: list[Listener] = []

    def bind(self, controller: AssistantController) -> None:
        self.controller = controller

        def on(element: Any, name: str, handler: Handler) -> None:
            self._listeners.append(listen(element, name, handler))

        on(self.toggle, "click", _run(self.toggle_panel))
        on(self.picker, "change", lambda e: controller.select(self.picker.value))
        on(self.load_button, "click", _run(controller.load))
        on(self.retry_button, "click", _run(controller.load))
        on(self.cancel_button, "click", lambda e: controller.cancel_load())
        on(self.reload_button, "click", lambda e: window.location.reload())
        on(self.stop_button, "click", lambda e: controller.stop())
        on(self.new_chat_button, "click", _run(controller.new_chat))
        on(self.form, "submit", lambda e: self._send())  # also Enter in the message box (assets/ask-form.js)
        self.toggle.disabled = False

    async def toggle_panel(self) -> None:
        opening = self.panel.hidden
        self.panel.hidden = not opening
        self.toggle.setAttribute("aria-expanded", "true" if opening else "false")
        if opening:
            self.transcript.load_markdown()
            await self.controller.open()

    def _send(self) -> None:
        if self.send_button.disabled:
            return

        asyncio.ensure_future(self.controller.ask(self.message.value))

    # Rendering, called by the controller.

    def set_state(self, state: str, model: Model | None, loaded_id: str | None) -> None:
        self.panel.dataset.state = state
        busy = state in ("checking", "loading", "generating")
        self.picker.disabled = state in ("checking", "unsupported", "loading", "generating", "closed")
        needs_load = model is not None and model.model_id != loaded_id
        self.load_button.hidden = state == "loading" or not needs_load
        self.load_button.disabled = busy or state == "unsupported"
        # A model on this device, or one whose engine downloads nothing (the browser's own), only needs starting.
        ready_here = model is not None and model.model_id in self._cached | self._no_download
        self.load_button.textContent = "Start model" if ready_here else "Download and start"
        self.cancel_button.hidden = state != "loading"
        can_ask = state in ("ready", "generating")
        self.message.disabled = not can_ask
        self.message.placeholder = "Ask about your to-dos…" if can_ask else "Start a model to ask questions"
        self.send_button.disabled = state != "ready"
        self.stop_button.hidden = state != "generating"
        self.new_chat_button.disabled = state == "generating"
        if state == "ready" and not self.message.matches(":focus"):
            self.message.focus()

    def show_models(self, groups: list[tuple[str, list[Model]]], selected: Model | None, cached: Iterable[str],
                    problems: list[str], no_download: frozenset[str] = frozenset()) -> None:
        """groups: [(label, [Model])], one <optgroup> each, in picker order."""
        self._cached = set(cached)
        self._no_download = no_download
        self._models = {}
        optgroups = []
        for label, models in groups:
            optgroup = document.createElement("optgroup")
            optgroup.label = label
            for model in models:
                self._models[model.model_id] = model
                option = document.createElement("option")
                option.value = model.model_id
                option.selected = model is selected
                optgroup.append(option)
            optgroups.append(optgroup)
        self.picker.replaceChildren(*optgroups)
        self._label_options()
        if problems:
            self.show_error(" ".join(problems), "", retry=False)

    def mark_cached(self, model_id: str) -> None:
        self._cached.add(model_id)
        self._label_options()

    def unmark_cached(self, model_id: str) -> None:
        self._cached.discard(model_id)
        self._label_options()

    def _label_options(self) -> None:
        for option in self.picker.options:
            model = self._models.get(option.value)
            if model is not None:
                mark = ", on this device" if model.model_id in self._cached else ""
                option.textContent = f"{model.option_text}{mark}"

    def show_progress(self, progress: float | None, text: str) -> None:
        """progress in 0..1, or None to hide the bar (the text may stay, e.g. 'Cancelled')."""
        self.progress.hidden = progress is None and not text
        self.progress_bar.hidden = progress is None
        if progress is not None:
            percent = max(0, min(100, round(progress * 100)))
            self.progress_bar.setAttribute("aria-valuenow", str(percent))
            self.progress_fill.style.width = f"{percent}%"
        self.progress_text.textContent = text

    def show_error(self, message: str | None, advice: str = "", retry: bool = False, reload: bool = False) -> None:
        self.error.hidden = message is None
        self.error.querySelector(".message").textContent = message or ""
        self.error.querySelector(".advice").textContent = advice or ""
        self.retry_button.hidden = not retry
        self.reload_button.hidden = not reload

    def start_answer(self, question: str) -> AnswerView:
        # The question is taken: the box is emptied now, not when the answer ends, so what is typed
        # meanwhile (the next question) is kept; a retry's question leaves the box as it is.
        if self.message.value.strip() == question:
            self.message.value = ""
        return self.transcript.start_answer(question)

    def clear_transcript(self) -> None:
        self.transcript.clear()
        self.message.focus()
