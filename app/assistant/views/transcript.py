"""The assistant's transcript: the only module that writes the questions and answers into the panel.

Owns the `.transcript` element (app/assistant/views/chat.py owns the rest of the panel: the picker, progress,
errors and the message box). Streaming is constant work per batch: the text of each frame's chunks
(assets/engines/stream.js batches them for every engine) is appended as one new text node at the
end of the answer, never re-rendering the answer so far, and scrolling is coalesced to one per
animation frame; it follows new text unless the reader scrolled up to re-read. The finished answer
is rendered as markdown by assets/markdown.js (marked + DOMPurify, returned as a DocumentFragment),
imported when the panel first opens; questions, notes and streaming text go in as text. The changes
an answer proposes are shown under it by app/assistant/views/proposal.py.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from js import URL, console
from pyodide.ffi import create_once_callable
from pyscript import document, js_import, window  # the page's, also where Python runs in a worker

from app.dom import Listener, listen
from app.assistant.views.proposal import ProposalView

MARKDOWN = "./assets/markdown.js"


class AnswerView:
    """One answer in the transcript, filled chunk by chunk, then rendered once as markdown
    (app.assistant.contracts.TranscriptAnswer, which the turn and the controller call)."""

    def __init__(self, transcript: "TranscriptView", body: Any, meta: Any) -> None:
        self.transcript, self.body, self.meta = transcript, body, meta
        self._retry: Listener | None = None

    def append(self, text: str) -> None:
        self.body.insertAdjacentText("beforeend", text)
        self.transcript.follow()

    def reading(self, fraction: float) -> None:
        """The prompt is being read: how far (shown until the first words arrive)."""
        self.body.dataset.status = f"Reading your message… {round(fraction * 100)}%"

    def working(self) -> None:
        """A change request's answer is being written (its JSON is not shown)."""
        self.body.dataset.status = "Working out the changes…"

    def propose(self) -> ProposalView:
        """The view of the changes this answer proposes, placed under it (app/assistant/views/proposal.py)."""
        return self.transcript.add_proposal(self.meta)

    def offer_retry(self, ask_again: Callable[[], Awaitable[object]]) -> None:
        """A "Try again" button under the answer; pressed once, it asks the same question again."""
        button = document.createElement("button")
        button.type = "button"
        button.className = "retry-answer"
        button.textContent = "Try again"

        def retry(event: Any) -> None:
            self.close()
            button.remove()
            asyncio.ensure_future(ask_again())

        self._retry = listen(button, "click", retry)
        self.meta.after(button)
        self.transcript.retries.append(self)
        self.transcript.follow()

    def close(self) -> None:
        """Take off the retry button's listener (a new chat or a press)."""
        if self._retry is not None:
            self._retry.remove()
            self._retry = None

    def finish(self, text: str, note: str, speed: str) -> None:
        if text:
            self.transcript.render_answer(self.body, text)
        else:
            self.body.classList.remove("streaming")
            self.body.textContent = "(no answer)"
        self.meta.textContent = " · ".join(part for part in (note, speed) if part)
        self.transcript.follow()


class TranscriptView:
    """The questions and answers of this chat; focus_message() moves the focus back to the message box."""

    def __init__(self, focus_message: Callable[[], object]) -> None:
        self.element = document.querySelector(".transcript")
        self.focus_message = focus_message
        self.render_markdown: Callable[[str], Any] | None = None  # text -> a DocumentFragment
        self._markdown: asyncio.Task[None] | None = None
        self._unrendered: list[tuple[Any, str]] = []  # (an answer's body, its text)
        self._follow = True
        self._scroll_queued = False
        self._proposals: list[ProposalView] = []
        self.retries: list[AnswerView] = []  # answers offering "Try again"
        self._listeners = [listen(self.element, "scroll", self._on_scroll)]

    def load_markdown(self) -> None:
        """Start importing the markdown renderer (once; answers finished before it arrives wait)."""
        if self._markdown is None:
            self._markdown = asyncio.ensure_future(self._load_markdown())

    async def _load_markdown(self) -> None:
        """Import the renderer, then render the answers that finished before it arrived."""
        try:
            (module,) = await js_import(URL.new(MARKDOWN, document.baseURI).href)
        except Exception as error:  # answers then stay as plain text, which is still readable
            console.warn(f"Markdown renderer unavailable: {error}")
            self.render_markdown = lambda text: document.createTextNode(text)
        else:
            self.render_markdown = module.renderMarkdown
        waiting, self._unrendered = self._unrendered, []
        for body, text in waiting:
            self.render_answer(body, text)

    def render_answer(self, body: Any, text: str) -> None:
        """Replace the streamed text with its markdown rendering (once the renderer is here)."""
        if self.render_markdown is None:
            self._unrendered.append((body, text))
            return
        # The class goes first: where Python runs in a worker each write reaches the page as a task
        # of its own, and the finished text must never be seen as streamed text.
        body.classList.remove("streaming")
        body.replaceChildren(self.render_markdown(text))

    # Scrolling: follow new text unless the reader scrolled up to re-read.

    def _on_scroll(self, event: Any) -> None:
        t = self.element
        self._follow = t.scrollHeight - t.scrollTop - t.clientHeight < 40

    def follow(self) -> None:
        if self._follow and not self._scroll_queued:
            self._scroll_queued = True
            # A new callable each frame, not one proxy handed over again and again: where Python runs
            # in a worker, the page's copy of an earlier hand-over, collected late, takes the
            # function's id away from the newer one (PyScript's worker glue then fails to call it).
            window.requestAnimationFrame(create_once_callable(self._scroll_to_end))

    def _scroll_to_end(self, timestamp: float) -> None:
        self._scroll_queued = False
        self.element.scrollTop = self.element.scrollHeight

    def start_answer(self, question: str) -> AnswerView:
        turn = document.createElement("article")
        turn.className = "turn"
        asked = document.createElement("p")
        asked.className = "question"
        asked.textContent = question
        body = document.createElement("div")
        body.className = "answer streaming"
        meta = document.createElement("p")
        meta.className = "answer-meta"
        turn.append(asked, body, meta)
        self.element.append(turn)
        self._follow = True
        self.follow()
        return AnswerView(self, body, meta)

    def add_proposal(self, anchor: Any) -> ProposalView:
        proposal = ProposalView(anchor, self.focus_message)
        self._proposals.append(proposal)
        self.follow()
        return proposal

    def clear(self) -> None:
        for proposal in self._proposals:
            proposal.close()
        for answer in self.retries:
            answer.close()
        self._proposals, self.retries = [], []
        self.element.replaceChildren()
