"""The loads of bench_offline.py: the service worker installed, one measured load, and its checks.

Each case (online, offline) loads `PAGE` in a persistent profile whose service worker
`install_service_worker` has installed and let control the page; `measured_load` is one load in a
new tab (bench/page_loads.py's Bench.load, with EXTRA_COLLECT's fields and a network probe), with
what reached the case's CountingServer (bench/counting_server.py); `premise_problems` says what makes
a load not what the benchmark says it measures (not controlled by the service worker, the network
not cut offline, ...). Not a benchmark itself.
"""

import time

from playwright.sync_api import Error as PlaywrightError

from bench.counting_server import request_path
from bench.page_loads import PAGES, SAVED_COUNT, watch_errors
from build.browser import WAIT_ACTIVATED

PAGE = "app50"  # /index.html with the 50 saved to-dos
CASES = ["online", "offline"]
SETTLE_S = 3.0  # after the last load: time for late requests to reach the servers

PROBE = "bench-offline-probe"

# What bench/page_loads.py's COLLECT returns, plus what this benchmark checks on each load. The probe, run
# after the figures are taken, fetches a file that the service worker does not keep (so it goes to
# the network): offline it must fail without reaching the server, online it gets the file.
EXTRA_COLLECT = """async () => {
  let probe;
  try {
    const response = await fetch("/README.md?PROBE=" + Date.now(), { cache: "no-store" });
    probe = `HTTP ${response.status}`;
  } catch (error) {
    probe = `failed (${error.name})`;
  }
  return {
    onLine: navigator.onLine,
    offlineShown: document.documentElement.hasAttribute("data-offline"),
    rows: document.querySelectorAll(".todo-list > li").length,
    probe,
  };
}""".replace("PROBE", PROBE)


def install_service_worker(bench, context, timeout_ms):
    """First visit; wait until the service worker is activated; reload so that it controls the page."""
    url = bench.origin + PAGES[PAGE]
    errors = []
    page = context.new_page()
    watch_errors(page, errors)
    started = time.monotonic()
    timings = {}
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function("window.__readyAt !== undefined", timeout=timeout_ms, polling=50)
        timings["first visit ready"] = time.monotonic() - started
        state = page.evaluate(WAIT_ACTIVATED, timeout_ms)
        timings["activated"] = time.monotonic() - started
        if state != "activated":
            errors.append(f"service worker: {state} (is precache-manifest.js up to date? run `make build`)")
        else:
            page.reload(wait_until="commit")
            page.wait_for_function("window.__readyAt !== undefined && window.__paintedAt !== undefined",
                                   timeout=timeout_ms, polling=50)
            if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
                errors.append("the reload after activation is not controlled by the service worker")
    except PlaywrightError as error:
        errors.append(f"set-up visit failed: {error.message.splitlines()[0]}")
    finally:
        page.close()
    bench._check([], "set-up", errors)  # raises LoadError if anything went wrong
    return timings


DISCONNECTED = "Failed to load resource: net::ERR_INTERNET_DISCONNECTED"


def measured_load(bench, server, context, case, failed, trace_wasm=False):
    """One load in a new tab (Bench.load), plus what reached the server and which requests failed.

    failed: the context's log of failed requests (url, error text), appended to by a listener.
    """
    mark, first_failure = server.mark(), len(failed)
    load = bench.load(context, PAGE, trace_wasm=trace_wasm)
    received = server.since(mark)
    load["case"] = case
    load["serverRequests"] = [r for r in received if PROBE not in r]  # what the load itself sent
    load["probeReachedServer"] = len(received) > len(load["serverRequests"])
    load["failedRequests"] = [f"{url} ({error})" for url, error in failed[first_failure:] if PROBE not in url]
    if load["probe"].startswith("failed") and DISCONNECTED in " ".join(load["warnings"]):
        load["warnings"].remove(f"error: {DISCONNECTED}")  # the probe's own failure, as expected offline
    return load


def premise_problems(load, case, traced=False):
    """What makes this load not what the benchmark says it measures."""
    problems = []
    if not load["controlledBySW"]:
        problems.append("not controlled by the service worker")
    # A second CDP session (the wasm trace) makes navigator.onLine read true in an offline tab,
    # although its network stays cut (the probe still fails): only untraced loads are held to it.
    if not traced and load["onLine"] != (case == "online"):
        problems.append(f"navigator.onLine is {load['onLine']}")
    if load["rows"] != SAVED_COUNT:
        problems.append(f"{load['rows']} rows in the list, not {SAVED_COUNT}")
    if case == "offline":
        if load["serverRequests"]:
            problems.append(f"{len(load['serverRequests'])} request(s) reached the server: "
                            + ", ".join(request_path(r) for r in load["serverRequests"]))
        if load["probeReachedServer"] or not load["probe"].startswith("failed"):
            problems.append(f"the network is not cut: a fetch of a file the service worker does not keep "
                            f"gave {load['probe']}")
    elif load["probe"] != "HTTP 200":
        problems.append(f"the network is not on: a fetch of a file the service worker does not keep "
                        f"gave {load['probe']}")
    return problems


def set_up(bench, server, context, timeout_ms):
    """The service worker installed and controlling; the set-up's timings and server requests."""
    mark = server.mark()
    setup = install_service_worker(bench, context, timeout_ms)
    setup["serverRequests"] = len(server.since(mark))
    return setup
