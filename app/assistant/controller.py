"""The assistant's controller: engines and model choice, loading, asking, stopping, new chats.

Pure Python (no `js` imports): the engines (app/assistant/engines/port.py `Engine`), the `Device`, the view, the
settings store, the source of to-dos, the shelf of models on offer and the storage manager are
passed in, so the whole flow runs in CPython's asyncio against fakes in the unit tests. It never
names an engine: each model says which engine runs it. One generation at a time; the list is read
afresh for every question so edits made between questions are seen.

    AssistantController(engines, device, view, settings, get_todos, shelf, storage=None, apply_batch=None)

engines: [Engine]; device: Device; settings: get(key)/set(key, value); get_todos() -> [Todo];
shelf: app.assistant.models.shelf.ModelShelf (built over the same engines); storage: ModelStorage or None;
apply_batch(batch) -> Step: the to-do controller's, which applies confirmed changes (None: the
changes a reply proposes are not offered).

Each message gets the request that suits what it asks (app/assistant/requests/plan.py): a question
gets a plain answer, which streams into the transcript; a change gets a JSON request, whose changes
are offered under the answer (app/assistant/changes/proposals.py) and applied only when the person
confirms. One message's generation is an app/assistant/turn.py `AnswerTurn` (its request, the
stream, the loop guard, how it ended); this controller owns what outlives a turn:
the engines, the model and its loading, the state, the chat history.
Public: open(), select(model_id), load(), cancel_load(), ask(question) -> bool, stop(), new_chat(),
model_deleted(model_id) (also called through the shelf), and `state`, `model`, `loaded_id`.

The view it calls is an `AssistantView`, the settings `Settings` and the storage manager a
`StorageManager` (app/assistant/contracts.py, with the callables the to-do list hands over).
"""

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable, Iterable
from app.assistant.contracts import ApplyBatch, AssistantView, GetTodos, Settings, StorageManager
from app.assistant.turn import AnswerTurn, as_engine_error
from app.assistant.text import (
    cancelled_text,
    csp_blocked_message,
    running_text,
    describe_generate_error,
    describe_load_error,
    describe_progress,
    engine_note,
    needs_reload,
    no_engine_message,
    offline_message,
)
from app.assistant.warmer import LIST_CHANGE_DELAY_S, ChatWarmer
from app.assistant.engines.port import DOWNLOAD, Availability, Cancelled, Device, Engine, LoadProgress, Sampling
from app.assistant.models.catalogue import Model
from app.assistant.models.choice import choose, groups, offered
from app.assistant.models.shelf import ModelShelf
from app.assistant.changes.proposals import ProposalFlow
from app.assistant.requests.prompts import Message, PromptTooLong
from app.assistant.requests.plan import answer_prefix
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.assistant.models.site import parse_custom_models

MODEL_SETTING = "tasks-and-talk.model"
CPU_ONLY_SETTING = "tasks-and-talk.cpu-only-models"  # JSON list of model ids whose GPU load failed

