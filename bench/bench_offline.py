"""Offline start-up benchmark: warm reloads served by the service worker, network on against network off.

Run: `make build && .venv/bin/python bench/bench_offline.py [--runs 7] [--details] [--json FILE]`.
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
"""

import argparse
import functools
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.page_loads import PAGES, ROOT, SAVED_COUNT, Bench, LoadError, rotate, watch_errors  # noqa: E402
from bench.report import (  # noqa: E402
    fmt, load_average, load_line, print_heading, print_phases, print_warnings, ratio_of, service_worker_state,
    site_lines,
)
from build.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from build.serve import SiteHandler, SiteServer  # noqa: E402

PAGE = "app50"  # /index.html with the 50 saved to-dos
CASES = ["online", "offline"]
SETTLE_S = 3.0  # after the last load: time for late requests to reach the servers

WAIT_ACTIVATED = """async (timeoutMs) => {
  const activated = (async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker.state !== "activated") {
      await new Promise((resolve) => worker.addEventListener("statechange", () => {
        if (worker.state === "activated") resolve();
      }));
    }
    return worker.state;
  })();
  const timeout = new Promise((resolve) => setTimeout(() => resolve("not activated in time"), timeoutMs));
  return Promise.race([activated, timeout]);
}"""

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


class CountingHandler(SiteHandler):
    def parse_request(self):
        # Called once per HTTP request received (not for a connection opened and left unused).
        self.server.record(self.raw_requestline)
        return super().parse_request()


class CountingServer(SiteServer):
    """build/serve.py's server, unchanged, that also keeps the request line of every request it receives."""

    def __init__(self, host, port, root=ROOT):
        super().__init__(host, port, root=root)
        self.RequestHandlerClass = functools.partial(CountingHandler, **self.RequestHandlerClass.keywords)
        self._lock = threading.Lock()
        self._requests = []

    def record(self, raw_requestline):
        line = raw_requestline.decode("latin-1").strip()
        with self._lock:
            self._requests.append(line)

    def mark(self):
        with self._lock:
            return len(self._requests)

    def since(self, mark):
        with self._lock:
            return self._requests[mark:]


def request_path(line):
    """'GET /sw.js HTTP/1.1' -> 'GET /sw.js'."""
    return " ".join(line.split(" ")[:2])


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


def set_up(bench, server, context, timeout_ms):
    """The service worker installed and controlling; the set-up's timings and server requests."""
    mark = server.mark()
    setup = install_service_worker(bench, context, timeout_ms)
    setup["serverRequests"] = len(server.since(mark))
    return setup


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


# ---------------------------------------------------------------- reporting


def report(data, args, version, context_lines):
    results = data["results"]
    print_heading(version, context_lines)
    print(f"Runs:      {args.runs} per case, interleaved; median (min–max), ms from navigation start; "
          f"/index.html with {SAVED_COUNT} saved to-dos; new tab per load in a persistent profile, "
          "service worker controlling")
    print()
    print(f"{'ms from navigation start':34}{'online':>22}{'offline':>22}{'offline/online':>16}")
    for label, key in (("saved list visible (data-painted)", "paintedAt"), ("ready (data-ready)", "readyAt")):
        on, off = ([load[key] for load in results[case]] for case in CASES)
        ratio, paired = ratio_of(off, on)
        print(f"{label:34}{fmt(on):>22}{fmt(off):>22}{f'{ratio:.2f} ({paired:.2f})':>16}")
    print(f"{'':34}{'':>22}{'':>22}{'(per-run)':>16}")
    print()
    print_phases({case: results[case] for case in CASES}, 40, 10)
    print()
    print_checks(data)
    print()
    print_setup(data, args)
    print_warnings([load for case in CASES for load in results[case]])
    if args.details:
        print("\nEvery measured load (ms): painted, ready, requests that reached the server")
        for case in CASES:
            for i, load in enumerate(results[case], 1):
                requests = ", ".join(request_path(r) for r in load["serverRequests"]) or "-"
                wasm = f"  wasm {load['wasm']}" if "wasm" in load else ""
                print(f"  {case:8} {i:2}  {load['paintedAt']:6.0f} {load['readyAt']:7.0f}  {requests}{wasm}")


def print_checks(data):
    """What each case's measured loads were checked for, and what reached the servers."""
    print("Checks, per measured load:")
    for case in CASES:
        loads = data["results"][case]
        counts = [len(load["serverRequests"]) for load in loads]
        seen = sorted({request_path(r) for load in loads for r in load["serverRequests"]})
        print(f"  {case:8} controlled by the service worker {sum(l['controlledBySW'] for l in loads)}/{len(loads)}, "
              f"navigator.onLine {sorted({l['onLine'] for l in loads})}, "
              f"'Offline' shown {sum(l['offlineShown'] for l in loads)}/{len(loads)}, "
              f"{SAVED_COUNT} rows {sum(l['rows'] == SAVED_COUNT for l in loads)}/{len(loads)}")
        print(f"  {'':8} requests that reached the server, per load (not counting the probe): {counts}"
              + (f" ({', '.join(seen)})" if seen else ""))
        probes = sorted({load["probe"] for load in loads})
        reached = sum(load["probeReachedServer"] for load in loads)
        print(f"  {'':8} network probe after each load (a file the service worker does not keep): {', '.join(probes)}; "
              f"reached the server {reached}/{len(loads)}")
        failures = [f for load in loads for f in load["failedRequests"]]
        print(f"  {'':8} failed requests of the page and its service worker (not counting the probe): "
              + (", ".join(failures) if failures else "none"))
        context_requests = [load["requests"] for load in loads]
        print(f"  {'':8} requests made by the page and its service worker (Playwright), per load: "
              f"median {statistics.median(context_requests):.0f} ({min(context_requests)}–{max(context_requests)})")
    for case in CASES:
        phase = data["phase_requests"][case]
        what = ", ".join(f"{request_path(r)}" for r in phase) if phase else "none"
        start = "set_offline(True), probes included," if case == "offline" else "the first measured load"
        print(f"  {case:8} server requests from {start} to {SETTLE_S:.0f} s after the last load: {len(phase)} ({what})")


def print_setup(data, args):
    """The set-up visits, and how V8 got pyodide.asm.wasm in the traced loads."""
    results = data["results"]
    for case in CASES:
        setup = data["setup"][case]
        print(f"Set-up, {case}: first visit ready after {setup['first visit ready']:.1f} s, service worker activated "
              f"after {setup['activated']:.1f} s; first visit and controlling reload: "
              f"{setup['serverRequests']} requests reached the server")
    if args.warmups:
        print(f"Warm-up ({args.warmups} unmeasured traced load(s) per case after the controlling reload): "
              "pyodide.asm.wasm " + "; ".join(
                  f"{case} " + ", ".join(load["wasm"] for load in data["warmups"][case]) for case in CASES))
    if args.trace_wasm:
        print("(Traced loads: the trace's CDP session makes navigator.onLine read true in an offline tab and so "
              "'Offline' is not shown; the probe shows the network was cut.)")
        print("Measured loads, traced: pyodide.asm.wasm " + "; ".join(
            f"{case} " + ", ".join(f"{how} ×{sum(load['wasm'] == how for load in results[case])}"
                                   for how in sorted({load["wasm"] for load in results[case]}))
            for case in CASES))


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
