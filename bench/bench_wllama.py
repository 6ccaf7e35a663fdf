"""CPU-engine speed: the app vs a bare wllama page vs native llama.cpp, on the same GGUF and prompt.

    .venv/bin/python -m bench.bench_wllama [--runs 3] [--native .venv-judge/bin/python]

In one run, on SmolLM2-135M-Instruct Q4_1 (its own hash-checked copy, build/fetch_model.py):
- the app (index.html, the real wllama engine module, Python on the main thread) asks one question
  about a seeded list; a spy around wllama's createChatCompletion (the app's own module instance)
  records the exact messages and sampling the app sent and llama.cpp's timings of the answer;
- the bare page (bench/bare-wllama/) loads the same vendored wllama and GGUF and answers those
  same messages with that same sampling and thread count;
- native llama.cpp (`-m bench.native_llama` in the bench venv) on the same messages and threads.
Each side reports load time, prefill and decode tokens/s (llama.cpp's own counters) and the
wall-clock time to the first text; app/bare ratios are printed (target >= 0.95). Runs alternate app
and bare so a busy machine hurts both alike. Single-threaded on a plain server, then two threads on
a server sending COOP/COEP (cross-origin isolation, which wllama's threads need); the app picks
half the cores, so for its two-thread run the bench reports 4 cores to the page.
Then the bare page alone at several n_batch/n_ubatch values (where the wasm build loses time).
Results: docs/benchmarks-wllama.md.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import ROOT
from bench.real_model import (
    APP_ASK, GGUF_URL, SPY, app_init_script, llama_figures, route_bench_model, served_gguf, served_root, start_model)
from bench.report import median_of, number
from bench.sample_todos import TODOS
from build.browser import CHROMIUM, CHROMIUM_ARGS
from build.serve import SiteServer

QUESTION = "Give me my open to-dos as a bullet list."
TIMEOUT_MS = 300_000
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
FOUR_CORES = "Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 4 });"

class BenchServer(SiteServer):
    """The site's own server; `isolated=False` drops its COOP/COEP (and CSP) headers, so the page
    is not cross-origin isolated and wllama runs single-threaded, as on a host without headers."""

    def __init__(self, isolated, root):
        self.isolated = isolated
        super().__init__("127.0.0.1", 0, root=root, sends_headers=isolated)


def bench_context(browser, server, four_cores):
    """One context per server: its OPFS keeps the GGUF, so only the warm-up downloads it."""
    context = browser.new_context(service_workers="block")
    route_bench_model(context, server.origin + GGUF_URL, headers=ISOLATION if server.isolated else {})
    context.add_init_script(app_init_script(TODOS))
    if four_cores:
        context.add_init_script(FOUR_CORES)
    return context


def app_run(context, server):
    """A fresh page of the app: load the model (from OPFS after the warm-up), ask once."""
    page = context.new_page()
    try:
        page.set_default_timeout(TIMEOUT_MS)
        load_s = start_model(page, server.origin, spy=SPY)
        wall = page.evaluate(APP_ASK, QUESTION)
        (request,) = [r for r in page.evaluate("globalThis.__requests") if r["sampling"].get("max_tokens") != 0]
        return {"load_s": load_s, **wall, **llama_figures(request["timings"]), "threads": request["threads"],
                "messages": request["messages"], "sampling": request["sampling"],
                "isolated": page.evaluate("crossOriginIsolated")}
    finally:
        page.close()


def bare_run(context, server, messages, sampling, threads, n_batch=None, n_ubatch=None):
    page = context.new_page()
    try:
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server.origin + "/bench/bare-wllama/")
        page.wait_for_selector("html[data-ready]", state="attached")
        load = {"url": server.origin + GGUF_URL, "n_ctx": 2048, "n_threads": threads}
        if n_batch:
            load["n_batch"] = n_batch
        if n_ubatch:
            load["n_ubatch"] = n_ubatch
        request = None if messages is None else {"messages": messages, **sampling}
        result = page.evaluate("([load, request]) => benchWllama(load, request)", [load, request])
    finally:
        page.close()
    return {"load_s": result["load_ms"] / 1000, "first_text_ms": result["first_delta_ms"],
            "total_ms": result["total_ms"], **llama_figures(result["timings"]), "threads": result["threads"],
            "isolated": result["crossOriginIsolated"]}


def native_runs(python, messages, threads, runs, model):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(messages, file)
    out = subprocess.run([python, "-m", "bench.native_llama", "--threads", str(threads),
                          "--messages", file.name, "--runs", str(runs), "--model", str(model)],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    Path(file.name).unlink()
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def row(name, rows):
    return (f"| {name} | {len(rows)} | {number(median_of(rows, 'load_s'), 2)} "
            f"| {number(median_of(rows, 'prefill_tok_s'), 1)} | {number(median_of(rows, 'decode_tok_s'), 1)} "
            f"| {number(median_of(rows, 'first_text_ms'))} "
            f"| {number(median_of(rows, 'prompt_n'))} / {number(median_of(rows, 'predicted_n'))} |")


def ratio_line(name, app, bare):
    parts = []
    for key, label in (("prefill_tok_s", "prefill"), ("decode_tok_s", "decode")):
        a, b = median_of(app, key), median_of(bare, key)
        parts.append(f"{label} {a / b:.2f}" if a and b else f"{label} —")
    a, b = median_of(app, "first_text_ms"), median_of(bare, "first_text_ms")
    parts.append(f"time to first text {b / a:.2f}" if a and b else "time to first text —")
    return f"app/bare, {name}: " + ", ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="app/bare pairs, single-threaded")
    parser.add_argument("--runs-2", type=int, default=3, help="app/bare pairs, two threads")
    parser.add_argument("--native", default=".venv-judge/bin/python",
                        help="a Python with llama-cpp-python (bench/requirements.txt); '' to skip")
    parser.add_argument("--batches", default="64,512", help="n_batch values for the prefill sweep ('' skips)")
    args = parser.parse_args()
    root = served_root(tempfile.mkdtemp(prefix="bench-wllama-"))
    plain, isolated = BenchServer(False, root).start_in_background(), BenchServer(True, root).start_in_background()
    table = ["| side | runs | load s | prefill tok/s | decode tok/s | first text ms | prompt / answer tokens |",
             "|---|---|---|---|---|---|---|"]
    ratios, messages, sampling, sweep = [], None, None, []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = []
        for threads, server, runs in ((1, plain, args.runs), (2, isolated, args.runs_2)):
            context = bench_context(browser, server, four_cores=threads > 1)
            contexts.append(context)
            # Warm-up: the first load stores the GGUF in this context's OPFS; the measured loads read it there.
            warm = bare_run(context, server, None, None, threads)
            print(f"{threads} thread(s): first load (download from 127.0.0.1) {warm['load_s']:.2f} s, "
                  f"isolated={warm['isolated']}", file=sys.stderr, flush=True)
            app, bare = [], []
            for run in range(runs):
                app.append(app_run(context, server))
                messages, sampling = app[0]["messages"], app[0]["sampling"]
                bare.append(bare_run(context, server, messages, sampling, threads))
                print(f"  run {run + 1}: app threads {app[-1]['threads']}: "
                      f"{json.dumps({k: v for k, v in app[-1].items() if k not in ('messages', 'sampling')})}\n"
                      f"         bare: {json.dumps(bare[-1])}", file=sys.stderr, flush=True)
            assert all(a["messages"] == messages for a in app), "the app sent the same prompt each run"
            table += [row(f"app, {threads} thread(s)", app), row(f"bare wllama, {threads} thread(s)", bare)]
            ratios.append(ratio_line(f"{threads} thread(s)", app, bare))
        # Prefill against n_batch (decode does not batch): a short answer is enough.
        short = {**sampling, "max_tokens": 8}
        for n_batch in [int(b) for b in args.batches.split(",") if b]:
            rows = [bare_run(contexts[0], plain, messages, short, 1, n_batch=n_batch, n_ubatch=min(n_batch, 512))
                    for _ in range(args.runs)]
            sweep.append(row(f"bare, 1 thread, n_batch {n_batch}", rows))
            print(f"  n_batch {n_batch}: {sweep[-1]}", file=sys.stderr, flush=True)
        for context in contexts:
            context.close()
        browser.close()
    if args.native:
        for threads in (1, 2):
            rows = native_runs(args.native, messages, threads, args.runs, served_gguf(root))
            table.append(row(f"native llama.cpp, {threads} thread(s)", rows))
            print(f"  native {threads}: {rows}", file=sys.stderr, flush=True)
    print(f"sampling sent by the app: {json.dumps({k: v for k, v in sampling.items() if k != 'response_format'})}"
          f" + response_format json_schema")
    print("\n".join(table))
    print("\n".join(ratios))
    if sweep:
        print("\n".join(["", "| bare page, n_batch sweep | runs | load s | prefill tok/s | decode tok/s "
                         "| first text ms | prompt / answer tokens |", "|---|---|---|---|---|---|---|", *sweep]))
    plain.shutdown()
    isolated.shutdown()


if __name__ == "__main__":
    main()
