"""Streaming benchmark: the assistant's Python streaming path against a plain-JS loop, same page.

Run: `.venv/bin/python bench/bench_streaming.py [--reps 7] [--trace-reps 3]`.
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
app/engine_js.py (Python's `async for` over the batches). The automatic engine choice would pick
the CPU engine on SwiftShader, so the page starts with a WebLLM model remembered as the choice.

Note: the app asks for a max_tokens of its own (its sampling policy) and the double stops after
max_tokens chunks, so this script makes the double ignore max_tokens (it wraps the double's
chatCompletion in the page; the app's code is untouched). A real answer stops at max_tokens.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.page_loads import MODEL_KEY, ROOT, rotate, watch_errors  # noqa: E402
from bench.report import command_line  # noqa: E402
from build.browser import CHROMIUM, WEBGPU_ARG  # noqa: E402
from build.browser import CHROMIUM_ARGS as _BASE_ARGS  # noqa: E402
from build.serve import SiteServer  # noqa: E402

CHROMIUM_ARGS = [*_BASE_ARGS, WEBGPU_ARG]
DOUBLE = ROOT / "tests" / "doubles" / "web-llm.js"
QUESTION = "What should I do first today?"
LOOP_TARGET_MS = 0.1
RATIO_TARGET = 1.5
FLAT_TARGET = 1.2
LONG_TASK_MS = 50
TIMEOUT_MS = 120_000

# Installed before any page script runs: long tasks, the Enter keydown that sends a question, and a
# WebLLM model as the remembered choice (the double stands in for WebLLM only; on SwiftShader the
# automatic choice would be the CPU engine).
INIT_SCRIPT = """
(() => {
  if (localStorage.getItem(MODEL_KEY) === null) {
    localStorage.setItem(MODEL_KEY, "Llama-3.2-1B-Instruct-q4f32_1-MLC");
  }
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { window.__longtasksUnsupported = String(error); }
  addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target && event.target.id === "message" && window.__bench) {
      if (window.__bench.send == null) {
        window.__bench.send = performance.now();
        performance.mark("bench:send");
      }
    }
  }, true);
})();
""".replace("MODEL_KEY", json.dumps(MODEL_KEY))

# Before the app creates its engine: make the double ignore max_tokens (see the module docstring)
# and timestamp its chunks. The page's import() of the URL gives the module instance the app uses.
PATCH_DOUBLE = """
async () => {
  const webllm = await import("/vendor/web-llm/index.js");
  const base = Object.getPrototypeOf(webllm.MLCEngine.prototype);
  if (!base.__benchPatched) {
    const original = base.chatCompletion;
    base.chatCompletion = function (request) {
      if (request && request.max_tokens != null) request = { ...request, max_tokens: undefined };
      return original.call(this, request);
    };
    // The double does `this.message += content` as it hands out each chunk: an accessor on the
    // prototype timestamps the producer side (engines created after this patch only).
    Object.defineProperty(base, "message", {
      configurable: true,
      get() { return this.__benchMessage ?? ""; },
      set(value) {
        this.__benchMessage = value;
        const p = globalThis.__benchProducer;
        if (p && value) {
          const now = performance.now();
          if (p.first === null) { p.first = now; performance.mark("bench:first-chunk"); }
          p.last = now;
          if (++p.chunks === p.expected) performance.mark("bench:last-chunk");
        }
      },
    });
    base.__benchPatched = true;
  }
  return typeof webllm.CreateWebWorkerMLCEngine === "function" && "__webllmErrors" in globalThis;
}
"""

# Arms the observers for one python run; the returned promise-holder resolves when it finishes.
ARM_PYTHON = """
({ reply }) => {
  globalThis.__webllmScenario = { reply, chunkSize: 1, chunkDelayMs: 0 };
  const transcript = document.querySelector(".transcript");
  const b = (window.__bench = { appends: 0, chars: 0, first: null, last: null, finished: null,
                                maxFrameGap: 0, streaming: true });
  globalThis.__benchProducer = { first: null, last: null, chunks: 0, expected: reply.length };
  let resolve;
  window.__benchDone = new Promise((r) => (resolve = r));
  let lastFrame = null;
  const frame = (t) => {
    if (lastFrame !== null && globalThis.__benchProducer.first !== null) {
      b.maxFrameGap = Math.max(b.maxFrameGap, t - lastFrame);
    }
    lastFrame = t;
    if (b.finished === null) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const observer = new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records) {
      const target = record.target;
      if (record.type === "attributes") {
        if (target.classList.contains("answer") && !target.classList.contains("streaming") && b.finished === null) {
          b.finished = now;
          performance.mark("bench:finished");
          b.streaming = false;
        }
        continue;
      }
      if (!b.streaming || !target.classList || !target.classList.contains("answer")) continue;
      // Appends only add; the final render replaces the streamed text (it removes nodes): no more appends.
      if (record.removedNodes.length) { b.streaming = false; continue; }
      let texts = 0;
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.TEXT_NODE) { texts++; b.chars += node.data.length; }
      }
      if (texts) {
        b.appends += texts;
        if (b.first === null) b.first = now;
        b.last = now;
      }
    }
    if (b.finished !== null) {
      observer.disconnect();
      resolve();
    }
  });
  observer.observe(transcript, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
  return true;
}
"""

COLLECT_PYTHON = """
async (timeoutMs) => {
  await Promise.race([window.__benchDone, new Promise((_, reject) => setTimeout(
    () => reject(new Error(`the answer kept class "streaming" for ${timeoutMs} ms`)), timeoutMs))]);
  await new Promise((r) => setTimeout(r, 150));  // long-task entries arrive after the task ends
  const b = window.__bench;
  const tasks = window.__longtasks.filter(([start, duration]) =>
    start + duration >= b.send && start <= b.finished);
  const p = globalThis.__benchProducer;  // the loop: from the double's first chunk to its last
  const inLoop = tasks.filter(([start, duration]) => start + duration >= p.first && start <= p.last);
  const answer = document.querySelector(".transcript .answer");
  return { send: b.send, first: b.first, last: b.last, finished: b.finished, appends: b.appends,
           chars: b.chars, maxFrameGap: b.maxFrameGap,
           producerFirst: p.first, producerLast: p.last, producerChunks: p.chunks,
           longest: tasks.reduce((m, [, d]) => Math.max(m, d), 0), longTasks: tasks.length,
           longestInLoop: inLoop.reduce((m, [, d]) => Math.max(m, d), 0),
           answerChars: answer ? answer.textContent.length : -1,
           longtasksUnsupported: window.__longtasksUnsupported ?? null };
}
"""

RUN_JS = """
async ({ reply, question, modelId }) => {
  const webllm = await import("/vendor/web-llm/index.js");
  globalThis.__webllmScenario = { reply, chunkSize: 1, chunkDelayMs: 0 };
  if (!globalThis.__benchJsEngine) {
    const worker = new Worker(new URL("./assets/llm-worker.js", document.baseURI), { type: "module" });
    globalThis.__benchJsEngine = await webllm.CreateWebWorkerMLCEngine(worker, modelId, {});
  }
  const engine = globalThis.__benchJsEngine;
  await engine.resetChat();
  let out = document.getElementById("bench-js-out");
  if (!out) {
    out = document.createElement("div");
    out.id = "bench-js-out";
    out.style.cssText = "white-space: pre-wrap; max-height: 30vh; overflow: auto";
    document.body.append(out);
  }
  out.replaceChildren();
  const messages = [{ role: "system", content: "You are the assistant built into a to-do app." },
                    { role: "user", content: question }];
  const before = window.__longtasks.length;
  const p = (globalThis.__benchProducer = { first: null, last: null, chunks: 0, expected: reply.length });
  performance.mark("bench:js-start");
  const t0 = performance.now();
  let first = null, last = null, appends = 0;
  for await (const chunk of await engine.chat.completions.create(
      { messages, stream: true, stream_options: { include_usage: true } })) {
    const content = chunk.choices[0]?.delta?.content ?? "";
    out.append(document.createTextNode(content));
    if (content) {
      appends++;
      const now = performance.now();
      if (first === null) first = now;
      last = now;
    }
  }
  const end = performance.now();
  performance.mark("bench:js-end");
  const chars = out.textContent.length;
  await new Promise((r) => setTimeout(r, 150));
  const tasks = window.__longtasks.slice(before).filter(([s, d]) => s + d >= t0 && s <= end);
  out.replaceChildren();
  return { send: t0, first, last, finished: end, appends, chars, answerChars: chars, maxFrameGap: null,
           producerFirst: p.first, producerLast: p.last, producerChunks: p.chunks,
           longest: tasks.reduce((m, [, d]) => Math.max(m, d), 0), longTasks: tasks.length };
}
"""

SENTENCES = (
    "Start with **Pay the electricity bill**: it is due tomorrow and the late fee is steep. ",
    "Then *call the plumber* about the kitchen tap, before the weekend. ",
    "- Buy milk, eggs and bread on the way home.\n",
    "- Book the dentist for next week.\n",
    "Everything else on your list can wait until Friday; none of it has a date. ",
)


MEASURED_FILES = ("assets/engines/stream.js", "assets/engines/webllm.js", "app/engine_js.py", "app/chat_view.py",
                  "app/transcript_view.py", "app/assistant.py", "app/answer_turn.py", "tests/doubles/web-llm.js")


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


def reply_text(n):
    """A reply of exactly n characters: plain prose with a little markdown, like a model's answer."""
    text, i = "", 0
    while len(text) < n:
        text += SENTENCES[i % len(SENTENCES)]
        i += 1
    return text[:n]


