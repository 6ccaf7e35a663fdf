"""Start-up benchmark: the app against a bare PyScript page on the same vendored runtime.

Run: `.venv/bin/python -m bench.bench_startup [--runs 7] [--details] [--wasm-cache] [--before DIR]` (or
`make bench`); `--reload` measures the reload case (below) instead of cold and warm. `--before DIR` also loads another checkout of the site (vendor/ and precache-manifest.js
built), served on a second port, as the page `before`, interleaved with the others: a change measured
against what it replaced in one run.
A benchmark, not a test: it prints medians and the ratios against their targets and exits 0
whatever the figures are. It exits non-zero only when a load goes wrong: a page error, a Python
traceback in the console, a request to another origin (pages and service workers alike), or a
page that never gets ready. docs/benchmarks.md has the figures and what they mean.

Pages (served in-process by build/serve.py on 127.0.0.1):
  app     /index.html, localStorage empty
  app50   /index.html with a saved list of 50 to-dos (key `tasks-and-talk.todos`)
  bare    /bench/bare/index.html: PyScript + the vendored Pyodide, Python sets data-ready only
  before  (with --before DIR) DIR's /index.html, localStorage empty
The loading and timing machinery is bench/page_loads.py's `Bench`.

Figures, in ms from navigation start (`performance.now()` in the page, recorded by a
MutationObserver installed before any page script runs):
  ready    when `data-ready` appears on <html> (the app sets it when it is interactive)
  painted  when `data-painted` appears (assets/boot.js: the saved list is visible)
  longest task  the longest main-thread task that started before ready ('longtask' entries, > 50 ms);
           it is Pyodide's boot, so also: the longest from "Loaded interpreter" on (the page's own start).
           The observer is installed before any page script (bench/page_loads.py), and so it sees
           Pyodide's boot: on 15 first visits of app, app200 and bare, its longest entry was within
           13 ms of the trace's longest task (bench/bench_main_thread.py prints both; an observer
           that a page script makes can miss it). The loads here are not traced, so that tracing
           does not slow them; bench/bench_main_thread.py has the traced figures (tasks over 200 ms,
           total blocking time) of a first visit.
Cold: a new (in-memory) browser context per load: empty HTTP cache. Warm: one persistent context
per page (a throw-away profile with a disk cache, as a returning visitor has), loaded once to warm
its HTTP cache and left open until the first visit's background work is done (the app's service
worker installed, its Python memory snapshot stored), then each measured load is a new tab navigating
to the page in that context.
Reload (`--reload`, instead of cold and warm): a visitor who reloads straight after the first visit.
Per load a fresh persistent context (disk cache, service workers allowed, as warm has): the page
is loaded, and the moment it is ready it is reloaded in the same tab; the figures are the reload's.
What the first visit started in the background (the app's service worker installing the site's
~50 MB) is still running then. Pages app, bare (and before).
Loads are interleaved (app, app50, bare in a rotating order) so machine noise hits all of them.

Targets (issue 9): app ready / bare ready <= 1.05 cold and <= 1.0 warm; app50 saved-list visible /
bare ready <= 0.3. Reload: app ready / bare ready <= 1.15 (the background work yields to the visit).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.page_loads import PAGES, Bench, LoadError, measure_served, rotate
from bench.report import (
    duration, fmt, load_line, longest_task, phase_medians, print_heading, print_phases, print_warnings,
    ratio_of, resource_summary,
)
from build.browser import CHROMIUM, CHROMIUM_ARGS

READY_TARGET = {"cold": 1.05, "warm": 1.0}
RELOAD_TARGET = 1.15
PAINTED_TARGET = {"cold": 0.3, "warm": 0.3}
STATES = ("cold", "warm")


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
    results = {name: [] for name in order}
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
            for name in order:
                contexts[name] = bench.new_context(name, profile_dir=str(Path(profiles) / name))
            return _warm_runs(bench, runs, order, contexts)
        finally:
            for context in contexts.values():
                bench.close_context(context)


# What a returning visitor's first visit left behind, once it had run for a while: the service worker
# installed and the Python memory snapshot stored (assets/python-snapshot.mjs), on pages that have them.
# Resolves to "timed out" after timeoutMs (a service worker that never installs, say).
FIRST_VISIT_SETTLED = """async (timeoutMs) => {
  const loaded = (file) => performance.getEntriesByType("resource").some((e) => e.name.endsWith(file));
  const done = () => ["saved", "unavailable", "restored"].includes(document.documentElement.dataset.pythonSnapshot);
  const settled = (async () => {
    if (loaded("/pwa.js")) await navigator.serviceWorker.ready;
    while (loaded("/python-snapshot.mjs") && !done()) await new Promise((resolve) => setTimeout(resolve, 50));
    return "settled";
  })();
  return Promise.race([settled, new Promise((resolve) => setTimeout(() => resolve("timed out"), timeoutMs))]);
}"""


def first_visit(bench, context, name):
    """The warm-up load: fills the context's HTTP cache and waits for its background work to finish."""
    origin, path = bench.pages[name]
    page = context.new_page()
    try:
        page.goto(origin + path)
        page.wait_for_function("window.__readyAt !== undefined", timeout=bench.timeout_ms, polling=50)
        if page.evaluate(FIRST_VISIT_SETTLED, bench.timeout_ms) != "settled":
            raise LoadError(f"[{name}] the first visit's service worker or Python snapshot never settled")
    finally:
        page.close()


