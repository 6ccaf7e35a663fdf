"""One question's turn: its prompt, the structured reply streamed into the answer, and how it ended.

Pure Python (no `js` imports), run by the assistant's controller (app/assistant.py) for each
question; kept apart from it because a turn's life is separate from the model's: the controller
owns the engines, the loaded model, the state and the history, a turn only one generation.

    turn = AnswerTurn(engine, todos, history, question, context_tokens=..., sampling=...)
    await turn.generate(answer)          # never raises; the failure, if any, is kept
    text, note, proposal = turn.ending(can_apply)

The prompt is built in the constructor (PromptTooLong when the question cannot fit), from the very
list whose short ids the reply is read against (app/proposals.py `StructuredReply`). While it
streams, the reply text goes into the answer as it arrives, and a LoopGuard stops the engine when
the text starts repeating itself. `stop()` is the Stop button. `ending` says how the turn ended:
cut off as a loop, stopped, failed, at the length limit, or whole; only a whole answer's changes
are read and proposed.
"""

import dataclasses

from app.assistant_text import LENGTH_NOTE, LOOP_NOTE, STOPPED_NOTE, describe_generate_error, format_speed
from app.engine import EngineError
from app.proposals import ACTION_TOKENS, PROPOSAL_INTRO, StructuredReply, proposal_note
from app.prompts import build_structured_messages
from app.sampling import LoopGuard


def as_engine_error(error):
    """Any exception an engine raised, as the port's EngineError (its message kept)."""
    return error if isinstance(error, EngineError) else EngineError(str(error) or type(error).__name__)


class AnswerTurn:
    """One question, from its prompt to its finished answer; see the module's docstring."""

    def __init__(self, engine, todos, history, question, *, context_tokens, sampling):
        # The JSON and its changes cost tokens on top of the reply's own budget.
        self.sampling = dataclasses.replace(sampling, max_tokens=sampling.max_tokens + ACTION_TOKENS)
        todos = list(todos)
        self.reading = StructuredReply(todos)  # short ids from the very list the prompt shows
        self.messages = build_structured_messages(todos, history, question, context_tokens=context_tokens,
                                                  answer_tokens=self.sampling.max_tokens)
        self.engine = engine
        self.guard = LoopGuard()
        self.stopping = False
        self.result = None
        self.failure = None

    async def generate(self, answer):
        """Stream the reply text into `answer` (its append(text)); keeps the result or the failure."""

        def on_delta(chunk):
            if self.stopping or self.guard.looping:
                return
            text = self.reading.feed(chunk)
            if text:
                answer.append(text)
                if self.guard.feed(text):
                    self.engine.stop()

        try:
            self.result = await self.engine.generate(self.messages, on_delta, self.sampling,
                                                     json_schema=self.reading.schema)
        except Exception as error:
            self.failure = as_engine_error(error)

    def stop(self):
        self.stopping = True
        self.engine.stop()

    def ending(self, can_apply):
        """(text, note, proposal or None): what the answer says, the note under it, the changes offered.

        can_apply: whether changes can be applied at all (else none are offered).
        """
        text, proposal = self.reading.text, None
        if self.guard.looping:
            text, note = text[:self.guard.cut].rstrip(), LOOP_NOTE
        elif self.stopping:
            note = STOPPED_NOTE
        elif self.failure is not None:
            note = describe_generate_error(self.failure)
        elif self.result is not None and self.result.finish == "length":
            note = LENGTH_NOTE
        else:  # a whole answer: only now are its changes read, and offered
            proposal = self.reading.read()
            text, note = proposal.reply, proposal_note(proposal)
            if proposal.batch.commands and can_apply:
                text = text or PROPOSAL_INTRO
            else:
                proposal = None
        return text, note, proposal

    @property
    def speed(self):
        """The generation's speed as the answer's note shows it ("" when it failed)."""
        return format_speed(self.result.stats) if self.result is not None else ""
