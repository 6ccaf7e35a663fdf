"""Titles are data: hostile text is shown literally on every render path, and sizes are bounded."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import (
    add,
    hold_python,
    items,
    labels,
    notice,
    release_python,
    stored,
    stored_titles,
    wait_painted,
    wait_ready,
)

HOSTILE_TITLES = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script>",
    '"><svg onload=window.__pwned=1>',
    "javascript:alert(1)",
    "Fish &amp; chips &lt;b&gt;bold&lt;/b&gt; &#60;i&#62; &nbsp;",
    "RTL \u202eevil\u202c: \u05e2\u05d1\u05e8\u05d9\u05ea \u0627\u0644\u0639\u0631\u0628\u064a\u0629 "
    "zero\u200bwidth joi\u200dner mark\u200fend",
]
MAX_TITLE = 2000


def assert_shown_literally(page, titles):
    """`titles` are the list's label text, exactly, and no markup or script came out of them."""
    expect(labels(page)).to_have_text(titles)
    # to_have_text normalizes white space; the text itself must match character for character.
    assert labels(page).evaluate_all("ls => ls.map((l) => l.textContent)") == titles
    expect(page.locator(".todo-list").locator("img, script, svg, iframe, a")).to_have_count(0)
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_hostile_titles_are_shown_as_literal_text_and_never_run(app_page):
    add(app_page, *HOSTILE_TITLES)

    assert_shown_literally(app_page, HOSTILE_TITLES)
    assert stored_titles(app_page) == HOSTILE_TITLES


def test_hostile_titles_stay_literal_in_the_early_paint_and_after_python_takes_over(
    context, app_page
):
    add(app_page, *HOSTILE_TITLES)
    held = hold_python(context)
    app_page.reload()
    wait_painted(app_page)
    # Typed before Python is up: boot.js queues and paints this one too.
    typed = '<iframe srcdoc="<script>parent.__pwned=1</script>">'
    app_page.locator(".new-todo").fill(typed)
    app_page.locator(".new-todo").press("Enter")

    expect(app_page.locator("html")).to_have_attribute("data-starting", "")
    assert_shown_literally(app_page, HOSTILE_TITLES + [typed])

    release_python(context, held)
    wait_ready(app_page)
    assert_shown_literally(app_page, HOSTILE_TITLES + [typed])
    assert stored_titles(app_page) == HOSTILE_TITLES + [typed]


def test_editing_to_a_hostile_title_shows_it_literally(app_page):
    add(app_page, "harmless")
    row = items(app_page).first
    for title in HOSTILE_TITLES:
        row.locator("label").dblclick()
        row.locator(".edit").fill(title)
        row.locator(".edit").press("Enter")
        expect(row).not_to_have_class(re.compile(r"\bediting\b"))
        assert_shown_literally(app_page, [title])
        assert stored_titles(app_page) == [title]


def test_a_title_over_the_limit_is_refused_with_the_limit_stated_and_the_text_kept(app_page):
    pasted = ("A very long note pasted from somewhere else. " * 50)[: MAX_TITLE + 1]
    assert len(pasted.strip()) == MAX_TITLE + 1
    field = app_page.locator(".new-todo")
    field.focus()
    app_page.keyboard.insert_text(pasted)
    field.press("Enter")

    expect(notice(app_page)).to_contain_text(f"{MAX_TITLE:,}")
    expect(field).to_have_value(pasted)
    expect(field).to_be_focused()
    expect(items(app_page)).to_have_count(0)
    assert stored(app_page) is None


def test_an_edit_over_the_limit_is_refused_and_the_edit_keeps_its_text(app_page):
    add(app_page, "short")
    row = items(app_page).first
    row.locator("label").dblclick()
    too_long = "x" * (MAX_TITLE + 1)
    row.locator(".edit").fill(too_long)
    row.locator(".edit").press("Enter")

    expect(notice(app_page)).to_contain_text(f"{MAX_TITLE:,}")
    expect(row).to_have_class(re.compile(r"\bediting\b"))
    expect(row.locator(".edit")).to_have_value(too_long)
    assert stored_titles(app_page) == ["short"]


def test_a_title_at_the_limit_is_accepted_and_wraps_inside_the_app(app_page):
    title = "x" * MAX_TITLE  # no break opportunity at all: the worst case for wrapping
    add(app_page, title)

    expect(labels(app_page)).to_have_text([title])
    assert stored_titles(app_page) == [title]
    app = app_page.locator(".todoapp").bounding_box()
    for part in (items(app_page).first, labels(app_page).first):
        box = part.bounding_box()
        assert box["x"] >= app["x"] - 0.5
        assert box["x"] + box["width"] <= app["x"] + app["width"] + 0.5
    assert labels(app_page).first.bounding_box()["height"] > 200  # it wrapped onto many lines
    assert app_page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
