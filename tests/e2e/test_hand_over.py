"""The hand-over: what is done to the painted list before Python is up is kept, and so are the rows.

assets/boot.js paints the saved list and queues what is typed and clicked meanwhile (checkboxes,
delete, toggle all, Clear completed); Python replays the queue through its own commands and adopts
the painted rows (the same elements), so nothing clicked is lost and nothing that holds a row loses it.
"""

import json

from playwright.sync_api import expect

from tests.e2e.helpers import (
    SAVED,
    add,
    hold_python,
    html,
    item,
    items,
    labels,
    release_python,
    seed_todos,
    store_raw,
    stored,
    wait_painted,
    wait_ready,
)


def started_held(context, open_app, todos=SAVED):
    """A page with `todos` saved, painted by boot.js, Python held back; returns (page, held)."""
    seed_todos(context, todos)
    held = hold_python(context)
    page = open_app(wait_ready=False)
    wait_painted(page)
    expect(labels(page)).to_have_text([todo["title"] for todo in todos])
    return page, held


def hand_over(context, page, held):
    """Let Python start and wait until it has taken over; boot.js's queue is then empty."""
    expect(html(page)).not_to_have_attribute("data-ready", "")  # what came before was before Python
    release_python(context, held)
    wait_ready(page)
    assert page.evaluate("window.bootShell.queue.length") == 0


def saved(page):
    return [(todo["title"], todo["completed"]) for todo in stored(page)["todos"]]


def count(page):
    return page.locator(".todo-count")


def test_a_todo_checked_before_python_is_ready_is_completed_after(context, open_app):
    page, held = started_held(context, open_app)
    toggle = item(page, "buy milk").locator(".toggle")
    toggle.click()
    expect(toggle).to_be_checked()
    expect(items(page)).to_have_class(["completed", "completed"])
    expect(count(page)).to_have_text("0 items left")
    expect(page.locator(".toggle-all")).to_be_checked()
    assert stored(page)["todos"] == SAVED  # queued, not yet saved

    hand_over(context, page, held)

    expect(items(page)).to_have_class(["completed", "completed"])
    expect(count(page)).to_have_text("0 items left")
    assert saved(page) == [("buy milk", True), ("call mum", True)]
    toggle.click()  # Python's own command now, once: the replay left nothing behind to undo it
    expect(count(page)).to_have_text("1 item left")
    assert saved(page) == [("buy milk", False), ("call mum", True)]


def test_a_todo_deleted_before_python_is_ready_is_deleted_after(context, open_app):
    page, held = started_held(context, open_app)
    expect(page.locator(".clear-completed")).to_be_visible()  # "call mum" is done
    item(page, "call mum").hover()
    item(page, "call mum").locator(".destroy").click()
    expect(labels(page)).to_have_text(["buy milk"])
    expect(page.locator(".clear-completed")).to_be_hidden()  # and was the only done one

    hand_over(context, page, held)

    expect(labels(page)).to_have_text(["buy milk"])
    assert stored(page)["todos"] == SAVED[:1]


def test_toggle_all_before_python_is_ready_applies_in_order_with_the_titles_typed_around_it(
    context, open_app
):
    page, held = started_held(context, open_app)
    add(page, "typed before")
    page.get_by_text("Mark all as complete").click()
    add(page, "typed after")
    expect(items(page)).to_have_class(["completed", "completed", "completed", ""])
    expect(count(page)).to_have_text("1 item left")
    expect(page.locator(".toggle-all")).not_to_be_checked()

    hand_over(context, page, held)

    expect(labels(page)).to_have_text(["buy milk", "call mum", "typed before", "typed after"])
    expect(items(page)).to_have_class(["completed", "completed", "completed", ""])
    assert saved(page) == [("buy milk", True), ("call mum", True), ("typed before", True), ("typed after", False)]


