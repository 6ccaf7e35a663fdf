"""Small helpers shared by the e2e tests."""

import json

from playwright.sync_api import expect

TODOS_KEY = "tasks-and-talk.todos"


def add(page, *titles):
    field = page.locator(".new-todo")
    for title in titles:
        field.fill(title)
        field.press("Enter")
    expect(field).to_have_value("")


def items(page):
    return page.locator(".todo-list li")


def item(page, title):
    return page.locator(".todo-list li", has=page.get_by_text(title, exact=True))


def stored(page):
    """The parsed record in localStorage."""
    return json.loads(page.evaluate(f"localStorage.getItem({json.dumps(TODOS_KEY)})") or "null")


def stored_titles(page):
    record = stored(page)
    return [t["title"] for t in record["todos"]] if record else []


def store_raw(page, text):
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [TODOS_KEY, text])
