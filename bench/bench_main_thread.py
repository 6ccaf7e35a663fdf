"""Main-thread benchmark: what Python's start and the to-do list cost the page's main thread, from traces.

Run: `.venv/bin/python -m bench.bench_main_thread [--runs 5] [--toggles 20] [--before DIR] [--json FILE]`.
`--before DIR` also loads another checkout of the site (vendor/ and precache-manifest.js built),
served on a second port, interleaved with the others, and prints it side by side with ratios.
A benchmark, not a test: it prints medians and exits 0 whatever the figures are. It exits non-zero
only when a load goes wrong: a page error, a Python traceback in the console, a request to another
origin, a page that never gets ready, a trace without the page's main thread.
docs/benchmarks-main-thread.md has the figures and what they mean.

Every load is a first visit (a new in-memory browser context: empty caches, no service worker, no
Python snapshot), and the loads are interleaved: each run loads every case in an order that rotates.
Main-thread tasks come from a Chromium trace of the load (bench/main_thread.py: the renderer main
thread's top-level tasks), not from the page's PerformanceObserver('longtask'), which does not
report Pyodide's boot. Times are ms from navigation start on the page's clock.

  (a) load     app (/index.html, empty list), bare (bench/bare/: PyScript + the vendored Pyodide,
               nothing else), before: navigation → `<html data-ready>`, traced. The longest
               main-thread task, the tasks over 200 ms, the total blocking time (Σ over 50 ms of
               every task) and the time to ready.
  (b) typed    app, before, not traced: a title is typed into the new-todo input as soon as it can
               be (Playwright's fill: the input visible and editable), then Enter. Enter (the key
               event's timeStamp) → the row with that title visible in the list (a MutationObserver
               in the page). assets/boot.js shows a title typed before Python is up; Enter waits
               in the queue while the main thread runs a task.
  (c) 200      app and before with 200 saved to-dos (`tasks-and-talk.todos`), traced: the list
               painted (`data-painted`, assets/boot.js) and ready; then, 1 s after ready, the
               101st to-do's checkbox clicked `--toggles` times, one at a time: main-thread work
               per toggle = the length of every task that starts between the pointerdown and the
               frame after the row's class changed (a rAF, then a message: the frame is done);
               and pointerdown → class change.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.main_thread import TraceError, blocking_figures, work_in
from bench.page_loads import Bench, LoadError, measure_served, rotate, saved_record
from bench.report import load_line, print_heading, print_warnings, ratio_of
from build.browser import CHROMIUM, CHROMIUM_ARGS

SAVED = 200
TOGGLED_ROW = 101  # the middle of the list, in view once scrolled to
TYPED_TITLE = "Typed while Python starts"
SETTLE_MS = 1000  # after ready, before the first toggle: the first visit's own tail

# Installed before any page script in the (b) and (c) contexts: the Enter and the row it adds, each
# pointerdown on a row and the class change of that row, and the end of the frame after each.
PAGE_SCRIPT = """
(() => {
  const state = (window.__mainThread = { typed: null, toggles: [] });
  const afterFrame = (record) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { record.frameAt = performance.now(); };
    channel.port2.postMessage(null);
  });
  addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.key !== "Enter" || state.typed || !(input instanceof HTMLInputElement) || !input.matches(".new-todo")) return;
    state.typed = { title: input.value.trim(), enterAt: event.timeStamp, handledAt: performance.now(),
                    readyThen: document.documentElement.hasAttribute("data-ready") };
  }, true);
  addEventListener("pointerdown", (event) => {
    const row = event.target instanceof Element && event.target.closest(".todo-list li");
    if (row) state.toggles.push({ row, downAt: event.timeStamp, handledAt: performance.now() });
  }, true);
  new MutationObserver((records) => {
    const now = performance.now();
    const typed = state.typed;
    if (typed && typed.rowAt === undefined) {
      for (const label of document.querySelectorAll(".todo-list li label")) {
        if (label.textContent.trim() === typed.title && label.checkVisibility()) {
          typed.rowAt = now;
          afterFrame(typed);
          break;
        }
      }
    }
    const toggle = state.toggles[state.toggles.length - 1];
    if (toggle && toggle.changedAt === undefined
        && records.some((r) => r.type === "attributes" && r.target === toggle.row)) {
      toggle.changedAt = now;
      afterFrame(toggle);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true,
                         attributeFilter: ["class"] });
})();
"""
# Says on the console when Pyodide's wasm module is instantiated: Python's initialisation, the long
# task, follows at once on the main thread (the console message reaches Playwright while it runs).
BOOT_SIGNAL = "bench: pyodide.asm.wasm instantiated"
BOOT_SCRIPT = """
(() => {
  // Pyodide instantiates a tiny module of its own first; the interpreter's is streamed, or bytes.
  const big = (name, source) => name === "instantiateStreaming" || (source && source.byteLength > 1e6);
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = function (...args) {
      const result = original.apply(this, args);
      return big(name, args[0]) ? result.then((done) => { console.log(%s); return done; }) : result;
    };
  }
})();
""" % json.dumps(BOOT_SIGNAL)
TYPED = "() => { const t = window.__mainThread.typed; return t && t.frameAt !== undefined ? t : null; }"
TOGGLES = "() => window.__mainThread.toggles.map(({ row, ...times }) => times)"


def wasm_downloaded(request):
    return request.url.endswith("/pyodide.asm.wasm")


def type_a_todo(timeout_ms, at_boot, boot_signal="console"):
    """Type the title as soon as the input can take it; Enter at once, or (at_boot) once the page says
    Pyodide's wasm is instantiated: while Python initialises. With boot_signal "wasm", once the wasm's
    download has finished instead: the signal there is for a page whose Python runs in a worker,
    where the page's init script does not run."""
    def act(page):
        if at_boot and boot_signal == "wasm":
            with page.context.expect_event("requestfinished", wasm_downloaded, timeout=timeout_ms):
                page.fill(".new-todo", TYPED_TITLE, timeout=timeout_ms)
        elif at_boot:
            with page.expect_console_message(lambda message: message.text == BOOT_SIGNAL, timeout=timeout_ms):
                page.fill(".new-todo", TYPED_TITLE, timeout=timeout_ms)
        else:
            page.fill(".new-todo", TYPED_TITLE, timeout=timeout_ms)
        page.keyboard.press("Enter")
        page.wait_for_function(TYPED, timeout=timeout_ms, polling=50)
        return page.evaluate(TYPED)
    return act


