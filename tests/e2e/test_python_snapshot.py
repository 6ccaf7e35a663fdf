"""A returning visit starts Python from a memory snapshot kept on this device (assets/python-snapshot.mjs),
on the page's main thread, wherever the first visit's Python ran (each test runs in both modes:
--python-thread; test_isolation.py has a snapshot restored in a worker).

The first visit boots Python as usual; once the page is ready and idle, a worker boots an untouched
interpreter, snapshots it and stores it in Cache Storage; the next start restores it. A snapshot that
cannot be used (another version, truncated, corrupted) is dropped and remade, and a device with no
room for one still starts, every time, the usual way.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import READY_TIMEOUT_MS, add, labels, reload_ready, stored_titles, wait_snapshot_settled
from tests.e2e.site_copy import PYTHON_SNAPSHOT_CACHE as CACHE_NAME


# The stored snapshot: [its byte length, its x-pyodide-version header, the bytes it says it has].
STORED = """async (name) => {
  const cache = await caches.open(name);
  const [request] = await cache.keys();
  if (!request) return null;
  const response = await cache.match(request);
  const length = (await response.arrayBuffer()).byteLength;
  return [length, response.headers.get("x-pyodide-version"), Number(response.headers.get("x-snapshot-bytes"))];
}"""

# Replace the stored snapshot: ["garbage" | "truncated" | "other version"].
SPOIL = """async ([name, how]) => {
  const cache = await caches.open(name);
  const [request] = await cache.keys();
  const response = await cache.match(request);
  let bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  if (how === "garbage") bytes = bytes.map((_, i) => (i * 7) & 255);
  if (how === "truncated") bytes = bytes.slice(0, bytes.length >> 1);
  if (how === "other version") headers.set("x-pyodide-version", "0.0.1");
  await cache.put(request, new Response(bytes, { headers }));
}"""


# Pyodide wraps its entry points with WebAssembly.promising as it loads where it uses JSPI; this
# counts those calls in the page's own thread.
COUNT_PROMISING = """(() => {
  const promising = WebAssembly.promising;
  globalThis.__promisingCalls = 0;
  if (promising) WebAssembly.promising = function (...args) {
    globalThis.__promisingCalls++;
    return promising.apply(this, args);
  };
})();"""
JSPI_STATE = "[globalThis.__promisingCalls, typeof WebAssembly.Suspending]"


def snapshot_state(page):
    return page.locator("html").get_attribute("data-python-snapshot")


def test_a_returning_visit_restores_python_from_the_snapshot_the_first_visit_saved(app_page):
    assert snapshot_state(app_page) in (None, "making")  # the first visit booted Python itself
    assert wait_snapshot_settled(app_page) == "saved"
    length, version, said = app_page.evaluate(STORED, CACHE_NAME)
    assert length == said > 1_000_000
    assert version == app_page.evaluate("import('/vendor/pyodide/pyodide.mjs').then((m) => m.version)")

    reload_ready(app_page)
    assert snapshot_state(app_page) == "restored"
    # Restored on the main thread, where it holds the thread for less than a boot (assets/boot.js).
    assert app_page.locator("html").get_attribute("data-python") == "main"
    add(app_page, "Buy milk")
    expect(labels(app_page)).to_have_text(["Buy milk"])
    assert stored_titles(app_page) == ["Buy milk"]


# Two interpreters restored in the page by the loader itself, each drawing from Python's random module.
TWO_RESTORED_DRAWS = """async () => {
  const { loadPyodide } = await import("/assets/python-snapshot.mjs");
  const draws = [];
  for (const _ of [1, 2]) {
    const pyodide = await loadPyodide();
    draws.push([
      globalThis.pythonSnapshot,
      pyodide.runPython("import random; random.random()"),
      pyodide.runPython("import sys; sys.path.count('')"),
    ]);
  }
  return draws;
}"""


def test_each_python_restored_from_the_snapshot_draws_its_own_random_numbers(app_page):
    """Restored memory would replay the random module's state on every start; the loader reseeds it.

    And sys.path starts as after a boot: Pyodide puts "" in front again when it restores.
    """
    assert wait_snapshot_settled(app_page) == "saved"
    (first_state, first, first_blanks), (second_state, second, second_blanks) = app_page.evaluate(TWO_RESTORED_DRAWS)
    assert first_state == second_state == "restored"
    assert first != second
    assert first_blanks == second_blanks == 1


@pytest.mark.parametrize("how", ["garbage", "truncated", "other version"])
def test_a_snapshot_that_cannot_be_used_is_replaced_and_python_starts_as_usual(app_page, how):
    add(app_page, "Kept")
    assert wait_snapshot_settled(app_page) == "saved"
    app_page.evaluate(SPOIL, [CACHE_NAME, how])

    reload_ready(app_page)
    assert snapshot_state(app_page) != "restored"
    expect(labels(app_page)).to_have_text(["Kept"])
    add(app_page, "Added after")
    expect(labels(app_page)).to_have_text(["Kept", "Added after"])

    assert wait_snapshot_settled(app_page) == "saved"
    length, _, said = app_page.evaluate(STORED, CACHE_NAME)
    assert length == said > 1_000_000
    reload_ready(app_page)
    assert snapshot_state(app_page) == "restored"


def test_with_no_room_for_a_snapshot_python_starts_as_usual_every_time(context, open_app, site):
    page = open_app(wait_ready=False)
    # The browser's own quota for this site, far below one snapshot: its write fails as on a full disk.
    cdp = context.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": site.origin, "quotaSize": 2_000_000})
    page.wait_for_selector("html[data-ready]", state="attached", timeout=READY_TIMEOUT_MS)
    assert wait_snapshot_settled(page) == "unavailable"
    add(page, "Still works")

    reload_ready(page)
    assert snapshot_state(page) != "restored"
    expect(labels(page)).to_have_text(["Still works"])
    assert page.evaluate(STORED, CACHE_NAME) is None


def test_python_on_the_main_thread_runs_without_jspi_and_leaves_it_to_the_engines(context, open_app):
    # Chromium 156 now and then crashes a renderer that scans a JSPI stack on its main thread
    # (docs/benchmarks-main-thread.md); wllama's WebGPU build needs WebAssembly.Suspending later.
    context.add_init_script(script=COUNT_PROMISING)
    page = open_app()
    assert page.evaluate(JSPI_STATE) == [0, "function"]  # a boot: in a worker, or here without JSPI
    assert wait_snapshot_settled(page) == "saved"
    reload_ready(page)
    assert page.locator("html").get_attribute("data-python") == "main"
    assert page.evaluate(JSPI_STATE) == [0, "function"]  # a restore, without JSPI
    add(page, "Buy milk")
    expect(labels(page)).to_have_text(["Buy milk"])
