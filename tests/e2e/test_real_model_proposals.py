"""Structured replies with the REAL small model on the CPU engine (wllama + SmolLM2-135M from PyPI).

Reuses tests/e2e/test_real_model.py's served site copy and shared page (its fixtures, in a module
of its own, so one model load serves these tests). A spy around the real wllama's
createChatCompletion keeps the raw text of each answer. What is asserted is the app's behaviour,
never that a 135M model understood: the request carries the reply schema of the list as shown,
a whole answer is valid against that schema by construction (llama.cpp's grammar), and the
confirm flow handles whatever was proposed: nothing changes before Apply, Apply changes exactly
what was listed, Undo restores the list.
"""

import json

from playwright.sync_api import expect

from app.actions import IdMap, read_reply
from app.reply_schema import reply_schema
from app.todos import Todo, Todos
from tests.e2e.assistant_helpers import ask
from tests.e2e.helpers import add, stored
from tests.e2e.test_real_model import (  # noqa: F401 (fixtures)
    ready_page,
    real_app,
    real_site,
    sent_messages,
)

# On two cores shared with other work, a ~430-token prompt and the answer have taken minutes here.
ANSWER_TIMEOUT_MS = 600_000

# Keeps each answer's raw streamed text (the deltas wllama hands to onData), calling through unchanged.
RAW_SPY = """async () => {
  const { Wllama } = await import("/vendor/wllama/index.js");
  if (Wllama.prototype.__rawSpied) return;
  const original = Wllama.prototype.createChatCompletion;
  globalThis.__wllamaRaw = [];
  globalThis.__wllamaOptions = [];
  Wllama.prototype.createChatCompletion = function (options) {
    const index = globalThis.__wllamaRaw.push("") - 1;
    const { messages, abortSignal, onData, ...rest } = options;
    globalThis.__wllamaOptions.push(structuredClone(rest));
    const spied = { ...options, onData: (chunk) => {
      globalThis.__wllamaRaw[index] += chunk.choices?.[0]?.delta?.content ?? "";
      return onData(chunk);
    } };
    return original.call(this, spied);
  };
  Wllama.prototype.__rawSpied = true;
}"""


def valid(value, schema):
    """`value` against the JSON-schema subset app.reply_schema.reply_schema uses (type, properties,
    required, additionalProperties false, enum, anyOf, items, maxItems)."""
    if "anyOf" in schema:
        return any(valid(value, option) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict) or not set(schema.get("required", ())) <= set(value):
            return False
        if schema.get("additionalProperties") is False and set(value) - set(schema["properties"]):
            return False
        return all(valid(value[key], schema["properties"][key]) for key in value)
    if kind == "array":
        return (isinstance(value, list) and len(value) <= schema.get("maxItems", len(value))
                and all(valid(item, schema["items"]) for item in value))
    if kind == "string":
        return isinstance(value, str) and ("enum" not in schema or value in schema["enum"])
    raise AssertionError(f"schema keyword not covered: {schema}")


def test_the_schema_checker_itself_refuses_what_the_schema_forbids():
    schema = reply_schema(["t1"])
    assert valid({"reply": "", "actions": [{"op": "complete", "id": "t1"}]}, schema)
    assert not valid({"reply": "", "actions": [{"op": "complete", "id": "t2"}]}, schema)
    assert not valid({"reply": "", "actions": [{"op": "add"}]}, schema)
    assert not valid({"reply": "", "actions": [], "extra": 1}, schema)
    assert not valid({"reply": 3, "actions": []}, schema)
    assert not valid({"reply": "", "actions": [{"op": "add", "title": "x"}] * 21}, schema)


def as_todos(record):
    return Todos([Todo(t["id"], t["title"], t["completed"], t["created"]) for t in record["todos"]])


def shown(todos):
    return [(t.title, t.completed) for t in todos]


def test_the_real_model_answers_schema_valid_json_and_the_confirm_flow_handles_whatever_it_proposes(ready_page):
    page = ready_page
    page.evaluate(RAW_SPY)
    page.get_by_role("button", name="New chat").click()
    if not stored(page) or not stored(page)["todos"]:
        add(page, "buy milk", "call the dentist")
    before = as_todos(stored(page))
    short_ids = IdMap(before).short_ids

    turn = ask(page, "Add buy bread to my list, and mark buy milk as done.")
    expect(turn.locator(".answer")).not_to_contain_class("streaming", timeout=ANSWER_TIMEOUT_MS)

    options = page.evaluate("globalThis.__wllamaOptions.at(-1)")
    assert options["response_format"]["type"] == "json_schema"
    assert options["response_format"]["json_schema"]["schema"] == reply_schema(short_ids)
    raw = page.evaluate("globalThis.__wllamaRaw.at(-1)")
    meta = turn.locator(".answer-meta").inner_text()
    proposal = turn.get_by_role("region", name="Proposed changes")
    if "length limit" in meta or "repeating itself" in meta:  # cut off (max_tokens, or a loop the
        # app stopped): the JSON is unfinished, nothing is offered
        expect(proposal).to_have_count(0)
        assert shown(as_todos(stored(page))) == shown(before)
        return
    reply = json.loads(raw)
    assert valid(reply, reply_schema(short_ids)), raw

    expected = read_reply(raw, IdMap(before))
    if not expected.batch.commands:
        expect(proposal).to_have_count(0)
        assert shown(as_todos(stored(page))) == shown(before)
        return
    expect(proposal.get_by_role("listitem")).to_have_text(expected.changes)
    assert shown(as_todos(stored(page))) == shown(before), "nothing changes before Apply"

    proposal.get_by_role("button", name="Apply", exact=True).click()
    expect(proposal.get_by_role("status")).to_contain_text("Applied.")
    after = as_todos(stored(page))
    assert shown(after) == shown(expected.batch.apply(before).todos)  # the add's id is made in the page

    proposal.get_by_role("button", name="Undo", exact=True).click()
    expect(proposal.get_by_role("status")).to_contain_text("Undone.")
    assert shown(as_todos(stored(page))) == shown(before)
    assert sent_messages(page)[-1][-1] == {"role": "user", "content": "Add buy bread to my list, and mark buy milk as done."}