def toggle_one_row(count, timeout_ms):
    def act(page):
        page.wait_for_function("window.__readyAt !== undefined", timeout=timeout_ms, polling=50)
        page.wait_for_timeout(SETTLE_MS)
        checkbox = f".todo-list li:nth-child({TOGGLED_ROW}) .toggle"
        for done in range(count):
            page.click(checkbox, timeout=timeout_ms)
            page.wait_for_function(
                f"() => {{ const t = window.__mainThread.toggles; return t.length > {done} && t[{done}].frameAt !== undefined; }}",
                timeout=timeout_ms, polling=20)
            page.wait_for_timeout(100)
        return page.evaluate(TOGGLES)
    return act


def cases(before):
    """{case: (page, kind)}, in the order of a run."""
    found = {"bare": ("bare", "load"), "app": ("app", "load"), "app typed": ("app", "typed"),
             "app typed at boot": ("app", "typed at boot"), "app200": ("app200", "toggles")}
    if before:
        found.update({"before": ("before", "load"), "before typed": ("before", "typed"),
                      "before typed at boot": ("before", "typed at boot"), "before200": ("before200", "toggles")})
    return found


def measure_case(bench, page_name, kind, args):
    context = bench.new_context(page_name)
    if kind != "load":
        context.add_init_script(PAGE_SCRIPT)
    if kind == "typed at boot":
        context.add_init_script(BOOT_SCRIPT)
    timeout_ms = int(args.timeout * 1000)
    try:
        if kind.startswith("typed"):
            load = bench.load(context, page_name, act=type_a_todo(timeout_ms, at_boot=kind == "typed at boot",
                                                                 boot_signal=args.boot_signal))
        elif kind == "toggles":
            load = bench.load(context, page_name, trace_main_thread=True, act=toggle_one_row(args.toggles, timeout_ms))
        else:
            load = bench.load(context, page_name, trace_main_thread=True)
    finally:
        bench.close_context(context)
    return figures(load, kind)


