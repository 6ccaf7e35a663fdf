"""Chrome's built-in model through its engine module (assets/engines/prompt-api.js).

This Chromium has the real `LanguageModel`, which says "unavailable" (no on-device model): that
path is tested as it is. Everything past it runs on tests/doubles/prompt-api.js, a test double of
`LanguageModel` injected before the page's scripts, scripted per test through
`globalThis.__promptApiScenario`. Downloads need a user gesture in Chrome (and in the double), so
loads that download start from a real click, as in the app.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.assistant.changes.proposals import PROPOSAL_INTRO
from app.assistant.changes.schema import change_schema
from app.assistant.requests.plan import CHANGE_RULES
from tests.e2e.assistant_helpers import (
    DEFAULT_MODEL,
    STATE_TIMEOUT_MS,
    alert,
    ask,
    load_button,
    load_status,
    message_box,
    open_assistant,
    picker,
    progressbar,
    start_model,
    wait_answered,
)
from tests.e2e.engine_page import DRAIN, open_engine_page
from tests.e2e.helpers import add

ROOT = Path(__file__).resolve().parent.parent.parent
DOUBLE = ROOT / "tests/doubles/prompt-api.js"
MODULE = "/assets/engines/prompt-api.js"
MODEL = {"model_id": "chrome-built-in", "engine": "prompt-api", "context_window": 4096}
SYSTEM = {"role": "system", "content": "Answer only about this list: * Buy milk (not done)"}
LOADED = {"value": {"context_window": 4096}}  # the session's contextWindow (the double's default)
QUESTION = {"role": "user", "content": "How many open to-dos do I have?"}

LOAD = """async ([url, model]) => {
  const engine = await import(url);
  const reports = [];
  const outcome = await engine.load(model, (report) => reports.push(report));
  return { outcome, reports };
}"""

# Starts a load from a button's click handler (a real gesture when Playwright clicks it).
LOAD_ON_CLICK = """([url, model]) => {
  const button = document.body.appendChild(document.createElement('button'));
  button.textContent = 'Download and start';
  window.__reports = [];
  button.onclick = () => {
    window.__load = import(url).then((engine) => engine.load(model, (report) => window.__reports.push(report)));
  };
}"""


@pytest.fixture
def prompt_api(context, site, watch):
    """prompt_api(scenario=None) -> a page with the double and `scenario`, or the real API (None)."""
    def opener(scenario=None):
        scripts = []
        if scenario is not None:
            scripts = [{"script": f"globalThis.__promptApiScenario = {json.dumps(scenario)};"}, {"path": str(DOUBLE)}]
        return open_engine_page(context, site, watch, init_scripts=scripts)

    yield opener
    watch.check()


def call(page, function, *args):
    return page.evaluate("async ([url, f, args]) => (await import(url))[f](...args)", [MODULE, function, list(args)])


def calls(page, fn):
    return [c["args"] for c in page.evaluate("globalThis.__promptApiCalls") if c["fn"] == fn]


def load_by_click(page):
    page.evaluate(LOAD_ON_CLICK, [MODULE, MODEL])
    page.get_by_role("button", name="Download and start").click()
    return page.evaluate("window.__load.then((outcome) => ({outcome, reports: window.__reports}))")


def loaded(page):
    result = page.evaluate(LOAD, [MODULE, MODEL])
    assert result["outcome"] == LOADED
    return page


def test_the_real_prompt_api_here_says_unavailable_so_it_is_not_offered(prompt_api):
    page = prompt_api()
    assert page.evaluate("typeof LanguageModel") == "function"
    value = call(page, "availability")["value"]
    assert value["available"] is False and value["reason"] == "unavailable"
    assert call(page, "load", MODEL, None)["error"]["name"] == "NotSupportedError"
    assert call(page, "cachedIds", [MODEL]) == {"value": []}


def test_a_browser_without_the_prompt_api_is_told_so(prompt_api):
    page = prompt_api()
    page.evaluate("delete globalThis.LanguageModel")
    value = call(page, "availability")["value"]
    assert value == {**value, "available": False, "reason": "no Prompt API in this browser"}


@pytest.mark.parametrize("state", ["downloadable", "downloading", "available"])
def test_every_state_but_unavailable_is_offered_and_named(prompt_api, state):
    page = prompt_api({"availability": state})
    assert call(page, "availability")["value"]["available"] is True
    assert call(page, "availability")["value"]["reason"] == state
    assert call(page, "cachedIds", [MODEL]) == {"value": [MODEL["model_id"]] if state == "available" else []}


def test_a_download_reports_its_progress_then_prepares_and_the_model_is_then_on_the_device(prompt_api):
    page = prompt_api({"availability": "downloadable", "download": [0, 0.25, 0.5, 1]})
    result = load_by_click(page)
    assert result["outcome"] == LOADED
    # The browser tells how far (0..1), never the bytes: the contract's `fraction`.
    assert result["reports"] == [
        {"phase": "download", "loaded": None, "total": None, "fraction": 0},
        {"phase": "download", "loaded": None, "total": None, "fraction": 0},
        {"phase": "download", "loaded": None, "total": None, "fraction": 0.25},
        {"phase": "download", "loaded": None, "total": None, "fraction": 0.5},
        {"phase": "download", "loaded": None, "total": None, "fraction": 1},
        {"phase": "prepare", "loaded": None, "total": None},
    ]
    (create,) = calls(page, "create")
    assert create["expectedInputs"] == [{"type": "text", "languages": ["en"]}]
    assert create["expectedOutputs"] == [{"type": "text", "languages": ["en"]}]
    assert create["monitor"] is True and create["signal"] is True
    assert call(page, "availability")["value"]["reason"] == "available"
    assert call(page, "cachedIds", [MODEL]) == {"value": [MODEL["model_id"]]}


def test_a_model_already_available_loads_from_the_device(prompt_api):
    page = prompt_api({"availability": "available"})
    result = page.evaluate(LOAD, [MODULE, MODEL])
    assert result == {"outcome": LOADED, "reports": [{"phase": "device", "loaded": None, "total": None, "fraction": None}]}


def test_a_download_without_a_user_gesture_is_refused_with_chromes_error(prompt_api):
    page = prompt_api({"availability": "downloadable", "noActivation": True})
    error = page.evaluate(LOAD, [MODULE, MODEL])["outcome"]["error"]
    assert error["name"] == "NotAllowedError"
    assert "user gesture" in error["message"]


def test_cancelling_a_download_settles_as_cancelled(prompt_api):
    page = prompt_api({"availability": "downloadable", "holdDownload": True})
    page.evaluate(LOAD_ON_CLICK, [MODULE, MODEL])
    page.get_by_role("button", name="Download and start").click()
    page.wait_for_function("window.__reports.length >= 2")
    call(page, "cancelLoad")
    outcome = page.evaluate("window.__load")
    assert outcome["error"]["name"] == "Cancelled"
    assert call(page, "cachedIds", [MODEL]) == {"value": []}


@pytest.mark.parametrize("error", [
    {"name": "QuotaExceededError", "message": "The initial prompts are too large."},
    {"name": "NotSupportedError", "message": "Unsupported language."},
    {"name": "OperationError", "message": "The model crashed."},
])
def test_a_failed_session_keeps_its_dom_exception_name(prompt_api, error):
    page = prompt_api({"availability": "available", "createError": error})
    assert page.evaluate(LOAD, [MODULE, MODEL])["outcome"] == {"error": error}


def test_an_answer_streams_exactly_the_deltas_chrome_sends(prompt_api):
    page = loaded(prompt_api({"chunks": ["You ", "have ", "one open ", "to-do."]}))
    answer = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {"temperature": 0.3, "max_tokens": 200}])
    assert answer["text"] == "You have one open to-do."
    result = answer["result"]
    assert result["error"] is None and result["finish"] == "stop"
    assert result["stats"]["completion_tokens"] > 0
    assert result["stats"]["context_window"] == 4096
    conversation = calls(page, "create")[-1]
    assert conversation["initialPrompts"] == [SYSTEM]
    assert calls(page, "promptStreaming")[-1]["input"] == [QUESTION]


def test_older_chromes_whole_text_chunks_are_turned_into_deltas(prompt_api):
    page = loaded(prompt_api({"chunks": ["You ", "have ", "one open ", "to-do."], "cumulative": True}))
    answer = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {}])
    assert answer["text"] == "You have one open to-do."


def test_a_conversation_keeps_its_session_while_it_only_grows_and_starts_afresh_otherwise(prompt_api):
    page = loaded(prompt_api({"reply": ["One.", "Milk.", "Two."]}))
    first = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {}])
    follow_up = [SYSTEM, QUESTION, {"role": "assistant", "content": first["text"]},
                 {"role": "user", "content": "Which one?"}]
    second = page.evaluate(DRAIN, [MODULE, follow_up, {}])
    assert (first["text"], second["text"]) == ("One.", "Milk.")
    assert len(calls(page, "create")) == 2  # the load's session, then one for this conversation
    assert calls(page, "promptStreaming")[-1]["input"] == [{"role": "user", "content": "Which one?"}]

    # The list changed, so the system prompt did: a new session gets the whole history.
    changed = [{"role": "system", "content": "Answer only about this list: (empty)"}, *follow_up[1:]]
    page.evaluate(DRAIN, [MODULE, changed, {}])
    creates = calls(page, "create")
    assert len(creates) == 3 and creates[-1]["initialPrompts"] == changed[:-1]
    assert len(calls(page, "destroy")) == 1

    # New chat forgets the conversation.
    assert call(page, "reset") == {"value": None}
    assert len(calls(page, "destroy")) == 2


def test_stop_mid_answer_ends_it_as_aborted_and_the_next_answer_works(prompt_api):
    page = loaded(prompt_api({"reply": ["A long answer that goes on and on.", "Short."], "holdAfterChunks": 2,
                              "chunkSize": 5}))
    stopped = page.evaluate("""async ([url, messages]) => {
      const engine = await import(url);
      const feed = engine.generate(messages, {});
      let text = '';
      for await (const batch of feed.batches) {
        text += batch;
        if (text.length >= 10) engine.stop();
      }
      return { text, result: feed.result };
    }""", [MODULE, [SYSTEM, QUESTION]])
    assert stopped["text"] == "A long ans"
    assert stopped["result"]["finish"] == "abort" and stopped["result"]["error"] is None
    page.evaluate("globalThis.__promptApiScenario.holdAfterChunks = null")
    again = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION, {"role": "assistant", "content": "A long ans"},
                                          {"role": "user", "content": "Go on."}], {}])
    assert again["text"] == "Short." and again["result"]["finish"] == "stop"
    # The stopped session was not reused: its context holds an answer the app does not send back.
    assert len(calls(page, "create")) == 3


def test_an_error_mid_answer_is_reported_by_name_after_the_text_so_far(prompt_api):
    page = loaded(prompt_api({"chunks": ["Half ", "an ", "answer"],
                              "promptError": {"name": "OperationError", "message": "The model crashed.",
                                              "afterChunks": 2}}))
    answer = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {}])
    assert answer["text"] == "Half an "
    assert answer["result"]["error"] == {"name": "OperationError", "message": "The model crashed."}


def test_max_tokens_cuts_a_long_answer_as_length(prompt_api):
    page = loaded(prompt_api({"reply": "word " * 100, "chunkSize": 5}))
    answer = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {"max_tokens": 10}])
    assert answer["result"]["finish"] == "length"
    assert answer["text"] == "word " * 8


def test_a_change_schema_becomes_the_response_constraint_and_the_reply_matches_it(prompt_api):
    schema = change_schema(("complete", "delete"), ["Buy milk"])
    change = {"role": "user", "content": "Buy milk is done"}
    page = loaded(prompt_api({}))
    answer = page.evaluate(DRAIN, [MODULE, [SYSTEM, change], {"json_schema": schema}])
    assert calls(page, "promptStreaming")[-1]["responseConstraint"] == schema
    assert json.loads(answer["text"]) == {"changes": [{"op": "complete", "todo": "Buy milk"}]}


def test_an_answer_without_a_schema_has_no_response_constraint(prompt_api):
    page = loaded(prompt_api({"reply": "One."}))
    answer = page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {"max_tokens": 200}])
    assert answer["text"] == "One."
    assert calls(page, "promptStreaming")[-1] == {"input": [QUESTION], "omitResponseConstraintInput": False,
                                                  "signal": True}


@pytest.mark.parametrize("params, expected", [
    (None, {}),
    ({"defaultTopK": 3, "maxTopK": 128, "defaultTemperature": 1, "maxTemperature": 2}, {"temperature": 0.3, "topK": 3}),
])
def test_temperature_is_passed_only_where_the_api_takes_it(prompt_api, params, expected):
    page = loaded(prompt_api({"params": params} if params else {}))
    page.evaluate(DRAIN, [MODULE, [SYSTEM, QUESTION], {"temperature": 0.3, "top_p": 0.9}])
    conversation = calls(page, "create")[-1]
    assert {k: conversation[k] for k in ("temperature", "topK", "samplingMode") if k in conversation} == expected


def test_nothing_is_stored_by_this_site_and_nothing_can_be_deleted(prompt_api):
    page = prompt_api({"availability": "available"})
    assert call(page, "bytesOnDevice", [MODEL]) == {"value": {}}
    assert call(page, "deleteModel", MODEL)["error"]["name"] == "NotSupportedError"


# ---- in the app: the picker, loading, answering, errors ----

BUILT_IN_GROUP = "Built into this browser"
BUILT_IN_ID = "chrome-built-in"
MODEL_SETTING = "tasks-and-talk.model"


@pytest.fixture
def app_with_built_in_model(context, open_app):
    """app_with_built_in_model(scenario=None, remembered=None) -> the app, ready.

    With a `scenario`, the double replaces the browser's `LanguageModel` (None: the real one).
    `remembered` is stored as the person's earlier choice of model.
    """
    def opener(scenario=None, remembered=None):
        if scenario is not None:
            context.add_init_script(f"globalThis.__promptApiScenario = {json.dumps(scenario)};")
            context.add_init_script(path=str(DOUBLE))
        if remembered:
            context.add_init_script(f"localStorage.setItem({json.dumps(MODEL_SETTING)}, {json.dumps(remembered)});")
        return open_app()

    previous = getattr(expect, "_timeout", None)
    expect.set_options(timeout=STATE_TIMEOUT_MS)
    yield opener
    expect.set_options(timeout=previous)


def group_labels(page):
    return picker(page).locator("optgroup").evaluate_all("groups => groups.map((g) => g.label)")


def set_prompt_scenario(page, **fields):
    page.evaluate("(fields) => Object.assign(globalThis.__promptApiScenario, fields)", fields)


def test_in_the_app_the_real_prompt_api_here_is_not_offered(app_with_built_in_model):
    page = app_with_built_in_model()
    open_assistant(page)
    assert BUILT_IN_GROUP not in group_labels(page)
    assert BUILT_IN_ID not in picker(page).locator("option").evaluate_all("os => os.map((o) => o.value)")


def test_an_available_built_in_model_is_offered_first_and_chosen_without_a_gpu(app_with_built_in_model):
    page = app_with_built_in_model({"availability": "available", "reply": "One open to-do."})
    open_assistant(page)
    assert group_labels(page)[0] == BUILT_IN_GROUP
    expect(picker(page)).to_have_value(BUILT_IN_ID)
    expect(load_button(page)).to_have_text("Start model")

    start_model(page)
    turn = ask(page, "How many open to-dos do I have?")
    wait_answered(turn)
    expect(turn.locator(".answer")).to_have_text("One open to-do.")
    (question,) = calls(page, "promptStreaming")  # a question: plain text, no responseConstraint
    assert question["input"] == [{"role": "user", "content": "How many open to-dos do I have?"}]
    assert "responseConstraint" not in question


def test_the_built_in_model_has_the_chat_in_a_session_before_the_question_is_sent(app_with_built_in_model):
    page = app_with_built_in_model({"availability": "available", "reply": "One open to-do."})
    add(page, "buy milk")
    open_assistant(page)
    start_model(page)
    # Read ahead (app/assistant/warmer.py): a session holding the system prompt is made once the model runs.
    page.wait_for_function(
        "() => (globalThis.__promptApiCalls ?? []).some((c) => c.fn === 'create' && c.args.initialPrompts)")
    made = [c for c in calls(page, "create") if c.get("initialPrompts")]
    (system,) = made[0]["initialPrompts"]
    assert system["role"] == "system" and '- "buy milk" (open)' in system["content"]

    turn = ask(page, "What is on my list?")
    wait_answered(turn)
    assert [c for c in calls(page, "create") if c.get("initialPrompts")][:1] == made[:1]
    assert len([c for c in calls(page, "create") if c.get("initialPrompts") == made[0]["initialPrompts"]]) == 1, \
        "the question's request found the session ready: none made again for the same chat"


def test_the_persons_own_choice_stays_chosen_though_the_built_in_model_comes_first(app_with_built_in_model):
    page = app_with_built_in_model({"availability": "available"}, remembered=DEFAULT_MODEL)
    open_assistant(page)
    assert group_labels(page)[0] == BUILT_IN_GROUP
    expect(picker(page)).to_have_value(DEFAULT_MODEL)


def test_its_download_shows_progress_then_a_plain_answer_streams_and_stop_ends_it(app_with_built_in_model):
    text = "You have one open to-do: buy milk. It has been on the list since Monday."
    held = 8  # chunks of 4 characters before the stream holds: the answer's first 32 characters
    change = {"changes": [{"op": "delete", "todo": "buy milk"}]}
    page = app_with_built_in_model({"availability": "downloadable", "download": [0, 0.4, 1],
                                    "holdDownload": True, "reply": [text, "Still here.", change],
                                    "chunkSize": 4, "holdAfterChunks": held})
    add(page, "buy milk")
    open_assistant(page)

    load_button(page).click()  # a real click: Chrome downloads the built-in model only after a gesture
    expect(progressbar(page)).to_be_visible()
    expect(load_status(page)).to_contain_text("Downloading")
    page.evaluate("globalThis.__promptApiRelease()")
    expect(message_box(page)).to_be_enabled()

    turn = ask(page, "What is on my list?")
    streamed = text[:held * 4]
    expect(turn.locator(".answer.streaming")).to_have_text(streamed)
    page.get_by_role("button", name="Stop").click()
    wait_answered(turn)
    expect(turn.locator(".answer-meta")).to_contain_text("Stopped.")
    expect(turn.locator(".answer")).to_have_text(streamed)

    set_prompt_scenario(page, holdAfterChunks=None)
    second = ask(page, "And now?")
    wait_answered(second)
    expect(second.locator(".answer")).to_have_text("Still here.")
    conversation = calls(page, "create")[-1]
    assert conversation["initialPrompts"][0]["role"] == "system"
    assert "buy milk" in conversation["initialPrompts"][0]["content"]
    questions = calls(page, "promptStreaming")
    assert [q["input"] for q in questions] == [[{"role": "user", "content": "What is on my list?"}],
                                               [{"role": "user", "content": "And now?"}]]
    assert not any("responseConstraint" in q for q in questions)  # questions are plain prompts

    change = ask(page, "Delete buy milk")  # a change request carries the change schema
    wait_answered(change)
    expect(change.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(change.get_by_role("region", name="Proposed changes").get_by_role("listitem")).to_have_text(
        ["Delete “buy milk”"])
    request = calls(page, "promptStreaming")[-1]
    assert request["input"] == [{"role": "user", "content": "Delete buy milk"}]
    assert request["responseConstraint"] == change_schema(("delete",), ["buy milk"])
    assert [{"role": "system", "content": CHANGE_RULES + '\n\nTo-dos:\n- "buy milk" (open)'}] in [
        c.get("initialPrompts") for c in calls(page, "create")]  # the change request's own session


def test_a_built_in_model_that_cannot_start_is_reported_as_a_message(app_with_built_in_model):
    page = app_with_built_in_model({"availability": "available",
                                    "createError": {"name": "NotSupportedError", "message": "No English here."}})
    open_assistant(page)
    load_button(page).click()
    expect(alert(page)).to_contain_text("No English here.")
    expect(message_box(page)).to_be_disabled()


def test_an_error_in_the_middle_of_an_answer_is_shown_under_it_and_the_chat_goes_on(app_with_built_in_model):
    page = app_with_built_in_model({"availability": "available", "chunks": ["Half ", "an ", "answer"],
                                    "promptError": {"name": "OperationError", "message": "The model crashed.",
                                                    "afterChunks": 2}})
    open_assistant(page)
    start_model(page)
    turn = ask(page, "What is on my list?")
    expect(turn.locator(".answer-meta")).to_contain_text("The model crashed.")
    expect(turn.locator(".answer")).to_contain_text("Half an")

    set_prompt_scenario(page, promptError=None, chunks=None, reply="Fine again.")
    second = ask(page, "Again?")
    wait_answered(second)
    expect(second.locator(".answer")).to_have_text("Fine again.")
