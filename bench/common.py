"""What the benchmarks share: the served site, Chromium, and loading the app with its timings.

Not a benchmark itself. Every benchmark that drives Chromium imports it (each adds the repository
root to sys.path first); nothing here imports test code.

`Bench.load` opens a page in a new tab, waits until it is ready (`data-ready` on <html>) and returns
the figures of that load (ms from navigation start, recorded by TIMING_SCRIPT, a MutationObserver
installed before any page script runs); it fails the load on a page error, a Python traceback in
the console, or a request to another origin. A benchmark that needs more figures per load passes
`extra_collect` (a JS async function whose result is merged into the load's figures).

bench_proposal.py and bench_wllama.py run the app on the real SmolLM2 GGUF: `app_init_script` seeds
the list and the model choice, `route_bench_model` answers models.json with that one model, and
`start_model` opens the app and its panel and starts the model, timed.
"""

import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from app.codec import encode
from build.browser import CHROMIUM, CHROMIUM_ARGS, WEBGPU_ARG  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parent.parent
# The app's localStorage key, defined once in index.html (<html data-todos-key>).
TODOS_KEY = re.search(r'<html[^>]* data-todos-key="([^"]+)"', (ROOT / "index.html").read_text()).group(1)
# The assistant's remembered model choice: the localStorage key the app calls MODEL_SETTING.
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

SAVED_RECORD = json.dumps(
    {
        "version": 1,
        "todos": [
            {"id": f"id{i}", "title": f"Task {i}", "completed": False, "created": 0}
            for i in range(SAVED_COUNT)
        ],
    }
)


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
        self._requests = {}  # context -> every request URL it has made (pages and service workers)

    def add_page(self, name, origin, path="/index.html"):
        """Another page to load, from another server: `bench_startup.py --before` serves the site as it was."""
        self.pages[name] = (origin, path)

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
        if page_name.startswith("app"):
            context.add_init_script(storage_script(SAVED_RECORD if page_name == "app50" else None))
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

    def load(self, context, page_name, trace_wasm=False):
        """Open the page in a new tab of `context`; return the figures of this load.

        trace_wasm: also record (with a Chromium trace) whether V8 compiled pyodide.asm.wasm or took
        it from its WebAssembly code cache; costs some time, so the measured runs don't do it.
        """
        url = "".join(self.pages[page_name])
        errors, warnings = [], []
        log = self._requests[context]
        first = len(log)
        page = context.new_page()
        if trace_wasm:
            tracer = WasmTracer(context, page)
        watch_errors(page, errors)
        page.on("console", lambda message: warnings.append(f"{message.type}: {message.text}")
                if message.type in ("warning", "error") and not is_traceback(message.text) else None)
        try:
            page.goto(url, wait_until="commit")
            condition = "window.__readyAt !== undefined"
            if page_name == "app50":
                condition += " && window.__paintedAt !== undefined"
            try:
                page.wait_for_function(condition, timeout=self.timeout_ms, polling=50)
            except PlaywrightError as error:
                errors.append(f"not ready within {self.timeout_ms} ms ({error.message.splitlines()[0]})")
            result = page.evaluate(self.collect)
            if trace_wasm:
                result["wasm"] = tracer.finish(page)
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
    n %= len(items)
    return items[n:] + items[:n]


# ---------------------------------------------------------------- the app on the real model

GGUF = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
BENCH_MODEL_ID = "SmolLM2-135M-Instruct-Q4_1-bench"


def app_init_script(todos, model_id=BENCH_MODEL_ID):
    """Before the app's scripts: no WebGPU (so the CPU engine), the seeded list and the model choice."""
    return f"""
delete Navigator.prototype.gpu;
localStorage.setItem({json.dumps(TODOS_KEY)}, {json.dumps(encode(todos))});
localStorage.setItem({json.dumps(MODEL_KEY)}, {json.dumps(model_id)});
"""


