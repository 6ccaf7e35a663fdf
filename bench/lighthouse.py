"""Lighthouse on Debian Chromium against the served page: the four scores and every failing audit.

Run: `.venv/bin/python -m bench.lighthouse [--runs 3] [--root DIR] [--json FILE]`.
A benchmark, not a test: it prints figures and exits 0 whatever they are (non-zero only when
Lighthouse or a load fails). Lighthouse (npm `lighthouse`, pinned in bench/lighthouse/package.json
and package-lock.json) is installed on first use into bench/lighthouse/node_modules/, apart from
what the app needs (`make run` never installs it).

What it does, against the site served in-process by build/serve.py on 127.0.0.1 (the repository,
or `--root`, another checkout with vendor/ built, to measure a "before"):
  1. `--runs` Lighthouse runs with its defaults (mobile, simulated 4x CPU throttling and slow 4G),
     each in a fresh headless Chromium profile: the scores of performance, accessibility, best
     practices and SEO (median per category), the performance metrics (median), and the audits
     that failed in any run, with their titles and the items they name.
  2. `--runs` plain loads in Chromium (no throttling, bench/page_loads.py's Bench, a fresh context
     each: a first visit), each traced (bench/main_thread.py: the renderer main thread's tasks, as
     bench/bench_main_thread.py reads them): the longest main-thread task from navigation until the
     app is ready (`data-ready`), the tasks over 50 ms, and the total blocking time in that span
     (Σ of each task's time over 50 ms).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.main_thread import TraceError, blocking_figures
from bench.page_loads import ROOT, Bench, LoadError
from bench.report import command_line, load_average, source_version
from build.browser import CHROMIUM, CHROMIUM_ARGS
from build.serve import SiteServer

TOOL = ROOT / "bench" / "lighthouse"
CLI = TOOL / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = [
    ("first-contentful-paint", "First Contentful Paint"),
    ("largest-contentful-paint", "Largest Contentful Paint"),
    ("total-blocking-time", "Total Blocking Time"),
    ("cumulative-layout-shift", "Cumulative Layout Shift"),
    ("speed-index", "Speed Index"),
    ("interactive", "Time to Interactive"),
]


def install_lighthouse():
    if CLI.exists():
        return
    print("Installing Lighthouse into bench/lighthouse/ (npm ci)…", file=sys.stderr)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(TOOL)], check=True)


def run_lighthouse(url, profile_dir, attempts=3):
    """One Lighthouse report; a run that fails to record its trace (NO_NAVSTART and the like, seen on
    a busy machine) is tried again, up to `attempts` times in all."""
    for attempt in range(1, attempts + 1):
        try:
            return _run_lighthouse(url, f"{profile_dir}-{attempt}")
        except RuntimeError as error:
            if attempt == attempts:
                raise
            print(f"  (Lighthouse run failed, trying again: {str(error)[:160]})", file=sys.stderr)


def _run_lighthouse(url, profile_dir):
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={profile_dir}"])
    command = [
        "node", str(CLI), url,
        "--output=json", "--output-path=stdout", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-path={CHROMIUM}", f"--chrome-flags={flags}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"Lighthouse failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def failing_audits(report):
    """{category: [(audit id, title, score, display value, items)]} for audits below a full score."""
    failing = {}
    for category_id, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit["score"] is None or audit["score"] >= 1 or audit["scoreDisplayMode"] in ("manual",
                                                                                              "notApplicable",
                                                                                              "informative"):
                continue
            if category_id == "performance" and ref.get("group") == "metrics":
                continue  # reported as metrics
            items = (audit.get("details") or {}).get("items") or []
            items = [_item_text(item) for item in items[:8]] if isinstance(items, list) else []
            failing.setdefault(category_id, []).append(
                (ref["id"], audit["title"], audit["score"], audit.get("displayValue", ""), items)
            )
    return failing


def _item_text(item):
    if not isinstance(item, dict):
        return str(item)[:160]
    for key in ("url", "source", "node", "description", "label"):
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("snippet") or value.get("url") or value.get("nodeLabel")
        if value:
            return str(value)[:160]
    return json.dumps(item)[:160]


def longest_tasks(playwright, origin, runs, timeout_ms):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        bench = Bench(playwright, browser, origin, timeout_ms)
        loads = []
        for _ in range(runs):
            context = bench.new_context("app")
            try:
                loads.append(bench.load(context, "app", trace_main_thread=True))
            finally:
                bench.close_context(context)
    finally:
        browser.close()
    figures = []
    for load in loads:
        until_ready = blocking_figures(load["mainThreadTasks"], 0.0, load["readyAt"])
        over50 = sum(length > 50 for start, length in load["mainThreadTasks"] if 0.0 <= start < load["readyAt"])
        figures.append({"readyAt": load["readyAt"], "longest": until_ready["longest"],
                        "blocking": until_ready["blocking"], "tasks": over50})
    return figures


def median(values):
    return statistics.median(values) if values else float("nan")


def report(reports, tasks, args, origin):
    print()
    print(f"Command:   {command_line()}")
    print(f"Site:      {args.root} ({source_version() if args.root == ROOT else 'another checkout'}), "
          f"served on {origin}")
    print(f"Lighthouse {reports[0]['lighthouseVersion']}, {reports[0]['environment']['hostUserAgent']}")
    print(f"Load avg:  {load_average()} (1/5/15 min); {os.cpu_count()} CPUs")
    print(f"\nScores, median of {len(reports)} run(s) (each run's in brackets):")
    for category in CATEGORIES:
        scores = [r["categories"][category]["score"] for r in reports]
        print(f"  {category:15} {median(scores):.2f}  [{', '.join(f'{s:.2f}' for s in scores)}]")
    print("\nPerformance metrics (Lighthouse's simulated mobile throttling), median:")
    for audit_id, title in METRICS:
        values = [r["audits"][audit_id]["numericValue"] for r in reports]
        unit = "" if audit_id == "cumulative-layout-shift" else " ms"
        print(f"  {title:26} {median(values):8.{3 if not unit else 0}f}{unit}")
    seen = {}
    for r in reports:
        for category, audits in failing_audits(r).items():
            for audit in audits:
                seen.setdefault(category, {}).setdefault(audit[0], [audit, 0])[1] += 1
    print("\nFailing audits (in how many runs):")
    if not seen:
        print("  none")
    for category, audits in seen.items():
        print(f"  {category}:")
        for (audit_id, title, score, display, items), count in audits.values():
            print(f"    {audit_id} ({count}/{len(reports)}, score {score:.2f}{', ' + display if display else ''}): "
                  f"{title}")
            for item in items:
                print(f"      - {item}")
    print(f"\nStart-up main thread (traced), no throttling, {len(tasks)} first visit(s), until data-ready "
          "(median, range):")
    for key, label in (("readyAt", "ready"), ("longest", "longest task"), ("blocking", "blocking time")):
        values = [t[key] for t in tasks]
        print(f"  {label:16} {median(values):7.0f} ms  ({min(values):.0f}–{max(values):.0f})")
    print(f"  tasks over 50 ms {median([t['tasks'] for t in tasks]):7.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs and plain loads (default 3)")
    parser.add_argument("--root", type=Path, default=ROOT, help="serve this checkout instead (vendor/ built)")
    parser.add_argument("--json", type=Path, help="also write the figures and the Lighthouse reports' scores here")
    parser.add_argument("--reports", type=Path, help="also keep each run's full Lighthouse report in this folder")
    args = parser.parse_args()
    install_lighthouse()
    server = SiteServer("127.0.0.1", 0, root=args.root.resolve()).start_in_background()
    url = server.origin + "/"
    started = time.monotonic()
    try:
        reports = []
        for run in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as profile:
                reports.append(run_lighthouse(url, profile))
            if args.reports:
                args.reports.mkdir(parents=True, exist_ok=True)
                (args.reports / f"lighthouse-{run + 1}.json").write_text(json.dumps(reports[-1]))
            print(f"  Lighthouse run {run + 1}/{args.runs}: performance "
                  f"{reports[-1]['categories']['performance']['score']}", file=sys.stderr, flush=True)
        with sync_playwright() as playwright:
            tasks = longest_tasks(playwright, server.origin, args.runs, 120_000)
    except (RuntimeError, LoadError, TraceError, PlaywrightError, subprocess.TimeoutExpired) as error:
        print(f"\nAborted: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        server.shutdown()
    report(reports, tasks, args, server.origin)
    print(f"\n({time.monotonic() - started:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps({
            "scores": [{c: r["categories"][c]["score"] for c in CATEGORIES} for r in reports],
            "metrics": [{m: r["audits"][m]["numericValue"] for m, _ in METRICS} for r in reports],
            "failing": [failing_audits(r) for r in reports],
            "startup": tasks,
        }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
