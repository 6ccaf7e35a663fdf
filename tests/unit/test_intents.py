"""boot.js's queue of what was done before Python was up: decoded warily, replayed in order through
the real controller (against the in-memory store and recording view of fakes.py)."""

from fakes import MemoryStore, RecordingListView
from port_check import assert_conforms

from app.todos import codec
from app.todos.intents import (
    AddTitle,
    CancelEdit,
    FinishEdit,
    Route,
    StartEdit,
    ClearCompleted,
    ReplayCommands,
    Remove,
    Row,
    SetAllCompleted,
    SetCompleted,
    decode,
    replay,
)
from app.todos.controller import TodoController
from app.todos.model import Todo, Todos

SAVED = Todos([Todo("s1", "buy milk", False, 1), Todo("s2", "call mum", True, 2)])


def started(todos=SAVED, queue=()):
    store, view = MemoryStore(codec.encode(todos)), RecordingListView()
    controller = TodoController(store, view, clock=lambda: 42)
    controller.start("#/", decode(queue))
    return store, view


def stored(store):
    return [(t.title, t.completed) for t in codec.decode(store.text).todos]


def test_the_controller_offers_the_commands_a_replay_uses():
    assert_conforms(TodoController, ReplayCommands)


def test_every_kind_of_entry_boot_js_queues_is_decoded_in_order():
    queue = [
        {"type": "add", "typed": 0, "title": "  typed  "},
        {"type": "set-completed", "id": "s1", "completed": True},
        {"type": "set-completed", "typed": 0, "completed": True},
        {"type": "remove", "id": "s2"},
        {"type": "remove", "typed": 0},
        {"type": "set-all-completed", "completed": False},
        {"type": "clear-completed"},
    ]
    assert decode(queue) == (
        AddTitle(0, "  typed  "),
        SetCompleted(Row(todo_id="s1"), True),
        SetCompleted(Row(typed=0), True),
        Remove(Row(todo_id="s2")),
        Remove(Row(typed=0)),
        SetAllCompleted(False),
        ClearCompleted(),
    )


def test_entries_it_does_not_understand_are_left_out_and_the_rest_kept():
    queue = [
        None,
        "add",
        {"type": "edit", "id": "s1"},
        {"type": "start-edit", "id": 3},
        {"type": "route", "hash": None},
        {"type": "add", "typed": -1, "title": "bad index"},
        {"type": "add", "typed": True, "title": "a bool is not an index"},
        {"type": "set-completed", "id": "s1", "completed": "yes"},
        {"type": "set-completed", "completed": True},
        {"type": "set-completed", "id": "s1", "typed": 0, "completed": True},
        {"type": "remove", "id": ""},
        {"type": "set-all-completed"},
        {"type": "remove", "id": "s1"},
    ]
    assert decode(queue) == (Remove(Row(todo_id="s1")),)
    assert decode(None) == () and decode({"type": "clear-completed"}) == ()


def test_the_intents_of_a_running_list_are_understood_too():
    assert decode([
        {"type": "add", "title": "walk dog"},
        {"type": "start-edit", "id": "s1"},
        {"type": "edit", "id": "s1", "title": "buy oat milk"},
        {"type": "cancel-edit", "id": "s1"},
        {"type": "route", "hash": "#/active"},
    ]) == (AddTitle(None, "walk dog"), StartEdit("s1"), FinishEdit("s1", "buy oat milk"), CancelEdit("s1"),
           Route("#/active"))


def test_a_saved_todo_checked_before_start_up_is_completed_and_saved():
    store, view = started(queue=[{"type": "set-completed", "id": "s1", "completed": True}])
    assert stored(store) == [("buy milk", True), ("call mum", True)]
    assert view.rendered.active_count == 0


def test_a_saved_todo_deleted_before_start_up_is_gone():
    store, _ = started(queue=[{"type": "remove", "id": "s2"}])
    assert stored(store) == [("buy milk", False)]


def test_toggle_all_and_clear_completed_apply_in_the_order_they_were_clicked():
    store, _ = started(queue=[{"type": "set-all-completed", "completed": True}, {"type": "clear-completed"}])
    assert stored(store) == []
    store, _ = started(queue=[{"type": "clear-completed"}, {"type": "set-all-completed", "completed": True}])
    assert stored(store) == [("buy milk", True)]


def test_a_typed_todo_can_be_checked_and_another_deleted_before_start_up():
    store, _ = started(
        queue=[
            {"type": "add", "typed": 0, "title": "first"},
            {"type": "add", "typed": 1, "title": "second"},
            {"type": "set-completed", "typed": 0, "completed": True},
            {"type": "remove", "typed": 1},
        ]
    )
    assert stored(store) == [("buy milk", False), ("call mum", True), ("first", True)]


def test_a_click_on_the_row_of_a_refused_title_changes_nothing_and_the_title_comes_back():
    too_long = "x" * 2001
    store, view = started(
        queue=[
            {"type": "add", "typed": 0, "title": too_long},
            {"type": "set-completed", "typed": 0, "completed": True},
            {"type": "remove", "typed": 0},
        ]
    )
    assert stored(store) == [("buy milk", False), ("call mum", True)]
    assert view.restored == [too_long]


def test_a_click_on_a_todo_another_tab_deleted_meanwhile_changes_nothing():
    store, _ = started(
        Todos([Todo("s2", "call mum", True, 2)]),
        queue=[{"type": "set-completed", "id": "s1", "completed": True}, {"type": "remove", "id": "s1"}],
    )
    assert stored(store) == [("call mum", True)]


def test_the_checkbox_state_is_replayed_not_a_flip_so_checking_twice_leaves_it_checked():
    store, _ = started(
        queue=[
            {"type": "set-completed", "id": "s1", "completed": True},
            {"type": "set-completed", "id": "s1", "completed": True},
        ]
    )
    assert stored(store)[0] == ("buy milk", True)


class Recorder:
    """Records the commands a replay gives (ReplayCommands); `refuse` titles are refused."""

    def __init__(self, refuse=()):
        self.calls = []
        self.refuse = set(refuse)

    def add(self, text, todo_id=None):
        self.calls.append(("add", text, todo_id))
        return text not in self.refuse

    def set_completed(self, todo_id, completed):
        self.calls.append(("set_completed", todo_id, completed))
        return True

    def remove(self, todo_id):
        self.calls.append(("remove", todo_id))
        return True

    def set_all_completed(self, completed):
        self.calls.append(("set_all_completed", completed))
        return True

    def clear_completed(self):
        self.calls.append(("clear_completed",))
        return True


def test_the_recorder_offers_what_a_replay_uses():
    assert_conforms(Recorder, ReplayCommands)


def test_a_typed_row_is_named_by_the_id_its_title_was_added_with():
    ids = iter(["id-a", "id-b"])
    commands = Recorder(refuse={"too long"})
    refused = replay(
        [
            AddTitle(0, "a"),
            AddTitle(1, "too long"),
            SetCompleted(Row(typed=1), True),
            Remove(Row(typed=0)),
            SetCompleted(Row(typed=7), True),
        ],
        commands,
        make_id=lambda: next(ids),
    )
    assert refused == ["too long"]
    assert commands.calls == [("add", "a", "id-a"), ("add", "too long", "id-b"), ("remove", "id-a")]
