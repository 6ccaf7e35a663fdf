"""Start-up benchmark: the app against a bare PyScript page on the same vendored runtime.

Run: `.venv/bin/python build/bench_startup.py [--runs 7] [--details] [--wasm-cache]` (or `make bench`).
A benchmark, not a test: it prints medians and the ratios against their targets and exits 0
whatever the figures are. It exits non-zero only when a load goes wrong: a page error, a Python
traceback in the console, a request to another origin (pages and service workers alike), or a
page that never gets ready. docs/benchmarks.md has the figures and what they mean.

Pages (served in-process by build/serve.py on 127.0.0.1):
  app     /index.html, localStorage empty
  app50   /index.html with a saved list of 50 to-dos (key `tasks-and-talk.todos`)
  bare    /bench/bare/index.html: PyScript + the vendored Pyodide, Python sets data-ready only

Figures, in ms from navigation start (`performance.now()` in the page, recorded by a
MutationObserver installed before any page script runs):
  ready    when `data-ready` appears on <html> (the app sets it when it is interactive)
  painted  when `data-painted` appears (assets/boot.js: the saved list is visible)
Cold: a new (in-memory) browser context per load: empty HTTP cache. Warm: one persistent context
per page (a throw-away profile with a disk cache, as a returning visitor has), loaded once to warm
its HTTP cache, then each measured load is a new tab navigating to the page in that context.
Loads are interleaved (app, app50, bare in a rotating order) so machine noise hits all of them.

Targets: app ready / bare ready <= 1.15; app50 saved-list visible / bare ready <= 0.3.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from build.serve import SiteServer  # noqa: E402

from build.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
TODOS_KEY = "tasks-and-talk.todos"
SAVED_COUNT = 50
READY_TARGET = 1.15
PAINTED_TARGET = 0.3
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


class Bench:
    def __init__(self, playwright, browser, origin, timeout_ms):
        self.playwright = playwright
        self.browser = browser
        self.origin = origin
        self.timeout_ms = timeout_ms
        self.problems = []
        self._requests = {}  # context -> every request URL it has made (pages and service workers)

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
        return [u for u in urls if not u.startswith((self.origin + "/", "data:", "blob:"))]

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
        url = self.origin + PAGES[page_name]
        errors, warnings = [], []
        log = self._requests[context]
        first = len(log)
        page = context.new_page()
        if trace_wasm:
            tracer = WasmTracer(context, page)
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))

        def console(message):
            if any(marker in message.text for marker in TRACEBACK_MARKERS):
                errors.append(f"Python traceback in console: {message.text}")
            elif message.type in ("warning", "error"):
                warnings.append(f"{message.type}: {message.text}")

        page.on("console", console)
        try:
            page.goto(url, wait_until="commit")
            condition = "window.__readyAt !== undefined"
            if page_name == "app50":
                condition += " && window.__paintedAt !== undefined"
            try:
                page.wait_for_function(condition, timeout=self.timeout_ms, polling=50)
            except PlaywrightError as error:
                errors.append(f"not ready within {self.timeout_ms} ms ({error.message.splitlines()[0]})")
            result = page.evaluate(COLLECT)
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


def wasm_cache_check(bench, loads=3):
    """Per page, in a fresh profile: did each load compile pyodide.asm.wasm or reuse V8's cached code?"""
    found = {}
    with tempfile.TemporaryDirectory(prefix="bench-wasm-cache-") as profiles:
        for name in ("bare", "app"):
            context = bench.new_context(name, profile_dir=str(Path(profiles) / name))
            try:
                found[name] = []
                for _ in range(loads):
                    load = bench.load(context, name, trace_wasm=True)
                    boot = duration(load, "Loading interpreter", "Loaded interpreter")
                    found[name].append((load["wasm"], boot))
            finally:
                bench.close_context(context)
    return found


def cold_runs(bench, runs, order):
    results = {name: [] for name in PAGES}
    for run in range(runs):
        for name in rotate(order, run):
            context = bench.new_context(name)
            try:
                results[name].append(bench.load(context, name))
            finally:
                bench.close_context(context)
        progress("cold", run + 1, runs, results)
    return results


