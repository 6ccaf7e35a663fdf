"""The assistant changes the list, end to end in Chromium: proposals shown under the answer, applied
only on Apply, discarded, undone, also across two tabs; and bad, hostile or oversized JSON.

The WebLLM test double (tests/doubles/web-llm.js) returns the scripted `reply` text exactly as an
engine would stream it, so these tests script the raw JSON; the Prompt API path runs on
tests/doubles/prompt-api.js, which honours `responseConstraint`. Waits are on states only.
"""

import json
from pathlib import Path

from playwright.sync_api import expect

from app.reply_schema import reply_schema
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
REPLY = "I can add **bread**, tick off the dentist, rename the milk and drop the garage."
ACTIONS = [{"op": "add", "title": "buy bread"}, {"op": "complete", "id": "t2"},
           {"op": "rename", "id": "t1", "title": "buy oat milk"}, {"op": "delete", "id": "t3"}]
WORDS = ["Add “buy bread”", "Mark “call the dentist” as done", "Rename “buy milk” to “buy oat milk”",
         "Delete “clean the garage”"]


def structured(reply=REPLY, actions=ACTIONS):
    return json.dumps({"reply": reply, "actions": actions}, ensure_ascii=False)


def proposal(turn):
    return turn.get_by_role("region", name="Proposed changes")


def button(turn, name):
    return proposal(turn).get_by_role("button", name=name, exact=True)


def stored_list(page):
    return [(t["title"], t["completed"]) for t in stored(page)["todos"]]


def ready_with_list(assistant_page, reply):
    page = assistant_page({"reply": reply})
    add(page, *LIST)
    open_assistant(page)
    start_model(page)
    return page


def asked(page, question="Add bread, the dentist is done, oat milk, and drop the garage"):
    turn = ask(page, question)
    wait_answered(turn)
    return turn


def test_proposed_changes_are_listed_in_words_and_nothing_changes_until_apply(assistant_page):
    page = ready_with_list(assistant_page, structured())
    turn = asked(page)

    expect(turn.locator(".answer")).to_have_text(REPLY.replace("**", ""))
    expect(proposal(turn).get_by_role("listitem")).to_have_text(WORDS)
    expect(button(turn, "Apply")).to_be_enabled()
    expect(button(turn, "Discard")).to_be_enabled()
    expect(button(turn, "Undo")).to_be_hidden()
    assert stored_list(page) == [(t, False) for t in LIST]
    expect(labels(page)).to_have_text(LIST)

    request = calls(page, "chat.completions.create")[-1]["args"][0]
    assert request["response_format"]["type"] == "json_object"
    assert json.loads(request["response_format"]["schema"]) == reply_schema(["t1", "t2", "t3"])


def test_apply_changes_the_list_as_one_step_once_and_undo_reverses_it(assistant_page):
    page = ready_with_list(assistant_page, structured())
    turn = asked(page)

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
    page = ready_with_list(assistant_page, structured())
    turn = asked(page)
    expect(message_box(page)).to_be_focused()

    page.keyboard.press("Shift+Tab")  # from the message box back to the proposal's last button
    expect(button(turn, "Discard")).to_be_focused()
    page.keyboard.press("Enter")
    expect(proposal(turn).get_by_role("status")).to_have_text("Discarded: nothing was changed.")
    expect(proposal(turn).get_by_role("button")).to_have_count(0)
    expect(labels(page)).to_have_text(LIST)
    assert stored_list(page) == [(t, False) for t in LIST]

    set_scenario(page, reply=structured("Another go.", [{"op": "add", "title": "buy bread"}]))
    second = asked(page, "Just the bread")
    expect(proposal(second).get_by_role("listitem")).to_have_text(["Add “buy bread”"])
    page.get_by_role("button", name="New chat").click()  # a pending proposal goes with the transcript
    expect(answers(page)).to_have_count(0)
    expect(labels(page)).to_have_text(LIST)


def test_another_tabs_edits_survive_apply_and_undo_skips_what_it_deleted(assistant_page, open_app):
    page = ready_with_list(assistant_page, structured())
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


