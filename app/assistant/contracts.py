"""What the assistant's controller (app/assistant/controller.py) asks of the parts around it: its
view, its answers in the transcript, the settings store, the storage manager, and the to-do list's
callables. Protocols, so the panel in the page and the unit tests' fakes are held to the same
contract (tests/typing/check_ports.py checks both).

Pure Python: types only.
"""

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from app.assistant.changes.commands import Batch, Step
from app.assistant.changes.proposals import ProposalDisplay
from app.assistant.models.catalogue import Model
from app.assistant.turn import AnswerStream
from app.todos.model import Todo

GetTodos = Callable[[], Iterable[Todo]]
"""The list as it is now (the to-do controller's `todos`)."""
ApplyBatch = Callable[[Batch], Step]
"""Applies confirmed changes as one change to the newest stored list (the to-do controller's apply_batch)."""
WatchTodos = Callable[[Callable[[], object]], None]
"""Has a callback called after each change to the list (the to-do controller's watch)."""


class TranscriptAnswer(AnswerStream, Protocol):
    """The answer under a question, as the view's start_answer() returns it: app/assistant/views/
    transcript.py's AnswerView. The turn streams into it (AnswerStream), then the controller ends it."""

    def finish(self, text: str, note: str, speed: str) -> None:
        """The answer is over: show `text` (rendered), the note under it and the speed."""

    def propose(self) -> ProposalDisplay:
        """A view for the changes this answer proposes, placed under it."""

    def offer_retry(self, ask_again: Callable[[], Awaitable[bool]]) -> None:
        """A "Try again" button under the answer, which calls ask_again() once."""


class AssistantView(Protocol):
    """What the controller asks of the assistant's panel: app/assistant/views/chat.py's ChatView in
    the page, a recording fake in the unit tests (tests/typing/check_ports.py checks both against it)."""

    def set_state(self, state: str, model: Model | None, loaded_id: str | None) -> None:
        """state: closed|checking|unsupported|idle|loading|ready|generating; `model` is the one
        selected, `loaded_id` the id of the one loaded (or None)."""

    def show_models(self, groups: list[tuple[str, list[Model]]], selected: Model | None, cached: set[str],
                    problems: list[str], no_download: frozenset[str] = frozenset()) -> None:
        """The picker: `groups` are (label, models) for its <optgroup>s, `cached` the ids of those on
        this device, `problems` what was wrong in the site's models.json, `no_download` the ids of
        those whose engine downloads nothing (the browser's own model): they only need starting."""

    def show_progress(self, progress: float | None, text: str) -> None:
        """progress in 0..1, or None to hide the bar (the text may stay)."""

    def show_error(self, message: str | None, advice: str = "", retry: bool = False, reload: bool = False) -> None:
        """Show an error and what to do (None hides it); retry, reload: offer those buttons."""

    def start_answer(self, question: str) -> TranscriptAnswer: ...

    def mark_cached(self, model_id: str) -> None: ...

    def unmark_cached(self, model_id: str) -> None: ...

    def clear_transcript(self) -> None: ...


class Settings(Protocol):
    """Small preferences (app.todos.storage.BrowserSettings: localStorage); failures only lose them."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class StorageManager(Protocol):
    """What the controller asks of app.assistant.models.shelf.ModelStorage around a download."""

    async def refresh(self) -> None: ...

    async def check_space(self, model: Model) -> str | None:
        """None when `model` fits, else a message for the person."""

    async def after_download(self, model: Model) -> None: ...