class AssistantController:
    def __init__(self, engines: Iterable[Engine], device: Device, view: AssistantView, settings: Settings,
                 get_todos: GetTodos, shelf: ModelShelf, storage: StorageManager | None = None, *,
                 apply_batch: ApplyBatch | None = None, sampling: Sampling = DEFAULT_SAMPLING,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engines = list(engines)
        self.device = device
        self.view = view
        self.settings = settings
        self.get_todos = get_todos
        self.shelf = shelf
        self.storage = storage
        self.apply_batch = apply_batch
        self.sampling = sampling
        self.clock = clock
        self.availabilities: dict[str, Availability] = {}
        self.model: Model | None = None
        self.loaded_id: str | None = None
        self.loaded_engine: Engine | None = None
        self.context_window: int | None = None  # the loaded model's (what its engine reported, if smaller)
        self.history: list[Message] = []
        self.state = "closed"
        self._turn: AnswerTurn | None = None  # the question being answered (app/assistant/turn.py)
        self._load_started: float | None = None
        self.warmer = ChatWarmer()  # the next question's prompt, read ahead (app/assistant/warmer.py)
        shelf.on_deleted(self.model_deleted)

    @property
    def models(self) -> list[Model]:
        return self.shelf.models

    def _set_state(self, state: str) -> None:
        self.state = state
        self.view.set_state(state, self.model, self.loaded_id)

    async def _availability(self, engine: Engine) -> Availability:
        try:
            return await engine.availability()
        except Exception as error:  # an engine that cannot even say is not available
            return Availability(False, reason=str(error) or type(error).__name__)

    async def open(self) -> None:
        """First opening of the panel: ask every engine what it can do here, list what runs."""
        if self.state != "closed":
            return
        self._set_state("checking")
        found = await asyncio.gather(*(self._availability(e) for e in self.engines))
        self.availabilities = {engine.name: a for engine, a in zip(self.engines, found)}
        custom, problems = parse_custom_models(await self.device.custom_models_text() or '{"models": []}')
        models = [m for m in offered(self.availabilities, custom) if m.engine in self.shelf.engines]
        if not models:
            self._set_state("unsupported")
            self.view.show_error(*no_engine_message(self.availabilities), retry=False)
            return
        self.shelf.offer(models)
        self.model = choose(models, self.settings.get(MODEL_SETTING), self.availabilities)
        cached: set[str] = set()
        for name, engine in self.shelf.engines.items():
            mine = [m for m in models if m.engine == name]
            if mine:
                cached |= set(await engine.cached_ids(mine))
        no_download = frozenset(m.model_id for m in models if not self.shelf.engine_for(m).capabilities.needs_download)
        self.view.show_models(groups(models, self.availabilities), self.model, cached, problems, no_download)
        note = engine_note(self.availabilities)
        if note:
            self.view.show_progress(None, note)
        self._set_state("idle")
        if self.storage is not None:
            await self.storage.refresh()

    def select(self, model_id: str) -> None:
        model = self.shelf.find(model_id)
        if model is not None:
            self.model = model
            self.settings.set(MODEL_SETTING, model_id)
        if self.state in ("idle", "ready"):
            assert self.model is not None  # open() chose one, or the state would be "unsupported"
            self._set_state("ready" if self.loaded_id == self.model.model_id else "idle")

    async def load(self) -> None:
        """Download (or load from this device) the selected model and start it on its engine."""
        if self.state not in ("idle", "ready") or self.model is None:
            return
        model = self.model
        engine = self.shelf.engine_for(model)
        self.view.show_error(None)
        downloads = engine.capabilities.needs_download
        cached = model.model_id in await engine.cached_ids([model])
        if downloads and not cached and not self.device.online():
            # Checked before trying: the engine would only fail later with a network error.
            self.view.show_error(*offline_message(model.label), retry=True)
            return
        blocked = self._blocked_origin(model) if downloads and not cached else None
        if blocked:  # the browser would refuse the download: all the engine would see is "Failed to fetch"
            self.view.show_error(*csp_blocked_message(blocked, model.label), retry=False)
            return
        if downloads and not cached and self.storage is not None:
            problem = await self.storage.check_space(model)
            if problem:
                self.view.show_error(problem, "", retry=True)
                return
        self.warmer.forget(self.loaded_engine)
        if self.loaded_engine is not None and self.loaded_engine is not engine:
            await self.loaded_engine.unload()  # one model in memory at a time: the old one is freed first
            self.loaded_engine = None
        self.loaded_id = None
        self._set_state("loading")
        self.view.show_progress(0, "Starting…")
        self._load_started = self.clock()
        gpu = self._gpu_for(engine, model)
        try:
            loaded = await engine.load(model, self._on_progress, gpu=gpu)
        except Cancelled:
            self._set_state("idle")
            self.view.show_progress(None, cancelled_text(engine.capabilities.resumes_downloads))
            return
        except Exception as failure:  # every failure becomes a message; the to-do list is untouched
            error = as_engine_error(failure)
            self._set_state("idle")
            blocked = self._blocked_origin(model) if error.kind == "unreachable" else None
            if blocked:  # a policy the page cannot read (a server's header) blocked it; the browser said so
                message, advice = csp_blocked_message(blocked, model.label)
            else:
                message, advice = describe_load_error(error, online=self.device.online(), model_label=model.label,
                                                      resumes=engine.capabilities.resumes_downloads)
            self.view.show_progress(None, "")
            self.view.show_error(message, advice, retry=not blocked, reload=needs_reload(error))
            return
        self.loaded_id = model.model_id
        self.loaded_engine = engine
        self.context_window = min(model.context_window, loaded.context_window or model.context_window)
        if loaded.gpu_error:
            self.settings.set(CPU_ONLY_SETTING, json.dumps(sorted(self._cpu_only() | {model.model_id})))
        self.view.show_progress(None, running_text(model.label, loaded))
        if engine.capabilities.lists_device_models:
            self.view.mark_cached(model.model_id)
        self._set_state("ready")
        self._warm()
        if downloads and not cached and self.storage is not None:
            await self.storage.after_download(model)

    def _blocked_origin(self, model: Model) -> str | None:
        """The first origin of `model`'s files that this site's Content-Security-Policy blocks."""
        for url in model.download_urls:
            origin = self.device.blocked_origin(url)
            if origin:
                return origin
        return None

    def _gpu_for(self, engine: Engine, model: Model) -> bool:
        """Whether to ask `engine` to run `model` on the GPU: it can here, and it has not failed there."""
        availability = self.availabilities.get(engine.name)
        return bool(availability and availability.gpu) and model.model_id not in self._cpu_only()

    def _cpu_only(self) -> set[str]:
        """The models whose GPU load failed on this device: they start on the CPU from then on."""
        try:
            ids = json.loads(self.settings.get(CPU_ONLY_SETTING) or "[]")
        except ValueError:
            return set()
        return {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()

    def _warm(self, delay_s: float = 0.0) -> None:
        """Have the loaded engine read the next question's prompt, all but the question, ahead."""
        if self.state != "ready" or self.loaded_engine is None or self.context_window is None:
            return
        prefix = answer_prefix(self.get_todos(), self.history, context_tokens=self.context_window,
                               answer_tokens=self.sampling.max_tokens)
        self.warmer.warm(self.loaded_engine, prefix, self.sampling, delay_s)

    def list_changed(self) -> None:
        """The to-do list changed (here or in another tab): read the new one ahead, once it settles."""
        self._warm(LIST_CHANGE_DELAY_S)

    def _on_progress(self, progress: LoadProgress) -> None:
        if progress.phase == DOWNLOAD and progress.elapsed_s is None and self._load_started is not None:
            progress = dataclasses.replace(progress, elapsed_s=self.clock() - self._load_started)
        self.view.show_progress(progress.fraction, describe_progress(progress))

    def model_deleted(self, model_id: str) -> None:
        """Its files are gone: the picker must no longer say it is on this device."""
        self.view.unmark_cached(model_id)
        if self.state in ("idle", "ready"):
            self._set_state(self.state)

    def cancel_load(self) -> None:
        if self.state == "loading":
            assert self.model is not None  # load() loads the selected model
            self.shelf.engine_for(self.model).cancel_load()

    async def ask(self, question: str) -> bool:
        """Send a question; True when it was taken (the view's start_answer then empties the box)."""
        question = question.strip()
        if not question or self.state != "ready":
            return False
        assert self.loaded_engine is not None and self.context_window is not None  # "ready": loaded
        try:
            turn = AnswerTurn(self.loaded_engine, self.get_todos(), self.history, question,
                              context_tokens=self.context_window, sampling=self.sampling)
        except PromptTooLong as error:
            self.view.show_error(str(error), "", retry=False)
            return False
        self.view.show_error(None)
        self._turn = turn
        self._set_state("generating")
        answer = self.view.start_answer(question)
        if turn.messages is not None:
            await self.warmer.before(self.loaded_engine, turn.messages)
        await turn.generate(answer)
        self.warmer.forget(None)  # the engine's cache now holds this request
        if turn.failure is not None and needs_reload(turn.failure):
            self.view.show_error(describe_generate_error(turn.failure), "", retry=False, reload=True)
        ending = turn.ending(can_apply=self.apply_batch is not None)
        answer.finish(ending.text, ending.note, turn.speed)
        if ending.proposal is not None and self.apply_batch is not None:  # (one means the other)
            ProposalFlow(ending.proposal.batch, self.apply_batch, answer.propose())
        if ending.made_no_sense:
            answer.offer_retry(lambda: self.ask(question))
        elif ending.text:
            self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": ending.remembered}]
        assert self.model is not None  # selected before the load, never unselected
        self._set_state("ready" if self.loaded_id == self.model.model_id else "idle")
        self._warm()
        return True

    def stop(self) -> None:
        if self.state == "generating":
            assert self._turn is not None  # ask() sets it before this state
            self._turn.stop()

    async def new_chat(self) -> None:
        if self.state == "generating":
            return
        self.history = []
        self.view.clear_transcript()
        self.view.show_error(None)
        self.warmer.forget(self.loaded_engine)
        if self.loaded_engine is not None:
            await self.loaded_engine.reset()
        self._warm()
