"""Loading the site's pages in Chromium, timed: what the start-up benchmarks share.

bench_startup.py, bench_offline.py and lighthouse.py load the app (and the bare PyScript page) many
times and compare the loads, so the loading, the timing and the checks of each load live here once.
Not a benchmark itself; the benchmarks import it as bench.page_loads (run from the repository root).

`Bench.load` opens a page in a new tab, waits until it is ready (`data-ready` on <html>) and returns
the figures of that load (ms from navigation start, recorded by TIMING_SCRIPT, a MutationObserver
installed before any page script runs); it fails the load on a page error, a Python traceback in
the console, or a request to another origin. A benchmark that needs more figures per load passes
`extra_collect` (a JS async function whose result is merged into the load's figures). The printed
report's helpers are in bench/report.py; the app on the real model is bench/real_model.py.
"""

import json
import re

from playwright.sync_api import Error as PlaywrightError

from bench import ROOT
from bench.report import load_average, service_worker_state, site_lines
from bench.main_thread import MainThreadTrace
from build.browser import CHROMIUM, CHROMIUM_ARGS
from build.serve import SiteServer

# The app's localStorage keys: its list, defined once in index.html (<html data-todos-key>), and the
# assistant's remembered model choice (the key the app calls MODEL_SETTING).
TODOS_KEY = re.search(r'<html[^>]* data-todos-key="([^"]+)"', (ROOT / "index.html").read_text()).group(1)
MODEL_KEY = "tasks-and-talk.model"
SAVED_COUNT = 50
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "PythonError")

PAGES = {
    "app": "/index.html",
    "app50": "/index.html",
    "bare": "/bench/bare/index.html",
}

# Installed with add_init_script: runs in every new document before any of its scripts.
TIMING_SCRIPT = """
(() => {
  const marks = (window.__marks = []);
  const mark = (name) => marks.push([name, performance.now()]);
  const check = () => {
    const html = document.documentElement;
    if (!html) return;
    if (window.__paintedAt === undefined && html.hasAttribute("data-painted")) {
      window.__paintedAt = performance.now();
    }
    if (window.__readyAt === undefined && html.hasAttribute("data-ready")) {
      window.__readyAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-ready", "data-painted"],
  });
  // PyScript's own phases: py:progress on window ("Loading Pyodide", "Loaded interpreter", ...),
  // py:ready / py:done bubbling from the <script type="py"> element.
  addEventListener("py:progress", (event) => mark(String(event.detail)), true);
  addEventListener("py:ready", () => mark("py:ready"), true);
  addEventListener("py:done", () => mark("py:done"), true);
  addEventListener("DOMContentLoaded", () => mark("DOMContentLoaded"), true);
  // Main-thread tasks over 50 ms (the browser's 'longtask' entries), for the longest one in start-up.
  const longTasks = (window.__startupLongTasks = []);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {}
})();
"""

def saved_record(count):
    """The app's storage record of `count` active to-dos ("Task 0", "Task 1", …), as JSON."""
    return json.dumps(
        {
            "version": 1,
            "todos": [{"id": f"id{i}", "title": f"Task {i}", "completed": False, "created": 0} for i in range(count)],
        }
    )


SAVED_RECORD = saved_record(SAVED_COUNT)


def storage_script(record):
    """An init script that puts the page's localStorage in a known state before the app reads it."""
    action = (
        f"localStorage.setItem({json.dumps(TODOS_KEY)}, {json.dumps(record)})"
        if record is not None
        else f"localStorage.removeItem({json.dumps(TODOS_KEY)})"
    )
    return f"try {{ if (location.protocol === 'http:') {action}; }} catch (e) {{}}"


