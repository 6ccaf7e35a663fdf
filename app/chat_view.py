"""The assistant panel's view: the only module that reads or writes the assistant's part of the DOM.

The picker groups the models by where they run (one <optgroup> per group the controller passes:
app/model_catalogue.groups). Streaming is constant work per batch: the text of each frame's chunks
(assets/engines/stream.js batches them for every engine) is appended as one new text node at the
end of the answer, never re-rendering the answer so far, and scrolling is coalesced to one per
animation frame. The finished answer is rendered as markdown by assets/markdown.js (marked +
DOMPurify, returned as a DocumentFragment); questions, notes and streaming text go in as text.
"""

import asyncio

from js import URL, console, document, location, requestAnimationFrame
from pyodide.ffi import create_proxy
from pyscript import js_import

from app.dom import listen
from app.proposal_view import ProposalView

MARKDOWN = "./assets/markdown.js"


def _run(coroutine_function):
    """An event handler that starts `coroutine_function()` on Pyodide's event loop."""
    return lambda event: asyncio.ensure_future(coroutine_function())


class AnswerView:
    """One answer in the transcript, filled chunk by chunk, then rendered once as markdown."""

    def __init__(self, panel, body, meta):
        self.panel, self.body, self.meta = panel, body, meta

    def append(self, text):
        self.body.insertAdjacentText("beforeend", text)
        self.panel.follow_transcript()

    def propose(self):
        """The view of the changes this answer proposes, placed under it (app/proposal_view.py)."""
        return self.panel.add_proposal(self.meta)

    def finish(self, text, note, speed):
        if text:
            self.panel.render_answer(self.body, text)
        else:
            self.body.classList.remove("streaming")
            self.body.textContent = "(no answer)"
        self.meta.textContent = " · ".join(part for part in (note, speed) if part)
        self.panel.follow_transcript()


class ChatView:
    def __init__(self):
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
        self.transcript = query(".transcript")
        self.form = query(".ask")
        self.message = query("#message")
        self.send_button = query(".send")
        self.stop_button = query(".stop")
        self.new_chat_button = query(".new-chat")
        self.render_markdown = None
        self._markdown = None
        self._unrendered = []
        self._cached = set()
        self._models = {}
        self._follow = True
        self._scroll_queued = False
        self._listeners = []
        self._proposals = []

    def bind(self, controller):
        self.controller = controller

        def on(element, name, handler):
            self._listeners.append(listen(element, name, handler))

        on(self.toggle, "click", _run(self.toggle_panel))
        on(self.picker, "change", lambda e: controller.select(self.picker.value))
        on(self.load_button, "click", _run(controller.load))
        on(self.retry_button, "click", _run(controller.load))
        on(self.cancel_button, "click", lambda e: controller.cancel_load())
        on(self.reload_button, "click", lambda e: location.reload())
        on(self.stop_button, "click", lambda e: controller.stop())
        on(self.new_chat_button, "click", _run(controller.new_chat))
        on(self.form, "submit", self._on_submit)
        on(self.message, "keydown", self._on_message_key)
        on(self.transcript, "scroll", self._on_scroll)
        self._scroll_proxy = create_proxy(self._scroll_to_end)
        self.toggle.disabled = False

    async def toggle_panel(self):
        opening = self.panel.hidden
        self.panel.hidden = not opening
        self.toggle.setAttribute("aria-expanded", "true" if opening else "false")
        if opening:
            if self._markdown is None:
                self._markdown = asyncio.ensure_future(self._load_markdown())
            await self.controller.open()

    async def _load_markdown(self):
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

    def render_answer(self, body, text):
        """Replace the streamed text with its markdown rendering (once the renderer is here)."""
        if self.render_markdown is None:
            self._unrendered.append((body, text))
            return
        body.replaceChildren(self.render_markdown(text))
        body.classList.remove("streaming")

    def _on_submit(self, event):
        event.preventDefault()
        self._send()

    def _on_message_key(self, event):
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
            event.preventDefault()
            self._send()

    def _send(self):
        if self.send_button.disabled:
            return

        async def ask():
            if await self.controller.ask(self.message.value):
                self.message.value = ""

        asyncio.ensure_future(ask())

    # Scrolling: follow new text unless the reader scrolled up to re-read.

    def _on_scroll(self, event):
        t = self.transcript
        self._follow = t.scrollHeight - t.scrollTop - t.clientHeight < 40

    def follow_transcript(self):
        if self._follow and not self._scroll_queued:
            self._scroll_queued = True
            requestAnimationFrame(self._scroll_proxy)

    def _scroll_to_end(self, timestamp):
        self._scroll_queued = False
        self.transcript.scrollTop = self.transcript.scrollHeight

    # Rendering, called by the controller.

    def set_state(self, state, model, loaded_id):
        self.panel.dataset.state = state
        busy = state in ("checking", "loading", "generating")
        self.picker.disabled = state in ("checking", "unsupported", "loading", "generating", "closed")
        needs_load = model is not None and model.model_id != loaded_id
        self.load_button.hidden = state == "loading" or not needs_load
        self.load_button.disabled = busy or state == "unsupported"
        # A model this site downloads nothing for (size 0: the browser's own) only needs starting.
        ready_here = model is not None and (model.model_id in self._cached or not model.size_mb)
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

    def show_models(self, groups, selected, cached, problems):
        """groups: [(label, [Model])], one <optgroup> each, in picker order."""
        self._cached = set(cached)
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

    def mark_cached(self, model_id):
        self._cached.add(model_id)
        self._label_options()

    def unmark_cached(self, model_id):
        self._cached.discard(model_id)
        self._label_options()

    def _label_options(self):
        for option in self.picker.options:
            model = self._models.get(option.value)
            if model is not None:
                mark = ", on this device" if model.model_id in self._cached else ""
                option.textContent = f"{model.option_text}{mark}"

    def show_progress(self, progress, text):
        """progress in 0..1, or None to hide the bar (the text may stay, e.g. 'Cancelled')."""
        self.progress.hidden = progress is None and not text
        self.progress_bar.hidden = progress is None
        if progress is not None:
            percent = max(0, min(100, round(progress * 100)))
            self.progress_bar.setAttribute("aria-valuenow", str(percent))
            self.progress_fill.style.width = f"{percent}%"
        self.progress_text.textContent = text

    def show_error(self, message, advice="", retry=False, reload=False):
        self.error.hidden = message is None
        self.error.querySelector(".message").textContent = message or ""
        self.error.querySelector(".advice").textContent = advice or ""
        self.retry_button.hidden = not retry
        self.reload_button.hidden = not reload

    def start_answer(self, question):
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
        self.transcript.append(turn)
        self._follow = True
        self.follow_transcript()
        return AnswerView(self, body, meta)

    def add_proposal(self, anchor):
        proposal = ProposalView(anchor, lambda: self.message.focus())
        self._proposals.append(proposal)
        self.follow_transcript()
        return proposal

    def clear_transcript(self):
        for proposal in self._proposals:
            proposal.close()
        self._proposals = []
        self.transcript.replaceChildren()
        self.message.focus()
