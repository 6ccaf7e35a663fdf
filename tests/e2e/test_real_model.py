"""The assistant with the REAL wllama engine and the REAL model, in Chromium without WebGPU.

The site, the model and the page are tests/e2e/real_model_site.py's: one page shared by this
module's tests, the model loaded by `ready_page` where it is not (the first test loads it itself,
to see the app choose it), so each test passes alone as well as in file order. The first test needs
the page as first opened, so it runs first (file order) or alone.

Every message here is a question about the list, so the app asks the model for a plain-text answer
(app/assistant/requests/plan.py) that streams into the transcript. A whole answer that reads as
nonsense (app/assistant/requests/checks.py) is replaced by the app's NONSENSE_TEXT with a "Try
again" button. The model may end an answer either way, so the tests accept each ending and assert,
through `shown_ending`, that the app showed the one its rules give for the model's raw output; what
else each test checks holds whichever ending it was.
"""

import re

import pytest
from playwright.sync_api import expect

from app.assistant.turn import NONSENSE_TEXT
from tests.e2e.assistant_helpers import (
    answers,
    ask,
    load_button,
    message_box,
    open_assistant,
    panel,
    picker,
    turns,
    wait_answered,
)
from tests.e2e.real_model_site import (  # noqa: F401 (real_site, real_app and ready_page are fixtures)
    COUNT_CHUNKS,
    GGUF,
    GGUF_PATH,
    MODEL_ID,
    MODEL_LABEL,
    NONSENSE,
    QUESTION,
    REAL_TIMEOUT_MS,
    RESET_CHUNKS,
    SPY,
    TODOS,
    answer_requests,
    last_request,
    ready_page,
    real_app,
    real_site,
    shown_ending,
    turn_parts,
)
from tests.e2e.site_copy import wait_activated, wait_ready_page

FOLLOW_UP = "And how many are there?"
pytestmark = pytest.mark.timeout(600)  # per test: two answers at a few tokens/s on a busy machine


def test_without_webgpu_the_cpu_engine_and_the_sites_model_are_chosen(real_app):
    page = real_app.page
    assert not panel(page).is_visible() and real_app.gguf_requests() == [], "the page as first opened"
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
    ending = shown_ending(turn, output)  # and the app showed it as its rules say
    print(f"the real answer ended as {ending}: {output!r}")
    expect(turn.locator(".answer-meta")).to_contain_text(re.compile(r"\d+(\.\d+)? tokens/s"))
    assert request["timings"]["predicted_n"] >= 2
    messages = request["messages"]
    assert messages[0]["role"] == "system" and messages[-1] == {"role": "user", "content": QUESTION}
    assert all(title in messages[0]["content"] for title in TODOS), "the list is in the prompt"
    # The app's sampling, never the engine's defaults (app/assistant/engines/sampling.py).
    # The spy keeps every option the app sends (those just asserted among them), so a JSON schema
    # would be there too: a question's answer is plain text.
    assert {"temperature", "top_p", "repeat_penalty", "frequency_penalty", "max_tokens"} <= set(request["options"])
    assert "response_format" not in request["options"], request["options"]


def answer_kept_in_the_chat(page, tries=2):
    """The newest turn, once its answer is one the chat keeps: asks QUESTION in an empty chat, and
    presses "Try again" (at most `tries` times) while the answer made no sense, which the chat
    does not keep. Returns (turn, its raw output)."""
    if turns(page).count() == 0:
        wait_answered(ask(page, QUESTION))
    turn, output = turns(page).last, last_request(page)["output"]
    for _ in range(tries):
        if shown_ending(turn, output) != NONSENSE:
            break
        sent = last_request(page)["messages"]
        count = turns(page).count()
        turn.locator(".retry-answer").click()
        expect(turns(page)).to_have_count(count + 1)
        turn = turns(page).last
        wait_answered(turn)
        assert last_request(page)["messages"] == sent, "Try again asks the same question again"
        output = last_request(page)["output"]
    assert shown_ending(turn, output) != NONSENSE, f"no answer the chat keeps in {tries + 1} tries: {output!r}"
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
    page.get_by_role("button", name="Stop").click()  # shown while the answer streams
    wait_answered(turn)
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    expect(turn.locator(".answer-meta")).to_contain_text("Stopped")
    expect(message_box(page)).to_be_enabled()
    stopped = last_request(page)
    stopped_text = turn.locator(".answer").inner_text().strip()
    assert stopped_text != NONSENSE_TEXT, "a stopped answer is shown as it streamed, never judged"
    assert turn_parts(turn) == ["question", "answer", "answer-meta"], "no \"Try again\" under it"

    next_turn = ask(page, QUESTION)
    wait_answered(next_turn)
    assert last_request(page)["messages"][-1]["content"] == QUESTION
    shown_ending(next_turn, last_request(page)["output"])  # answered, and shown as the app's rules say
    assert stopped["chunks"] < 200, "the stopped answer did not run on to its end"


def test_new_chat_empties_the_conversation_and_the_next_question_starts_afresh(ready_page):
    page = ready_page
    if turns(page).count() == 0:  # alone: a conversation to empty
        wait_answered(ask(page, QUESTION))
    assert turns(page).count() >= 1
    page.get_by_role("button", name="New chat").click()
    expect(turns(page)).to_have_count(0)

    turn = ask(page, FOLLOW_UP)  # a follow-up to nothing now; still about the list, so asked
    wait_answered(turn)
    assert [m["role"] for m in last_request(page)["messages"]] == ["system", "user"]
    assert last_request(page)["messages"][-1]["content"] == FOLLOW_UP
    expect(answers(page)).to_have_count(1)
    shown_ending(turn, last_request(page)["output"])  # answered, and shown as the app's rules say


def test_reload_with_the_network_off_loads_the_model_from_this_device(ready_page, real_app):
    page = ready_page
    wait_activated(page)
    assert real_app.gguf_requests() != [], "the model was downloaded once, and the watch saw it"
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
        shown_ending(turn, last_request(page)["output"])  # answered, and shown as the app's rules say
        after = [u for u in real_app.watch.requests[seen:] if u.split("?", 1)[0].endswith(GGUF_PATH)]
        assert after == [], "the model came from the device, not the network"
    finally:
        real_app.context.set_offline(False)


def test_deleting_the_model_removes_it_from_this_device(ready_page):
    page = ready_page
    page.locator("details.model-storage summary").click()
    delete = page.get_by_role("button", name=f"Delete {MODEL_LABEL}")
    option = picker(page).locator(f"option[value='{MODEL_ID}']")
    expect(delete).to_be_visible()
    expect(option).to_contain_text("on this device")
    assert any(GGUF.name in url for url in stored_gguf_urls(page)), stored_gguf_urls(page)
    delete.click()

    expect(delete).to_have_count(0)
    expect(page.locator(".model-storage .stored-models")).to_contain_text("No model downloaded yet.")
    expect(option).not_to_contain_text("on this device")
    assert stored_gguf_urls(page) == []


def stored_gguf_urls(page):
    """The URLs of the files wllama keeps in this origin's OPFS (its own CacheManager reads them)."""
    return page.evaluate("""async () => {
        const { CacheManager } = await import("/vendor/wllama/index.js");
        return (await new CacheManager().list()).map((entry) => entry.metadata?.originalURL ?? entry.name);
    }""")
