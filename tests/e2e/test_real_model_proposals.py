"""Changes proposed by the REAL small model on the CPU engine (wllama + SmolLM2-135M from PyPI).

On tests/e2e/real_model_site.py's served site and shared page (this module's own: one model load
serves these tests, and `ready_page` loads it for whichever test runs first). Its spy keeps the
messages, options and raw text of each request. What is asserted is the app's behaviour, never that
a 135M model understood anything it was not forced to: a change message is sent with the change
schema of that message (app/assistant/changes/schema.py `change_schema`, the to-dos it names by
their exact titles), the real model's whole output is valid against it by construction (llama.cpp's
grammar), and the proposal offered names only to-dos on the list; with a single kind of change and
a single to-do allowed, the grammar leaves exactly one possible change, which Apply makes and Undo
takes back. A question is sent as plain text (no response_format) and proposes nothing.
"""

import json

from playwright.sync_api import expect

from app.assistant.changes.proposals import PROPOSAL_INTRO
from app.assistant.changes.schema import change_schema
from app.assistant.requests.list_prompt import system_prompt
from app.assistant.requests.plan import plan_request
from app.todos.model import Todo, Todos
from tests.e2e.assistant_helpers import ask, turns
from tests.e2e.helpers import add, stored
from tests.e2e.real_model_site import (  # noqa: F401 (real_site, real_app and ready_page are fixtures)
    QUESTION,
    RESET_CHUNKS,
    TODOS,
    answer_requests,
    last_request,
    ready_page,
    real_app,
    real_site,
    sent_messages,
    shown_ending,
    turn_parts,
)

# On two cores shared with other work, a ~430-token prompt and the answer have taken minutes here.
ANSWER_TIMEOUT_MS = 600_000
CHANGE = "Mark 'Call the dentist' as done"


def answers_asked(page):
    """The options of each request that asked for an answer (the app's reading ahead asks max_tokens 0)."""
    return [r["options"] for r in answer_requests(page)]


def valid(value, schema):
    """`value` against the JSON-schema subset app.assistant.changes.schema.change_schema uses (type, properties,
    required, additionalProperties false, enum, anyOf, items, minItems, maxItems)."""
    if "anyOf" in schema:
        return any(valid(value, option) for option in schema["anyOf"])
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict) or not set(schema.get("required", ())) <= set(value):
            return False
        if schema.get("additionalProperties") is False and set(value) - set(schema["properties"]):
            return False
        return all(valid(value[key], schema["properties"][key]) for key in value)
    if kind == "array":
        return (isinstance(value, list)
                and schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value))
                and all(valid(item, schema["items"]) for item in value))
    if kind == "string":
        return isinstance(value, str)
    raise AssertionError(f"schema keyword not covered: {schema}")


def test_the_schema_checker_itself_refuses_what_the_schema_forbids():
    one = change_schema(("complete",), ["Call the dentist"])
    assert valid({"changes": [{"op": "complete", "todo": "Call the dentist"}]}, one)
    assert not valid({"changes": [{"op": "complete", "todo": "Buy milk"}]}, one)  # not an allowed title
    assert not valid({"changes": [{"op": "delete", "todo": "Call the dentist"}]}, one)  # not an allowed kind
    assert not valid({"changes": []}, one)  # minItems
    assert not valid({"changes": [{"op": "complete", "todo": "Call the dentist"}] * 2}, one)  # maxItems 1
    assert not valid({"changes": [{"op": "complete", "todo": "Call the dentist"}], "reply": ""}, one)
    assert not valid({"changes": [{"op": "complete"}]}, one)  # required
    assert not valid({"changes": [{"op": "complete", "todo": 3}]}, one)
    many = change_schema(("add", "rename"), ["Buy milk"], many=True, new=["Oat milk"])
    assert valid({"changes": [{"op": "add", "title": "Oat milk"},
                              {"op": "rename", "todo": "Buy milk", "title": "Oat milk"}]}, many)
    assert not valid({"changes": [{"op": "add", "title": "Anything else"}]}, many)  # titles are the message's
    assert not valid({"changes": [{"op": "add", "title": "Oat milk"}] * 21}, many)


def as_todos(record):
    return Todos([Todo(t["id"], t["title"], t["completed"], t["created"]) for t in record["todos"]])


def shown(todos):
    return [(t.title, t.completed) for t in todos]


def fresh_chat_on_the_seeded_list(page):
    """A new chat (so the message is read alone) on the module's list, all open; returns the list."""
    page.get_by_role("button", name="New chat").click()
    expect(turns(page)).to_have_count(0)
    if not stored(page) or not stored(page)["todos"]:
        add(page, *TODOS)
    todos = as_todos(stored(page))
    assert shown(todos) == [(title, False) for title in TODOS], "the seeded list, all open"
    return todos


