"""The assistant changes the list, end to end in Chromium: a change request is one JSON request
shaped by the message (app/assistant/requests/plan.py), its JSON never shown; the proposal is listed under the
app's own answer, applied only on Apply, discarded, undone, also across two tabs; bad, hostile or
oversized JSON proposes nothing. A question is a plain request that can never propose a change, and
a message the app can answer itself (which to-do? not on the list, already done) asks no model.

The WebLLM test double (tests/doubles/web-llm.js) returns the scripted `reply` text exactly as an
engine would stream it and does not enforce the schema, so these tests script the raw JSON (also
JSON a constrained engine could not write) and check the request against what the app must send;
the Prompt API path runs on tests/doubles/prompt-api.js. Waits are on states only.
"""

import dataclasses
import json
from pathlib import Path

from playwright.sync_api import expect

from app.assistant.turn import NO_CHANGE_TEXT, NONSENSE_TEXT
from app.assistant.requests.list_prompt import system_prompt
from app.assistant.changes.proposals import PROPOSAL_INTRO
from app.assistant.changes.schema import change_schema
from app.assistant.requests.plan import CHANGE_RULES, CHANGE_TOKENS, NOT_ON_LIST, ONLY_THE_LIST
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.todos.model import Todo
from tests.e2e.assistant_helpers import (
    answers,
    ask,
    assistant_page,  # noqa: F401 (fixture)
    calls,
    message_box,
    open_assistant,
    set_scenario,
    start_model,
    transcript,
    wait_answered,
)
from tests.e2e.helpers import add, item, items, labels, stored

ROOT = Path(__file__).resolve().parents[2]
PROMPT_API_DOUBLE = ROOT / "tests/doubles/prompt-api.js"

LIST = ["buy milk", "call the dentist", "clean the garage"]
MESSAGE = ("Add 'buy bread', mark 'call the dentist' as done, rename 'buy milk' to 'buy oat milk' "
           "and delete 'clean the garage'")
CHANGES = [{"op": "add", "title": "buy bread"}, {"op": "complete", "todo": "call the dentist"},
           {"op": "rename", "todo": "buy milk", "title": "buy oat milk"}, {"op": "delete", "todo": "clean the garage"}]
# The message names four kinds of change, all three to-dos and two new titles, and lists several.
MESSAGE_SCHEMA = change_schema(("add", "complete", "rename", "delete"), LIST, True, ["buy bread", "buy oat milk"])
MESSAGE_SYSTEM = (CHANGE_RULES + '\n\nTo-dos:\n- "buy milk" (open)\n- "call the dentist" (open)\n'
                  '- "clean the garage" (open)')
WORDS = ["Add “buy bread”", "Mark “call the dentist” as done", "Rename “buy milk” to “buy oat milk”",
         "Delete “clean the garage”"]
QUESTION = "How many to-dos are open?"
SAMPLING = dataclasses.asdict(DEFAULT_SAMPLING)


def changes(*items):
    return json.dumps({"changes": list(items)}, ensure_ascii=False)


def webllm_request(messages, max_tokens, schema=None):
    """The chat.completions.create request assets/engines/webllm.js must send for these messages."""
    request = {"messages": messages, "stream": True, "stream_options": {"include_usage": True},
               **SAMPLING, "max_tokens": max_tokens}
    if schema is not None:
        request["response_format"] = {"type": "json_object", "schema": schema}
    return request


def sent(page):
    """The requests the double received, with each response_format's schema string parsed."""
    requests = [c["args"][0] for c in calls(page, "chat.completions.create")]
    for request in requests:
        if "response_format" in request:
            request["response_format"]["schema"] = json.loads(request["response_format"]["schema"])
    return requests


def proposal(turn):
    return turn.get_by_role("region", name="Proposed changes")


def button(turn, name):
    return proposal(turn).get_by_role("button", name=name, exact=True)