def test_clear_completed_before_python_is_ready_removes_the_completed_todos(context, open_app):
    page, held = started_held(context, open_app)
    page.get_by_role("button", name="Clear completed").click()
    expect(labels(page)).to_have_text(["buy milk"])
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()

    hand_over(context, page, held)

    expect(labels(page)).to_have_text(["buy milk"])
    expect(page.get_by_role("button", name="Clear completed")).to_be_hidden()
    assert stored(page)["todos"] == SAVED[:1]


def test_todos_typed_before_python_is_ready_can_be_checked_and_deleted_before_it_is(context, open_app):
    page, held = started_held(context, open_app, [])
    add(page, "keep and check", "delete me")
    page.evaluate(HOLD_ROWS)
    item(page, "keep and check").locator(".toggle").check()
    item(page, "delete me").hover()
    item(page, "delete me").locator(".destroy").click()
    expect(labels(page)).to_have_text(["keep and check"])
    expect(items(page)).to_have_class(["completed"])

    hand_over(context, page, held)

    expect(labels(page)).to_have_text(["keep and check"])
    expect(items(page)).to_have_class(["completed"])
    assert saved(page) == [("keep and check", True)]
    # The typed title's row, checked before Python was up, is the live row of its to-do.
    assert page.evaluate("window.__heldRows[0] === document.querySelector('.todo-list li')") is True
    assert page.evaluate("window.__heldRows[0].dataset.id") == stored(page)["todos"][0]["id"]


def test_a_click_before_python_is_ready_is_replayed_on_the_newest_saved_list(context, open_app):
    page, held = started_held(context, open_app)
    item(page, "buy milk").locator(".toggle").check()
    # Meanwhile another tab deletes "call mum" and adds a to-do of its own.
    other_tab = [SAVED[0], {"id": "o1", "title": "from the other tab", "completed": False, "created": 3}]
    store_raw(page, json.dumps({"version": 1, "todos": other_tab}))

    hand_over(context, page, held)

    expect(labels(page)).to_have_text(["buy milk", "from the other tab"])
    expect(items(page)).to_have_class(["completed", ""])
    expect(count(page)).to_have_text("1 item left")
    assert saved(page) == [("buy milk", True), ("from the other tab", False)]


HOLD_ROWS = "window.__heldRows = [...document.querySelectorAll('.todo-list li')]"
SAME_ROWS = """() => {
  const rows = [...document.querySelectorAll('.todo-list li')];
  return rows.length === window.__heldRows.length && rows.every((row, i) => row === window.__heldRows[i]);
}"""


def test_python_adopts_the_painted_rows_so_a_held_row_and_the_focus_in_it_survive_the_hand_over(
    context, open_app
):
    page, held = started_held(context, open_app)
    add(page, "typed while starting")
    page.evaluate(HOLD_ROWS)
    first_toggle = items(page).first.locator(".toggle")
    first_toggle.focus()
    first_toggle.press("Space")  # queued by boot.js, shown at once, without moving the row
    expect(first_toggle).to_be_checked()
    expect(first_toggle).to_be_focused()
    assert page.evaluate(SAME_ROWS) is True

    release_python(context, held)
    wait_ready(page)

    assert page.evaluate(SAME_ROWS) is True
    assert page.evaluate("document.activeElement === window.__heldRows[0].querySelector('.toggle')")
    ids = page.evaluate("window.__heldRows.map((row) => row.dataset.id)")
    assert ids == [todo["id"] for todo in stored(page)["todos"]]
    assert ids[:2] == ["s1", "s2"]
    assert [t["completed"] for t in stored(page)["todos"]] == [True, True, False]
    # The held elements are the live ones: a key press on the held focus now reaches Python.
    assert page.evaluate("window.__heldRows[0].classList.contains('completed')") is True
    page.keyboard.press("Space")
    expect(page.locator(".todo-count")).to_have_text("2 items left")
    assert page.evaluate("window.__heldRows[0].classList.contains('completed')") is False
    assert [t["completed"] for t in stored(page)["todos"]] == [False, True, False]
    assert page.evaluate(SAME_ROWS) is True
