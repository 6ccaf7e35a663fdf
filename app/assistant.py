"""The assistant's controller: model choice, loading, asking, stopping, new chats.

Pure Python (no `js` imports): the engine adapter (app/llm.py), the view (app/chat_view.py), the
settings store and the source of to-dos are passed in, so the whole flow runs in CPython's asyncio
against fakes in the unit tests. One generation at a time; the list is read afresh for every
question so edits made between questions are seen.
"""

from app import models as catalogue
from app.assistant_text import (
    describe_generate_error,
    describe_load_error,
    describe_progress,
    format_speed,
    needs_reload,
    no_webgpu_message,
)
from app.prompts import PromptTooLong, build_messages

ANSWER_TOKENS = 512
MODEL_SETTING = "tasks-and-talk.model"


class LoadCancelled(Exception):
    """Raised by the engine's load() when cancel_load() stopped it."""


class AssistantController:
    def __init__(self, engine, view, settings, get_todos, storage=None):
        self.engine = engine
        self.storage = storage
        self.view = view
        self.settings = settings
        self.get_todos = get_todos
        self.models = []
        self.model = None
        self.loaded_id = None
        self.history = []
        self.state = "closed"
        self._stopping = False

    def _set_state(self, state):
        self.state = state
        self.view.set_state(state, self.model, self.loaded_id)

    async def open(self):
        """First opening of the panel: check WebGPU, list the models this GPU can run."""
        if self.state != "closed":
            return
        self._set_state("checking")
        gpu = await self.engine.detect_gpu()
        if not gpu["available"]:
            self._set_state("unsupported")
            self.view.show_error(no_webgpu_message(), gpu.get("detail", ""), retry=False)
            return
        custom, problems = catalogue.parse_custom_models(await self.engine.custom_models_text() or '{"models": []}')
        self.models = catalogue.usable(catalogue.built_in_models(gpu["f16"]) + custom, gpu["f16"])
        self.model = catalogue.choose(self.models, self.settings.get(MODEL_SETTING))
        cached = await self.engine.cached_ids(self.models)
        self.view.show_models(self.models, self.model, cached, problems)
        self._set_state("idle")
        if self.storage is not None:
            await self.storage.refresh()

    def select(self, model_id):
        for model in self.models:
            if model.model_id == model_id:
                self.model = model
                self.settings.set(MODEL_SETTING, model_id)
        if self.state in ("idle", "ready"):
            self._set_state("ready" if self.loaded_id == self.model.model_id else "idle")

    async def load(self):
        """Download (or load from this device) the selected model and start it on the GPU."""
        if self.state not in ("idle", "ready") or self.model is None:
            return
        model = self.model
        self.view.show_error(None)
        cached = model.model_id in await self.engine.cached_ids([model])
        if not cached and not self.engine.online():
            # Checked before trying: WebLLM would only fail later with a network error.
            message, advice = describe_load_error("", online=False, model_label=model.label)
            self.view.show_error(message, advice, retry=True)
            return
        if not cached and self.storage is not None:
            problem = await self.storage.check_space(model)
            if problem:
                self.view.show_error(problem, "", retry=True)
                return
        self.loaded_id = None
        self._set_state("loading")
        self.view.show_progress(0, "Starting…")
        try:
            await self.engine.load(model, self._on_progress)
        except LoadCancelled:
            self._set_state("idle")
            self.view.show_progress(None, "Cancelled. The parts already downloaded are kept for next time.")
            return
        except Exception as error:  # every failure becomes a message; the to-do list is untouched
            self._set_state("idle")
            message, advice = describe_load_error(str(error), online=self.engine.online(), model_label=model.label)
            self.view.show_progress(None, "")
            self.view.show_error(message, advice, retry=True, reload=needs_reload(str(error)))
            return
        self.loaded_id = model.model_id
        self.view.show_progress(None, f"{model.label} is running on this device.")
        self.view.mark_cached(model.model_id)
        self._set_state("ready")
        if not cached and self.storage is not None:
            await self.storage.after_download(model)

    def _on_progress(self, text, progress):
        self.view.show_progress(progress, describe_progress(text, progress))

    def model_deleted(self, model_id):
        """Its files are gone: the picker must no longer say it is on this device."""
        self.view.unmark_cached(model_id)
        if self.state in ("idle", "ready"):
            self._set_state(self.state)

    def cancel_load(self):
        if self.state == "loading":
            self.engine.cancel_load()

    async def ask(self, question):
        """Send a question; True when it was taken (the view then clears the box)."""
        question = question.strip()
        if not question or self.state != "ready":
            return False
        try:
            messages = build_messages(self.get_todos(), self.history, question,
                                      context_tokens=self.model.context_window, answer_tokens=ANSWER_TOKENS)
        except PromptTooLong as error:
            self.view.show_error(str(error), "", retry=False)
            return False
        self.view.show_error(None)
        self._stopping = False
        self._set_state("generating")
        answer = self.view.start_answer(question)
        parts = []

        def on_delta(text):
            if not self._stopping:
                parts.append(text)
                answer.append(text)

        finish, extra, failure = None, None, None
        try:
            finish, extra = await self.engine.generate(messages, on_delta, ANSWER_TOKENS)
        except Exception as error:
            failure = describe_generate_error(str(error))
            if needs_reload(str(error)):
                self.view.show_error(failure, "", retry=False, reload=True)
        text = "".join(parts)
        if self._stopping:
            note = "Stopped."
        elif failure:
            note = failure
        elif finish == "length":
            note = "The answer reached its length limit."
        else:
            note = ""
        answer.finish(text, note, format_speed(extra))
        if text:
            self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
        self._set_state("ready" if self.loaded_id == self.model.model_id else "idle")
        return True

    def stop(self):
        if self.state == "generating":
            self._stopping = True
            self.engine.stop()

    async def new_chat(self):
        if self.state == "generating":
            return
        self.history = []
        self.view.clear_transcript()
        self.view.show_error(None)
        if self.loaded_id:
            await self.engine.reset()
