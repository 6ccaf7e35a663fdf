"""Reading the chat ahead: the next question's prompt, all but the question, in the engine's cache.

Pure Python (asyncio, no `js`). On a CPU engine most of the wait before the first word is the prompt
being read (about 150 tokens for a 6-item list, at 10-20 tokens a second on one thread), and all of
it but the question is known before the person presses Send: the rules, the list and the chat so
far. `ChatWarmer` has the engine read that prefix while the model is idle (app/assistant/engines/port.py
`Engine.prefill`; wllama's llama.cpp keeps it and reuses it as the start of the next prompt), so a
question only costs its own words. It warms again when the chat moves on, and, a moment after the
list changes (edits come in bursts), for the new list. A request never waits for a stale warm-up:
`before(messages)` lets one finish only if it is reading those very messages, and cancels it
otherwise (llama.cpp stops at its next batch of tokens).

    warmer = ChatWarmer()
    warmer.warm(engine, prefix, sampling, delay_s=0)   # schedule (replaces what was scheduled)
    await warmer.before(engine, messages)               # just before a request
    warmer.forget(engine)                               # a new chat, another model
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from app.assistant.engines.port import Engine, Sampling
from app.assistant.requests.prompts import Message

LIST_CHANGE_DELAY_S = 1.0
"""How long the list must stay unchanged before it is read ahead (typing a to-do is a burst)."""


class ChatWarmer:
    """One engine's warm-up at a time; see the module's docstring."""

    def __init__(self, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None  # the scheduled or running warm-up
        self._running = False  # the engine is reading (not just waiting out the delay)
        self.prefix: list[Message] | None = None  # the messages being read, or last read, into the engine's cache
        self.warmed = 0  # warm-ups that ran to the end (for tests and the benchmark)

    def warm(self, engine: Engine | None, prefix: Sequence[Message], sampling: Sampling,
             delay_s: float = 0.0) -> None:
        """Have `engine` read `prefix` after `delay_s`, unless that is what it holds already."""
        if engine is None or not engine.capabilities.prefills:
            return
        if prefix == self.prefix and self._task is not None and self._running:
            return  # already reading exactly this
        if prefix == self.prefix and (self._task is None or self._task.done()):
            return  # already read
        self.forget(engine)
        self._task = asyncio.ensure_future(self._read(engine, list(prefix), sampling, delay_s))

    async def _read(self, engine: Engine, prefix: list[Message], sampling: Sampling, delay_s: float) -> None:
        if delay_s:
            await self._sleep(delay_s)
        self.prefix, self._running = prefix, True
        try:
            await engine.prefill(prefix, sampling)
            self.warmed += 1
        finally:
            self._running = False

    async def before(self, engine: Engine | None, messages: Sequence[Message]) -> None:
        """Just before a request for `messages`: a warm-up reading their prefix is waited for (it is
        doing the request's own work); any other is cancelled and settled first."""
        task = self._task
        if task is None or task.done():
            return
        if self._running and self.prefix == list(messages[:-1]):
            await asyncio.shield(task)
            return
        self.forget(engine)
        try:
            await task
        except asyncio.CancelledError:
            pass

    def forget(self, engine: Engine | None) -> None:
        """Cancel what is scheduled or running; the cache is assumed to hold nothing useful."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            if self._running and engine is not None:
                engine.cancel_prefill()
            task.cancel()
        self.prefix, self._running = None, False