def warm_runs(bench, runs, order):
    # Persistent contexts (a profile with a disk cache), one per page: an in-memory context's HTTP
    # cache never keeps pyodide.asm.wasm (9.6 MB), so "warm" would re-download it on every load.
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as profiles:
        contexts = {}
        try:
            for name in PAGES:
                contexts[name] = bench.new_context(name, profile_dir=str(Path(profiles) / name))
            return _warm_runs(bench, runs, order, contexts)
        finally:
            for context in contexts.values():
                bench.close_context(context)


def _warm_runs(bench, runs, order, contexts):
    for name in order:
        bench.load(contexts[name], name)  # warm-up load: fills this context's HTTP cache
    results = {name: [] for name in PAGES}
    for run in range(runs):
        for name in rotate(order, run):
            results[name].append(bench.load(contexts[name], name))
        progress("warm", run + 1, runs, results)
    return results


def rotate(items, n):
    n %= len(items)
    return items[n:] + items[:n]


def progress(label, done, runs, results):
    ready = "  ".join(f"{name} {results[name][-1]['readyAt']:.0f}" for name in PAGES)
    print(f"  {label} run {done}/{runs}: ready ms  {ready}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- reporting


def stats(values):
    return statistics.median(values), min(values), max(values)


def fmt(values):
    median, low, high = stats(values)
    return f"{median:7.0f}  ({low:.0f}–{high:.0f})"


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
]


def report(results, origin, args, browser_version, context_lines, details=False):
    print()
    print(f"Command:   cd {shlex.quote(str(Path.cwd()))} && {shlex.join(sys.orig_argv)}")
    print(f"Chromium:  {browser_version} ({CHROMIUM}, headless, {' '.join(CHROMIUM_ARGS)})")
    for line in context_lines:
        print(line)
    print(f"Runs:      {args.runs} per page and cache state, interleaved; median (min–max), ms from navigation start")
    print()
    header = f"{'':38}{'cold':>22}{'warm':>22}"
    print(header)
    print("-" * len(header))
    rows = [
        ("bare: ready", "bare", "readyAt"),
        ("app (empty list): ready", "app", "readyAt"),
        ("app (50 saved): saved list visible", "app50", "paintedAt"),
        ("app (50 saved): ready", "app50", "readyAt"),
    ]
    for label, page, key in rows:
        cells = []
        for state in ("cold", "warm"):
            values = [load[key] for load in results[state][page] if load[key] is not None]
            cells.append(fmt(values) if values else "n/a")
        print(f"{label:38}{cells[0]:>22}{cells[1]:>22}")
    print()

    verdicts = []
    print(f"{'ratio of medians (median of per-run)':38}{'cold':>22}{'warm':>22}{'target':>10}")
    for label, page, key, target in (
        ("app ready / bare ready", "app", "readyAt", READY_TARGET),
        ("app50 ready / bare ready", "app50", "readyAt", None),
        ("saved list visible / bare ready", "app50", "paintedAt", PAINTED_TARGET),
    ):
        ratios, cells = {}, []
        for state in ("cold", "warm"):
            loads, bares = results[state][page], results[state]["bare"]
            ratios[state] = statistics.median(x[key] for x in loads) / statistics.median(b["readyAt"] for b in bares)
            paired = statistics.median(x[key] / b["readyAt"] for x, b in zip(loads, bares))
            cells.append(f"{ratios[state]:.2f} ({paired:.2f})")
        target_text = f"≤ {target}" if target else ""
        print(f"{label:38}{cells[0]:>22}{cells[1]:>22}{target_text:>10}")
        if target:
            met = {state: ratios[state] <= target for state in ratios}
            verdict = "MET" if all(met.values()) else "MISSED"
            states = ", ".join(f"{state} {ratios[state]:.2f} {'ok' if met[state] else 'over'}" for state in ratios)
            verdicts.append(f"{verdict:6}  {label} ≤ {target}: {states}")
    print()
    for line in verdicts:
        print(line)

    print()
    print(f"{'where the time goes (medians, ms)':38}" + "".join(
        f"{state + ' ' + page:>11}" for state in ("cold", "warm") for page in ("bare", "app")))
    for label, start, end in PHASES:
        cells = []
        for state in ("cold", "warm"):
            for page in ("bare", "app"):
                values = [d for d in (duration(x, start, end) for x in results[state][page]) if d is not None]
                cells.append(f"{statistics.median(values):11.0f}" if values else f"{'–':>11}")
        print(f"{label:38}" + "".join(cells))

    warnings = sorted({w for state in results.values() for loads in state.values() for load in loads
                       for w in load["warnings"]})
    if warnings:
        print("\nConsole warnings/errors seen (not failures):")
        for warning in warnings:
            print(f"  {warning[:300]}")
    if details:
        print_details(results, origin)


