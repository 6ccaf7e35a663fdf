"""The unit tests' stand-ins for the ports of app/, shared by several test modules, and the rig that
puts the assistant's controller together from them.

The fakes of the engine port itself (FakeEngine, FakeDevice) are in engine_fakes.py. Everything here
records what it was asked, so a test asserts on exactly what the code under test did. Each fake is
checked against the Protocol it stands for by tests/typing/check_ports.py (mypy), and the stores
and engines also at run time (test_controller.py, test_assistant_controller.py).

The test modules import this one by its bare name (`from fakes import Rig`), as pytest puts
tests/unit on sys.path; no test module imports another.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from engine_fakes import FakeDevice, FakeEngine

from app.assistant.changes.proposals import ProposalDisplay, ProposalFlow
from app.assistant.controller import AssistantController
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.engines.port import Availability
from app.assistant.models.catalogue import Model
from app.assistant.models.shelf import ModelShelf, StorageEntry
from app.todos.model import Todo, Todos
from app.todos.store import StorageFull

T = TypeVar("T")

# What an engine's availability() answers, as the rig's defaults use them.
GPU = Availability(True, f16=False, max_storage_buffer_mb=2048, max_buffer_mb=4096)
CPU = Availability(True, threads=1)
NO = Availability(False, reason="unavailable")


def run(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Runs `scenario()` in an event loop of its own, in a thread of its own: in a run with the e2e
    tests, Playwright's event loop is already running on this thread, and asyncio.run() refuses to
    start inside it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


# The to-do list (app/todos/)


class MemoryStore:
    """app.todos.store.TodoStore in memory; `full` makes writes fail as a full localStorage does."""

    def __init__(self, text: str | None = None) -> None:
        self.text = text
        self.backups: dict[str, str] = {}
        self.full = False

    def read(self) -> str | None:
        return self.text

    def write(self, text: str) -> None:
        if self.full:
            raise StorageFull("QuotaExceededError")
        self.text = text

    def back_up(self, text: str) -> str | None:
        if self.full:
            return None
        key = f"backup.{len(self.backups)}"
        self.backups[key] = text
        return key

    def titles(self) -> list[str]:
        assert self.text is not None, "nothing stored"
        return [t["title"] for t in json.loads(self.text)["todos"]]


class RecordingListView:
    """app.todos.controller.ListView, recording: the last list rendered, and every notice."""

    def __init__(self) -> None:
        self.rendered: Todos | None = None
        self.filter: str | None = None
        self.notices: list[str | None] = []
        self.restored: list[str] = []

    def render(self, todos: Todos, filter_name: str) -> None:
        self.rendered, self.filter = todos, filter_name

    def show_notice(self, text: str | None) -> None:
        self.notices.append(text)

    def restore_new_title(self, text: str) -> None:
        self.restored.append(text)


class RecordingListPage:
    """app.todos.screen.ListPage, recording: each state rendered (decoded), the field's text, notices."""

    def __init__(self, new_title: str = "") -> None:
        self.states: list[dict[str, Any]] = []
        self.notices: list[str | None] = []
        self.new_title = new_title  # the new-todo field's text
        self.handler: Callable[[str], None] | None = None

    def render(self, state_json: str) -> None:
        self.states.append(json.loads(state_json))

    def show_notice(self, text: str | None) -> None:
        self.notices.append(text)

    def restore_new_title(self, text: str) -> None:
        self.new_title = text

    def clear_new_title(self, title: str) -> None:
        if self.new_title == title:
            self.new_title = ""

    def connect(self, handler: Callable[[str], None]) -> None:
        self.handler = handler

    def send(self, **intent: Any) -> None:
        """The person's intent, as assets/todo-list.js sends it."""
        assert self.handler is not None, "connect() first"
        self.handler(json.dumps(intent))

    @property
    def state(self) -> dict[str, Any]:
        return self.states[-1]


# The assistant's panel (app/assistant/contracts.py's AssistantView and TranscriptAnswer)


class RecordingAnswer:
    """app.assistant.contracts.TranscriptAnswer, recording. It cannot offer changes (see
    ProposingAnswer): its controller has no apply_batch."""

    def __init__(self, question: str) -> None:
        self.question = question
        self.parts: list[str] = []
        self.finished: tuple[str, str, str] | None = None
        self.read: list[float] = []  # fractions of the prompt read, as reported
        self.worked = False  # a change request's answer is being written
        self.retries: list[Callable[[], Awaitable[bool]]] = []  # "Try again" offered with these

    def append(self, text: str) -> None:
        assert self.finished is None, "text appended after finish"
        self.parts.append(text)

    def reading(self, fraction: float) -> None:
        assert not self.parts, "reading reported after the first words"
        self.read.append(fraction)

    def working(self) -> None:
        self.worked = True

    def finish(self, text: str, note: str, speed: str) -> None:
        self.finished = (text, note, speed)

    def propose(self) -> ProposalDisplay:
        raise AssertionError("changes proposed where none can be applied (no apply_batch)")

    def offer_retry(self, ask_again: Callable[[], Awaitable[bool]]) -> None:
        self.retries.append(ask_again)


