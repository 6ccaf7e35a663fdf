"""Small helpers shared by the e2e tests."""

import json
import re
from urllib.parse import urlparse
from pathlib import Path

from playwright.sync_api import expect

INDEX = Path(__file__).resolve().parents[2] / "index.html"
TODOS_KEY = re.search(r'<html[^>]* data-todos-key="([^"]+)"', INDEX.read_text()).group(1)


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


# Storage set-up and start-up control (used by test_storage, test_security and test_startup).

BACKUP_PREFIX = TODOS_KEY + ".backup."
PYTHON_WASM = "**/pyodide.asm.wasm"
READY_TIMEOUT_MS = 60000  # the same cap as conftest's open_app: starting Python takes seconds


def seed_storage(context, text):
    """Store `text` under the to-do key before the app's scripts run in each new tab of `context`.

    Once per tab (a reload keeps what the app saved since), so open one seeded tab per test.
    """
    context.add_init_script(
        script=f"""
        try {{
          if (location.protocol === "http:" && !sessionStorage.getItem("e2e.seeded")) {{
            sessionStorage.setItem("e2e.seeded", "1");
            localStorage.setItem({json.dumps(TODOS_KEY)}, {json.dumps(text)});
          }}
        }} catch (error) {{}}
        """
    )


def seed_todos(context, todos):
    """Seed a version-1 record holding `todos` (dicts with id, title, completed, created)."""
    seed_storage(context, json.dumps({"version": 1, "todos": todos}))


def hold_python(context):
    """Hold Pyodide's wasm download in every tab of `context`: the page paints, Python cannot start.

    Returns the list the held routes are appended to; pass it to release_python.
    """
    held = []
    context.route(PYTHON_WASM, lambda route: held.append(route))
    return held


def release_python(context, held):
    """Let the held (and any later) wasm requests through."""
    for route in held:
        route.continue_()
    held.clear()
    context.unroute(PYTHON_WASM)  # a request held since then falls through to the network


def wait_ready(page):
    page.wait_for_selector("html[data-ready]", state="attached", timeout=READY_TIMEOUT_MS)


def wait_painted(page):
    page.wait_for_selector("html[data-painted]", state="attached", timeout=READY_TIMEOUT_MS)


SNAPSHOT_TIMEOUT_MS = 90000  # a second Pyodide boots in a worker: seconds on this machine


def wait_snapshot_settled(page):
    """Wait until the first visit's Python snapshot (assets/python-snapshot.mjs) is saved or given up.

    Its worker fetches Pyodide's files; a reload while it does aborts them.
    """
    page.wait_for_function(
        "['saved', 'unavailable'].includes(document.documentElement.dataset.pythonSnapshot)",
        timeout=SNAPSHOT_TIMEOUT_MS,
    )
    return page.locator("html").get_attribute("data-python-snapshot")


def expected_python_thread(page, isolated_thread="worker"):
    """Where the app's Python should run on this ready page (assets/boot.js): on the main thread when
    it was restored from a snapshot, else `isolated_thread` (the e2e run's --python-thread)."""
    restored = page.locator("html").get_attribute("data-python-snapshot") == "restored"
    return "main" if restored else isolated_thread


def reload_ready(page):
    page.reload()
    wait_ready(page)


# Two saved to-dos, one open and one done (start-up and hand-over tests).
SAVED = [
    {"id": "s1", "title": "buy milk", "completed": False, "created": 1700000000000},
    {"id": "s2", "title": "call mum", "completed": True, "created": 1700000000001},
]


def html(page):
    return page.locator("html")


def labels(page):
    return page.locator(".todo-list li label")


def notice(page):
    return page.locator(".notice[role=alert] p")


def backups(page):
    """{key: text} of every backup the app made in localStorage."""
    return page.evaluate(
        """(prefix) => Object.fromEntries(Object.keys(localStorage)
            .filter((k) => k.startsWith(prefix)).map((k) => [k, localStorage.getItem(k)]))""",
        BACKUP_PREFIX,
    )


def fetched_paths(page, watch):
    """The paths this page has fetched: its own Resource Timing record, and the watch's requests.

    The record lists what the service worker answered from its cache (such requests were once
    missing from Playwright's events under load, making a test flaky); the watch's requests also
    have what a worker fetched (Python's, where it runs in one), which the page's record has not.
    """
    return set(page.evaluate(
        """() => performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname)"""
    )) | {urlparse(url).path for url in watch.requests}