def test_a_change_is_asked_with_its_schema_and_the_real_models_json_proposes_exactly_that_change(ready_page):
    page = ready_page
    before = fresh_chat_on_the_seeded_list(page)
    requests = len(answers_asked(page))
    schema = change_schema(("complete",), ["Call the dentist"])
    plan = plan_request(before, [], CHANGE, context_tokens=2048, answer_tokens=512)
    assert plan.schema == schema, "the message is read as one completion of one named to-do"
    page.evaluate(RESET_CHUNKS)

    turn = ask(page, CHANGE)
    answer = turn.locator(".answer")
    expect(answer).not_to_contain_class("streaming", timeout=ANSWER_TIMEOUT_MS)

    assert len(answers_asked(page)) == requests + 1, "one request to the model"
    options = answers_asked(page)[-1]
    assert options["response_format"]["type"] == "json_schema"
    assert options["response_format"]["json_schema"]["schema"] == schema
    assert options["max_tokens"] == plan.max_tokens
    sent = sent_messages(page)[-1]
    assert sent == plan.messages
    assert sent[-1] == {"role": "user", "content": CHANGE}
    assert "Buy milk" not in sent[0]["content"], "only the to-do the message names is offered"

    raw = last_request(page)["output"]
    meta = turn.locator(".answer-meta").inner_text()
    assert "length limit" not in meta and "repeating itself" not in meta, (meta, raw)
    reply = json.loads(raw)  # whole: the grammar allows one short object, far below max_tokens
    assert valid(reply, schema), raw
    titles = {t.title for t in before}
    assert all(change["todo"] in titles for change in reply["changes"])

    # The JSON was never shown, not even while it streamed: the counter watched this answer while it
    # streamed (it saw the app's status on it) and saw no text in it. The app writes the answer's
    # text, and the proposal under it lists the change.
    assert "Working out the changes…" in page.evaluate("globalThis.__statuses"), page.evaluate("globalThis.__statuses")
    assert page.evaluate("globalThis.__chunks") == 0 and page.evaluate("globalThis.__streamed") == ""
    expect(answer).to_have_text(PROPOSAL_INTRO)
    proposal = turn.get_by_role("region", name="Proposed changes")
    expect(proposal.get_by_role("listitem")).to_have_text(["Mark “Call the dentist” as done"])
    assert turn_parts(turn) == ["question", "answer", "proposal", "answer-meta"], "no \"Try again\""
    assert shown(as_todos(stored(page))) == shown(before), "nothing changes before Apply"

    proposal.get_by_role("button", name="Apply", exact=True).click()
    expect(proposal.get_by_role("status")).to_contain_text("Applied.")
    assert shown(as_todos(stored(page))) == [(t.title, t.title == "Call the dentist") for t in before]

    proposal.get_by_role("button", name="Undo", exact=True).click()
    expect(proposal.get_by_role("status")).to_contain_text("Undone.")
    assert shown(as_todos(stored(page))) == shown(before)


def test_a_question_to_the_real_model_is_plain_text_and_proposes_nothing(ready_page):
    page = ready_page
    before = fresh_chat_on_the_seeded_list(page)
    requests = len(answers_asked(page))

    turn = ask(page, QUESTION)
    answer = turn.locator(".answer")
    expect(answer).not_to_contain_class("streaming", timeout=ANSWER_TIMEOUT_MS)

    assert len(answers_asked(page)) == requests + 1, "one request to the model"
    options = answers_asked(page)[-1]
    # The spy keeps every option the app sends (a change's response_format among them: the test
    # above), and the app's sampling is there; no JSON schema is.
    assert {"temperature", "top_p", "max_tokens"} <= set(options) and options["max_tokens"] > 0
    assert "response_format" not in options, options
    sent = sent_messages(page)[-1]
    assert [m["role"] for m in sent] == ["system", "user"] and sent[-1]["content"] == QUESTION
    assert sent[0]["content"].startswith(system_prompt(before))  # the rules, then "- "<title>" (open)" lines
    assert sent[0]["content"].endswith('- "Water the plants" (open)\n(3 to-dos: 3 open, 0 done)')

    # Whichever way the answer ended (its text, or the note that it made no sense, with "Try again"),
    # shown_ending asserts the turn holds exactly the question, the answer and what goes under it
    # for that ending: never a proposal.
    shown_ending(turn, last_request(page)["output"])
    assert "proposal" not in turn_parts(turn) and answer.inner_text().strip() != PROPOSAL_INTRO
    assert shown(as_todos(stored(page))) == shown(before), "a question changes nothing"