def _warm_runs(bench, runs, order, contexts):
    for name in order:
        first_visit(bench, contexts[name], name)
    results = {name: [] for name in order}
    for run in range(runs):
        for name in rotate(order, run):
            results[name].append(bench.load(contexts[name], name))
        progress("warm", run + 1, runs, results)
    return results


# Merged into each reload's figures: what the first visit's background work was doing when the reload
# was ready (the service worker still installing, or done; the Python snapshot's state in this page).
RELOAD_COLLECT = """async () => {
  const registration = navigator.serviceWorker && (await navigator.serviceWorker.getRegistration());
  const sw = !registration ? "none" : registration.installing ? "installing"
    : registration.waiting ? "waiting" : registration.active ? "active" : "none";
  return { swAtReady: sw, snapshotAtReady: document.documentElement.dataset.pythonSnapshot ?? null,
           swEvents: window.__swEvents || [] };
}"""
# In every document of a reload's context: when the service worker that the first visit registered
# was installing, and when it got installed/activated, in ms of this document (window.__swEvents).
SW_EVENTS_SCRIPT = """
(() => {
  const events = (window.__swEvents = []);
  if (!navigator.serviceWorker) return;
  if (navigator.serviceWorker.controller) events.push(["controlled", 0]);
  navigator.serviceWorker.getRegistration().then((registration) => {
    if (!registration) return events.push(["no registration", performance.now()]);
    const worker = registration.installing || registration.waiting || registration.active;
    const name = registration.installing ? "installing" : registration.waiting ? "waiting" : "active";
    if (!worker) return events.push(["no worker", performance.now()]);
    events.push([name, performance.now()]);
    worker.addEventListener("statechange", () => events.push([worker.state, performance.now()]));
  });
})();
"""


def reload_runs(bench, runs, order):
    """Per run and page, a fresh profile: load, and reload the moment it is ready (see the docstring)."""
    results = {name: [] for name in order}
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as profiles:
        for run in range(runs):
            for name in rotate(order, run):
                context = bench.new_context(name, profile_dir=str(Path(profiles) / f"{name}-{run}"))
                context.add_init_script(SW_EVENTS_SCRIPT)
                try:
                    results[name].append(bench.load(context, name, reload=True))
                finally:
                    bench.close_context(context)
            progress("reload", run + 1, runs, results)
    return results


