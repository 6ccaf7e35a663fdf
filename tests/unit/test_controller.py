"""The controller against an in-memory store and a recording view (the browser adapters' stand-ins)."""

import json

from fakes import MemoryStore, RecordingListView
from port_check import assert_conforms, conformance_problems

from app.todos import codec
from app.todos.intents import AddTitle
from app.todos.controller import STORAGE_FULL, TodoController
from app.todos.store import TodoStore
from app.todos.model import Todo, Todos


def test_the_memory_store_offers_what_the_todo_store_port_promises():
    assert_conforms(MemoryStore, TodoStore)


def test_a_store_that_drifts_from_the_port_is_caught():
    class Drifted:
        def read(self):
            return None

        def write(self, text, key):
            pass

    assert conformance_problems(Drifted, TodoStore) == [
        "Drifted.write(self, text, key) differs from TodoStore.write(self, text: str) -> None",
        "Drifted has no method back_up()",
    ]


def started(text=None, route="#/", queued=()):
    store, view = MemoryStore(text), RecordingListView()
    controller = TodoController(store, view, clock=lambda: 42)
    controller.start(route, queued)
    return controller, store, view


def test_start_renders_the_stored_list_with_the_routed_filter():
    stored = codec.encode(Todos([Todo("a", "x", True, 1)]))
    controller, _, view = started(stored, "#/completed")
    assert [t.title for t in view.rendered] == ["x"] and view.filter == "completed"
    assert view.notices == []


def test_every_change_is_written_at_once():
    controller, store, _ = started()
    controller.add("one")
    controller.add("two")
    assert store.titles() == ["one", "two"]
    assert json.loads(store.text)["todos"][0]["created"] == 42


def test_commands_apply_to_the_newest_stored_list_so_other_tabs_changes_survive():
    controller, store, view = started()
    controller.add("mine")
    other_tab = codec.decode(store.text).todos.add("theirs", todo_id="t")
    store.text = codec.encode(other_tab)  # written by another tab; this tab has not re-rendered
    controller.add("mine too")
    assert store.titles() == ["mine", "theirs", "mine too"]
    assert [t.title for t in view.rendered] == ["mine", "theirs", "mine too"]


def test_external_change_rerenders_from_storage():
    controller, store, view = started()
    store.text = codec.encode(Todos([Todo("t", "from another tab")]))
    controller.external_change()
    assert [t.title for t in view.rendered] == ["from another tab"]


def test_corrupted_record_is_backed_up_and_reported_and_the_app_starts():
    controller, store, view = started("{broken")
    assert store.backups == {"backup.0": "{broken"}
    assert view.rendered == Todos()
    assert "could not be read (not valid JSON)" in view.notices[0] and "“backup.0”" in view.notices[0]
    controller.add("still works")
    assert store.titles() == ["still works"]


def test_pending_titles_typed_before_start_up_are_added():
    typed = ["early", "  ", "x" * 5000]
    _, store, view = started(queued=[AddTitle(i, title) for i, title in enumerate(typed)])
    assert store.titles() == ["early"]
    assert view.restored == ["x" * 5000]


def test_too_long_title_is_refused_with_a_message():
    controller, store, view = started()
    assert controller.add("x" * 2001) is False
    assert store.text is None
    assert "2,001 characters" in view.notices[-1]
    assert controller.add("x" * 2000) is True  # at the limit: added and written
    assert store.titles() == ["x" * 2000]


def test_full_storage_keeps_changes_in_memory_and_saves_them_later():
    controller, store, view = started()
    controller.add("saved")
    store.full = True
    controller.add("kept in memory")
    assert view.notices[-1] == STORAGE_FULL
    controller.add("also kept")
    assert [t.title for t in view.rendered] == ["saved", "kept in memory", "also kept"]
    store.full = False
    controller.toggle(view.rendered.items[0].id)
    assert store.titles() == ["saved", "kept in memory", "also kept"]
    assert view.notices[-1] is None


def test_unreadable_record_is_never_overwritten_without_a_backup():
    store, view = MemoryStore("{broken"), RecordingListView()
    store.full = True
    controller = TodoController(store, view)
    controller.start("#/")
    assert store.text == "{broken"
    assert "left untouched" in view.notices[0]


def test_route_changes_the_filter_only():
    controller, store, view = started()
    controller.add("a")
    controller.route("#/active")
    assert view.filter == "active" and store.titles() == ["a"]


def test_a_todo_another_tab_saved_while_this_tab_could_not_save_is_kept():
    controller, store, view = started()
    store.full = True
    controller.add("unsaved here")
    store.full = False
    other_tab = codec.decode(store.text).todos.add("saved there", todo_id="t")
    store.text = codec.encode(other_tab)
    controller.add("next")
    assert store.titles() == ["saved there", "unsaved here", "next"]
    assert view.notices[-1] is None


def test_unsaved_adds_keep_their_ids_when_replayed():
    controller, store, view = started()
    store.full = True
    controller.add("a")
    first_id = view.rendered.items[0].id
    controller.add("b")
    assert view.rendered.items[0].id == first_id


def test_a_version_zero_record_is_written_back_as_version_one_at_start():
    _, store, _ = started('[{"title": "old", "completed": false}]')
    assert json.loads(store.text)["version"] == 1 and store.titles() == ["old"]


def test_an_unreadable_record_written_by_another_tab_is_never_overwritten():
    controller, store, view = started()
    controller.add("mine")
    store.text = '{"version": 2, "todos": []}'
    controller.external_change()
    controller.add("more")
    assert store.text == '{"version": 2, "todos": []}'
    assert "Reload this tab" in view.notices[-1]
    assert [t.title for t in view.rendered] == ["mine", "more"]
    assert store.backups == {}


def test_the_storage_full_notice_is_cleared_but_other_notices_are_kept():
    controller, store, view = started("{broken")
    controller.add("x")
    assert "not valid JSON" in view.notices[-1]
