"""Offline start-up benchmark: warm reloads served by the service worker, network on against network off.

Run: `make build && .venv/bin/python -m bench.bench_offline [--runs 7] [--details] [--json FILE]`.
A benchmark, not a test: it prints medians and the offline/online ratios and exits 0 whatever the
figures are. It exits non-zero only when something goes wrong: a page error, a Python traceback in
the console, a request to another origin (pages and service workers alike), a page that never gets
ready, a service worker that never activates, or a broken premise of the comparison: a measured
load not controlled by the service worker, or an offline load whose requests reached the server.
docs/benchmarks-offline.md has the figures and what they mean.

Both cases use /index.html with a saved list of 50 to-dos in localStorage (bench/page_loads.py's
`app50`), each in its own persistent profile (a throw-away on-disk profile, as a returning visitor
has) and against its own in-process server (build/serve.py's SiteServer on 127.0.0.1, one port
each, so one origin each, so each request the servers count belongs to one case):
  online   first visit, wait until the service worker is "activated", reload so it controls the
           page, `--warmups` (2) unmeasured loads; then each measured load is a new tab, network on.
  offline  the same set-up, then `context.set_offline(True)`, the warm-up loads offline; then each
           measured load is a new tab, network off.
Measured loads are interleaved (online, offline in an order that alternates from run to run).

Figures, in ms from navigation start (bench/page_loads.py's MutationObserver, installed by add_init_script):
  painted  `data-painted` on <html>: boot.js has put the saved list in the DOM
  ready    `data-ready` on <html>: app/main.py has handed over, the app is interactive
Checks on every measured load: navigator.serviceWorker.controller is set; navigator.onLine is what
the case says; the 50 rows are there; a probe after the figures are taken (a fetch of README.md,
which the service worker does not keep) gets the file online and fails offline; and, offline, the
server received no request from the navigation until the tab is closed, nor during the whole
offline phase (probes included, with a settle time after the last load for late requests).
Server requests of online loads are counted and printed too (the probe's excluded).

The parts: bench/counting_server.py (the served site, counting the requests it receives),
bench/offline_loads.py (the service worker's set-up, one measured load and its checks) and
bench/offline_report.py (the printed report).
"""

import argparse
import functools
import json
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.counting_server import CountingServer, request_path
from bench.offline_loads import (
    CASES, EXTRA_COLLECT, PAGE, PROBE, SETTLE_S, measured_load, premise_problems, set_up,
)
from bench.offline_report import report
from bench.page_loads import Bench, LoadError, rotate
from bench.report import load_average, load_line, service_worker_state, site_lines
from build.browser import CHROMIUM, CHROMIUM_ARGS


def run(playwright, servers, args):
    """Set both cases up, cut the offline one's network, then the warm-up and measured loads; return
    every figure and the problems with the comparison's premises."""
    timeout_ms = int(args.timeout * 1000)
    benches = {case: Bench(playwright, None, servers[case].origin, timeout_ms, extra_collect=EXTRA_COLLECT)
               for case in CASES}
    failed = {case: [] for case in CASES}  # (url, error) of every failed request, per context
    problems = []
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as profiles:
        contexts = {}
        try:
            setup = {}
            for case in CASES:
                contexts[case] = benches[case].new_context(PAGE, profile_dir=str(Path(profiles) / case))
                contexts[case].on("requestfailed", functools.partial(
                    lambda log, request: log.append((request.url, request.failure)), failed[case]))
                setup[case] = set_up(benches[case], servers[case], contexts[case], timeout_ms)
                print(f"  {case}: service worker activated after {setup[case]['activated']:.1f} s, "
                      "reload controlled", file=sys.stderr, flush=True)
            offline_mark = servers["offline"].mark()
            contexts["offline"].set_offline(True)

            def load(case, traced):
                return measured_load(benches[case], servers[case], contexts[case], case, failed[case], traced)

            warmups = warm_up(load, args.warmups, problems)
            online_mark = servers["online"].mark()
            results = measured_runs(load, args.runs, args.trace_wasm, problems)
            time.sleep(SETTLE_S)
            phase_requests = {"online": [r for r in servers["online"].since(online_mark) if PROBE not in r],
                              "offline": servers["offline"].since(offline_mark)}  # the probe included
        finally:
            for case, context in contexts.items():
                benches[case].close_context(context)
    if phase_requests["offline"]:
        problems.append(f"[offline phase] {len(phase_requests['offline'])} request(s) reached the server "
                        "after set_offline(True): "
                        + ", ".join(sorted({request_path(r) for r in phase_requests["offline"]})))
    return {"setup": setup, "warmups": warmups, "results": results, "phase_requests": phase_requests,
            "problems": problems}