def route_bench_model(context, model_url, context_window=2048, headers=None):
    """Answer the app's models.json in `context` with one wllama model: the bench's GGUF at `model_url`."""
    body = json.dumps({"models": [{"engine": "wllama", "model_id": BENCH_MODEL_ID, "label": "SmolLM2 135M (bench)",
                                   "url": model_url, "size": 98, "context_window": context_window}]})
    extra = {} if headers is None else {"headers": headers}
    context.route("**/models.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=body, **extra))


def start_model(page, origin, spy=None):
    """Open the app at `origin`, open the assistant's panel and start the chosen model; return the
    seconds from the click on the load button until the message box is enabled.

    spy: a JS function run in the page once it is ready, before the panel opens (to wrap the engine
    module the app is about to use). Raises RuntimeError when the app shows an error instead.
    """
    page.goto(origin + "/")
    page.wait_for_selector("html[data-ready]", state="attached")
    if spy is not None:
        page.evaluate(spy)
    page.locator(".assistant-toggle").click()
    page.wait_for_selector("#model:not([disabled])")
    started = time.perf_counter()
    page.locator(".load-model").click()
    page.wait_for_selector("#message:not([disabled]), .assistant-error:not([hidden])")
    if page.locator(".assistant-error:not([hidden])").count():
        raise RuntimeError("the app could not load the model: " + page.locator(".assistant-error").inner_text())
    return time.perf_counter() - started


def llama_figures(timings):
    """llama.cpp's own counters of one answer (the `timings` of wllama's last chunk), None where absent."""
    timings = timings or {}
    return {"prompt_n": timings.get("prompt_n"), "predicted_n": timings.get("predicted_n"),
            "prefill_tok_s": timings.get("prompt_per_second"),
            "decode_tok_s": timings.get("predicted_per_second")}


# ---------------------------------------------------------------- reporting


def stats(values):
    return statistics.median(values), min(values), max(values)


def fmt(values):
    median, low, high = stats(values)
    return f"{median:7.0f}  ({low:.0f}–{high:.0f})"


def median_of(rows, key):
    """The median of `key` over the rows that have it; None if none has."""
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def number(value, digits=0):
    """A figure for a table cell: "—" for a missing one."""
    return "—" if value is None else f"{value:.{digits}f}"


def phase_medians(loads):
    """Median time of each PyScript phase mark that appears in every load."""
    names = [name for name, _ in loads[0]["marks"]]
    medians = {}
    for name in names:
        times = [dict(load["marks"]).get(name) for load in loads]
        if all(t is not None for t in times):
            medians[name] = statistics.median(times)
    return medians


def resource_summary(loads, origin):
    """Per URL: median fetch end, median bytes over the network (0 = from the HTTP cache)."""
    by_url = {}
    for load in loads:
        for entry in load["resources"]:
            by_url.setdefault(entry["url"].removeprefix(origin), []).append(entry)
    rows = []
    for url, entries in by_url.items():
        rows.append(
            (
                url,
                len(entries) / len(loads),
                statistics.median(e["start"] for e in entries),
                statistics.median(e["end"] for e in entries),
                statistics.median(e["transfer"] for e in entries),
                statistics.median(e["body"] for e in entries),
            )
        )
    return sorted(rows, key=lambda row: row[2])


def longest_task(load, since=None):
    """The longest main-thread task (ms) that started before ready, and at or after the PyScript mark `since`
    if given ("Loaded interpreter": the page's own start, without Pyodide's boot); 0 if none over 50 ms."""
    end = load.get("readyAt")
    begin = dict(load["marks"]).get(since, 0.0) if since else 0.0
    if begin is None:
        return 0.0
    return max((length for start, length in load.get("longTasks", [])
                if start >= begin and (end is None or start < end)), default=0.0)


def ratio_of(values, bases):
    """Interleaved runs: (the ratio of the medians, the median of the per-run ratios)."""
    return (statistics.median(values) / statistics.median(bases),
            statistics.median(v / b for v, b in zip(values, bases)))


def duration(load, start, end):
    marks = dict(load["marks"], readyAt=load["readyAt"], navigation=0.0)
    if marks.get(start) is None or marks.get(end) is None:
        return None
    return marks[end] - marks[start]


PHASES = [
    ("navigation → PyScript starts Pyodide", "navigation", "Loading Pyodide"),
    ("Pyodide interpreter boot", "Loading interpreter", "Loaded interpreter"),
    ("[files] fetched into the FS", "Loading files", "Loaded files"),
    ("page's Python: py:ready → data-ready", "py:ready", "readyAt"),
    ("after the interpreter: → data-ready", "Loaded interpreter", "readyAt"),
]


def print_phases(columns, label_width, cell_width):
    """The PHASES table: a row per phase, a column per {heading: loads}, each cell the median in ms."""
    print(f"{'where the time goes (medians, ms)':{label_width}}"
          + "".join(f"{heading:>{cell_width}}" for heading in columns))
    for label, start, end in PHASES:
        cells = []
        for loads in columns.values():
            values = [d for d in (duration(x, start, end) for x in loads) if d is not None]
            cells.append(f"{statistics.median(values):{cell_width}.0f}" if values else f"{'–':>{cell_width}}")
        print(f"{label:{label_width}}" + "".join(cells))


def print_warnings(loads):
    """The console warnings and errors that the loads saw (Bench.load keeps them; they fail nothing)."""
    warnings = sorted({w for load in loads for w in load["warnings"]})
    if warnings:
        print("\nConsole warnings/errors seen (not failures):")
        for warning in warnings:
            print(f"  {warning[:300]}")


def print_heading(browser_version, context_lines):
    """A report's first lines: the command, the browser, then `context_lines` (site_lines, load_line)."""
    print()
    print(f"Command:   {command_line()}")
    print(f"Chromium:  {browser_version} ({CHROMIUM}, headless, {' '.join(CHROMIUM_ARGS)})")
    for line in context_lines:
        print(line)


def site_lines(sw_state):
    """The commit measured, and whether the app's service worker can install (service_worker_state)."""
    return [f"Site:      {source_version()}", f"SW:        {sw_state}"]


def load_line(load_before):
    """The machine's load average at the end of the run and at its start (`load_before`)."""
    return f"Load avg:  {load_average()} (1/5/15 min) at the end, {load_before} at the start; {os.cpu_count()} CPUs"


def command_line():
    """The command that ran this benchmark, to print with its figures."""
    return f"cd {shlex.quote(str(Path.cwd()))} && {shlex.join(sys.orig_argv)}"


def load_average():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def source_version():
    """The commit measured, and whether the working tree differs from it."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"],
                               capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"git {head}" + (f" + {len(dirty)} uncommitted change(s)" if dirty else " (clean)")


def service_worker_state():
    """The app's service worker installs only if precache-manifest.js matches the files served."""
    try:
        from build import precache

        text = (ROOT / "precache-manifest.js").read_text()
        version = precache.manifest()["version"]
    except (ImportError, OSError, KeyError, AttributeError) as error:
        return f"precache manifest not checked ({error.__class__.__name__})"
    if version in text:
        return "precache-manifest.js up to date: the app's service worker can install"
    return ("precache-manifest.js is STALE (run `make build`): the app's service worker will refuse to "
            "install, so no load is served by it")
