"""The printed report of bench_streaming.py: per-run figures, the tables, the ratios and the verdicts.

`figures` turns one run's raw page figures into ms per chunk; `report` prints the heading (command,
code versions, browser, machine), the wall-clock, main-thread and CPU tables, the python/js ratios
and the PASS/MISS verdicts against the targets below; `code_versions` says which code the figures
are for. Kept apart from the measuring: the same figures always print the same report, which is how
a change to the printing is checked (fixed figures, old and new code, the outputs compared).
Not a benchmark itself.
"""

import hashlib
import os
import statistics
import subprocess

from bench.page_loads import ROOT
from bench.report import command_line
from bench.streaming_page import CHROMIUM_ARGS
from build.browser import CHROMIUM

LOOP_TARGET_MS = 0.1
RATIO_TARGET = 1.5
FLAT_TARGET = 1.2
LONG_TASK_MS = 50


MEASURED_FILES = ("assets/engines/stream.js", "assets/engines/webllm.js", "app/assistant/engines/js_adapter.py", "app/assistant/views/chat.py",
                  "app/assistant/views/transcript.py", "app/assistant/controller.py", "app/assistant/turn.py", "tests/doubles/web-llm.js")


def code_versions():
    """{path: "sha256 prefix (+ uncommitted changes)"}: which code the figures are for."""
    try:
        changed = subprocess.run(["git", "status", "--porcelain", "--", *MEASURED_FILES], cwd=ROOT,
                                 capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        changed = ""
    out = {}
    for path in MEASURED_FILES:
        digest = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()[:12]
        out[path] = digest + (" (uncommitted changes)" if f" {path}" in changed else "")
    return out


def figures(result, n):
    """ms figures of one run. `loop` is the DOM-side figure when there was one text node per chunk,
    else (the app batched its appends) the double's side: the time between its first and last chunk."""
    stream = (result["producerLast"] - result["producerFirst"]) / (n - 1)
    dom = (result["last"] - result["first"]) / (n - 1) if result["appends"] == n else None
    return {
        "loop": dom if dom is not None else stream,
        "dom": dom,
        "stream": stream,
        "e2e": (result["finished"] - result["send"]) / n,
        "first": result["first"] - result["send"],
        "total": result["finished"] - result["send"],
        "appends": result["appends"],
        "longest": result["longest"],
        "longTasks": result["longTasks"],
        "longestInLoop": result.get("longestInLoop"),
        "maxFrameGap": result.get("maxFrameGap"),
        "unsupported": result.get("longtasksUnsupported"),
    }


def med(values):
    return statistics.median(values)


def cell(values, digits):
    return f"{med(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def verdict_lines(verdicts):
    for label, value, target in verdicts:
        print(f"{'PASS' if value <= target else 'MISS'}  {label} = {value:.4g}, target ≤ {target}")


def report(results, cpu, sizes, args, version, load, seconds, versions):
    print()
    print(f"Command:   {command_line()}")
    print("Code:      " + ", ".join(f"{path} {digest}" for path, digest in versions.items()))
    print(f"Chromium:  {version} ({CHROMIUM}, headless, {' '.join(CHROMIUM_ARGS)})")
    print(f"Machine:   {os.cpu_count()} CPUs, load average (1 min) {load[0]:.1f} at start, {load[1]:.1f} at the end")
    print(f"Runs:      {args.reps} per path and N, interleaved, after one warm-up each; median (min–max)")
    print()
    print_wall_clock(results, sizes)
    print()
    print_main_thread(results, sizes)
    if cpu:
        print()
        print_cpu(cpu, sizes)
    print()
    print_ratios(results, sizes)
    print()
    print("Verdicts, wall clock:")
    longest = max(r["longestInLoop"] for n in sizes for r in results["python"][n])
    verdict_lines([*loop_verdicts(results, sizes, "loop", ""),
                   ("longest task in the append loop, wall ms (0 = none > 50)", longest, LONG_TASK_MS)])
    if cpu:
        print("Verdicts, main-thread CPU time (traced pass):")
        longest = max(r["longest_cpu"] for n in sizes for r in cpu["python"][n])
        verdict_lines([*loop_verdicts(cpu, sizes, "cpu_loop", "CPU "),
                       ("longest task while streaming, CPU ms", longest, LONG_TASK_MS)])
    print(f"\n({seconds:.0f} s in all)")


def print_wall_clock(results, sizes):
    """Per path and N: the loop and end-to-end ms per chunk, the first append and the total."""
    print("Wall clock (performance.now() in the page)")
    header = (f"{'path':8}{'N':>6}  {'append loop ms/chunk':>24}  {'double-side ms/chunk':>24}"
              f"  {'e2e ms/chunk':>24}  {'first append ms':>20}  {'total ms':>24}")
    print(header)
    print("-" * len(header))
    batched = False
    for n in sizes:
        for path in ("python", "js"):
            rows = results[path][n]
            doms = [r["dom"] for r in rows if r["dom"] is not None]
            dom = cell(doms, 4) if len(doms) == len(rows) else "n/a (batched)"
            batched |= dom.startswith("n/a")
            print(f"{path:8}{n:>6}  {dom:>24}  {cell([r['stream'] for r in rows], 4):>24}"
                  f"  {cell([r['e2e'] for r in rows], 4):>24}  {cell([r['first'] for r in rows], 1):>20}"
                  f"  {cell([r['total'] for r in rows], 1):>24}")
    print("  append loop: (last - first text node added to the answer) / (N - 1), one text node per chunk")
    print("  double-side: (last - first chunk handed out by the double) / (N - 1)")
    print("  e2e:         (answer finished - Enter keydown) / N (python); (loop end - before create()) / N (js)")
    if batched:
        print("  The app appended fewer text nodes than chunks: the verdicts use the double-side figure.")
    if any(r["unsupported"] for n in sizes for r in results["python"][n]):
        print("  (this Chromium has no 'longtask' entries: the long-task figures below are empty)")
    appends = {n: statistics.median(r["appends"] for r in results["python"][n]) for n in sizes}
    print("  text nodes appended per python run (median): " + ", ".join(f"N={n}: {a:.0f}" for n, a in appends.items()))


def print_main_thread(results, sizes):
    """Long tasks and the longest frame interval while the answers streamed."""
    print("Main thread during the python runs (Enter → finished):")
    for n in sizes:
        rows = results["python"][n]
        in_loop = [r["longestInLoop"] for r in rows]
        runs_with = sum(1 for v in in_loop if v > 0)
        print(f"  N={n:<5} long tasks (>50 ms, PerformanceObserver): {sum(r['longTasks'] for r in rows)} "
              f"in {len(rows)} runs; during the append loop in {runs_with} of {len(rows)} runs, "
              f"longest {max(in_loop):.0f} ms; "
              f"longest frame interval while streaming {cell([r['maxFrameGap'] for r in rows], 1)} ms")
    for n in sizes:
        rows = results["js"][n]
        print(f"  js N={n:<5} long tasks (>50 ms) during the JS loop: {sum(r['longTasks'] for r in rows)}, "
              f"longest {max(r['longest'] for r in rows):.0f} ms")


def print_cpu(cpu, sizes):
    """The traced pass: main-thread CPU time per chunk and the longest task, per path and N."""
    reps = len(cpu["python"][sizes[0]])
    print(f"Main-thread CPU time (Chromium trace, thread time of each task; {reps} traced runs per path and N)")
    header = (f"{'path':8}{'N':>6}  {'loop CPU ms/chunk':>24}  {'e2e CPU ms/chunk':>24}"
              f"  {'longest task CPU/wall ms':>25}  {'CPU / wall':>10}  {'tasks':>7}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        for path in ("python", "js"):
            rows = cpu[path][n]
            longest = f"{max(r['longest_cpu'] for r in rows):.1f} / {max(r['longest_wall'] for r in rows):.1f}"
            print(f"{path:8}{n:>6}  {cell([r['cpu_loop'] for r in rows], 4):>24}"
                  f"  {cell([r['cpu_e2e'] for r in rows], 4):>24}  {longest:>25}"
                  f"  {med([r['cpu_wall_share'] for r in rows]):>10.2f}  {med([r['tasks'] for r in rows]):>7.0f}")
    print("  loop: main-thread CPU from the double's first chunk to its last, / (N - 1) (same for both paths)")
    print("  e2e:  Enter keydown → answer finished (python), before create() → loop end (js), / N")
    print("  tasks: main-thread tasks during the loop. CPU / wall < 1: the thread was waiting (for a CPU")
    print("  taken by other processes, or idle between tasks).")


def print_ratios(results, sizes):
    """python/js per N, against the target, and each path's flatness (ms/chunk at the largest N / the smallest)."""
    for n in sizes:
        py = med([r["loop"] for r in results["python"][n]])
        js = med([r["loop"] for r in results["js"][n]])
        py_e2e = med([r["e2e"] for r in results["python"][n]])
        js_e2e = med([r["e2e"] for r in results["js"][n]])
        print(f"N={n}: python/js loop ms/chunk = {py / js:.1f}× (e2e {py_e2e / js_e2e:.1f}×); "
              f"python {py:.4f} ms/chunk = {py / LOOP_TARGET_MS:.1f}× the {LOOP_TARGET_MS} ms target")
    small, large = sizes[0], sizes[-1]
    if large != small:
        for path in ("python", "js"):
            ratio = med([r["loop"] for r in results[path][large]]) / med([r["loop"] for r in results[path][small]])
            e2e = med([r["e2e"] for r in results[path][large]]) / med([r["e2e"] for r in results[path][small]])
            print(f"flatness {path}: ms/chunk at N={large} / at N={small} = {ratio:.2f} (loop), {e2e:.2f} (e2e)")


def loop_verdicts(by_path, sizes, key, what):
    """(label, value, target) of the python loop's ms per chunk (`key`: wall clock or CPU time, named
    by `what`): against the js loop and the target per N, and flat from the smallest N to the largest."""
    verdicts = []
    for n in sizes:
        py = med([r[key] for r in by_path["python"][n]])
        js = med([r[key] for r in by_path["js"][n]])
        verdicts.append((f"python/js loop {what}ms/chunk, N={n}", py / js, RATIO_TARGET))
        verdicts.append((f"python loop {what}ms/chunk, N={n}", py, LOOP_TARGET_MS))
    small, large = sizes[0], sizes[-1]
    if large != small:
        ratio = med([r[key] for r in by_path["python"][large]]) / med([r[key] for r in by_path["python"][small]])
        verdicts.append((f"python loop {what}ms/chunk N={large} / N={small}", ratio, FLAT_TARGET))
    return verdicts
