"""Type-checked, never run: the real adapters and the unit tests' fakes against the Protocols they stand for.

mypy checks this module in `make unit` (mypy.ini's `files`). Nothing imports or runs it: pytest
collects only tests/unit and tests/e2e, and the browser adapters import Pyodide's `js`, which CPython
does not have. Each function takes the implementations as its parameters and assigns each one to a
variable of its Protocol's type, so a method that is missing, or whose parameters, return type or
async-ness do not fit, is a mypy error on that line. (A fake whose methods are not annotated, like
tests/unit/engine_fakes.py's, is checked for its methods and their number of parameters only.)

The unit tests import their fakes by bare module name (`from fakes import ...`: pytest puts
tests/unit on sys.path), so they are imported the same way here (mypy.ini's mypy_path has tests/unit).
"""

from engine_fakes import FakeDevice, FakeEngine
from fakes import (
    MemorySettings,
    MemoryStore,
    ProposingAssistantView,
    RecordingAnswer,
    RecordingAssistantView,
    RecordingListPage,
    RecordingListView,
    RecordingProposalView,
    RecordingStorage,
    RecordingStorageView,
)

from app.assistant.changes.proposals import ProposalDisplay
from app.assistant.contracts import AssistantView, Settings, StorageManager, TranscriptAnswer
from app.assistant.engines.device import BrowserDevice
from app.assistant.engines.js_adapter import JsEngine
from app.assistant.engines.port import Device, Engine
from app.assistant.models.shelf import ModelStorage, StorageView
from app.assistant.turn import AnswerStream
from app.assistant.views.chat import ChatView
from app.assistant.views.device_models import DeviceModelsView
from app.assistant.views.proposal import ProposalView
from app.assistant.views.transcript import AnswerView
from app.todos.intents import ReplayCommands
from app.todos.controller import ListView, TodoController
from app.todos.storage import BrowserSettings, BrowserStore
from app.todos.store import TodoStore
from app.todos.screen import ListCommands, ListPage, ListScreen
from app.todos.view import BrowserListPage


def the_list(browser_store: BrowserStore, memory_store: MemoryStore, screen: ListScreen,
             fake_view: RecordingListView, browser_page: BrowserListPage, fake_page: RecordingListPage,
             controller: TodoController) -> None:
    """app/todos/: the store port (store.py), the view the controller renders through (controller.py)
    and the page's list the screen renders on (screen.py)."""
    store: TodoStore = browser_store
    store = memory_store
    view: ListView = screen
    view = fake_view
    page: ListPage = browser_page
    page = fake_page
    commands: ReplayCommands = controller  # app/todos/intents.py replays through the controller
    list_commands: ListCommands = controller  # and app/todos/screen.py sends the page's intents to it


def the_engines(js_engine: JsEngine, fake_engine: FakeEngine, browser_device: BrowserDevice,
                fake_device: FakeDevice) -> None:
    """app/assistant/engines/port.py: the engine port, and the device facts every engine shares."""
    engine: Engine = js_engine
    engine = fake_engine
    device: Device = browser_device
    device = fake_device


def the_assistant(chat_view: ChatView, fake_view: RecordingAssistantView, proposing_view: ProposingAssistantView,
                  answer_view: AnswerView, fake_answer: RecordingAnswer, browser_settings: BrowserSettings,
                  fake_settings: MemorySettings, model_storage: ModelStorage,
                  fake_storage: RecordingStorage) -> None:
    """app/assistant/controller.py's view (the panel, and the answer it starts), settings and storage."""
    view: AssistantView = chat_view
    view = fake_view
    view = proposing_view
    answer: TranscriptAnswer = answer_view
    answer = fake_answer
    settings: Settings = browser_settings
    settings = fake_settings
    storage: StorageManager = model_storage
    storage = fake_storage


def the_answer(answer_view: AnswerView, fake_answer: RecordingAnswer) -> None:
    """app/assistant/turn.py: the answer a turn streams into."""
    answer: AnswerStream = answer_view
    answer = fake_answer


def the_proposal(proposal_view: ProposalView, fake_view: RecordingProposalView) -> None:
    """app/assistant/changes/proposals.py: the view a ProposalFlow drives."""
    view: ProposalDisplay = proposal_view
    view = fake_view


def the_models_on_this_device(device_models_view: DeviceModelsView, fake_view: RecordingStorageView) -> None:
    """app/assistant/models/shelf.py: the view ModelStorage lists the models on this device in."""
    view: StorageView = device_models_view
    view = fake_view
