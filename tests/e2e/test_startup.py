"""Start-up: the runtime comes from this site, the saved list shows before Python, nothing typed is lost.

What is clicked before Python is up, and the rows held across the hand-over: test_hand_over.py.
"""

import urllib.request
from html.parser import HTMLParser
from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.e2e.assistant_helpers import open_assistant
from tests.e2e.helpers import (
    SAVED,
    INDEX,
    add,
    fetched_paths,
    hold_python,
    html,
    items,
    labels,
    notice,
    release_python,
    seed_todos,
    stored,
    stored_titles,
    wait_painted,
    wait_ready,
)

MAX_TITLE = 2000


def status(page):
    """The start-up status line (the app bar has a status of its own: the connection badge)."""
    return page.locator(".todoapp .status[role=status]")


class LinkedFiles(HTMLParser):
    """The site's own files that index.html names in <script src> and <link href>."""

    def __init__(self):
        super().__init__()
        self.paths = []

    def handle_starttag(self, tag, attrs):
        url = dict(attrs).get({"script": "src", "link": "href"}.get(tag, ""))
        if url and url.startswith("./"):
            self.paths.append(url[1:])


def test_every_script_stylesheet_and_preload_the_page_names_is_served(site):
    """A file renamed or moved (a vendored runtime's new version, say) must not leave the page naming it."""
    linked = LinkedFiles()
    linked.feed(INDEX.read_text())
    assert "/vendor/pyscript/core.js" in linked.paths and len(linked.paths) > 8
    for path in linked.paths:
        with urllib.request.urlopen(site.origin + path) as response:
            assert response.status == 200, path
            assert response.read(), path


ASSISTANT_FILES = {"/app/assistant/controller.py", "/app/assistant/views/chat.py", "/app/assistant/engines/js_adapter.py",
                   "/app/assistant/__init__.py", "/app/assistant/requests/prompts.py", "/assets/markdown.js"}


def test_the_runtime_loads_from_this_origin_and_the_assistant_is_not_loaded_at_start(app_page, watch):
    app_page.wait_for_load_state("networkidle")

    paths = {urlparse(url).path for url in watch.requests}
    assert {
        "/vendor/pyodide/pyodide.asm.wasm",
        "/vendor/pyodide/python_stdlib.zip",
        "/vendor/pyscript/core.js",
    } <= paths
    # Only the list's Python: WebLLM, the assistant's modules, engines and markdown wait for the panel.
    assert not [p for p in paths if p.startswith("/vendor/web-llm/")]
    assert not paths & ASSISTANT_FILES
    assert "/app/todos/view.py" in paths

    open_assistant(app_page)  # and the page's record has them once the panel is opened
    paths = fetched_paths(app_page, watch)
    assert [p for p in paths if p.startswith("/vendor/web-llm/")]
    assert ASSISTANT_FILES <= paths, ASSISTANT_FILES - paths
    assert watch.foreign_requests() == []


def test_the_saved_list_is_painted_before_python_is_ready_and_a_todo_typed_meanwhile_is_kept(
    context, open_app
):
    seed_todos(context, SAVED)
    held = hold_python(context)
    page = open_app(wait_ready=False)
    wait_painted(page)

    expect(labels(page)).to_have_text(["buy milk", "call mum"])
    expect(items(page)).to_have_class(["", "completed"])
    expect(html(page)).to_have_attribute("data-starting", "")
    expect(html(page)).not_to_have_attribute("data-ready", "")
    expect(status(page)).to_have_text("Starting Python…")
    expect(status(page)).to_be_visible()

    field = page.locator(".new-todo")
    expect(field).to_be_focused()
    field.fill("typed while starting")
    field.press("Enter")
    expect(field).to_have_value("")
    expect(labels(page)).to_have_text(["buy milk", "call mum", "typed while starting"])
    assert stored_titles(page) == ["buy milk", "call mum"]  # queued, not yet saved

    release_python(context, held)
    wait_ready(page)

    expect(labels(page)).to_have_text(["buy milk", "call mum", "typed while starting"])
    expect(items(page)).to_have_class(["", "completed", ""])
    expect(status(page)).to_be_hidden()
    expect(html(page)).not_to_have_attribute("data-starting", "")
    record = stored(page)
    assert [(t["title"], t["completed"]) for t in record["todos"]] == [
        ("buy milk", False),
        ("call mum", True),
        ("typed while starting", False),
    ]
    assert record["todos"][:2] == SAVED


def test_a_too_long_title_typed_before_python_is_ready_comes_back_to_the_input(context, open_app):
    held = hold_python(context)
    page = open_app(wait_ready=False)
    wait_painted(page)
    too_long = "y" * (MAX_TITLE + 1)
    field = page.locator(".new-todo")
    field.fill(too_long)
    field.press("Enter")
    expect(labels(page)).to_have_text([too_long])  # queued by boot.js, which has no limit

    release_python(context, held)
    wait_ready(page)

    expect(notice(page)).to_contain_text(f"{MAX_TITLE:,}")
    expect(field).to_have_value(too_long)
    expect(items(page)).to_have_count(0)
    assert stored(page) is None


