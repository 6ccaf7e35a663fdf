"""Saving the list: persistence, unreadable or foreign data, a full quota, and several tabs at once."""

import json
import re

from playwright.sync_api import expect

from tests.e2e.helpers import (
    TODOS_KEY,
    add,
    backups,
    hold_python,
    item,
    items,
    labels,
    notice,
    release_python,
    reload_ready,
    seed_storage,
    stored,
    stored_titles,
    wait_painted,
    wait_ready,
)

FIELDS = {"id", "title", "completed", "created"}


def only_backup(page):
    found = backups(page)
    assert len(found) == 1, f"expected one backup, found {sorted(found)}"
    return next(iter(found.items()))


def assert_record(page, expected):
    """The stored record is version 1 and holds exactly `expected` [(title, completed)], fully formed."""
    record = stored(page)
    assert record["version"] == 1
    assert [(t["title"], t["completed"]) for t in record["todos"]] == expected
    for todo in record["todos"]:
        assert set(todo) == FIELDS
        assert isinstance(todo["id"], str) and todo["id"]
        assert isinstance(todo["created"], int)
    assert len({t["id"] for t in record["todos"]}) == len(record["todos"])
    return record


def take_page_errors(watch, page):
    """The page errors so far, cleared, so the test names them in its own failure, not at teardown."""
    page.evaluate("1")  # a round trip: an error thrown by an earlier task has been reported by now
    errors = list(watch.errors)
    watch.errors.clear()
    return errors


# Persistence.


def test_todos_persist_across_reload_with_their_order_and_completed_state(app_page):
    add(app_page, "one", "two", "three")
    item(app_page, "two").locator(".toggle").check()
    expect(item(app_page, "two")).to_have_class("completed")
    before = assert_record(app_page, [("one", False), ("two", True), ("three", False)])
    assert all(t["created"] > 0 for t in before["todos"])

    reload_ready(app_page)

    expect(labels(app_page)).to_have_text(["one", "two", "three"])
    expect(items(app_page)).to_have_class(["", "completed", ""])
    expect(app_page.locator(".todo-count")).to_have_text("2 items left")
    assert stored(app_page) == before  # same ids and creation times: reloading rewrites nothing


# Data the app cannot read in full.


def test_corrupted_storage_is_backed_up_and_the_user_is_told(context, open_app):
    raw = '{"version":1,"todos":[{"id":"a","title":"Käse kaufen","completed":fa'  # cut off mid-write
    seed_storage(context, raw)
    page = open_app()

    expect(items(page)).to_have_count(0)
    key, text = only_backup(page)
    assert text == raw
    expect(notice(page)).to_be_visible()
    expect(notice(page)).to_contain_text(key)

    add(page, "fresh start")
    expect(labels(page)).to_have_text(["fresh start"])
    assert_record(page, [("fresh start", False)])
    assert backups(page) == {key: raw}


def test_a_record_from_a_newer_app_version_is_backed_up_and_the_user_is_told(context, open_app):
    raw = json.dumps(
        {
            "version": 99,
            "todos": [{"id": "f1", "title": "from the future", "completed": False, "created": 1}],
            "tags": ["work"],
        }
    )
    seed_storage(context, raw)
    page = open_app()

    expect(items(page)).to_have_count(0)
    key, text = only_backup(page)
    assert text == raw
    expect(notice(page)).to_contain_text(key)
    expect(notice(page)).to_contain_text(re.compile("newer version", re.I))

    add(page, "today")
    expect(labels(page)).to_have_text(["today"])
    assert_record(page, [("today", False)])
    assert backups(page) == {key: raw}


def test_a_record_with_some_unreadable_items_keeps_the_readable_ones(context, open_app):
    good = [
        {"id": "g1", "title": "water the plants", "completed": False, "created": 1700000000000},
        {"id": "g2", "title": "pay rent", "completed": True, "created": 1700000000001},
    ]
    bad = [
        42,
        None,
        {"id": "b1", "title": "   ", "completed": False, "created": 1},
        {"id": "b2", "title": "done?", "completed": "yes", "created": 1},
        {"id": "g1", "title": "duplicate id", "completed": False, "created": 1},
    ]
    raw = json.dumps({"version": 1, "todos": [good[0], bad[0], bad[1], bad[2], good[1], bad[3], bad[4]]})
    seed_storage(context, raw)
    page = open_app()

    expect(labels(page)).to_have_text(["water the plants", "pay rent"])
    expect(items(page)).to_have_class(["", "completed"])
    key, text = only_backup(page)
    assert text == raw
    expect(notice(page)).to_contain_text(key)
    expect(notice(page)).to_contain_text("5 unreadable")
    assert stored(page) == {"version": 1, "todos": good}  # ids and times of the good ones kept


