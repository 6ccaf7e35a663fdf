"""Tests for app.assistant.requests.plan: the exact request each kind of message gets, and reading its answer."""

import json

import pytest

from app.assistant.changes import reading
from app.assistant.changes.commands import Batch, Complete, Delete, Rename
from app.assistant.requests.intent import ANSWER, ASK, CHANGE, MISSING, OFF_LIST
from app.assistant.requests.prompts import PromptTooLong, build_messages
from app.assistant.changes.schema import MAX_ACTIONS
from app.assistant.requests.plan import (
    ALREADY, ALREADY_DONE, ASK_CLOSE, ASK_WHICH, CHANGE_RULES, CHANGE_TOKENS, NOT_DONE, NOT_ON_LIST,
    ONLY_THE_LIST, RequestPlan, plan_request,
)
from app.todos.model import Todo

MILK = Todo("id-milk", "Buy milk", False, 1)
DENTIST = Todo("id-dentist", "Call the dentist", False, 2)
GARAGE = Todo("id-garage", "Clean the garage", True, 3)
LIST = [MILK, DENTIST, GARAGE]
CONTEXT, ANSWER_TOKENS = 4096, 512
HISTORY = [
    {"role": "user", "content": "What is on my list?"},
    {"role": "assistant", "content": "Milk, the dentist and the garage."},
]


def plan(message, items=LIST, history=()):
    return plan_request(items, list(history), message, context_tokens=CONTEXT, answer_tokens=ANSWER_TOKENS)


def todos(*titles, done=()):
    return [Todo(f"id{n}", title, n in done, n) for n, title in enumerate(titles)]


def system(*lines):
    return CHANGE_RULES + "\n\nTo-dos:\n" + "\n".join(lines)


def obj(**properties):
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def enum(*values):
    return {"type": "string", "enum": list(values)}


def changes_of(items, max_items=1):
    return obj(changes={"type": "array", "items": items, "minItems": 1, "maxItems": max_items})


# --- questions: a plain-text answer, no changes ----------------------------------------------------


def test_a_question_gets_the_answer_messages_and_no_schema():
    question = "Which to-dos are done?"
    result = plan(question, history=HISTORY)
    assert result.kind == ANSWER
    assert result.messages == build_messages(LIST, HISTORY, question, context_tokens=CONTEXT,
                                             answer_tokens=ANSWER_TOKENS)
    assert result.messages[-1] == {"role": "user", "content": question}
    assert result.messages[1:3] == HISTORY
    assert result.schema is None
    assert result.max_tokens == ANSWER_TOKENS


def test_a_question_about_done_todos_proposes_nothing():
    result = plan("Did I call the dentist?")
    proposal = result.read("  Yes, you marked “Call the dentist” as done.  ")
    assert (proposal.reply, proposal.batch, proposal.problems) == (
        "Yes, you marked “Call the dentist” as done.", Batch(()), ())


def test_an_answer_that_looks_like_json_with_actions_stays_plain_text():
    result = plan("How many are open?")
    for text in ('{"reply": "ok", "actions": [{"op": "delete", "id": "t1"}]}',
                 '{"changes": [{"op": "complete", "todo": "Call the dentist"}]}'):
        proposal = result.read(text)
        assert (proposal.reply, proposal.batch, proposal.problems) == (text, Batch(()), ()), text


def test_a_question_too_long_for_the_context_raises():
    with pytest.raises(PromptTooLong):
        plan_request(LIST, [], "How many of my to-dos are " + "really " * 2000 + "open?",
                     context_tokens=512, answer_tokens=256)


# --- a change: a short JSON request on just the named to-dos --------------------------------------


def test_a_complete_asks_for_exactly_that_change_on_exactly_that_todo():
    message = "Mark 'Call the dentist' as done"
    result = plan(message)
    assert result.kind == CHANGE
    assert result.messages == [
        {"role": "system", "content": system('- "Call the dentist" (open)')},
        {"role": "user", "content": message},
    ]
    assert result.schema == {
        "type": "object",
        "properties": {
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "op": {"type": "string", "enum": ["complete"]},
                        "todo": {"type": "string", "enum": ["Call the dentist"]},
                    },
                    "required": ["op", "todo"],
                    "additionalProperties": False,
                },
                "minItems": 1,
                "maxItems": 1,
            },
        },
        "required": ["changes"],
        "additionalProperties": False,
    }
    assert result.max_tokens == CHANGE_TOKENS == 24 * MAX_ACTIONS == 480
    assert result.reply == ""


def test_the_change_rules_are_exact():
    assert CHANGE_RULES == (
        "You turn the user's message into changes to their to-do list, as JSON. Name to-dos by their "
        "titles exactly as listed. A new to-do's title is short and in the user's words.")


def test_reading_the_change_gives_a_complete_for_the_right_todo():
    proposal = plan("Mark 'Call the dentist' as done").read(
        '{"changes":[{"op":"complete","todo":"Call the dentist"}]}')
    assert proposal.batch == Batch((Complete("id-dentist", "Call the dentist"),))
    assert (proposal.reply, proposal.problems) == ("", ())
    assert proposal.changes == ["Mark “Call the dentist” as done"]