def stored_list(page):
    return [(t["title"], t["completed"]) for t in stored(page)["todos"]]


def ready_with_list(assistant_page, reply, titles=LIST, **scenario):
    page = assistant_page({"reply": reply, **scenario})
    add(page, *titles)
    open_assistant(page)
    start_model(page)
    return page


def asked(page, message=MESSAGE):
    turn = ask(page, message)
    wait_answered(turn)
    return turn


def a_change_is_proposed(page):
    """The positive case, on the same page, of a test's `expect(proposal(turn)).to_have_count(0)` and
    of its count of the model's requests: a change the app accepts is asked of the model (with its
    schema) and proposed. Changes nothing until Apply."""
    set_scenario(page, reply=changes({"op": "delete", "todo": "clean the garage"}), finishReason=None)
    requests = len(sent(page))
    turn = asked(page, "Delete the garage one")
    expect(proposal(turn)).to_have_count(1)
    expect(proposal(turn).get_by_role("listitem")).to_have_text(["Delete “clean the garage”"])
    assert len(sent(page)) == requests + 1 and "response_format" in sent(page)[-1]
    return turn


def test_a_change_request_sends_only_the_named_changes_schema_and_its_changes_are_listed_until_apply(assistant_page):
    page = ready_with_list(assistant_page, changes(*CHANGES))
    turn = asked(page)

    expect(turn.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(proposal(turn).get_by_role("listitem")).to_have_text(WORDS)
    expect(button(turn, "Apply")).to_be_enabled()
    expect(button(turn, "Discard")).to_be_enabled()
    expect(button(turn, "Undo")).to_be_hidden()
    assert stored_list(page) == [(t, False) for t in LIST]
    expect(labels(page)).to_have_text(LIST)

    (request,) = sent(page)
    assert request == webllm_request([{"role": "system", "content": MESSAGE_SYSTEM},
                                      {"role": "user", "content": MESSAGE}], CHANGE_TOKENS, MESSAGE_SCHEMA)

    button(turn, "Apply").click()  # until Apply: then Undo is offered
    expect(button(turn, "Undo")).to_be_visible()


def test_a_change_naming_one_to_do_allows_one_change_of_that_kind_to_that_to_do_by_its_title(assistant_page):
    page = ready_with_list(assistant_page, changes({"op": "complete", "todo": "call the dentist"}))
    turn = asked(page, "I called the dentist")
    expect(turn.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(proposal(turn).get_by_role("listitem")).to_have_text(["Mark “call the dentist” as done"])
    (request,) = sent(page)
    system = CHANGE_RULES + '\n\nTo-dos:\n- "call the dentist" (open)'  # only the to-do it names
    assert request["messages"] == [{"role": "system", "content": system},
                                   {"role": "user", "content": "I called the dentist"}]
    assert request["response_format"] == {"type": "json_object",
                                          "schema": change_schema(("complete",), ["call the dentist"])}
    assert request["response_format"]["schema"]["properties"]["changes"]["maxItems"] == 1


def test_apply_changes_the_list_as_one_step_once_and_undo_reverses_it(assistant_page):
    page = ready_with_list(assistant_page, changes(*CHANGES))
    turn = asked(page)
    expect(button(turn, "Discard")).to_be_visible()

    button(turn, "Apply").click()
    expect(labels(page)).to_have_text(["buy oat milk", "call the dentist", "buy bread"])
    expect(item(page, "call the dentist")).to_have_class("completed")
    assert stored_list(page) == [("buy oat milk", False), ("call the dentist", True), ("buy bread", False)]
    expect(proposal(turn).get_by_role("status")).to_have_text("Applied.")
    expect(button(turn, "Apply")).to_be_hidden()
    expect(button(turn, "Discard")).to_be_hidden()
    expect(button(turn, "Undo")).to_be_focused()  # the keyboard is never left on a vanished button
    assert proposal(turn).locator("button.apply").is_disabled()

    page.keyboard.press("Enter")  # Undo, from the keyboard
    expect(labels(page)).to_have_text(LIST)
    assert stored_list(page) == [(t, False) for t in LIST]
    expect(proposal(turn).get_by_role("status")).to_have_text("Undone.")
    expect(proposal(turn).get_by_role("button")).to_have_count(0)  # nothing left to press
    expect(message_box(page)).to_be_focused()


def test_discard_from_the_keyboard_changes_nothing(assistant_page):
    page = ready_with_list(assistant_page, changes(*CHANGES))
    turn = asked(page)
    expect(message_box(page)).to_be_focused()

    page.keyboard.press("Shift+Tab")  # from the message box back to the proposal's last button
    expect(button(turn, "Discard")).to_be_focused()
    page.keyboard.press("Enter")
    expect(proposal(turn).get_by_role("status")).to_have_text("Discarded: nothing was changed.")
    expect(proposal(turn).get_by_role("button")).to_have_count(0)
    expect(labels(page)).to_have_text(LIST)
    assert stored_list(page) == [(t, False) for t in LIST]

    set_scenario(page, reply=changes({"op": "add", "title": "Buy bread"}))
    second = asked(page, "Add buy bread")
    expect(second.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(proposal(second).get_by_role("listitem")).to_have_text(["Add “Buy bread”"])
    assert sent(page)[-1]["response_format"]["schema"] == change_schema(("add",), [], False, ["Buy bread"])
    page.get_by_role("button", name="New chat").click()  # a pending proposal goes with the transcript
    expect(answers(page)).to_have_count(0)
    expect(labels(page)).to_have_text(LIST)


def test_another_tabs_edits_survive_apply_and_undo_skips_what_it_deleted(assistant_page, open_app):
    page = ready_with_list(assistant_page, changes(*CHANGES))
    turn = asked(page)
    other = open_app()
    add(other, "water the plants")  # between the proposal and Apply

    button(turn, "Apply").click()
    expect(proposal(turn).get_by_role("status")).to_have_text("Applied.")
    assert [t for t, _ in stored_list(page)] == ["buy oat milk", "call the dentist", "water the plants", "buy bread"]
    expect(labels(other)).to_have_text(["buy oat milk", "call the dentist", "water the plants", "buy bread"])

    bread = item(other, "buy bread")  # the other tab deletes a to-do the assistant added
    bread.hover()
    bread.locator(".destroy").click()
    expect(items(other)).to_have_count(3)

    button(turn, "Undo").click()
    expect(proposal(turn).get_by_role("status")).to_have_text("Undone. “buy bread” was already deleted.")
    expected = ["buy milk", "call the dentist", "clean the garage", "water the plants"]
    expect(labels(page)).to_have_text(expected)
    expect(labels(other)).to_have_text(expected)
    assert stored_list(page) == [(t, False) for t in expected]


# Shows every text an answer holds, at each change of the transcript: [answer index, streaming, text].
WATCH_ANSWERS = """() => {
  const log = document.querySelector("#assistant-panel .transcript");
  globalThis.__answerTexts = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const node = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
      const answer = node?.closest(".answer");
      if (!answer) continue;
      const index = [...log.querySelectorAll(".answer")].indexOf(answer);
      globalThis.__answerTexts.push([index, answer.classList.contains("streaming"), answer.textContent]);
    }
  }).observe(log, { childList: true, characterData: true, subtree: true });
}"""


def answer_texts(page, index):
    return [(streaming, text) for n, streaming, text in page.evaluate("globalThis.__answerTexts") if n == index]


def test_the_json_of_a_change_request_is_never_shown_while_it_streams(assistant_page):
    plain = "You have three open to-dos: buy milk, call the dentist and clean the garage."
    reply = changes({"op": "delete", "todo": "clean the garage"})
    page = ready_with_list(assistant_page, [plain, reply], chunkDelayMs=20)
    page.evaluate(WATCH_ANSWERS)

    question = asked(page, QUESTION)  # the control: a question's plain text is seen as it streams
    expect(question.locator(".answer")).to_have_text(plain)
    streamed = [text for streaming, text in answer_texts(page, 0) if streaming]
    assert any(text and len(text) < len(plain) and plain.startswith(text) for text in streamed), streamed

    set_scenario(page, chunkSize=1)  # one character a chunk: the JSON streams for a second or more
    turn = ask(page, "Delete the garage one")
    expect(turn.locator(".answer.streaming")).to_have_text("")
    expect(page.get_by_role("button", name="Stop")).to_be_visible()  # still generating
    wait_answered(turn)
    expect(turn.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(proposal(turn).get_by_role("listitem")).to_have_text(["Delete “clean the garage”"])
    assert sent(page)[-1]["response_format"]["schema"] == change_schema(("delete",), ["clean the garage"])
    shown = answer_texts(page, 1)
    assert shown and all(text.strip() in ("", PROPOSAL_INTRO) for _, text in shown), shown
    expect(transcript(page)).not_to_contain_text('"changes"')
    expect(transcript(page)).not_to_contain_text("{")


def test_a_question_is_a_plain_request_and_proposes_nothing_even_if_the_reply_is_change_json(assistant_page):
    json_reply = changes({"op": "delete", "todo": "buy milk"}, {"op": "add", "title": "buy bread"})
    page = ready_with_list(assistant_page, [json_reply, "All three are open."])
    turn = asked(page, QUESTION)

    (request,) = sent(page)
    todos = [Todo(str(n), title) for n, title in enumerate(LIST)]
    assert request == webllm_request([{"role": "system", "content": system_prompt(todos)},
                                      {"role": "user", "content": QUESTION}], DEFAULT_SAMPLING.max_tokens)
    assert "response_format" not in request
    expect(turn.locator(".answer")).to_have_text(NONSENSE_TEXT)  # JSON is not an answer
    expect(proposal(turn)).to_have_count(0)
    expect(transcript(page).get_by_role("region", name="Proposed changes")).to_have_count(0)
    retry = turn.get_by_role("button", name="Try again")
    expect(retry).to_have_class("retry-answer")
    assert stored_list(page) == [(t, False) for t in LIST]

    retry.click()  # asks the same question again, as a plain request again
    expect(retry).to_have_count(0)
    again = transcript(page).locator("article.turn").nth(1)
    wait_answered(again)
    expect(again.locator(".question")).to_have_text(QUESTION)
    expect(again.locator(".answer")).to_have_text("All three are open.")
    first, second = sent(page)
    assert second == first
    expect(labels(page)).to_have_text(LIST)
    a_change_is_proposed(page)


def test_an_ambiguous_change_asks_which_to_do_without_asking_the_model(assistant_page):
    page = ready_with_list(assistant_page, changes({"op": "delete", "todo": "clean the garage"}),
                           [*LIST, "clean the car"])
    turn = asked(page, "Delete the cleaning one")
    expect(turn.locator(".answer")).to_have_text(
        "Which one do you mean: “clean the garage” or “clean the car”?")
    expect(proposal(turn)).to_have_count(0)
    assert calls(page, "chat.completions.create") == []
    assert stored_list(page) == [(t, False) for t in [*LIST, "clean the car"]]
    a_change_is_proposed(page)  # naming one of the two


def test_a_missing_or_done_to_do_and_a_first_message_off_the_list_are_answered_without_the_model(assistant_page):
    page = ready_with_list(assistant_page, changes({"op": "add", "title": "Write me a poem"}))
    poem = asked(page, "Write me a poem")
    expect(poem.locator(".answer")).to_have_text(ONLY_THE_LIST)

    missing = asked(page, "Delete walk the dog")
    expect(missing.locator(".answer")).to_have_text(NOT_ON_LIST)

    item(page, "call the dentist").locator(".toggle").check()
    expect(item(page, "call the dentist")).to_have_class("completed")
    done = asked(page, "I called the dentist")
    expect(done.locator(".answer")).to_have_text("“call the dentist” is already done.")

    expect(transcript(page).get_by_role("region", name="Proposed changes")).to_have_count(0)
    assert calls(page, "chat.completions.create") == []
    assert stored_list(page) == [("buy milk", False), ("call the dentist", True), ("clean the garage", False)]
    a_change_is_proposed(page)
    expect(transcript(page).get_by_role("region", name="Proposed changes")).to_have_count(1)


HOSTILE_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_hostile_titles_are_shown_and_added_as_text_and_run_nothing(assistant_page):
    message = f"Add '{HOSTILE_TITLE}' and rename 'buy milk' to '<b>milk</b>'"
    reply = changes({"op": "add", "title": HOSTILE_TITLE}, {"op": "rename", "todo": "buy milk", "title": "<b>milk</b>"})
    page = ready_with_list(assistant_page, reply)
    turn = asked(page, message)
    expect(turn.locator(".question")).to_have_text(message)
    expect(turn.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(proposal(turn).get_by_role("listitem")).to_have_text(
        [f"Add “{HOSTILE_TITLE}”", "Rename “buy milk” to “<b>milk</b>”"])
    assert sent(page)[-1]["response_format"]["schema"] == change_schema(
        ("add", "rename"), ["buy milk"], True, [HOSTILE_TITLE, "<b>milk</b>"])
    button(turn, "Apply").click()
    expect(labels(page)).to_have_text(["<b>milk</b>", "call the dentist", "clean the garage", HOSTILE_TITLE])
    expect(page.locator(".todo-list script, .todo-list img, .todo-list b, .transcript script, .transcript img")).to_have_count(0)
    expect(transcript(page).locator("[onerror]")).to_have_count(0)
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_to_dos_the_message_did_not_name_and_bad_changes_are_left_out_with_a_note(assistant_page):
    page = ready_with_list(assistant_page, "")
    real_id = stored(page)["todos"][2]["id"]
    # An engine without constrained decoding could write any of these; the app reads them again.
    set_scenario(page, reply=changes({"op": "delete", "todo": real_id}, {"op": "delete", "todo": "t3"},
                                     {"op": "delete", "todo": "buy milk"}, {"op": "delete"}))
    turn = asked(page, "Delete the garage one")
    expect(turn.locator(".answer")).to_have_text(NO_CHANGE_TEXT)
    expect(turn.locator(".answer-meta")).to_contain_text(
        f"Change 1 was left out: it names a to-do (“{real_id}”) that is not on the list. "
        "Change 2 was left out: it names a to-do (“t3”) that is not on the list. "
        "Change 3 was left out: it names a to-do (“buy milk”) that is not on the list. "
        "Change 4 was left out: it does not say which to-do it is about.")
    expect(proposal(turn)).to_have_count(0)
    assert stored_list(page) == [(t, False) for t in LIST]
    a_change_is_proposed(page)  # by its title


def test_more_changes_than_the_budget_or_the_limit_propose_nothing(assistant_page):
    # 500 changes: the answer budget (CHANGE_TOKENS) ends the JSON long before it closes.
    page = ready_with_list(assistant_page, changes(*({"op": "add", "title": f"to-do {n}"} for n in range(500))))
    turn = asked(page, "Add buy bread, buy eggs and buy flour")
    assert sent(page)[-1]["max_tokens"] == CHANGE_TOKENS
    expect(turn.locator(".answer")).to_have_text("(no answer)")
    expect(turn.locator(".answer-meta")).to_contain_text("The answer reached its length limit.")
    expect(proposal(turn)).to_have_count(0)

    # 21 whole changes: more than one reply may propose, so none is.
    set_scenario(page, reply=changes(*({"op": "add", "title": f"to-do {n}"} for n in range(21))))
    turn = asked(page, "Add buy bread, buy eggs and buy flour")
    expect(turn.locator(".answer")).to_have_text(NO_CHANGE_TEXT)
    expect(turn.locator(".answer-meta")).to_contain_text(
        "The answer proposed 21 changes; at most 20 can be proposed at once, so none are proposed.")
    expect(proposal(turn)).to_have_count(0)
    expect(items(page)).to_have_count(3)
    a_change_is_proposed(page)  # one change


def test_truncated_malformed_or_unfinished_change_json_shows_none_of_it_and_changes_nothing(assistant_page):
    page = ready_with_list(assistant_page, changes(*CHANGES)[:-10])
    turn = asked(page)
    expect(turn.locator(".answer")).to_have_text(NO_CHANGE_TEXT)
    expect(turn.locator(".answer-meta")).to_contain_text(
        "The answer was cut off before it was complete, so it proposes no changes.")
    expect(proposal(turn)).to_have_count(0)

    set_scenario(page, reply='{"changes": [}]')
    turn = asked(page)
    expect(turn.locator(".answer")).to_have_text(NO_CHANGE_TEXT)
    expect(turn.locator(".answer-meta")).to_contain_text("The answer was not valid JSON, so it proposes no changes.")

    set_scenario(page, reply='{"changes": 5}')
    turn = asked(page)
    expect(turn.locator(".answer")).to_have_text(NO_CHANGE_TEXT)
    expect(turn.locator(".answer-meta")).to_contain_text("The proposed changes were not a list, so none are proposed.")

    set_scenario(page, reply="Sure, I have done all of that.")  # not JSON: still no change, and not shown
    turn = asked(page)
    expect(turn.locator(".answer")).to_have_text(NO_CHANGE_TEXT)

    set_scenario(page, reply=changes(*CHANGES), finishReason="length")
    turn = asked(page)
    expect(turn.locator(".answer")).to_have_text("(no answer)")
    expect(turn.locator(".answer-meta")).to_contain_text("The answer reached its length limit.")
    expect(proposal(turn)).to_have_count(0)

    expect(transcript(page)).not_to_contain_text('"changes"')
    expect(transcript(page)).not_to_contain_text("Sure, I have done")
    assert stored_list(page) == [(t, False) for t in LIST]
    a_change_is_proposed(page)  # whole and valid


def test_the_prompt_api_gets_the_change_schema_as_its_response_constraint_and_its_changes_apply(assistant_page):
    scenario = {"availability": "available", "reply": {"changes": [{"op": "add", "title": "Buy bread"}]}}
    page = assistant_page(init_script=f"globalThis.__promptApiScenario = {json.dumps(scenario)};\n"
                                      f"{PROMPT_API_DOUBLE.read_text()}", model=None)
    add(page, "buy milk")
    open_assistant(page)
    start_model(page)
    turn = asked(page, "Add buy bread")
    expect(turn.locator(".answer")).to_have_text(PROPOSAL_INTRO)
    expect(proposal(turn).get_by_role("listitem")).to_have_text(["Add “Buy bread”"])
    recorded = page.evaluate("globalThis.__promptApiCalls")
    prompts = [c["args"] for c in recorded if c["fn"] == "promptStreaming"]
    assert prompts[-1]["input"] == [{"role": "user", "content": "Add buy bread"}]
    assert prompts[-1]["responseConstraint"] == change_schema(("add",), [], False, ["Buy bread"])
    sessions = [c["args"].get("initialPrompts") for c in recorded if c["fn"] == "create"]
    assert [{"role": "system", "content": CHANGE_RULES}] in sessions  # the change request's own session
    button(turn, "Apply").click()
    expect(labels(page)).to_have_text(["buy milk", "Buy bread"])
    button(turn, "Undo").click()
    expect(labels(page)).to_have_text(["buy milk"])