def test_a_version_0_bare_list_is_read_and_saved_as_version_1(context, open_app):
    seed_storage(
        context,
        json.dumps([{"title": "old one", "completed": False}, {"title": "old two", "completed": True}]),
    )
    page = open_app()

    expect(labels(page)).to_have_text(["old one", "old two"])
    expect(items(page)).to_have_class(["", "completed"])
    # Nothing was lost, so nothing to report: the notice (on every page, shown when something was
    # lost) stays hidden, and nothing is backed up.
    expect(page.locator(".notice[role=alert]")).to_be_attached()
    expect(page.locator(".notice[role=alert]")).to_be_hidden()
    assert backups(page) == {}

    add(page, "new one")
    assert_record(page, [("old one", False), ("old two", True), ("new one", False)])
    reload_ready(page)
    expect(labels(page)).to_have_text(["old one", "old two", "new one"])
    expect(items(page)).to_have_class(["", "completed", ""])


def test_a_version_0_bare_list_is_painted_before_python_is_ready(context, open_app):
    seed_storage(
        context,
        json.dumps([{"title": "old one", "completed": False}, {"title": "old two", "completed": True}]),
    )
    held = hold_python(context)
    page = open_app(wait_ready=False)
    wait_painted(page)

    expect(labels(page)).to_have_text(["old one", "old two"])
    expect(items(page)).to_have_class(["", "completed"])

    release_python(context, held)
    wait_ready(page)
    expect(labels(page)).to_have_text(["old one", "old two"])


# A full quota.

STORAGE_FULL_SCRIPT = """
(() => {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    if (window.__storageFull && key === %s) throw new DOMException("quota", "QuotaExceededError");
    return setItem.call(this, key, value);
  };
})();
""" % json.dumps(TODOS_KEY)


def test_when_storage_is_full_the_user_is_told_and_the_next_change_saves_everything(context, open_app):
    context.add_init_script(script=STORAGE_FULL_SCRIPT)
    page = open_app()
    add(page, "saved before")
    page.evaluate("window.__storageFull = true")

    add(page, "kept in this tab")
    expect(notice(page)).to_contain_text(re.compile(r"storage .*is full", re.I))
    expect(page.locator(".notice")).to_be_visible()
    expect(labels(page)).to_have_text(["saved before", "kept in this tab"])
    add(page, "also kept")
    item(page, "saved before").locator(".toggle").check()
    expect(labels(page)).to_have_text(["saved before", "kept in this tab", "also kept"])
    expect(items(page)).to_have_class(["completed", "", ""])
    assert stored_titles(page) == ["saved before"]  # nothing written while full

    page.evaluate("window.__storageFull = false")
    item(page, "also kept").locator(".toggle").check()

    expect(page.locator(".notice")).to_be_hidden()
    assert_record(page, [("saved before", True), ("kept in this tab", False), ("also kept", True)])


# Several tabs.


def test_a_todo_added_in_one_tab_appears_in_another_and_a_toggle_there_comes_back(open_app):
    tab_a = open_app()
    tab_b = open_app()

    add(tab_a, "from A")
    expect(labels(tab_b)).to_have_text(["from A"])

    item(tab_b, "from A").locator(".toggle").check()
    expect(item(tab_a, "from A")).to_have_class("completed")
    expect(tab_a.locator(".todo-count")).to_have_text("0 items left")
    assert_record(tab_a, [("from A", True)])


# Registered before the app's own listener, so it can keep the app from hearing of another tab's
# write while the page's storage is already current: as when the user acts before that tab's
# `storage` event is handled.
HIDE_STORAGE_EVENTS_SCRIPT = """
window.__storageEventsHidden = 0;
addEventListener("storage", (event) => {
  if (!window.__hideStorageEvents) return;
  event.stopImmediatePropagation();
  window.__storageEventsHidden += 1;
});
"""