def figures(load, kind):
    """One load's figures (ms), by kind of case."""
    out = {"ready": load["readyAt"], "painted": load["paintedAt"], "warnings": load["warnings"]}
    tasks = load.get("mainThreadTasks")
    if tasks is not None:
        out.update(blocking_figures(tasks, 0.0, load["readyAt"]))
    # What the page's own PerformanceObserver('longtask') (bench/page_loads.py, installed before any
    # page script) saw, for comparison with the trace.
    out["longestObserved"] = max((length for start, length in load["longTasks"] if start < load["readyAt"]),
                                 default=0.0)
    if kind.startswith("typed"):
        typed = load["act"]
        out.update(enterToRow=typed["rowAt"] - typed["enterAt"], enterAt=typed["enterAt"],
                   enterWait=typed["handledAt"] - typed["enterAt"], typedBeforeReady=not typed["readyThen"])
    if kind == "toggles":
        toggles = load["act"]
        out["toggleWork"] = statistics.median(work_in(tasks, t["downAt"], t["frameAt"]) for t in toggles)
        out["toggleLatency"] = statistics.median(t["changedAt"] - t["downAt"] for t in toggles)
        out["toggleFrame"] = statistics.median(t["frameAt"] - t["downAt"] for t in toggles)
        out["toggleLongest"] = max(blocking_figures(tasks, t["downAt"], t["frameAt"])["longest"] for t in toggles)
    return out


def run_all(bench, order, args):
    results = {case: [] for case in order}
    for run in range(args.runs):
        for case in rotate(list(order), run):
            page_name, kind = order[case]
            results[case].append(measure_case(bench, page_name, kind, args))
        line = "  ".join(f"{case} {results[case][-1]['ready']:.0f}" for case in order)
        print(f"  run {run + 1}/{args.runs}: ready ms  {line}", file=sys.stderr, flush=True)
    return results


ROWS = [
    # label, case, key, digits; the ratio columns pair app cases with bare and before
    ("(a) cold first visit → data-ready", None, None, 0),
    ("longest main-thread task", "{app}", "longest", 0),
    ("tasks over 200 ms", "{app}", "over200", 1),
    ("total blocking time (Σ over 50 ms)", "{app}", "blocking", 0),
    ("main thread busy", "{app}", "busy", 0),
    ("ready", "{app}", "ready", 0),
    ("longest 'longtask' entry (page's own)", "{app}", "longestObserved", 0),
    ("(b) to-do typed as soon as the input shows", None, None, 0),
    ("Enter → row visible", "{app} typed", "enterToRow", 0),
    ("Enter → its keydown handled", "{app} typed", "enterWait", 0),
    ("Enter pressed at", "{app} typed", "enterAt", 0),
    ("(b') the same, Enter once Pyodide's wasm is instantiated", None, None, 0),
    ("Enter → row visible", "{app} typed at boot", "enterToRow", 0),
    ("Enter → its keydown handled", "{app} typed at boot", "enterWait", 0),
    ("Enter pressed at", "{app} typed at boot", "enterAt", 0),
    ("(c) 200 saved to-dos", None, None, 0),
    ("list painted (data-painted)", "{app}200", "painted", 0),
    ("ready", "{app}200", "ready", 0),
    ("longest task to ready", "{app}200", "longest", 0),
    ("toggle: main-thread work", "{app}200", "toggleWork", 1),
    ("toggle: pointerdown → class change", "{app}200", "toggleLatency", 1),
    ("toggle: pointerdown → frame done", "{app}200", "toggleFrame", 1),
    ("toggle: longest task (a load's max)", "{app}200", "toggleLongest", 1),
]


def values(results, case, key):
    return [r[key] for r in results.get(case, []) if r.get(key) is not None]