class RecordingAssistantView:
    """app.assistant.contracts.AssistantView, recording."""

    def __init__(self) -> None:
        self.states: list[tuple[str, str | None, str | None]] = []
        self.errors: list[tuple[str | None, str, bool]] = []
        self.groups: list[tuple[str, list[str]]]  # set by show_models()
        self.listed: tuple[list[str], str | None, set[str], list[str]] | None = None
        self.progress: list[tuple[float | None, str]] = []
        self.answers: list[RecordingAnswer] = []
        self.cleared = 0
        self.marked: list[str] = []
        self.unmarked: list[str] = []
        self.reload_offered: bool | None = None

    def set_state(self, state: str, model: Model | None, loaded_id: str | None) -> None:
        self.states.append((state, model.model_id if model else None, loaded_id))

    def show_error(self, message: str | None, advice: str = "", retry: bool = False, reload: bool = False) -> None:
        self.errors.append((message, advice, retry))
        self.reload_offered = reload

    def show_models(self, groups: list[tuple[str, list[Model]]], selected: Model | None, cached: set[str],
                    problems: list[str], no_download: frozenset[str] = frozenset()) -> None:
        self.no_download = set(no_download)
        self.groups = [(label, [m.model_id for m in models]) for label, models in groups]
        self.listed = ([i for _, ids in self.groups for i in ids], selected.model_id if selected else None,
                       set(cached), list(problems))

    def show_progress(self, progress: float | None, text: str) -> None:
        self.progress.append((progress, text))

    def start_answer(self, question: str) -> RecordingAnswer:
        self.answers.append(RecordingAnswer(question))
        return self.answers[-1]

    def clear_transcript(self) -> None:
        self.cleared += 1

    def mark_cached(self, model_id: str) -> None:
        self.marked.append(model_id)

    def unmark_cached(self, model_id: str) -> None:
        self.unmarked.append(model_id)

    def state_names(self) -> list[str]:
        return [s for s, _, _ in self.states]


class RecordingProposalView:
    """app.assistant.changes.proposals.ProposalDisplay, recording what the flow shows; `flow` is what
    its buttons would call."""

    def __init__(self) -> None:
        self.shown: list[tuple[object, ...]] = []
        self.flow: ProposalFlow | None = None

    def show_proposed(self, changes: list[str]) -> None:
        self.shown.append(("proposed", changes))

    def show_applied(self, status: str, can_undo: bool) -> None:
        self.shown.append(("applied", status, can_undo))

    def show_discarded(self, status: str) -> None:
        self.shown.append(("discarded", status))

    def show_undone(self, status: str) -> None:
        self.shown.append(("undone", status))

    def bind(self, flow: ProposalFlow) -> None:
        self.flow = flow


class ProposingAnswer(RecordingAnswer):
    """A RecordingAnswer that offers changes: each propose() adds a RecordingProposalView to `proposals`."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.proposals: list[RecordingProposalView] = []

    def propose(self) -> ProposalDisplay:
        assert self.finished is not None, "offered before the answer finished"
        self.proposals.append(RecordingProposalView())
        return self.proposals[-1]


class ProposingAssistantView(RecordingAssistantView):
    """A RecordingAssistantView whose answers offer changes (ProposingAnswer), for a controller that
    can apply them."""

    def start_answer(self, question: str) -> ProposingAnswer:
        answer = ProposingAnswer(question)
        self.answers.append(answer)
        return answer


# The assistant's settings and storage


class MemorySettings:
    """app.assistant.contracts.Settings in memory."""

    def __init__(self, **values: str) -> None:
        self.values = dict(values)

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value


class RecordingStorage:
    """app.assistant.contracts.StorageManager, recording what the controller asks of it; check_space()
    answers `problem`."""

    def __init__(self, problem: str | None = None) -> None:
        self.problem = problem
        self.calls: list[str | tuple[str, str]] = []

    async def refresh(self) -> None:
        self.calls.append("refresh")

    async def check_space(self, model: Model) -> str | None:
        self.calls.append(("check_space", model.model_id))
        return self.problem

    async def after_download(self, model: Model) -> None:
        self.calls.append(("after_download", model.model_id))


class RecordingStorageView:
    """app.assistant.models.shelf.StorageView, recording."""

    def __init__(self) -> None:
        self.shown: list[tuple[list[tuple[str, int, bool]], str]] = []

    def show_storage(self, entries: list[StorageEntry], estimate: str) -> None:
        self.shown.append(([(m.model_id, size, complete) for m, size, complete in entries], estimate))


# The assistant's controller, put together


class Clock:
    """Each reading is `step` seconds after the one before."""

    def __init__(self, step: float = 20.0) -> None:
        self.now = 100.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class Rig:
    """One assistant controller with the three fake engines (sharing one call log), a fake device,
    a recording view, settings in memory and the list `todos` (two to-dos unless given)."""

    def __init__(self, *, webllm: Availability = GPU, wllama: Availability = CPU, prompt: Availability = NO,
                 todos: list[Todo] | None = None, settings: MemorySettings | None = None,
                 cached: Iterable[str] = (), online: bool = True, custom: str | None = None,
                 storage: RecordingStorage | None = None) -> None:
        self.log: list[tuple[Any, ...]] = []
        self.webllm = FakeEngine(WEBLLM, webllm, cached=cached, log=self.log)
        self.wllama = FakeEngine(WLLAMA, wllama, cached=cached, log=self.log)
        self.prompt = FakeEngine(PROMPT_API, prompt, log=self.log)
        self.engines = [self.webllm, self.wllama, self.prompt]
        self.device = FakeDevice(online=online, custom=custom)
        self.view = RecordingAssistantView()
        self.settings = settings or MemorySettings()
        self.todos = [Todo("1", "Buy milk"), Todo("2", "File taxes", True, 5)] if todos is None else todos
        self.shelf = ModelShelf(self.engines)
        self.storage = storage
        self.clock = Clock()
        self.controller = AssistantController(self.engines, self.device, self.view, self.settings,
                                              lambda: self.todos, self.shelf, storage, clock=self.clock)

    def calls(self, name: str | None = None) -> list[Any]:
        """The call log (of engine `name` only, if given): a call without arguments as its name, one
        with arguments as the tuple of its name and arguments."""
        return [c[1:] if len(c) > 2 else c[1] for c in self.log if name is None or c[0] == name]
