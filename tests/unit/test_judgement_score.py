"""Tests for bench/judgement_score.py: the judgement benchmark's cases, and how a result is scored."""

import json

import pytest

from app.assistant.changes.commands import Add, Batch, Complete, Delete, Rename, Reopen
from app.todos.model import Todo
from bench.judgement_score import CASES, Case, load_cases, proposed_changes, score

CATEGORIES = {"question", "change", "indirect", "several", "ambiguous", "missing", "off_list", "injection",
              "long_list", "typos"}
TODOS = [{"title": "Buy milk", "done": False}, {"title": "Call the dentist", "done": False},
         {"title": "Clean the garage", "done": True}]
GOOD_REPLY = "Here is what I would change."


def case(message="Do something", **expect):
    return Case("c1", "change", TODOS, message, expect)


def add(title):
    return {"op": "add", "todo": None, "title": title}


def change(op, todo, title=None):
    return {"op": op, "todo": todo, "title": title}


def write_lines(tmp_path, *lines):
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
                    encoding="utf-8")
    return path


GOOD = {"id": "ok", "todos": TODOS, "message": "How many are open?", "expect": {"reply_has": ["2"]}}


# --- the project's cases ---------------------------------------------------------------------------


def test_the_case_file_loads_at_least_eighty_cases_with_unique_ids():
    cases = load_cases()
    assert len(cases) >= 80
    assert len({c.id for c in cases}) == len(cases)
    assert CASES.name == "judgement_cases.jsonl" and CASES.is_file()


def test_the_case_file_covers_every_category_of_the_issue():
    assert {c.category for c in load_cases()} >= CATEGORIES


def test_every_case_has_a_message_and_its_changes_name_real_todos():
    for c in load_cases():
        assert c.message.strip(), c.id
        for want in c.expect.get("changes", []):
            if want["op"] != "add":
                assert 0 <= want["todo"] < len(c.todos), c.id


def test_a_case_gives_its_list_as_app_todos_in_order():
    c = Case("c", "question", TODOS, "hi")
    assert c.app_todos() == [Todo("todo0", "Buy milk", False, 1), Todo("todo1", "Call the dentist", False, 2),
                             Todo("todo2", "Clean the garage", True, 3)]


# --- loading a case file ----------------------------------------------------------------------------


def test_a_case_file_is_read_line_by_line_with_defaults(tmp_path):
    path = write_lines(tmp_path, GOOD, "", {"id": 7, "todos": [{"title": "A"}], "message": "Delete A",
                                           "expect": {"changes": [{"op": "delete", "todo": 0}]}})
    first, second = load_cases(path)
    assert first == Case("ok", "other", TODOS, "How many are open?", {"reply_has": ["2"]})
    assert second.id == "7" and second.todos == [{"title": "A", "done": False}]
    assert second.expect == {"changes": [{"op": "delete", "todo": 0}]}


def test_a_line_that_is_not_json_raises_naming_its_line_number(tmp_path):
    path = write_lines(tmp_path, GOOD, '{"id": "broken", "todos": [')
    with pytest.raises(ValueError, match=r"cases\.jsonl:2: "):
        load_cases(path)


def test_a_line_missing_a_field_raises_naming_its_line_number(tmp_path):
    path = write_lines(tmp_path, GOOD, {**GOOD, "id": "b"}, {"id": "no-message", "todos": []})
    with pytest.raises(ValueError, match=r"cases\.jsonl:3: "):
        load_cases(path)


def test_an_unknown_op_raises_naming_the_op_and_line(tmp_path):
    path = write_lines(tmp_path, {**GOOD, "expect": {"changes": [{"op": "archive", "todo": 0}]}})
    with pytest.raises(ValueError, match=r"cases\.jsonl:1: unknown op 'archive'"):
        load_cases(path)


def test_a_change_to_a_todo_off_the_list_raises(tmp_path):
    path = write_lines(tmp_path, {**GOOD, "expect": {"changes": [{"op": "complete", "todo": 3}]}})
    with pytest.raises(ValueError, match=r"cases\.jsonl:1: todo 3 is not an index of the list"):
        load_cases(path)


def test_an_id_used_twice_raises_naming_the_second_line(tmp_path):
    path = write_lines(tmp_path, GOOD, GOOD)
    with pytest.raises(ValueError, match=r"cases\.jsonl:2: the id 'ok' is used twice"):
        load_cases(path)


# --- scoring changes --------------------------------------------------------------------------------


def test_no_changes_expected_and_none_proposed_is_exact():
    assert score(case(), [], GOOD_REPLY) == {
        "exact": True, "unasked": 0, "missed": 0, "reply_ok": True, "reply_failures": []}


def test_a_change_nobody_asked_for_is_unasked():
    result = score(case(), [change("complete", 1)], GOOD_REPLY)
    assert (result["exact"], result["unasked"], result["missed"]) == (False, 1, 0)


def test_an_add_matches_when_its_title_has_the_words_in_any_case():
    c = case(changes=[{"op": "add", "title_has": ["bread", "fresh"]}])
    assert score(c, [add("Buy FRESH Bread")], GOOD_REPLY)["exact"] is True
    result = score(c, [add("Buy bread")], GOOD_REPLY)
    assert (result["exact"], result["unasked"], result["missed"]) == (False, 1, 1)


def test_an_add_title_word_may_have_alternatives():
    c = case(changes=[{"op": "add", "title_has": [["bread", "bred"]]}])
    assert score(c, [add("Buy bred")], GOOD_REPLY)["exact"] is True
    assert score(c, [add("Buy bread")], GOOD_REPLY)["exact"] is True
    assert score(c, [add("Buy buns")], GOOD_REPLY)["missed"] == 1