def cell(xs, digits):
    if not xs:
        return "—"
    return f"{statistics.median(xs):.{digits}f} ({min(xs):.{digits}f}–{max(xs):.{digits}f})"


def ratio_cell(results, case, base, key):
    xs, bs = values(results, case, key), values(results, base, key)
    if not xs or len(xs) != len(bs) or statistics.median(bs) == 0 or 0 in bs:
        return "—"
    medians, paired = ratio_of(xs, bs)
    return f"{medians:.2f} ({paired:.2f})"


def report(results, args, browser_version, context_lines):
    print_heading(browser_version, context_lines)
    print(f"Runs:      {args.runs}, every case a first visit, interleaved; median (min–max), ms from navigation "
          f"start; toggles: the median of {args.toggles} per load")
    before = "before" in results
    heads = ["bare", "app"] + (["before"] if before else []) + ["app/bare"] + (["app/before"] if before else [])
    print()
    print(f"{'':38}" + "".join(f"{h:>22}" for h in heads))
    for label, case, key, digits in ROWS:
        if case is None:
            print(label)
            continue
        cells = []
        bare = "bare" if case == "{app}" else None
        cells.append(cell(values(results, "bare", key), digits) if bare else "—")
        cells.append(cell(values(results, case.format(app="app"), key), digits))
        if before:
            cells.append(cell(values(results, case.format(app="before"), key), digits))
        cells.append(ratio_cell(results, case.format(app="app"), "bare", key) if bare else "—")
        if before:
            cells.append(ratio_cell(results, case.format(app="app"), case.format(app="before"), key))
        print(f"  {label:36}" + "".join(f"{c:>22}" for c in cells))
    print()
    for case in [c for c in results if "typed" in c]:
        typed = results[case]
        print(f"{case}: Enter handled before data-ready in {sum(t['typedBeforeReady'] for t in typed)}/{len(typed)} "
              f"loads; Enter → row per load: {', '.join(format(t['enterToRow'], '.0f') for t in typed)} ms")
    print("\nratios: of the medians (median of the per-run ratios)")
    print_warnings([r for rows in results.values() for r in rows])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per case (default 5)")
    parser.add_argument("--toggles", type=int, default=20, help="checkbox clicks per 200-item load (default 20)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one page or step")
    parser.add_argument("--before", type=Path, help="also load this checkout of the site (built), interleaved")
    parser.add_argument("--json", type=Path, help="also write every load's figures to this file")
    parser.add_argument("--boot-signal", choices=["console", "wasm"], default="console",
                        help="(b') Enter once the page logs that Pyodide's wasm is instantiated (console, the "
                             "default), or once its download has finished (wasm: also where Python runs in a worker)")
    args = parser.parse_args()
    if args.runs < 1 or args.toggles < 1:
        parser.error("--runs and --toggles must be at least 1")

    started = time.monotonic()
    measured, context_lines, load_before, _ = measure_served(args.before, lambda server, before_server:
                                                          measure(server, before_server, args))
    if measured is None:
        return 1
    results, version = measured
    context_lines.append(load_line(load_before))
    report(results, args, version, context_lines)
    print(f"\n({time.monotonic() - started:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps({"chromium": version, "runs": args.runs, "results": results}, indent=1))
    return 0


def measure(server, before_server, args):
    """Every case's loads in one Chromium: (results, the browser's version), or None when a load went
    wrong (said on stderr)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            bench = Bench(playwright, browser, server.origin, int(args.timeout * 1000))
            bench.add_page("app200", server.origin, saved=saved_record(SAVED))
            if before_server is not None:
                bench.add_page("before", before_server.origin)
                bench.add_page("before200", before_server.origin, saved=saved_record(SAVED))
            print(f"Benchmarking on {server.origin} with Chromium {browser.version}", file=sys.stderr)
            try:
                return run_all(bench, cases(before_server is not None), args), browser.version
            except (LoadError, TraceError, PlaywrightError) as error:
                print("\nBenchmark aborted: a load went wrong.", file=sys.stderr)
                for problem in bench.problems or [str(error).splitlines()[0]]:
                    print(f"  {problem}", file=sys.stderr)
                return None
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
