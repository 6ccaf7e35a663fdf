"""One message's turn: its request, the answer streamed into the transcript, and how it ended.

Pure Python (no `js` imports), run by the assistant's controller (app/assistant/controller.py) for each
message; kept apart from it because a turn's life is separate from the model's: the controller
owns the engines, the loaded model, the state and the history, a turn only one generation.

    turn = AnswerTurn(engine, todos, history, message, context_tokens=..., sampling=...)
    await turn.generate(answer)          # never raises; the failure, if any, is kept
    ending = turn.ending(can_apply)      # text, note, proposal, made_no_sense

The request is planned in the constructor (app/assistant/requests/plan.py; PromptTooLong when a question
cannot fit) from the very list its to-dos are read against. A question's plain answer streams into
the transcript as it arrives, and a LoopGuard stops the engine when it starts repeating itself; a
change request streams JSON that is not shown (the app writes that answer's text); some messages
need no model at all (the app asks which to-do, or says it is not on the list). `stop()` is the
Stop button. `ending` says how the turn ended: cut off as a loop, stopped, failed, at the length
limit, or whole; only a whole answer's changes are read and proposed, and a whole answer that does
not read as one (app/assistant/requests/checks.py: empty, symbols, code, repeated) is not shown as an answer.
"""

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Protocol

from app.assistant.text import LENGTH_NOTE, LOOP_NOTE, STOPPED_NOTE, describe_generate_error, format_speed
from app.assistant.engines.port import Answer, Engine, EngineError, Sampling
from app.assistant.requests.intent import ANSWER, CHANGE
from app.assistant.changes.proposals import PROPOSAL_INTRO, proposal_note
from app.assistant.changes.reading import Proposal
from app.assistant.requests.checks import nonsense
from app.assistant.requests.plan import plan_request
from app.assistant.requests.loop_guard import LoopGuard
from app.assistant.requests.prompts import Message
from app.todos.model import Todo

NONSENSE_TEXT = ("The model's answer made no sense, so it is not shown. Try again, or choose a larger "
                 "model for better answers.")
NO_CHANGE_TEXT = ("I could not turn that into a change to your list. Try saying it plainly, such as "
                  "“Mark Call the dentist as done”.")


class AnswerStream(Protocol):
    """The answer under the question, as a turn writes into it while it is generated:
    app/assistant/views/transcript.py's AnswerView in the page, a recording fake in the unit tests.
    (What the controller then does with it is app.assistant.contracts.TranscriptAnswer.)"""

    def append(self, text: str) -> None:
        """Show the next piece of a plain answer's text, after what is there."""

    def reading(self, fraction: float) -> None:
        """The prompt is being read (0..1 of it), before the first word."""

    def working(self) -> None:
        """A change request's answer is being written (its JSON is not shown)."""


@dataclasses.dataclass(frozen=True)
class Ending:
    """How a turn ended: the answer's text, the note under it, the changes offered (or None), and
    whether the model's answer made no sense (the view then offers to try again)."""

    text: str
    note: str = ""
    proposal: Proposal | None = None
    made_no_sense: bool = False

    @property
    def remembered(self) -> str:
        """What the chat's history keeps of this answer: its text, and the changes it offered."""
        if self.proposal is None:
            return self.text
        return f"{self.text} " + "; ".join(self.proposal.changes) + "."


def as_engine_error(error: Exception) -> EngineError:
    """Any exception an engine raised, as the port's EngineError (its message kept)."""
    return error if isinstance(error, EngineError) else EngineError(str(error) or type(error).__name__)


class AnswerTurn:
    """One message, from its request to its finished answer; see the module's docstring."""

    def __init__(self, engine: Engine, todos: Iterable[Todo], history: Sequence[Message], question: str, *,
                 context_tokens: int, sampling: Sampling) -> None:
        self.plan = plan_request(list(todos), history, question, context_tokens=context_tokens,
                                 answer_tokens=sampling.max_tokens)
        self.sampling = dataclasses.replace(sampling, max_tokens=self.plan.max_tokens or sampling.max_tokens)
        self.messages = self.plan.messages  # None: nothing to ask the model
        self.engine = engine
        self.guard = LoopGuard()
        self._shows_text = self.plan.schema is None  # a change request's JSON is not shown
        self._raw: list[str] = []
        self.stopping = False
        self.result: Answer | None = None
        self.failure: EngineError | None = None

    async def generate(self, answer: AnswerStream) -> None:
        """Stream the answer's text into `answer` (its append(text)); keeps the result or the failure."""
        if self.messages is None:
            self.result = Answer("stop")
            return

        def on_delta(chunk: str) -> None:
            if self.stopping or self.guard.looping:
                return
            if not self._raw and not self._shows_text:
                answer.working()  # the prompt is read; the changes are being written, not shown
            self._raw.append(chunk)
            if self._shows_text:
                answer.append(chunk)
                if self.guard.feed(chunk):
                    self.engine.stop()

        try:
            self.result = await self.engine.generate(self.messages, on_delta, self.sampling,
                                                     json_schema=self.plan.schema, on_reading=answer.reading)
        except Exception as error:
            self.failure = as_engine_error(error)

    def stop(self) -> None:
        self.stopping = True
        self.engine.stop()

    @property
    def streamed(self) -> str:
        """The text shown while it streamed (a plain answer's; "" for a change request)."""
        return "".join(self._raw) if self._shows_text else ""

    def ending(self, can_apply: bool) -> Ending:
        """The turn's Ending. can_apply: whether changes can be applied at all (else none are offered)."""
        text = self.streamed
        if self.guard.looping:
            return Ending(text[:self.guard.cut].rstrip(), LOOP_NOTE)
        if self.stopping:
            return Ending(text, STOPPED_NOTE)
        if self.failure is not None:
            return Ending(text, describe_generate_error(self.failure))
        if self.result is not None and self.result.finish == "length":
            return Ending(text, LENGTH_NOTE)
        proposal = self.plan.read("".join(self._raw))  # a whole answer: only now are changes read
        note = proposal_note(proposal)
        if self.plan.kind == ANSWER and nonsense(proposal.reply):
            return Ending(NONSENSE_TEXT, note, made_no_sense=True)
        if self.plan.kind != CHANGE:
            return Ending(proposal.reply, note)
        if not proposal.batch.commands:
            return Ending(NO_CHANGE_TEXT, note)
        if not can_apply:
            return Ending(PROPOSAL_INTRO, note)
        return Ending(proposal.reply or PROPOSAL_INTRO, note, proposal)

    @property
    def speed(self) -> str:
        """The generation's speed as the answer's note shows it ("" when it failed or asked no model)."""
        if self.result is None or self.messages is None:
            return ""
        return format_speed(self.result.stats)
