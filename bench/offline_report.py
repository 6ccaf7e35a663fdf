"""The printed report of bench_offline.py: the offline/online figures, the checks and the set-up.

`report` prints the heading (bench/report.py's), the painted and ready times per case with their
offline/online ratios, the phases table, what each measured load was checked for and what reached
the servers (`print_checks`), and the set-up visits (`print_setup`). Kept apart from the loading: the
same figures always print the same report, which is how a change to the printing is checked.
Not a benchmark itself.
"""

import statistics

from bench.counting_server import request_path
from bench.offline_loads import CASES, SETTLE_S
from bench.page_loads import SAVED_COUNT
from bench.report import fmt, print_heading, print_phases, print_warnings, ratio_of


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