def test_whitespace_around_the_change_json_does_not_matter():
    proposal = plan("Mark 'Call the dentist' as done").read(
        '\n  { "changes" : [ { "todo" : "Call the dentist", "op" : "complete" } ] }\n')
    assert proposal.batch == Batch((Complete("id-dentist", "Call the dentist"),))


def test_a_title_the_schema_did_not_allow_gives_no_change_and_a_problem():
    proposal = plan("Mark 'Call the dentist' as done").read(
        '{"changes":[{"op":"complete","todo":"Buy milk"}]}')
    assert proposal.batch == Batch(())
    assert proposal.problems == ("Change 1 was left out: it names a to-do (“Buy milk”) that is not on the list.",)


def test_truncated_change_json_gives_no_change_and_a_problem():
    proposal = plan("Mark 'Call the dentist' as done").read('{"changes":[{"op":"complete","todo":"Call the')
    assert (proposal.batch, proposal.problems) == (Batch(()), (reading.TRUNCATED,))


def test_text_that_is_not_json_gives_no_change_and_a_problem():
    proposal = plan("Mark 'Call the dentist' as done").read("Sure, I marked it as done!")
    assert (proposal.reply, proposal.batch, proposal.problems) == (
        "Sure, I marked it as done!", Batch(()), (reading.NOT_JSON,))


def test_a_change_list_with_something_else_in_it_leaves_that_out():
    proposal = plan("Mark 'Call the dentist' as done").read(
        '{"changes":[5, {"op":"complete","todo":"Call the dentist"}]}')
    assert proposal.batch == Batch((Complete("id-dentist", "Call the dentist"),))
    assert proposal.problems == ("Change 1 was left out: it is not a change the assistant can make.",)


def test_the_system_message_lists_only_the_named_todos_with_their_state():
    result = plan("Delete the garage")
    assert result.messages[0] == {"role": "system", "content": system('- "Clean the garage" (done)')}
    assert result.schema == changes_of(obj(op=enum("delete"), todo=enum("Clean the garage")))


def test_a_title_with_quotes_is_listed_as_a_json_string():
    items = todos('Read "Dune"', "Buy milk")
    result = plan("Delete the Dune one", items)
    assert result.messages[0]["content"] == system('- "Read \\"Dune\\"" (open)')
    assert result.schema["properties"]["changes"]["items"]["properties"]["todo"] == enum('Read "Dune"')


def test_an_add_takes_its_title_from_the_phrases_of_the_message():
    message = "Add bread"
    result = plan(message)
    assert result.kind == CHANGE
    assert result.messages == [{"role": "system", "content": CHANGE_RULES}, {"role": "user", "content": message}]
    assert result.schema == changes_of(obj(op=enum("add"), title=enum("Bread")))
    proposal = result.read('{"changes":[{"op":"add","title":"Bread"}]}')
    assert proposal.changes == ["Add “Bread”"] and proposal.problems == ()


def test_several_adds_allow_several_changes_and_each_listed_phrase():
    result = plan("Add bread and eggs")
    assert result.schema == changes_of(obj(op=enum("add"), title=enum("Bread", "Eggs", "Bread and eggs")),
                                       max_items=MAX_ACTIONS)
    proposal = result.read('{"changes":[{"op":"add","title":"Bread"},{"op":"add","title":"Eggs"}]}')
    assert proposal.changes == ["Add “Bread”", "Add “Eggs”"]


def test_a_rename_allows_the_named_todo_and_the_quoted_new_title():
    message = "Rename 'Buy milk' to 'Buy oat milk'"
    result = plan(message)
    assert result.messages == [
        {"role": "system", "content": system('- "Buy milk" (open)')},
        {"role": "user", "content": message},
    ]
    assert result.schema == changes_of(obj(op=enum("rename"), todo=enum("Buy milk"), title=enum("Buy oat milk")))
    proposal = result.read('{"changes":[{"op":"rename","todo":"Buy milk","title":"Buy oat milk"}]}')
    assert proposal.batch == Batch((Rename("id-milk", "Buy milk", "Buy oat milk"),))


def test_a_change_to_every_todo_lists_them_all_and_allows_several():
    result = plan("Delete everything")
    assert result.kind == CHANGE
    assert result.messages[0]["content"] == system(
        '- "Buy milk" (open)', '- "Call the dentist" (open)', '- "Clean the garage" (done)')
    assert result.schema == changes_of(
        obj(op=enum("delete"), todo=enum("Buy milk", "Call the dentist", "Clean the garage")), max_items=MAX_ACTIONS)


def test_a_bare_yes_after_a_change_request_plans_that_change():
    history = [{"role": "user", "content": "Mark the dentist as done"},
               {"role": "assistant", "content": "Shall I?"}]
    result = plan("yes", history=history)
    assert result.kind == CHANGE
    assert result.messages == [
        {"role": "system", "content": system('- "Call the dentist" (open)')},
        {"role": "user", "content": "Mark the dentist as done"},
    ]
    assert result.schema == changes_of(obj(op=enum("complete"), todo=enum("Call the dentist")))


