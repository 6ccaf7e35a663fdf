"""The printed report of a benchmark: medians and ratios, the phases table, and what was measured.

Every benchmark prints its figures with the command, the browser, the commit and the machine's load
beside them, so a result can be read (and repeated) on its own; the figure helpers work on the
loads that bench/page_loads.py's `Bench.load` returns. Not a benchmark itself.
"""

import os
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

from bench import ROOT
from build.browser import CHROMIUM, CHROMIUM_ARGS


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