COLLECT = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = Object.fromEntries(performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
  return {
    readyAt: window.__readyAt ?? null,
    paintedAt: window.__paintedAt ?? null,
    marks: window.__marks || [],
    longTasks: window.__startupLongTasks || [],
    fcp: paint["first-contentful-paint"] ?? null,
    domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
    controlledBySW: Boolean(navigator.serviceWorker && navigator.serviceWorker.controller),
    resources: performance.getEntriesByType("resource").map((e) => ({
      url: e.name, start: e.startTime, end: e.responseEnd, transfer: e.transferSize,
      body: e.decodedBodySize, initiator: e.initiatorType,
    })),
  };
}
"""


class LoadError(Exception):
    pass


def watch_errors(page, errors):
    """Append to `errors` each page error of `page` and each Python traceback it logs to its console."""
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: errors.append(f"Python traceback in console: {message.text}")
            if is_traceback(message.text) else None)


def is_traceback(text):
    return any(marker in text for marker in TRACEBACK_MARKERS)


class Bench:
    """Loads pages of the site at `origin` in `browser` and checks each load (see the module docstring)."""

    def __init__(self, playwright, browser, origin, timeout_ms, extra_collect=None):
        self.playwright = playwright
        self.collect = COLLECT
        if extra_collect is not None:
            self.collect = f"async () => Object.assign(({COLLECT})(), await ({extra_collect})())"
        self.browser = browser
        self.origin = origin
        self.timeout_ms = timeout_ms
        self.problems = []
        self.pages = {name: (origin, path) for name, path in PAGES.items()}
        # What each page finds under the app's key in localStorage (None: nothing); pages not named
        # here are left alone.
        self.records = {"app": None, "app50": SAVED_RECORD}
        self._requests = {}  # context -> every request URL it has made (pages and service workers)

    def add_page(self, name, origin, path="/index.html", saved=None):
        """Another page to load, from another server: `bench_startup.py --before` serves the site as it was.
        `saved`: the storage record (JSON) it finds in localStorage."""
        self.pages[name] = (origin, path)
        if saved is not None:
            self.records[name] = saved

    def new_context(self, page_name, profile_dir=None):
        """A context for one page: an in-memory one, or a persistent one with a disk cache in `profile_dir`."""
        if profile_dir is None:
            context = self.browser.new_context()
        else:
            context = self.playwright.chromium.launch_persistent_context(
                profile_dir, executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            for page in context.pages:  # the initial about:blank tab
                page.close()
        log = self._requests[context] = []
        context.on("request", lambda request: log.append(request.url))
        context.add_init_script(TIMING_SCRIPT)
        if page_name in self.records:
            context.add_init_script(storage_script(self.records[page_name]))
        return context

    def close_context(self, context):
        """Close it, then check what it requested after its last load (a service worker's, say)."""
        context.close()
        self._check(self._foreign(self._requests.pop(context)), "after the last load")

    def _foreign(self, urls):
        allowed = tuple({origin + "/" for origin, _ in self.pages.values()}) + ("data:", "blob:")
        return [u for u in urls if not u.startswith(allowed)]

    def _check(self, foreign, page_name, errors=()):
        problems = list(errors) + [f"request to another origin: {u}" for u in foreign]
        if problems:
            self.problems += [f"[{page_name}] {p}" for p in problems]
            raise LoadError("; ".join(problems))

    def load(self, context, page_name, trace_wasm=False, trace_main_thread=False, act=None, reload=False):
        """Open the page in a new tab of `context`; return the figures of this load.

        reload: open it, wait until it is ready, then reload it at once (a visitor pressing Reload
        right after the page came up): the figures are the reload's, whatever the first load left
        running in the background (a service worker installing) competing with it. Its first load's
        ready (ms) is the load's `firstReadyAt`.
        trace_wasm: also record (with a Chromium trace) whether V8 compiled pyodide.asm.wasm or took
        it from its WebAssembly code cache; costs some time, so the measured runs don't do it.
        trace_main_thread: also return the main thread's tasks, from a trace (bench/main_thread.py),
        as `mainThreadTasks` [(start, duration)], ms from navigation start.
        act: called with the page as soon as the navigation commits (before it is ready: it may wait
        for that itself); what it returns is the load's `act`.
        """
        url = "".join(self.pages[page_name])
        errors, warnings = [], []
        log = self._requests[context]
        first = len(log)
        page = context.new_page()
        if trace_wasm:
            tracer = WasmTracer(context, page)
        if trace_main_thread:
            main_thread = MainThreadTrace(context, page)
        watch_errors(page, errors)
        page.on("console", lambda message: warnings.append(f"{message.type}: {message.text}")
                if message.type in ("warning", "error") and not is_traceback(message.text) else None)
        try:
            condition = "window.__readyAt !== undefined"
            if self.records.get(page_name):
                condition += " && window.__paintedAt !== undefined"
            first_ready = None
            if reload:
                page.goto(url, wait_until="commit")
                page.wait_for_function(condition, timeout=self.timeout_ms, polling=50)
                first_ready = page.evaluate("window.__readyAt")
                page.reload(wait_until="commit")
            else:
                page.goto(url, wait_until="commit")
            acted = act(page) if act is not None else None
            try:
                page.wait_for_function(condition, timeout=self.timeout_ms, polling=50)
            except PlaywrightError as error:
                errors.append(f"not ready within {self.timeout_ms} ms ({error.message.splitlines()[0]})")
            result = page.evaluate(self.collect)
            if trace_wasm:
                result["wasm"] = tracer.finish(page)
            if trace_main_thread:
                result["mainThreadTasks"] = main_thread.finish(page)
            result["act"] = acted
            if reload:
                result["firstReadyAt"] = first_ready
        finally:
            page.close()
        requests = log[first:]
        # Requests made between loads (a service worker still installing) are checked here too.
        self._check(self._foreign(log[:first]) + self._foreign(requests), page_name, errors)
        del log[:first]
        result["requests"] = len(requests)
        result["warnings"] = warnings
        return result


class WasmTracer:
    """A Chromium trace of V8's wasm events for one load, via the page's CDP session."""

    CATEGORIES = ["v8.wasm", "disabled-by-default-v8.wasm"]
    FROM_CACHE = {"v8.wasm.moduleCacheHit", "wasm.Deserialize"}

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.names, self.done = set(), []
        self.cdp.on("Tracing.dataCollected", lambda data: self.names.update(e["name"] for e in data["value"]))
        self.cdp.on("Tracing.tracingComplete", lambda data: self.done.append(True))
        self.cdp.send("Tracing.start", {"traceConfig": {"includedCategories": self.CATEGORIES},
                                        "transferMode": "ReportEvents"})

    def finish(self, page):
        self.cdp.send("Tracing.end")
        for _ in range(300):
            if self.done:
                break
            page.wait_for_timeout(100)
        return "code cache" if self.names & self.FROM_CACHE else "compiled"


def rotate(items, n):
    """`items` starting at the n-th: the order of run n, so interleaved cases take turns going first."""
    n %= len(items)
    return items[n:] + items[:n]


def measure_served(before, measure):
    """Serve this checkout (and `before`, another built checkout, if given) on 127.0.0.1 while
    measure(server, before_server) runs; returns (what it returned, the heading's context lines,
    the load average before, this checkout's origin). The servers are shut down whatever happens."""
    context_lines = site_lines(service_worker_state())
    load_before = load_average()
    server = SiteServer("127.0.0.1", 0, root=ROOT).start_in_background()
    before_server = SiteServer("127.0.0.1", 0, root=before.resolve()).start_in_background() if before else None
    if before_server is not None:
        context_lines.append(f"Before:    {before} served on {before_server.origin}")
    try:
        return measure(server, before_server), context_lines, load_before, server.origin
    finally:
        server.shutdown()
        if before_server is not None:
            before_server.shutdown()