def test_a_tab_showing_a_stale_list_does_not_lose_another_tabs_todo(context, open_app):
    context.add_init_script(script=HIDE_STORAGE_EVENTS_SCRIPT)
    tab_a = open_app()
    add(tab_a, "first")
    tab_b = open_app()
    expect(labels(tab_b)).to_have_text(["first"])
    tab_a.evaluate("window.__hideStorageEvents = true")

    add(tab_b, "from B")
    tab_a.wait_for_function("window.__storageEventsHidden > 0")
    expect(labels(tab_a)).to_have_text(["first"])  # stale

    add(tab_a, "from A")

    expected = ["first", "from B", "from A"]
    expect(labels(tab_a)).to_have_text(expected)
    expect(labels(tab_b)).to_have_text(expected)
    assert stored_titles(tab_a) == expected


def test_an_edit_in_progress_survives_a_change_made_in_another_tab(open_app):
    tab_a = open_app()
    add(tab_a, "one")
    tab_b = open_app()
    expect(labels(tab_b)).to_have_text(["one"])

    item(tab_a, "one").locator("label").dblclick()
    edit = items(tab_a).first.locator(".edit")
    expect(edit).to_be_focused()
    edit.press_sequentially(" more")

    add(tab_b, "from B")
    item(tab_b, "one").locator(".toggle").check()  # even the row being edited changes

    expect(labels(tab_a)).to_have_text(["one", "from B"])
    expect(items(tab_a).first).to_have_class(re.compile(r"\bcompleted\b"))
    expect(items(tab_a).first).to_have_class(re.compile(r"\bediting\b"))
    expect(edit).to_have_value("one more")
    expect(edit).to_be_focused()

    edit.press("Enter")
    expect(labels(tab_a)).to_have_text(["one more", "from B"])
    expect(labels(tab_b)).to_have_text(["one more", "from B"])
    assert_record(tab_a, [("one more", True), ("from B", False)])


def test_another_tab_deleting_the_todo_being_edited_raises_no_error(open_app, watch):
    tab_a = open_app()
    add(tab_a, "one", "two")
    tab_b = open_app()
    expect(labels(tab_b)).to_have_text(["one", "two"])
    item(tab_a, "one").locator("label").dblclick()
    items(tab_a).first.locator(".edit").press_sequentially(" more")

    item(tab_b, "one").hover()
    item(tab_b, "one").locator(".destroy").click()

    expect(labels(tab_a)).to_have_text(["two"])
    assert take_page_errors(watch, tab_a) == []
    add(tab_a, "three")
    assert stored_titles(tab_b) == ["two", "three"]


def test_another_tab_moving_the_todo_being_edited_out_of_the_filter_raises_no_error(open_app, watch):
    tab_a = open_app("/#/active")
    add(tab_a, "one", "two")
    tab_b = open_app()
    expect(labels(tab_b)).to_have_text(["one", "two"])
    item(tab_a, "one").locator("label").dblclick()
    edit = items(tab_a).first.locator(".edit")
    edit.press_sequentially(" more")

    item(tab_b, "one").locator(".toggle").check()  # no longer active: out of tab A's view

    expect(tab_a.locator(".todo-count")).to_have_text("1 item left")
    assert take_page_errors(watch, tab_a) == []
    # Either the edit goes on (text kept) or it was saved; the typed text must not vanish.
    fields = tab_a.locator(".todo-list .edit").evaluate_all("fs => fs.map((f) => f.value)")
    assert "one more" in fields or "one more" in stored_titles(tab_a)
    assert stored(tab_a)["todos"][0]["completed"] is True


def test_a_todo_another_tab_saved_while_this_tab_could_not_save_is_not_lost(context, open_app):
    context.add_init_script(script=STORAGE_FULL_SCRIPT)
    tab_a = open_app()
    add(tab_a, "saved")
    tab_b = open_app()
    expect(labels(tab_b)).to_have_text(["saved"])
    tab_a.evaluate("window.__storageFull = true")
    add(tab_a, "kept in A")
    expect(notice(tab_a)).to_contain_text(re.compile(r"storage .*is full", re.I))
    expect(tab_a.locator(".notice")).to_be_visible()

    # The user frees space as the notice suggests, in the other tab, and adds a to-do there.
    add(tab_b, "from B")
    assert stored_titles(tab_b) == ["saved", "from B"]
    tab_a.evaluate("window.__storageFull = false")
    add(tab_a, "after space was freed")

    expect(tab_a.locator(".notice")).to_be_hidden()
    expected = {"saved", "kept in A", "from B", "after space was freed"}
    assert set(stored_titles(tab_a)) == expected
    expect(labels(tab_a)).to_have_count(4)
    expect(labels(tab_b)).to_have_count(4)
