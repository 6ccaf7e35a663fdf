"""Tests for bench/judgement_designs.py's "ids" designs: to-dos shown and read back by short id."""

import pytest

from app.assistant.changes.commands import Batch, Complete, Delete
from app.todos.model import Todo
from bench.judgement_designs import DESIGNS, IdMap, short_id
from bench.judgement_native import Output

MILK = Todo("id-milk", "Milk", False, 1)
DENTIST = Todo("id-dentist", "Call the dentist", False, 2)
GARAGE = Todo("id-garage", "Clean the garage", True, 3)
LIST = [MILK, DENTIST, GARAGE]


def test_short_ids_follow_the_list_order_and_map_back():
    ids = IdMap(LIST)
    assert [short_id(n) for n in range(3)] == ["t1", "t2", "t3"]
    assert [ids.get(s) for s in ("t1", "t2", "t3")] == [MILK, DENTIST, GARAGE]
    for other in ("t0", "t4", "T1", "id-milk", "", 1, None, ["t1"]):
        assert ids.get(other) is None


def answer(design, raw):
    """The design's request for one message, and what it shows for the answer `raw`."""
    run = DESIGNS[design](LIST, "Mark the dentist as done and delete the garage")
    request = next(run)
    with pytest.raises(StopIteration) as ended:
        run.send(Output(raw, "stop", 0, 0, 0.0))
    return request, ended.value.value


def test_the_ids_design_shows_short_ids_and_reads_them_back_to_the_todos():
    request, shown = answer("intent-ids", '{"intent": "change", "changes": [{"op": "complete", "id": "t2"}, '
                                          '{"op": "delete", "id": "t3"}, {"op": "delete", "id": "t9"}]}')
    assert 't2: "Call the dentist" (open)' in request.messages[0]["content"]
    assert shown.batch == Batch((Complete("id-dentist", "Call the dentist"), Delete("id-garage", "Clean the garage")))
    assert shown.valid


def test_the_titles_design_reads_titles_back_through_short_ids():
    _, shown = answer("intent-titles", '{"intent": "change", "changes": [{"op": "complete", "todo": "Call the dentist"}]}')
    assert shown.batch == Batch((Complete("id-dentist", "Call the dentist"),))