def print_details(results, origin):
    print()
    print("Breakdown (medians, ms from navigation start): PyScript phases and the end of each fetch")
    for state in ("cold", "warm"):
        for page in ("bare", "app"):
            loads = results[state][page]
            print(f"\n  {state} {page}:")
            marks = phase_medians(loads)
            print("    " + "  ".join(f"{name} {t:.0f}" for name, t in marks.items()))
            ready = statistics.median(load["readyAt"] for load in loads)
            if "py:ready" in marks:
                print(f"    py:ready → data-ready (running the page's Python): {ready - marks['py:ready']:.0f} ms")
            requests = statistics.median(load["requests"] for load in loads)
            net = statistics.median(sum(e["transfer"] for e in load["resources"]) for load in loads)
            print(f"    requests (page and service worker) {requests:.0f}, bytes over the network {net / 1e6:.2f} MB, "
                  f"service-worker controlled: {any(load['controlledBySW'] for load in loads)}")
            for url, per_load, start, end, transfer, body in resource_summary(loads, origin):
                extra = f" ×{per_load:g}" if per_load != 1 else ""
                print(f"    {start:6.0f} → {end:6.0f}  {transfer / 1e3:9.1f} kB net {body / 1e3:9.1f} kB  {url}{extra}")


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured loads per page and cache state (default 7)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one page to be ready")
    parser.add_argument("--json", type=Path, help="also write every load's raw figures to this file")
    parser.add_argument("--details", action="store_true",
                        help="also print each page's PyScript phases and every fetch (start → end, bytes)")
    parser.add_argument("--wasm-cache", action="store_true",
                        help="then trace 3 loads of each page in a fresh profile: was pyodide.asm.wasm compiled, "
                             "or taken from V8's code cache?")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    context_lines = [f"Site:      {source_version()}", f"SW:        {service_worker_state()}"]
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    server = SiteServer("127.0.0.1", 0, root=ROOT).start_in_background()
    order = list(PAGES)
    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                bench = Bench(playwright, browser, server.origin, int(args.timeout * 1000))
                print(f"Benchmarking on {server.origin} with Chromium {browser.version}", file=sys.stderr)
                try:
                    results = {"cold": cold_runs(bench, args.runs, order),
                               "warm": warm_runs(bench, args.runs, order)}
                    wasm_cache = wasm_cache_check(bench) if args.wasm_cache else None
                except (LoadError, PlaywrightError) as error:
                    print("\nBenchmark aborted: a load went wrong.", file=sys.stderr)
                    for problem in bench.problems or [str(error).splitlines()[0]]:
                        print(f"  {problem}", file=sys.stderr)
                    return 1
                version = browser.version
            finally:
                browser.close()
    finally:
        server.shutdown()
    context_lines.append(f"Load avg:  {' '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min) at the end, "
                         f"{load_before} at the start; {os.cpu_count()} CPUs")
    report(results, server.origin, args, version, context_lines, details=args.details)
    if wasm_cache:
        print("\nV8 WebAssembly code cache, 3 traced loads per page in a fresh profile (1st load = first visit):")
        for name, loads in wasm_cache.items():
            print(f"  {name:5} " + " | ".join(f"{how}, interpreter boot {boot:.0f} ms" for how, boot in loads))
    print(f"\n({time.monotonic() - started:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps({"chromium": version, "runs": args.runs, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
