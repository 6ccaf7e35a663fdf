"""The to-do model follows TodoMVC's spec; pure Python, so these run in CPython in milliseconds."""

import pytest

from app.todos.model import (
    MAX_TITLE_LENGTH,
    TitleTooLong,
    Todo,
    Todos,
    count_label,
    filter_for_route,
    new_id,
    normalize_title,
)


def make(*specs):
    """Todos from (title, completed) pairs with ids '1', '2', ..."""
    return Todos(Todo(str(i), title, done, i) for i, (title, done) in enumerate(specs, 1))


def titles(todos):
    return [t.title for t in todos]


def test_add_trims_the_title_and_appends_an_active_todo():
    todos = Todos().add("  Buy milk  ", todo_id="a", created=5)
    assert list(todos) == [Todo("a", "Buy milk", False, 5)]


def test_blank_add_is_ignored():
    empty = Todos()
    assert empty.add("   \t ") is empty


def test_add_keeps_order_and_gives_unique_ids():
    todos = Todos().add("one").add("two").add("three")
    assert titles(todos) == ["one", "two", "three"]
    assert len({t.id for t in todos}) == 3


def test_titles_are_kept_literally():
    hostile = '<img src=x onerror="alert(1)">'
    assert titles(Todos().add(hostile)) == [hostile]


def test_too_long_title_raises_and_changes_nothing():
    with pytest.raises(TitleTooLong, match="2,000"):
        Todos().add("x" * (MAX_TITLE_LENGTH + 1))
    assert titles(Todos().add("x" * MAX_TITLE_LENGTH)) == ["x" * MAX_TITLE_LENGTH]


def test_edit_trims_and_renames():
    assert titles(make(("a", False)).edit("1", "  b  ")) == ["b"]


def test_blank_edit_removes_the_todo():
    assert titles(make(("a", False), ("b", False)).edit("1", "   ")) == ["b"]


def test_toggle_and_set_completed():
    todos = make(("a", False))
    assert todos.toggle("1").get("1").completed is True
    assert todos.toggle("1").toggle("1").get("1").completed is False
    assert todos.set_completed("1", True).set_completed("1", True).get("1").completed is True


def test_commands_on_unknown_ids_change_nothing():
    todos = make(("a", False))
    for changed in (todos.toggle("x"), todos.edit("x", "b"), todos.remove("x"), todos.set_completed("x", True)):
        assert changed == todos


def test_remove():
    assert titles(make(("a", False), ("b", True)).remove("2")) == ["a"]


def test_set_all_completed_both_ways():
    todos = make(("a", False), ("b", True))
    assert todos.set_all_completed(True).all_completed
    assert todos.set_all_completed(False).active_count == 2


def test_all_completed_is_false_for_an_empty_list():
    assert Todos().all_completed is False


def test_clear_completed_keeps_active_todos():
    assert titles(make(("a", False), ("b", True), ("c", True)).clear_completed()) == ["a"]


def test_counts_and_filters():
    todos = make(("a", False), ("b", True), ("c", False))
    assert (todos.active_count, todos.completed_count) == (2, 1)
    assert titles(todos.visible("all")) == ["a", "b", "c"]
    assert titles(todos.visible("active")) == ["a", "c"]
    assert titles(todos.visible("completed")) == ["b"]


def test_todos_are_immutable():
    todos = make(("a", False))
    with pytest.raises(AttributeError):
        todos.items = ()
    with pytest.raises(AttributeError):
        todos.get("1").title = "b"
    todos.add("b")
    assert titles(todos) == ["a"]


@pytest.mark.parametrize(
    "hash_, expected",
    [("", "all"), ("#/", "all"), ("#/active", "active"), ("#/completed", "completed"), ("#/nope", "all")],
)
def test_routes(hash_, expected):
    assert filter_for_route(hash_) == expected


def test_count_label_pluralises():
    assert [count_label(n) for n in (0, 1, 2)] == ["items left", "item left", "items left"]


def test_normalize_title_and_new_id():
    assert normalize_title("\n x \t") == "x"
    assert len(new_id()) == 16 and new_id() != new_id()
