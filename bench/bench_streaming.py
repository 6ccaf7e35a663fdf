"""Streaming benchmark: the assistant's Python streaming path against a plain-JS loop, same page.

Run: `.venv/bin/python -m bench.bench_streaming [--reps 7] [--trace-reps 3]`.
A benchmark, not a test: it prints medians and verdicts against the targets and exits 0 whatever the
figures are. It exits non-zero only when something goes wrong: a page error, a Python traceback in
the console, a request to another origin, a run that never finishes, or an answer that did not
arrive whole (N characters in the answer, N chunks taken from the double).

Set-up: the site is served in-process by build/serve.py on 127.0.0.1; Debian's Chromium (headless,
with a SwiftShader WebGPU adapter) opens it with service workers blocked, and every request for
`vendor/web-llm/index.js` (page and worker) is answered with the WebLLM test double
(tests/doubles/web-llm.js). The double's scenario is `reply` = N characters, `chunkSize` 1,
`chunkDelayMs` 0: the "model" hands out N chunks as fast as the consumer takes them (in microtasks,
no timers), so what is measured is the consumer's cost per chunk.

Both paths run on ONE page of the app, interleaved (rotating order), for N = 400 and N = 4000:

  python  the app's real path, driven through the UI: "Ask the assistant about your list",
          "Download and start", then fill "Message" and press Enter ("New chat" first, so history
          and transcript do not grow). In the page, with performance.now(): `send` is the Enter
          keydown (capture listener); a MutationObserver on `.transcript` records the text nodes
          added to the streaming `.answer` (AnswerView.append adds one per delta: count, first and
          last), and `finished` when the `.answer` loses class `streaming` (AnswerView.finish; the
          observer runs at the end of that task, so this includes the final markdown render).
  js      a plain-JS loop: `await import('/vendor/web-llm/index.js')` (the module instance the app
          uses), `CreateWebWorkerMLCEngine(new Worker(...), id, {})`, then `for await (const chunk
          of await engine.chat.completions.create({messages, stream: true, stream_options:
          {include_usage: true}}))` appending `document.createTextNode(chunk.choices[0]?.delta?.content
          ?? "")` to a div attached to the page. Timed from just before create() to the loop's end.

Wall-clock figures per run (medians of --reps runs):
  append loop   (last - first text node added) / (N - 1): the streaming loop, without the set-up
                and the final markdown render. Shown only when there was one text node per chunk.
  double-side   (last - first chunk handed out by the double) / (N - 1): the same loop, seen from
                the producer (an accessor on the double's `message` field timestamps each chunk),
                so it still holds if the app batches its appends.
  e2e           (finished - send) / N (python); (loop end - before create()) / N (js).
  long tasks    'longtask' entries (PerformanceObserver, buffered; the browser reports tasks > 50 ms)
                during the python runs, and the longest interval between animation frames.
Main-thread CPU figures (a second pass of --trace-reps runs under a Chromium trace): the thread time
of the main thread's tasks between performance.mark()s (the double's first and last chunk; send and
finished), per chunk, and the longest task in CPU time. Thread time leaves out the time the thread
waited for a CPU, so these hold on a loaded machine, where wall-clock long tasks are mostly other
processes running.

Targets: python loop ms/chunk <= 0.1; python / js loop ms/chunk <= 1.5; flat per-chunk cost (python
ms/chunk at N=4000 / at N=400 <= 1.2); no task > 50 ms while streaming.

The python path streams through assets/engines/webllm.js (its `generate` maps WebLLM's chunks to
pieces), assets/engines/stream.js `batch` (the one frame-batching reader every engine shares) and
app/assistant/engines/js_adapter.py (Python's `async for` over the batches). The automatic engine choice would pick
the CPU engine on SwiftShader, so the page starts with a WebLLM model remembered as the choice.

Note: the app asks for a max_tokens of its own (its sampling policy) and the double stops after
max_tokens chunks, so this script makes the double ignore max_tokens (it wraps the double's
chatCompletion in the page; the app's code is untouched). A real answer stops at max_tokens.

The parts: bench/streaming_scripts.py (the JavaScript run in the page), bench/streaming_page.py
(the page driver: opens the app on the double, one answer per call down either path),
bench/streaming_trace.py (the traced pass: CPU time per chunk) and bench/streaming_report.py (the
figures, the tables and the verdicts).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.page_loads import ROOT, rotate
from bench.streaming_page import CHROMIUM_ARGS, DOUBLE, BenchError, StreamingPage
from bench.streaming_report import code_versions, figures, report
from bench.streaming_scripts import INIT_SCRIPT
from bench.streaming_trace import traced_pass
from build.browser import CHROMIUM
from build.serve import SiteServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="measured runs per path and N (default 7, at least 5)")
    parser.add_argument("--trace-reps", type=int, default=3,
                        help="traced runs per path and N for the CPU-time figures (default 3; 0 skips them)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 4000], help="answer lengths in chunks")
    parser.add_argument("--json", type=Path, help="also write every run's raw figures to this file")
    args = parser.parse_args()
    if args.reps < 1 or args.trace_reps < 0 or any(n < 2 for n in args.sizes):
        parser.error("--reps must be ≥ 1, --trace-reps ≥ 0 and every size ≥ 2")
    sizes = sorted(set(args.sizes))

    started = time.monotonic()
    versions = code_versions()
    load_start = os.getloadavg()[0]
    server = SiteServer("127.0.0.1", 0, root=ROOT).start_in_background()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = browser.version
            try:
                raw, cpu = measure(browser, server.origin, sizes, args)
            finally:
                browser.close()
    except (BenchError, PlaywrightError, AssertionError) as error:
        print(f"\nBenchmark aborted: {error}", file=sys.stderr)
        return 1
    finally:
        server.shutdown()
    results = {path: {n: [figures(r, n) for r in runs] for n, runs in by_n.items()} for path, by_n in raw.items()}
    if code_versions() != versions:
        print("\nWarning: app or double files changed during the run; the figures may mix two versions.",
              file=sys.stderr)
    report(results, cpu, sizes, args, version, (load_start, os.getloadavg()[0]), time.monotonic() - started,
           versions)
    if args.json:
        args.json.write_text(json.dumps({"chromium": version, "code": versions, "sizes": sizes, "raw": raw,
                                         "figures": results, "cpu": cpu}, indent=1))
    return 0


def measure(browser, origin, sizes, args):
    """One page of the app with the double: the warm-up, the measured runs, then the traced pass.
    Returns (raw results per path and N, CPU figures or None); raises BenchError on a request to
    another origin."""
    context = browser.new_context(service_workers="block")
    double = DOUBLE.read_text()
    context.route("**/vendor/web-llm/index.js",
                  lambda route: route.fulfill(body=double, content_type="text/javascript"))
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    streaming = StreamingPage(page, origin)
    print(f"Benchmarking on {origin} with Chromium {browser.version}", file=sys.stderr)
    streaming.open_app()
    raw = measured_runs(streaming, sizes, args.reps)
    cpu = None
    if args.trace_reps:
        print("  traced pass (CPU time)…", file=sys.stderr, flush=True)
        cpu = traced_pass(browser, page, streaming, sizes, args.trace_reps)
    foreign = [u for u in requests if not u.startswith((origin + "/", "data:", "blob:"))]
    if foreign:
        raise BenchError(f"requests to another origin: {foreign[:5]}")
    return raw, cpu


def measured_runs(streaming, sizes, reps):
    """A warm-up run per path and N, then `reps` runs of each, interleaved in a rotating order."""
    runners = {"python": streaming.run_python, "js": streaming.run_js}
    for n in sizes:  # warm-up: JIT, Python imports, the markdown module, the JS engine
        for path in runners:
            runners[path](n)
    raw = {path: {n: [] for n in sizes} for path in runners}
    for rep in range(reps):
        for n in rotate(sizes, rep):
            for path in rotate(list(runners), rep):
                raw[path][n].append(runners[path](n))
        line = "  ".join(f"{p} N={n} {figures(raw[p][n][-1], n)['loop']:.4f}" for n in sizes for p in runners)
        print(f"  rep {rep + 1}/{reps}: loop ms/chunk  {line}", file=sys.stderr, flush=True)
    return raw


if __name__ == "__main__":
    sys.exit(main())
