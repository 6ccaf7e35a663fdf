"""The storage codec: a versioned record in, a usable list out, whatever was stored."""

import json

import pytest

from app.todos import codec
from app.todos.model import Todo, Todos

SAMPLE = Todos([Todo("a1", "Buy milk", False, 1700000000000), Todo("b2", 'Say "hi" <b>', True, 1)])


def test_round_trip_keeps_every_field():
    decoded = codec.decode(codec.encode(SAMPLE))
    assert decoded.todos == SAMPLE and decoded.problem is None


def test_encoded_record_has_the_documented_schema():
    assert json.loads(codec.encode(SAMPLE)) == {
        "version": 1,
        "todos": [
            {"id": "a1", "title": "Buy milk", "completed": False, "created": 1700000000000},
            {"id": "b2", "title": 'Say "hi" <b>', "completed": True, "created": 1},
        ],
    }


def test_nothing_stored_is_an_empty_list_without_a_problem():
    for text in (None, ""):
        decoded = codec.decode(text)
        assert decoded.todos == Todos() and decoded.problem is None


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{not json", "could not be read (not valid JSON)"),
        ('"a string"', "could not be read (not a to-do record)"),
        ('{"version": 1}', "could not be read (no to-do list in the record)"),
        ('{"version": "1", "todos": []}', "could not be read (unknown format)"),
        ('{"version": 7, "todos": []}', "were saved by a newer version of the app (format 7)"),
        ("[" * 100000, "could not be read (not valid JSON)"),
    ],
)
def test_unreadable_records_start_empty_and_say_why(text, problem):
    decoded = codec.decode(text)
    assert decoded.todos == Todos() and decoded.problem == problem


def test_bad_items_are_skipped_and_reported():
    text = json.dumps({"version": 1, "todos": [
        {"id": "a", "title": "ok", "completed": False, "created": 3},
        {"id": "b", "title": 42, "completed": False},
        {"id": "c", "title": "  ", "completed": False},
        {"id": "a", "title": "duplicate id", "completed": False},
        "not an object",
    ]})
    decoded = codec.decode(text)
    assert decoded.todos == Todos([Todo("a", "ok", False, 3)])
    assert decoded.problem == "had 4 unreadable to-dos"


def test_version_zero_bare_list_is_migrated():
    decoded = codec.decode('[{"title": "old", "completed": true, "id": 7}, {"title": "older"}]')
    assert decoded.todos == Todos([Todo("7", "old", True, 0), Todo("legacy-1", "older", False, 0)])
    assert decoded.problem is None
