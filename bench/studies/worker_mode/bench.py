"""The worker-mode study: the probe pages cold (traced) and warm, interleaved; medians and per-run ratios.

    .venv/bin/python -m bench.studies.worker_mode.bench [--runs 5] [--json FILE] [page.html ...]

Each run loads every page (the order reversed every other run) in a new browser context, traced
(bench/main_thread.py: the renderer main thread's tasks), until probe.py says it has finished
(`data-py-finished`), then reloads it in the same context (warm, untraced). Ready = probe.js's
MutationObserver sees probe.py set `data-py-done` after the 200 rows. Prints the table of
docs/benchmarks-main-thread.md ("Worker mode") and the per-run worker/main ratios. A study, not a
test: exits non-zero only when a load goes wrong (page error, Python traceback, a request to
another origin, a page that never finishes).
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import ROOT
from bench.main_thread import MainThreadTrace, blocking_figures
from bench.page_loads import watch_errors
from bench.report import command_line, load_average, source_version
from build.browser import CHROMIUM, CHROMIUM_ARGS
from build.serve import CSP_META, SiteServer

HERE = "/bench/studies/worker_mode/"
FOLDER = Path(__file__).resolve().parent
PAGES = ["main.html", "worker.html", "worker-ffi0.html", "main-batched.html", "worker-batched.html",
         "worker-ffi0-batched.html"]
COLLECT = """() => ({
  doneAt: window.__doneAt, startAt: window.__startAt, errors: window.__errors,
  marks: Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])),
  results: JSON.parse(document.documentElement.dataset.pyResults),
})"""


def write_pages():
    """Write the six probe pages from page.html.in (they differ only in what their names say), with
    the app's Content-Security-Policy as index.html has it now; git ignores them."""
    template = (FOLDER / "page.html.in").read_text()
    match = CSP_META.search((ROOT / "index.html").read_text())
    if match is None:
        raise SystemExit("index.html has no Content-Security-Policy <meta> to copy")
    for name in PAGES:
        worker = name.startswith("worker")
        (FOLDER / name).write_text(template.format(
            name=name, policy=match.group(1),
            render=' data-render="batched"' if "batched" in name else "",
            config="probe-ffi0.toml" if "ffi0" in name else "probe.toml",
            worker=" worker" if worker else ""))


def load(page, url, timeout_ms, trace=None):
    page.goto(url)
    page.wait_for_function("document.documentElement.dataset.pyFinished", timeout=timeout_ms, polling=100)
    out = page.evaluate(COLLECT)
    if trace is not None:
        tasks = trace.finish(page)
        marks = out["marks"]
        out["toReady"] = blocking_figures(tasks, 0.0, out["doneAt"])
        for name in ("t1", "t3"):  # probe.py's 100 class toggles, 100 row toggles
            out[name] = blocking_figures(tasks, marks[f"{name}-start"], marks[f"{name}-end"])
    return out


def run(runs, pages, timeout_ms):
    server = SiteServer("127.0.0.1", 0, root=ROOT).start_in_background()
    results = {name: [] for name in pages}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for n in range(runs):
                for name in pages if n % 2 == 0 else pages[::-1]:
                    context = browser.new_context()
                    requests, errors = [], []
                    context.on("request", lambda request: requests.append(request.url))
                    page = context.new_page()
                    watch_errors(page, errors)
                    url = server.origin + HERE + name
                    cold = load(page, url, timeout_ms, MainThreadTrace(context, page))
                    warm = load(page, url, timeout_ms)
                    context.close()
                    foreign = [u for u in requests if not u.startswith((server.origin + "/", "data:", "blob:"))]
                    problems = errors + cold["errors"] + warm["errors"] + [f"request to {u}" for u in foreign]
                    if problems:
                        raise RuntimeError(f"{name}: {'; '.join(problems)}")
                    results[name].append({"cold": cold, "warm": warm})
                    print(f"  run {n + 1}/{runs} {name}: ready {cold['doneAt']:.0f} ms (warm {warm['doneAt']:.0f}), "
                          f"longest task {cold['toReady']['longest']:.0f}", file=sys.stderr, flush=True)
            browser.close()
    finally:
        server.shutdown()
    return results


ROWS = [
    ("cold: nav → Python starts (ms)", "cold.startAt"),
    ("cold: nav → 200 rows rendered (ms)", "cold.doneAt"),
    ("cold: longest main-thread task to ready (ms)", "cold.toReady.longest"),
    ("cold: TBT to ready (Σ over 50 ms)", "cold.toReady.blocking"),
    ("cold: main-thread tasks over 200 ms", "cold.toReady.over200"),
    ("cold: main-thread busy to ready (ms)", "cold.toReady.busy"),
    ("warm: nav → rendered (ms)", "warm.doneAt"),
    ("render 200 rows, Python side (ms)", "cold.results.render_ms"),
    ("class toggle: per op, Python side (ms)", "cold.results.toggle_class_ms_median"),
    ("class toggle: main-thread busy per op (ms)", "cold.t1.busy/100"),
    ("class toggle: main-thread tasks per op", "cold.t1.tasks/100"),
    ("row toggle (read checkbox, set checkbox, class, count text): per op, Python (ms)",
     "cold.results.toggle_row_ms_median"),
    ("row toggle: main-thread busy per op (ms)", "cold.t3.busy/100"),
    ("row toggle ×100: longest main-thread task (ms)", "cold.t3.longest"),
    ("`await window.engineStub.ask()` (ms)", "cold.results.await_window_promise.ms_median"),
    ("`pyscript.sync.ask()` via xworker.sync (ms)", "cold.results.sync_promise.ms_median"),
    ("stream, JS calls a Python callback: ms/chunk", "cold.results.stream_callback.ms_per_chunk"),
    ("stream, `async for` over a JS async iterator: ms/chunk", "cold.results.stream_async_for.ms_per_chunk"),
]
RATIOS = [("worker-batched.html", "main-batched.html"), ("worker-ffi0-batched.html", "main-batched.html"),
          ("worker.html", "main.html"), ("worker-ffi0.html", "main.html")]


def get(record, path):
    path, _, divisor = path.partition("/")
    for key in path.split("."):
        record = record.get(key) if isinstance(record, dict) else None
    return None if record is None else record / float(divisor or 1)


def report(results, runs):
    print(f"\nCommand:   {command_line()}\nSite:      {source_version()}\nLoad avg:  {load_average()} at the end")
    print(f"Runs:      {runs}, interleaved; medians\n")
    print("| measure | " + " | ".join(results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for label, path in ROWS:
        cells = []
        for loads in results.values():
            values = [v for v in (get(r, path) for r in loads) if v is not None]
            m = statistics.median(values) if values else None
            cells.append("–" if m is None else f"{m:.3f}" if m < 10 else f"{m:.0f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nPer-run ratios (worker / main, same run):")
    for worker, main in RATIOS:
        if worker in results and main in results:
            for key in ("cold.startAt", "cold.doneAt", "warm.doneAt"):
                per_run = [get(w, key) / get(m, key) for w, m in zip(results[worker], results[main])]
                print(f"  {worker} / {main} {key}: {[round(x, 2) for x in per_run]}, "
                      f"median {statistics.median(per_run):.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=PAGES, help="probe pages (default: all six)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=180, help="seconds for one page to finish")
    parser.add_argument("--json", type=Path, help="also write every load's figures here")
    args = parser.parse_args()
    write_pages()
    try:
        results = run(args.runs, args.pages, int(args.timeout * 1000))
    except Exception as error:  # a load that went wrong: say which, exit non-zero
        print(f"\nAborted: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    report(results, args.runs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