def test_duplicate_titles_map_to_the_first_one():
    items = todos("Buy milk", "Buy milk", "Call mum")
    result = plan("Delete everything", items)
    assert result.names == {"Buy milk": items[0], "Call mum": items[2]}
    assert result.schema["properties"]["changes"]["items"]["properties"]["todo"] == enum("Buy milk", "Call mum")
    proposal = result.read('{"changes":[{"op":"delete","todo":"Buy milk"}]}')
    assert proposal.batch == Batch((Delete("id0", "Buy milk"),))


# --- no model at all ------------------------------------------------------------------------------


def test_two_equally_good_matches_ask_which():
    result = plan("Delete the milk", todos("Buy milk", "Buy oat milk", "Call mum"))
    assert (result.kind, result.messages, result.schema) == (ASK, None, None)
    assert result.reply == "Which one do you mean: “Buy milk” or “Buy oat milk”?"
    assert ASK_WHICH == "Which one do you mean: {}?"


def test_three_matches_are_listed_with_commas_and_or():
    result = plan("Delete the milk", todos("Buy milk", "Buy oat milk", "Buy soy milk"))
    assert result.reply == "Which one do you mean: “Buy milk”, “Buy oat milk” or “Buy soy milk”?"


def test_a_loose_match_asks_whether_that_one_is_meant():
    result = plan("Delete 'Buy cat food'", todos("Buy bread", "Call mum"))
    assert (result.kind, result.messages, result.schema) == (ASK, None, None)
    assert result.reply == "I couldn't find that to-do on your list. Do you mean “Buy bread”?"
    assert result.reply == ASK_CLOSE.format("“Buy bread”")


def test_a_todo_not_on_the_list_is_said_so():
    result = plan("Delete the gym membership")
    assert (result.kind, result.messages, result.schema) == (MISSING, None, None)
    assert result.reply == NOT_ON_LIST == "I couldn't find that to-do on your list, so I changed nothing."


def test_a_request_not_about_the_list_is_declined():
    result = plan("Write me a poem about the sea")
    assert (result.kind, result.messages, result.schema) == (OFF_LIST, None, None)
    assert result.reply == ONLY_THE_LIST == (
        "I can only help with your to-do list: ask me about it, or tell me what to add, change or remove.")


def test_completing_a_done_todo_says_it_is_already_done():
    result = plan("I cleaned the garage")
    assert (result.kind, result.messages, result.schema) == (ALREADY, None, None)
    assert result.reply == "“Clean the garage” is already done." == ALREADY_DONE.format("“Clean the garage”")


def test_reopening_an_open_todo_says_it_is_not_done():
    result = plan("Reopen the dentist")
    assert (result.kind, result.messages) == (ALREADY, None)
    assert result.reply == "“Call the dentist” is not done yet." == NOT_DONE.format("“Call the dentist”")


def test_completing_a_mix_of_done_and_open_todos_asks_the_model():
    result = plan("Mark the garage and the dentist as done")
    assert result.kind == CHANGE
    assert result.schema["properties"]["changes"]["items"]["properties"]["todo"] == enum(
        "Call the dentist", "Clean the garage")


def test_reading_a_plan_without_a_request_gives_its_reply_and_nothing_else():
    for message in ("Delete the gym membership", "Write me a poem about the sea", "I cleaned the garage"):
        result = plan(message)
        proposal = result.read('{"changes":[{"op":"delete","todo":"Buy milk"}]}')
        assert (proposal.reply, proposal.batch, proposal.problems) == (result.reply, Batch(()), ()), message


def test_a_plan_is_a_plain_record():
    result = RequestPlan(MISSING, reply=NOT_ON_LIST)
    assert (result.messages, result.schema, result.max_tokens, result.names) == (None, None, 0, {})
    assert json.dumps(plan("Add bread").schema)  # the schema is plain JSON data


# --- after the app asked which one ---------------------------------------------------------------


def _asked(first="The milk one is done"):
    items = todos("Buy milk", "Buy oat milk", "Walk the dog")
    asked = plan(first, items)
    assert asked.kind == ASK
    return items, [{"role": "user", "content": first}, {"role": "assistant", "content": asked.reply}]


@pytest.mark.parametrize("answer, picked", [("the oat one", "Buy oat milk"), ("Buy milk", "Buy milk"),
                                            ("the second", "Buy oat milk"), ("the first one", "Buy milk"),
                                            ("oat", "Buy oat milk")])
def test_an_answer_to_which_one_picks_the_todo_for_the_first_message(answer, picked):
    items, history = _asked()
    result = plan(answer, items, history=history)
    assert result.kind == CHANGE
    assert result.messages[-1] == {"role": "user", "content": "The milk one is done"}
    assert result.schema["properties"]["changes"]["items"]["properties"]["todo"] == enum(picked)


@pytest.mark.parametrize("answer", ["hmm", "How many are open?", "the third"])
def test_an_answer_that_picks_none_of_them_is_read_on_its_own(answer):
    items, history = _asked()
    result = plan(answer, items, history=history)
    assert result.kind != CHANGE or result.messages[-1]["content"] == answer