def test_a_missing_add_is_missed():
    c = case(changes=[{"op": "add", "title_has": ["bread"]}, {"op": "add", "title_has": ["eggs"]}])
    result = score(c, [add("Bread")], GOOD_REPLY)
    assert (result["exact"], result["unasked"], result["missed"]) == (False, 0, 1)


def test_a_complete_must_name_the_right_todo():
    c = case(changes=[{"op": "complete", "todo": 1}])
    assert score(c, [change("complete", 1)], GOOD_REPLY)["exact"] is True
    result = score(c, [change("complete", 0)], GOOD_REPLY)
    assert (result["exact"], result["unasked"], result["missed"]) == (False, 1, 1)
    result = score(c, [change("delete", 1)], GOOD_REPLY)
    assert (result["exact"], result["unasked"], result["missed"]) == (False, 1, 1)


def test_a_rename_must_name_the_right_todo_and_have_the_words():
    c = case(changes=[{"op": "rename", "todo": 0, "title_has": ["oat"]}])
    assert score(c, [change("rename", 0, "Buy oat milk")], GOOD_REPLY)["exact"] is True
    assert score(c, [change("rename", 1, "Buy oat milk")], GOOD_REPLY)["missed"] == 1
    assert score(c, [change("rename", 0, "Buy soy milk")], GOOD_REPLY)["missed"] == 1


def test_several_changes_match_in_any_order_each_once():
    c = case(changes=[{"op": "complete", "todo": 0}, {"op": "delete", "todo": 2}])
    assert score(c, [change("delete", 2), change("complete", 0)], GOOD_REPLY)["exact"] is True
    result = score(c, [change("complete", 0), change("complete", 0)], GOOD_REPLY)
    assert (result["exact"], result["unasked"], result["missed"]) == (False, 1, 1)


# --- scoring the reply ------------------------------------------------------------------------------


def reply_failures(reply, **expect):
    return score(case(**expect), [], reply)["reply_failures"]


def test_a_number_matches_its_digits_and_its_word():
    for reply in ("You have four open to-dos.", "Four.", "4 open", "You have 4.", "Just 4, all open."):
        assert reply_failures(reply, reply_has=["4"]) == [], reply


def test_a_number_matches_only_as_a_whole_number():
    for reply in ("You have 14 open to-dos.", "4.5 hours", "40 open", "fourteen open", "4,000 of them"):
        assert reply_failures(reply, reply_has=["4"]) == ["lacks '4'"], reply


def test_reply_has_words_and_alternatives():
    assert reply_failures("Call the DENTIST today.", reply_has=["dentist", ["today", "now"]]) == []
    assert reply_failures("Call the dentist.", reply_has=["dentist", ["today", "now"]]) == [
        "lacks ['today', 'now']"]


def test_reply_lacks_fails_on_a_word_it_has():
    assert reply_failures("The garage is clean.", reply_lacks=["milk"]) == []
    assert reply_failures("You still need milk.", reply_lacks=["Milk", "eggs"]) == ["has 'Milk'"]


def test_reply_is_not_compares_without_case_or_punctuation():
    assert reply_failures("done!", reply_is_not=["Done."]) == ["is 'Done.'"]
    assert reply_failures("Done, and the garage too.", reply_is_not=["Done."]) == []


def test_declines_needs_a_declining_word():
    assert reply_failures("Sorry, I can only help with your to-do list.", declines=True) == []
    assert reply_failures("The capital of France is Paris.", declines=True) == ["does not decline"]


def test_asks_needs_a_question():
    assert reply_failures("Do you mean Call mum or Call the bank?", asks=True) == []
    assert reply_failures("Tell me which one you mean.", asks=True) == []
    assert reply_failures("I deleted it.", asks=True) == ["does not ask which"]


def test_a_reply_that_makes_no_sense_always_fails():
    assert reply_failures("") == ["empty"]
    assert reply_failures(");*/10; */*25; */*48;") == ["symbols"]
    result = score(case(), [], "")
    assert (result["exact"], result["reply_ok"]) == (True, False)


def test_every_failure_is_listed():
    assert reply_failures("I deleted 14 things.", reply_has=["4"], reply_lacks=["deleted"], asks=True) == [
        "lacks '4'", "has 'deleted'", "does not ask which"]


# --- a proposal as the contract's changes ----------------------------------------------------------


def test_proposed_changes_map_a_batch_back_to_list_indices():
    todos = Case("c", "change", TODOS, "hi").app_todos()
    batch = Batch((
        Add("new-1", "Bread", 5),
        Complete("todo1", "Call the dentist"),
        Reopen("todo2", "Clean the garage"),
        Rename("todo0", "Buy milk", "Buy oat milk"),
        Delete("todo2", "Clean the garage"),
        Delete("elsewhere", "Not on the list"),
    ))
    assert proposed_changes(batch, todos) == [
        {"op": "add", "todo": None, "title": "Bread"},
        {"op": "complete", "todo": 1, "title": None},
        {"op": "reopen", "todo": 2, "title": None},
        {"op": "rename", "todo": 0, "title": "Buy oat milk"},
        {"op": "delete", "todo": 2, "title": None},
        {"op": "delete", "todo": None, "title": None},
    ]
    assert proposed_changes(Batch(()), todos) == []


def test_proposed_changes_score_against_their_case():
    c = case(changes=[{"op": "complete", "todo": 1}, {"op": "add", "title_has": ["bread"]}])
    batch = Batch((Complete("todo1", "Call the dentist"), Add("n", "Buy bread", 0)))
    assert score(c, proposed_changes(batch, c.app_todos()), GOOD_REPLY)["exact"] is True