def report_reload(results, args, browser_version, context_lines):
    print_heading(browser_version, context_lines)
    print(f"Runs:      {args.runs} per page, interleaved, each in a fresh profile; median (min–max), "
          "ms from the reload's navigation start")
    print()
    pages = [name for name in ("bare", "before", "app") if name in results]
    print(f"{'reload straight after the first visit':44}{'first visit ready':>22}{'reload ready':>22}")
    for name in pages:
        print(f"{name:44}{fmt([x['firstReadyAt'] for x in results[name]]):>22}"
              f"{fmt([x['readyAt'] for x in results[name]]):>22}")
    print()
    print(f"{'ratio of medians (median of per-run)':44}{'first visit':>22}{'reload':>22}{'target':>10}")
    bare = results["bare"]
    verdict = None
    for name in [n for n in pages if n != "bare"]:
        first, first_paired = ratio_of([x["firstReadyAt"] for x in results[name]], [b["firstReadyAt"] for b in bare])
        ratio, paired = ratio_of([x["readyAt"] for x in results[name]], [b["readyAt"] for b in bare])
        target = f"≤ {RELOAD_TARGET}" if name == "app" else ""
        print(f"{name + ' / bare':44}{f'{first:.2f} ({first_paired:.2f})':>22}{f'{ratio:.2f} ({paired:.2f})':>22}{target:>10}")
        if name == "app":
            verdict = f"{'MET' if ratio <= RELOAD_TARGET else 'MISSED':6}  app reload / bare reload ≤ {RELOAD_TARGET}: {ratio:.2f}"
    if verdict:
        print()
        print(verdict)
    print()
    for name in pages:
        states = [f"{x['swAtReady']}/{x['snapshotAtReady']}" for x in results[name]]
        print(f"{name}: at the reload's ready, service worker/snapshot: {', '.join(states)}")
        if args.details:
            for x in results[name]:
                events = " ".join(f"{what}@{at:.0f}" for what, at in x["swEvents"])
                print(f"    reload ready {x['readyAt']:.0f}: service worker {events or '–'}; requests {x['requests']}")
    print()
    print_phases({page: results[page] for page in pages}, 38, 12)
    print_warnings([load for loads in results.values() for load in loads])


def progress(label, done, runs, results):
    ready = "  ".join(f"{name} {results[name][-1]['readyAt']:.0f}" for name in results)
    print(f"  {label} run {done}/{runs}: ready ms  {ready}", file=sys.stderr, flush=True)


def report(results, origin, args, browser_version, context_lines, details=False):
    print_heading(browser_version, context_lines)
    print(f"Runs:      {args.runs} per page and cache state, interleaved; median (min–max), ms from navigation start")
    print()
    before = "before" in results["cold"]
    print_figures(results, before)
    print()
    print_ratios(results, before)
    print()
    shown = ("bare", "before", "app") if before else ("bare", "app")
    print_phases({f"{state} {page}": results[state][page] for state in STATES for page in shown}, 38, 12)
    print_warnings([load for state in results.values() for loads in state.values() for load in loads])
    if details:
        print_details(results, origin)


def print_figures(results, before):
    """Per page, cold and warm: ready (and saved list visible), the longest task, the longest after
    the interpreter."""
    header = f"{'':38}{'cold':>22}{'warm':>22}"
    print(header)
    print("-" * len(header))
    rows = [
        ("bare: ready", "bare", "readyAt"),
        *([("before (empty list): ready", "before", "readyAt")] if before else []),
        ("app (empty list): ready", "app", "readyAt"),
        ("app (50 saved): saved list visible", "app50", "paintedAt"),
        ("app (50 saved): ready", "app50", "readyAt"),
    ]
    for label, page, key in rows:
        cells = []
        for state in STATES:
            values = [load[key] for load in results[state][page] if load[key] is not None]
            cells.append(fmt(values) if values else "n/a")
        print(f"{label:38}{cells[0]:>22}{cells[1]:>22}")
    for label, page in (("bare: longest task until ready", "bare"),
                        *([("before (empty list): longest task", "before")] if before else []),
                        ("app (empty list): longest task", "app"), ("app (50 saved): longest task", "app50")):
        cells = [fmt([longest_task(load) for load in results[state][page]]) for state in STATES]
        print(f"{label:38}{cells[0]:>22}{cells[1]:>22}")
    # The longest task above is Pyodide's boot, the same for every page; what the page adds comes after.
    for label, page in (("bare: longest after the interpreter", "bare"),
                        *([("before: longest after the interpreter", "before")] if before else []),
                        ("app: longest after the interpreter", "app"), ("app50: longest after the interpreter", "app50")):
        cells = [fmt([longest_task(load, since="Loaded interpreter") for load in results[state][page]])
                 for state in STATES]
        print(f"{label:38}{cells[0]:>22}{cells[1]:>22}")


