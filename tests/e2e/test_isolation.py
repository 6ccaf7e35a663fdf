"""Cross-origin isolation: on the dev server at once; on a host without the headers, from the second visit.

Isolation gives wllama its threads and lets Pyodide use SharedArrayBuffer without a deprecation
warning. The headers come from build/serve.py, or from sw.js on hosts that cannot set them.
"""

import pytest
from playwright.sync_api import expect

from build.serve import ISOLATION_HEADERS
from tests.e2e.helpers import wait_snapshot_settled
from tests.e2e.site_copy import (
    ServiceWorkerApp,
    SiteCopy,
    is_controlled,
    reload_ready,
    wait_activated,
)

NOTE = "tasks-and-talk.python-snapshot"  # index.html's data-python-snapshot-key
ISOLATED = "crossOriginIsolated && typeof SharedArrayBuffer === 'function'"


@pytest.mark.needs_headers
def test_the_dev_server_sends_coop_and_coep_and_the_page_is_isolated_with_python_in_a_worker(
    site, app_page
):
    response = app_page.request.get(site.origin + "/")
    assert {name: response.headers.get(name.lower()) for name in ISOLATION_HEADERS} == ISOLATION_HEADERS
    assert app_page.evaluate(ISOLATED) is True
    expect(app_page.locator("html")).to_have_attribute("data-python", "worker")
    app_page.locator(".new-todo").fill("isolated")
    app_page.locator(".new-todo").press("Enter")
    expect(app_page.locator(".todo-list li label")).to_have_text(["isolated"])


@pytest.fixture
def plain_host(tmp_path):
    """A copy of the site on a static server that sends no COOP/COEP headers."""
    copy = SiteCopy.create(tmp_path / "site")
    copy.write_manifest()
    copy.serve(sends_headers=False)
    yield copy
    copy.stop()


def test_a_host_without_the_headers_runs_python_on_the_main_thread_then_in_a_worker_once_isolated_until_a_snapshot_is_noted(
    browser, plain_host
):
    app = ServiceWorkerApp(browser, plain_host)
    try:
        page = app.open()
        response = page.request.get(plain_host.url("/"))
        assert "cross-origin-embedder-policy" not in response.headers
        assert page.evaluate("crossOriginIsolated") is False
        expect(page.locator("html")).to_have_attribute("data-python", "main")  # no host loses the app
        wait_activated(page)
        assert wait_snapshot_settled(page) == "saved"
        # A stored snapshot is restored on the main thread (assets/boot.js reads the note); without
        # the note (kept from before notes existed, or lost), Python starts in a worker and notes it.
        assert page.evaluate(f"localStorage.getItem('{NOTE}')") == "stored"
        page.evaluate(f"localStorage.removeItem('{NOTE}')")

        reload_ready(page)
        assert is_controlled(page)
        assert page.evaluate(ISOLATED) is True
        expect(page.locator("html")).to_have_attribute("data-python", "worker")
        expect(page.locator("html")).to_have_attribute("data-python-snapshot", "restored")
        page.wait_for_function(f"localStorage.getItem('{NOTE}') === 'stored'")
        page.locator(".new-todo").fill("isolated after one visit")
        page.locator(".new-todo").press("Enter")
        expect(page.locator(".todo-list li label")).to_have_text(["isolated after one visit"])

        reload_ready(page)  # noted again: restored on the main thread
        expect(page.locator("html")).to_have_attribute("data-python", "main")
        expect(page.locator("html")).to_have_attribute("data-python-snapshot", "restored")
        expect(page.locator(".todo-list li label")).to_have_text(["isolated after one visit"])
        app.watch.check()
    finally:
        app.close()