HOSTILE_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_hostile_titles_are_shown_and_added_as_text_and_run_nothing(assistant_page):
    reply = structured("<img src=x onerror=\"window.__pwned=3\"> Done.",
                       [{"op": "add", "title": HOSTILE_TITLE}, {"op": "rename", "id": "t1", "title": "<b>milk</b>"}])
    page = ready_with_list(assistant_page, reply)
    turn = asked(page, "Add this")
    expect(proposal(turn).get_by_role("listitem")).to_have_text(
        [f"Add “{HOSTILE_TITLE}”", "Rename “buy milk” to “<b>milk</b>”"])
    button(turn, "Apply").click()
    expect(labels(page)).to_have_text(["<b>milk</b>", "call the dentist", "clean the garage", HOSTILE_TITLE])
    expect(page.locator(".todo-list script, .todo-list img, .todo-list b, .transcript script, .transcript img")).to_have_count(0)
    expect(transcript(page).locator("[onerror]")).to_have_count(0)
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_ids_of_other_items_and_bad_changes_are_left_out_with_a_note(assistant_page):
    page = ready_with_list(assistant_page, "")
    real_id = stored(page)["todos"][0]["id"]
    set_scenario(page, reply=structured("Sure.", [{"op": "delete", "id": real_id}, {"op": "complete", "id": "t9"},
                                                  {"op": "rename", "id": "t1", "title": "  "}]))
    turn = asked(page, "Delete everything")
    expect(turn.locator(".answer")).to_have_text("Sure.")
    expect(turn.locator(".answer-meta")).to_contain_text(
        f"Change 1 was left out: it names a to-do (“{real_id}”) that is not on the list. "
        "Change 2 was left out: it names a to-do (“t9”) that is not on the list. "
        "Change 3 was left out: its title is empty.")
    expect(proposal(turn)).to_have_count(0)
    assert stored_list(page) == [(t, False) for t in LIST]


def test_five_hundred_changes_propose_nothing(assistant_page):
    # The answer budget (max_tokens) ends such an answer long before its JSON closes; were it to
    # close, read_reply would refuse more than 20 changes as a whole (tests/unit/test_proposals.py).
    page = ready_with_list(assistant_page, structured("All of them.", [{"op": "add", "title": f"to-do {n}"}
                                                                       for n in range(500)]))
    turn = asked(page, "Add five hundred")
    expect(turn.locator(".answer")).to_have_text("All of them.")
    expect(turn.locator(".answer-meta")).to_contain_text("The answer reached its length limit.")
    expect(proposal(turn)).to_have_count(0)
    expect(items(page)).to_have_count(3)


def test_truncated_and_invalid_json_show_what_arrived_and_change_nothing(assistant_page):
    page = ready_with_list(assistant_page, structured()[:-40])
    turn = asked(page, "Cut off")
    expect(turn.locator(".answer")).to_have_text(REPLY.replace("**", ""))
    expect(turn.locator(".answer-meta")).to_contain_text(
        "The answer was cut off before it was complete, so it proposes no changes.")
    expect(proposal(turn)).to_have_count(0)

    set_scenario(page, reply='{"reply": "Odd", "actions": [}]')
    turn = asked(page, "Broken")
    expect(turn.locator(".answer")).to_have_text("Odd")
    expect(turn.locator(".answer-meta")).to_contain_text("The answer was not valid JSON, so it proposes no changes.")

    set_scenario(page, reply=structured(), finishReason="length")
    turn = asked(page, "Too long")
    expect(turn.locator(".answer-meta")).to_contain_text("The answer reached its length limit.")
    expect(proposal(turn)).to_have_count(0)
    assert stored_list(page) == [(t, False) for t in LIST]


def test_the_prompt_api_gets_the_schema_as_its_response_constraint_and_its_changes_apply(assistant_page):
    scenario = {"availability": "available",
                "reply": {"reply": "Adding it.", "actions": [{"op": "add", "title": "buy bread"}]}}
    page = assistant_page(init_script=f"globalThis.__promptApiScenario = {json.dumps(scenario)};\n"
                                      f"{PROMPT_API_DOUBLE.read_text()}", model=None)
    add(page, "buy milk")
    open_assistant(page)
    start_model(page)
    turn = asked(page, "Add bread")
    expect(turn.locator(".answer")).to_have_text("Adding it.")
    prompts = [c["args"] for c in page.evaluate("globalThis.__promptApiCalls") if c["fn"] == "promptStreaming"]
    assert prompts[-1]["responseConstraint"] == reply_schema(["t1"])
    button(turn, "Apply").click()
    expect(labels(page)).to_have_text(["buy milk", "buy bread"])
    button(turn, "Undo").click()
    expect(labels(page)).to_have_text(["buy milk"])