def warm_up(load, warmups, problems):
    """Unmeasured loads, traced: did V8 take pyodide.asm.wasm from its code cache yet? Adds what is
    wrong with them to `problems`."""
    loads = {}
    for i in range(warmups):
        for case in CASES:
            loads.setdefault(case, []).append(load(case, True))
            problems.extend(f"[{case} warm-up {i + 1}] {p}"
                            for p in premise_problems(loads[case][-1], case, traced=True))
    return loads


def measured_runs(load, runs, traced, problems):
    """The measured loads, interleaved (the order alternates from run to run); adds what is wrong with
    them to `problems`."""
    results = {case: [] for case in CASES}
    for i in range(runs):
        for case in rotate(CASES, i):
            results[case].append(load(case, traced))
            problems.extend(f"[{case} load {i + 1}] {p}"
                            for p in premise_problems(results[case][-1], case, traced=traced))
        line = "  ".join(
            f"{case} painted {results[case][-1]['paintedAt']:.0f} ready {results[case][-1]['readyAt']:.0f} "
            f"server requests {len(results[case][-1]['serverRequests'])}" for case in CASES)
        print(f"  run {i + 1}/{runs}: {line}", file=sys.stderr, flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured loads per case (default 7)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one page to be ready")
    parser.add_argument("--json", type=Path, help="also write every load's raw figures to this file")
    parser.add_argument("--warmups", type=int, default=2,
                        help="unmeasured loads per case after the controlling reload (default 2)")
    parser.add_argument("--details", action="store_true", help="also print every measured load")
    parser.add_argument("--trace-wasm", action="store_true",
                        help="trace every measured load too: did V8 compile pyodide.asm.wasm or take it from its "
                             "code cache? (the trace costs time, and makes navigator.onLine unreliable offline)")
    args = parser.parse_args()
    if args.runs < 1 or args.warmups < 0:
        parser.error("--runs must be at least 1, --warmups at least 0")

    sw_state = service_worker_state()
    context_lines = site_lines(sw_state)
    if "STALE" in sw_state:
        print(f"Benchmark not run: {sw_state}", file=sys.stderr)
        return 1
    load_before = load_average()
    servers = {case: CountingServer("127.0.0.1", 0).start_in_background() for case in CASES}
    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = browser.version  # each case runs in its own persistent context (its own browser)
            browser.close()
            print(f"Benchmarking with Chromium {version}: online on {servers['online'].origin}, "
                  f"offline on {servers['offline'].origin}", file=sys.stderr)
            try:
                data = run(playwright, servers, args)
            except (LoadError, PlaywrightError) as error:
                print("\nBenchmark aborted: a load went wrong.", file=sys.stderr)
                print(f"  {str(error).splitlines()[0]}", file=sys.stderr)
                return 1
    finally:
        for server in servers.values():
            server.shutdown()
    context_lines.append(load_line(load_before))
    report(data, args, version, context_lines)
    print(f"\n({time.monotonic() - started:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps({"chromium": version, "runs": args.runs, **data}, indent=1))
    if data["problems"]:
        print("\nFAILED: these loads are not what the benchmark says it measures:", file=sys.stderr)
        for problem in data["problems"]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