def test_data_ready_is_set_when_the_app_is_interactive_and_the_input_keeps_its_focus_and_text(
    context, open_app
):
    held = hold_python(context)
    page = open_app(wait_ready=False)
    wait_painted(page)
    expect(html(page)).to_have_attribute("data-starting", "")
    field = page.locator(".new-todo")
    expect(field).to_be_focused()
    field.press_sequentially("half typed")  # no Enter yet

    release_python(context, held)
    wait_ready(page)

    expect(html(page)).not_to_have_attribute("data-starting", "")
    expect(field).to_be_focused()
    expect(field).to_have_value("half typed")
    # Interactive at once: Enter now goes to Python, which adds and saves.
    field.press("Enter")
    expect(field).to_have_value("")
    expect(labels(page)).to_have_text(["half typed"])
    expect(items(page).first.locator(".toggle")).to_be_enabled()
    assert stored_titles(page) == ["half typed"]


def test_the_filter_in_the_url_is_applied_by_the_early_paint_and_kept_by_python(context, open_app):
    seed_todos(context, SAVED)
    held = hold_python(context)
    page = open_app("/#/completed", wait_ready=False)
    wait_painted(page)

    def assert_completed_filter():
        expect(labels(page)).to_have_text(["call mum"])
        expect(page.get_by_role("link", name="Completed")).to_have_class("selected")
        expect(page.get_by_role("link", name="All")).not_to_have_class("selected")
        expect(page.locator(".todo-count")).to_have_text("1 item left")
        expect(page.locator(".clear-completed")).to_be_visible()

    expect(html(page)).not_to_have_attribute("data-ready", "")
    assert_completed_filter()

    release_python(context, held)
    wait_ready(page)
    assert_completed_filter()


def test_a_filter_chosen_before_python_is_ready_is_applied_and_kept(context, open_app):
    seed_todos(context, SAVED)
    held = hold_python(context)
    page = open_app(wait_ready=False)
    wait_painted(page)
    expect(labels(page)).to_have_text(["buy milk", "call mum"])

    page.get_by_role("link", name="Active").click()
    expect(labels(page)).to_have_text(["buy milk"])
    expect(page.get_by_role("link", name="Active")).to_have_class("selected")
    expect(html(page)).not_to_have_attribute("data-ready", "")

    release_python(context, held)
    wait_ready(page)
    expect(labels(page)).to_have_text(["buy milk"])
    expect(page.get_by_role("link", name="Active")).to_have_class("selected")
    add(page, "new and active")
    expect(labels(page)).to_have_text(["buy milk", "new and active"])


ASSISTANT_MAIN = "**/app/assistant/__init__.py"


def assistant_toggle(page):
    return page.get_by_role("button", name="Ask the assistant about your list")


def test_the_toggle_says_the_assistant_is_loading_until_its_modules_are_in_then_opens_the_panel(
    context, app_page, watch
):
    held = []
    context.route(ASSISTANT_MAIN, lambda route: held.append(route))
    toggle = assistant_toggle(app_page)
    toggle.focus()
    app_page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-busy", "true")
    expect(app_page.locator(".assistant .assistant-loading[role=status]")).to_have_text("Loading the assistant…")
    expect(app_page.locator(".assistant-loading")).to_be_visible()
    expect(app_page.locator("#assistant-panel")).to_be_hidden()
    expect(toggle).to_be_enabled()

    for route in held:
        route.continue_()
    context.unroute(ASSISTANT_MAIN)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(app_page.get_by_role("combobox", name="Model")).to_be_enabled(timeout=30000)
    expect(app_page.locator("#assistant-panel")).to_be_visible()
    expect(toggle).not_to_have_attribute("aria-busy", "true")
    expect(app_page.locator(".assistant-loading")).to_be_hidden()
    assert {"/app/assistant/controller.py", "/app/assistant/views/chat.py",
            "/app/assistant/__init__.py"} <= fetched_paths(app_page, watch)

    toggle.press("Enter")  # the same button, now the panel's, closes it
    expect(app_page.locator("#assistant-panel")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_an_assistant_that_cannot_be_fetched_says_so_and_the_next_press_loads_it(context, app_page):
    context.route(ASSISTANT_MAIN, lambda route: route.abort())
    toggle = assistant_toggle(app_page)
    toggle.click()

    status = app_page.locator(".assistant-loading")
    expect(status).to_have_text("The assistant could not be loaded. Press the button to try again.")
    expect(status).to_be_visible()
    expect(toggle).not_to_have_attribute("aria-busy", "true")
    expect(app_page.locator("#assistant-panel")).to_be_hidden()

    context.unroute(ASSISTANT_MAIN)
    toggle.click()
    expect(app_page.get_by_role("combobox", name="Model")).to_be_enabled(timeout=30000)
    expect(app_page.locator("#assistant-panel")).to_be_visible()
    expect(status).to_be_hidden()