def print_ratios(results, before):
    """Each page against the bare page's ready, cold and warm, with a verdict where issue 9 sets a target."""
    verdicts = []
    print(f"{'ratio of medians (median of per-run)':38}{'cold':>22}{'warm':>22}{'target':>10}")
    for label, page, key, target in (
        *([("before ready / bare ready", "before", "readyAt", None)] if before else []),
        ("app ready / bare ready", "app", "readyAt", READY_TARGET),
        ("app50 ready / bare ready", "app50", "readyAt", None),
        ("saved list visible / bare ready", "app50", "paintedAt", PAINTED_TARGET),
    ):
        ratios, cells = {}, []
        for state in STATES:
            ratios[state], paired = ratio_of([x[key] for x in results[state][page]],
                                             [b["readyAt"] for b in results[state]["bare"]])
            cells.append(f"{ratios[state]:.2f} ({paired:.2f})")
        target_text = f"≤ {target['cold']}/{target['warm']}" if target else ""
        print(f"{label:38}{cells[0]:>22}{cells[1]:>22}{target_text:>10}")
        if target:
            met = {state: ratios[state] <= target[state] for state in ratios}
            verdict = "MET" if all(met.values()) else "MISSED"
            states = ", ".join(f"{state} {ratios[state]:.2f} {'ok' if met[state] else 'over'}" for state in ratios)
            verdicts.append(f"{verdict:6}  {label} ≤ {target['cold']} cold, ≤ {target['warm']} warm: {states}")
    print()
    for line in verdicts:
        print(line)


def print_details(results, origin):
    print()
    print("Breakdown (medians, ms from navigation start): PyScript phases and the end of each fetch")
    for state in STATES:
        for page in [name for name in ("bare", "before", "app") if name in results[state]]:
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured loads per page and cache state (default 7)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one page to be ready")
    parser.add_argument("--json", type=Path, help="also write every load's raw figures to this file")
    parser.add_argument("--details", action="store_true",
                        help="also print each page's PyScript phases and every fetch (start → end, bytes)")
    parser.add_argument("--before", type=Path,
                        help="also load this checkout of the site (built) as the page 'before', interleaved")
    parser.add_argument("--reload", action="store_true",
                        help="measure instead a reload straight after the first visit, in a fresh profile per load "
                             "(app, bare and before)")
    parser.add_argument("--wasm-cache", action="store_true",
                        help="then trace 3 loads of each page in a fresh profile: was pyodide.asm.wasm compiled, "
                             "or taken from V8's code cache?")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    started = time.monotonic()
    measured, context_lines, load_before, origin = measure_served(args.before, lambda server, before_server:
                                                          measure(server, before_server, args))
    if measured is None:
        return 1
    results, wasm_cache, version = measured
    context_lines.append(load_line(load_before))
    if args.reload:
        report_reload(results, args, version, context_lines)
    else:
        report(results, origin, args, version, context_lines, details=args.details)
    if wasm_cache:
        print("\nV8 WebAssembly code cache, 3 traced loads per page in a fresh profile (1st load = first visit):")
        for name, loads in wasm_cache.items():
            print(f"  {name:5} " + " | ".join(f"{how}, interpreter boot {boot:.0f} ms" for how, boot in loads))
    print(f"\n({time.monotonic() - started:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps({"chromium": version, "runs": args.runs, "results": results}, indent=1))
    return 0


def measure(server, before_server, args):
    """The cold and warm runs (and the wasm cache check) in one Chromium: (results, wasm_cache, the
    browser's version), or None when a load went wrong (said on stderr)."""
    order = (["app", "bare"] if args.reload else list(PAGES)) + (["before"] if before_server is not None else [])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            bench = Bench(playwright, browser, server.origin, int(args.timeout * 1000),
                          extra_collect=RELOAD_COLLECT if args.reload else None)
            if before_server is not None:
                bench.add_page("before", before_server.origin)
            print(f"Benchmarking on {server.origin} with Chromium {browser.version}", file=sys.stderr)
            try:
                if args.reload:
                    results, wasm_cache = reload_runs(bench, args.runs, order), None
                else:
                    results = {"cold": cold_runs(bench, args.runs, order), "warm": warm_runs(bench, args.runs, order)}
                    wasm_cache = wasm_cache_check(bench) if args.wasm_cache else None
            except (LoadError, PlaywrightError) as error:
                print("\nBenchmark aborted: a load went wrong.", file=sys.stderr)
                for problem in bench.problems or [str(error).splitlines()[0]]:
                    print(f"  {problem}", file=sys.stderr)
                return None
            return results, wasm_cache, browser.version
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
