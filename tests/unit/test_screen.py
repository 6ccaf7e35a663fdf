"""The list's screen: the states it sends assets/todo-list.js, and the intents it takes back, through
the real controller (against the in-memory store and recording page of fakes.py)."""

from fakes import MemoryStore, RecordingListPage

from app.todos import codec
from app.todos.controller import TodoController
from app.todos.model import MAX_TITLE_LENGTH, Todo, Todos
from app.todos.screen import ListScreen, list_state

SAVED = Todos([Todo("s1", "buy milk", False, 1), Todo("s2", "call mum", True, 2)])
MILK = {"id": "s1", "title": "buy milk", "completed": False}
MUM = {"id": "s2", "title": "call mum", "completed": True}


def started(todos=SAVED, route="#/", new_title=""):
    store, page = MemoryStore(codec.encode(todos)), RecordingListPage(new_title)
    screen = ListScreen(page)
    controller = TodoController(store, screen, clock=lambda: 42)
    screen.bind(controller)
    controller.start(route)
    return store, page, screen


def stored_titles(store):
    return [todo.title for todo in codec.decode(store.read()).todos]


def test_the_state_is_the_rows_shown_in_order_and_the_footers_figures():
    assert list_state(SAVED, "all") == {
        "rows": [MILK, MUM],
        "activeCount": 1,
        "countLabel": "item left",
        "hasTodos": True,
        "allCompleted": False,
        "hasCompleted": True,
        "filter": "#/",
        "editing": None,
    }


def test_the_state_of_an_empty_list_hides_the_list_and_footer():
    assert list_state(Todos(), "active") == {
        "rows": [], "activeCount": 0, "countLabel": "items left", "hasTodos": False,
        "allCompleted": False, "hasCompleted": False, "filter": "#/active", "editing": None,
    }


def test_the_state_shows_only_the_filters_rows():
    assert list_state(SAVED, "completed")["rows"] == [MUM]
    assert list_state(SAVED, "active")["rows"] == [MILK]


def test_the_row_being_edited_stays_shown_when_another_tab_moves_it_out_of_the_filter():
    assert list_state(SAVED, "completed", editing="s1")["rows"] == [MILK, MUM]
    assert list_state(SAVED, "completed", editing="s1")["editing"] == "s1"


def test_editing_a_todo_that_is_gone_is_not_in_the_state():
    assert list_state(SAVED, "all", editing="gone")["editing"] is None


def test_start_renders_the_saved_list_and_route():
    _, page, _ = started(route="#/completed")
    assert page.state["rows"] == [MUM]
    assert page.state["filter"] == "#/completed"


def test_an_added_title_is_saved_shown_and_the_field_emptied():
    store, page, _ = started(new_title="  walk dog ")
    page.send(type="add", title="  walk dog ")
    assert stored_titles(store) == ["buy milk", "call mum", "walk dog"]
    assert [row["title"] for row in page.state["rows"]] == ["buy milk", "call mum", "walk dog"]
    assert page.new_title == ""


def test_the_field_keeps_what_was_typed_after_the_added_title():
    _, page, _ = started(new_title="walk dog and cat")
    page.send(type="add", title="walk dog")
    assert page.new_title == "walk dog and cat"


def test_a_too_long_title_is_refused_with_a_notice_and_the_text_kept():
    too_long = "x" * (MAX_TITLE_LENGTH + 1)
    store, page, _ = started(new_title=too_long)
    page.send(type="add", title=too_long)
    assert stored_titles(store) == ["buy milk", "call mum"]
    assert page.new_title == too_long
    assert "limit" in page.notices[-1]


def test_checkbox_destroy_toggle_all_and_clear_completed_reach_the_list():
    store, page, _ = started()
    page.send(type="set-completed", id="s1", completed=True)
    assert page.state["allCompleted"] is True
    page.send(type="set-all-completed", completed=False)
    assert page.state["activeCount"] == 2
    page.send(type="set-completed", id="s2", completed=True)
    page.send(type="clear-completed")
    assert stored_titles(store) == ["buy milk"]
    page.send(type="remove", id="s1")
    assert stored_titles(store) == []
    assert page.state["hasTodos"] is False


def test_a_route_intent_changes_the_filter():
    _, page, _ = started()
    page.send(type="route", hash="#/active")
    assert page.state["rows"] == [MILK]
    assert page.state["filter"] == "#/active"


def test_double_click_starts_an_edit_and_enter_saves_it_and_ends_it():
    store, page, screen = started()
    page.send(type="start-edit", id="s1")
    assert page.state["editing"] == "s1"
    page.send(type="edit", id="s1", title="  buy oat milk ")
    assert stored_titles(store) == ["buy oat milk", "call mum"]
    assert page.state["editing"] is None
    assert screen.editing is None


def test_the_focus_leaving_an_ended_edit_changes_nothing():
    store, page, _ = started()
    page.send(type="start-edit", id="s1")
    page.send(type="edit", id="s1", title="buy oat milk")
    rendered = len(page.states)
    page.send(type="edit", id="s1", title="something else")  # the blur after Enter
    assert stored_titles(store) == ["buy oat milk", "call mum"]
    assert len(page.states) == rendered


def test_escape_ends_the_edit_without_saving():
    store, page, _ = started()
    page.send(type="start-edit", id="s2")
    page.send(type="cancel-edit", id="s2")
    assert page.state["editing"] is None
    page.send(type="edit", id="s2", title="changed")  # the blur after Escape
    assert stored_titles(store) == ["buy milk", "call mum"]


def test_a_blank_edit_removes_the_todo():
    store, page, _ = started()
    page.send(type="start-edit", id="s1")
    page.send(type="edit", id="s1", title="   ")
    assert stored_titles(store) == ["call mum"]
    assert page.state["editing"] is None


def test_a_too_long_edit_stays_in_edit_mode():
    store, page, _ = started()
    page.send(type="start-edit", id="s1")
    page.send(type="edit", id="s1", title="x" * (MAX_TITLE_LENGTH + 1))
    assert page.state["editing"] == "s1"
    assert stored_titles(store) == ["buy milk", "call mum"]
    assert "limit" in page.notices[-1]


def test_an_edit_of_a_todo_deleted_in_another_tab_ends():
    store, page, screen = started()
    page.send(type="start-edit", id="s1")
    store.text = codec.encode(Todos([Todo("s2", "call mum", True, 2)]))
    screen.render(codec.decode(store.read()).todos, "all")
    assert page.state["editing"] is None
    page.send(type="edit", id="s1", title="saved nowhere")
    assert stored_titles(store) == ["call mum"]


def test_starting_to_edit_an_unknown_todo_does_nothing():
    _, page, _ = started()
    rendered = len(page.states)
    page.send(type="start-edit", id="nope")
    assert len(page.states) == rendered


def test_what_is_not_an_intent_is_left_out():
    store, page, _ = started()
    rendered = len(page.states)
    for text in ("not json", "[]", '{"type": "remove"}', '{"type": "remove", "id": 3}', '{"type": "explode"}',
                 '{"type": "edit", "id": "s1"}', '{"type": "route"}', '{"type": "add", "title": 5}',
                 '{"type": "set-completed", "id": "s1", "completed": "yes"}'):
        assert page.handler is not None
        page.handler(text)
    assert len(page.states) == rendered
    assert stored_titles(store) == ["buy milk", "call mum"]


def test_a_row_named_by_its_typed_index_after_start_up_is_left_alone():
    store, page, _ = started()
    page.send(type="remove", typed=0)
    assert stored_titles(store) == ["buy milk", "call mum"]
