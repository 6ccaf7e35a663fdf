"""The traced pass of bench_streaming.py: main-thread CPU time per chunk, from a Chromium trace.

Wall-clock figures on a loaded machine mostly show other processes running; the thread time of the
main thread's tasks does not. `traced_pass` runs each path and N under a trace (`traced`), and
`cpu_figures` turns one trace into CPU ms per chunk between the run's performance.mark()s and the
longest task. Not a benchmark itself.
"""

import json
import tempfile
from pathlib import Path

from bench.page_loads import rotate
from bench.streaming_page import BenchError

# Each main-thread task is a ThreadControllerImpl::RunTask ("toplevel", with wall and thread time);
# performance.mark() calls are in "blink.user_timing".
TRACE_CATEGORIES = ["toplevel", "blink.user_timing"]


def traced(browser, page, run):
    """run() under a Chromium trace; returns (run's result, the trace's events)."""
    with tempfile.TemporaryDirectory(prefix="bench-streaming-") as directory:
        path = Path(directory) / "trace.json"
        browser.start_tracing(page=page, path=str(path), categories=TRACE_CATEGORIES)
        try:
            result = run()
        finally:
            browser.stop_tracing()
        events = json.loads(path.read_text())
    return result, events["traceEvents"] if isinstance(events, dict) else events


TASK_EVENTS = ("ThreadControllerImpl::RunTask", "BlinkScheduler_PerformMicrotaskCheckpoint")


def top_level_work(events, thread):
    """The thread's outermost slices of work: its tasks, and the microtask checkpoints run outside a
    task (a DevTools evaluate that awaits a promise, such as the js path, runs in one of those)."""
    slices = sorted((e for e in events if e.get("name") in TASK_EVENTS and e.get("ph") == "X"
                     and (e["pid"], e["tid"]) == thread), key=lambda e: (e["ts"], -e["dur"]))
    outer, end = [], -1
    for e in slices:
        if e["ts"] >= end:
            outer.append(e)
            end = e["ts"] + e["dur"]
    return outer


def cpu_in(slices, start, end):
    """Thread time (ms) of the slices within [start, end] (trace µs); a slice that straddles an end
    counts in proportion to the part of its wall time inside."""
    total = 0.0
    for e in slices:
        inside = min(end, e["ts"] + e["dur"]) - max(start, e["ts"])
        if inside > 0 or (e["dur"] == 0 and start <= e["ts"] <= end):
            total += e.get("tdur", 0) * (inside / e["dur"] if e["dur"] else 1)  # ~1 µs slices have no tdur
    return total / 1000


def cpu_figures(events, n, e2e_marks):
    """Main-thread CPU (thread) time of one traced run, from its performance.mark()s.

    loop: from the double handing out its first chunk to its last one (the same marks for both
    paths, whatever the consumer does per chunk), / (N - 1). e2e: between `e2e_marks`, / N.
    Thread time leaves out the time the thread waited for a CPU, so these figures hold on a busy
    machine, where wall-clock long tasks are mostly the OS running other processes.
    """
    names = ("bench:first-chunk", "bench:last-chunk", *e2e_marks)
    marks = {e["name"]: e for e in events if e.get("name") in names}
    if len(marks) != len(names):
        raise BenchError(f"trace: performance marks missing: {sorted(set(names) - set(marks))}")
    thread = (marks["bench:first-chunk"]["pid"], marks["bench:first-chunk"]["tid"])
    slices = top_level_work(events, thread)
    if slices and not any("tdur" in e for e in slices):
        raise BenchError("trace: this Chromium records no thread time for tasks")
    first, last = marks["bench:first-chunk"]["ts"], marks["bench:last-chunk"]["ts"]
    begin, end = marks[e2e_marks[0]]["ts"], marks[e2e_marks[1]]["ts"]
    loop = cpu_in(slices, first, last)
    in_loop = [e for e in slices if e["ts"] + e["dur"] >= first and e["ts"] <= last]
    return {
        "cpu_loop": loop / (n - 1),
        "cpu_e2e": cpu_in(slices, begin, end) / n,
        "cpu_wall_share": loop / max((last - first) / 1000, 1e-9),
        "tasks": len(in_loop),
        "longest_cpu": max((e.get("tdur", 0) for e in in_loop), default=0) / 1000,
        "longest_wall": max((e["dur"] for e in in_loop), default=0) / 1000,
    }


def traced_pass(browser, page, streaming, sizes, reps):
    """A second, traced pass: CPU time per chunk and the longest task in CPU time, per path and N."""
    out = {"python": {n: [] for n in sizes}, "js": {n: [] for n in sizes}}
    for rep in range(reps):
        for n in rotate(sizes, rep):
            _, events = traced(browser, page, lambda: streaming.run_python(n))
            out["python"][n].append(cpu_figures(events, n, ("bench:send", "bench:finished")))
            _, events = traced(browser, page, lambda: streaming.run_js(n))
            out["js"][n].append(cpu_figures(events, n, ("bench:js-start", "bench:js-end")))
    return out