class BenchError(Exception):
    pass


class StreamingPage:
    """The app's page with the double: opens it and the assistant, then runs one answer per call down
    either path and checks that it arrived whole. Page errors and Python tracebacks fail the run."""

    def __init__(self, page, origin):
        self.page = page
        self.origin = origin
        self.errors = []
        self.model_id = None
        watch_errors(page, self.errors)

    def check(self):
        if self.errors:
            raise BenchError("; ".join(self.errors))

    def open_app(self):
        page = self.page
        page.goto(self.origin + "/index.html")
        page.wait_for_selector("html[data-ready]", state="attached", timeout=TIMEOUT_MS)
        # Before the app creates its engine, so the producer-side timestamps cover it too.
        if not page.evaluate(PATCH_DOUBLE):
            raise BenchError("the page did not load the WebLLM test double")
        page.get_by_role("button", name="Ask the assistant about your list").click()
        panel = page.locator("#assistant-panel")
        expect(panel).to_have_attribute("data-state", "idle", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Download and start").click()
        expect(panel).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        self.model_id = page.locator("#model").input_value()
        self.check()

    def run_python(self, n):
        page = self.page
        panel = page.locator("#assistant-panel")
        page.get_by_role("button", name="New chat").click()
        expect(page.locator(".transcript .turn")).to_have_count(0)
        expect(panel).to_have_attribute("data-state", "ready")
        page.evaluate(ARM_PYTHON, {"reply": reply_text(n)})
        message = page.get_by_role("textbox", name="Message")
        message.fill(QUESTION)
        message.press("Enter")
        try:
            result = page.evaluate(COLLECT_PYTHON, TIMEOUT_MS)
        except PlaywrightError as error:
            raise BenchError(f"python run N={n} did not finish: {error.message.splitlines()[0]}") from error
        expect(panel).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        self.check()
        if result["send"] is None or result["chars"] != n or result["producerChunks"] != n:
            raise BenchError(f"python run N={n}: {result['chars']} characters in {result['appends']} text nodes, "
                             f"{result['producerChunks']} chunks from the double, expected {n} "
                             f"(send recorded: {result['send'] is not None})")
        return result

    def run_js(self, n):
        result = self.page.evaluate(RUN_JS, {"reply": reply_text(n), "question": QUESTION,
                                             "modelId": self.model_id})
        self.check()
        if result["appends"] != n or result["answerChars"] != n or result["producerChunks"] != n:
            raise BenchError(f"js run N={n}: {result['appends']} chunks, {result['answerChars']} chars, "
                             f"{result['producerChunks']} from the double, expected {n}")
        return result


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
