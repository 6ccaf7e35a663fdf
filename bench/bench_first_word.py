"""Send -> first word on the CPU engine: the app reading the chat ahead vs the app before vs bare wllama.

    .venv/bin/python -m bench.bench_first_word --before DIR [--runs 5]

DIR is another checkout of the site, built (`make build`), e.g. `git worktree add /tmp/before <commit>`.
SmolLM2-135M-Instruct Q4_1 (its own hash-checked copy) on the CPU engine (WebGPU removed), one
thread (no cross-origin isolation), a seeded 6-item list (bench/sample_todos.py). Each run, for the
app and for DIR's app in turn (interleaved, so a busy machine hurts both alike), in a fresh page:

1. open the panel, start the model, and wait 15 s (someone reading the list), recording the page's
   long tasks ('longtask' entries, > 50 ms) while the app reads the chat ahead in wllama's worker;
2. ask "How many to-dos are open?" and time Send -> the first text of the answer, and its end;
3. wait 10 s, ask a follow-up ("Which ones are done?"), timed the same way;
4. press New chat, wait 10 s, add a to-do through the list's own input, and at once ask "What is
   left on my list?" (the list changed under a prompt read ahead; a fresh chat, so what has to be
   read again is what the change touched, not the chat before it).

A spy around wllama's createChatCompletion (bench/real_model.py SPY) records every request with
llama.cpp's timings: how many prompt tokens each question read itself (prompt_n) and how many it
found in the cache (cache_n), and its decode speed. Then the bare page (bench/bare-wllama/) answers
the app's first question's very messages and sampling with the same wllama, for decode parity.
Printed: medians per side, app/before ratios and the app/bare decode ratio. Results:
docs/benchmarks-first-word.md.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import ROOT
from bench.real_model import APP_ASK, GGUF_URL, SPY, app_init_script, route_bench_model, served_root, start_model
from bench.report import median_of, number
from bench.sample_todos import TODOS
from build.browser import CHROMIUM, CHROMIUM_ARGS
from build.fetch_model import TARGET as GGUF
from build.serve import SiteServer

QUESTIONS = ("How many to-dos are open?", "Which ones are done?", "What is left on my list?")
NEW_TODO = "Book a table for Friday"
IDLE_S, FOLLOW_UP_S = 15, 10
TIMEOUT_MS = 600_000
LONG_TASKS = """globalThis.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) __longTasks.push([e.startTime, e.duration]); })
  .observe({ type: "longtask", buffered: true });"""


def app_run(context, origin):
    """One fresh page of an app: the three questions, timed, and what wllama was asked."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        load_s = start_model(page, origin, spy=SPY)
        ready_at = page.evaluate("performance.now()")
        page.wait_for_timeout(IDLE_S * 1000)  # the scenario's idle time, not a wait for a state
        idle_longest = page.evaluate(
            "(since) => Math.max(0, ...__longTasks.filter(([start]) => start >= since).map(([, d]) => d))", ready_at)
        asked = [page.evaluate(APP_ASK, QUESTIONS[0])]
        page.wait_for_timeout(FOLLOW_UP_S * 1000)
        asked.append(page.evaluate(APP_ASK, QUESTIONS[1]))
        page.locator(".new-chat").click()
        page.wait_for_selector("#assistant-panel .transcript:empty", state="attached")
        page.wait_for_timeout(FOLLOW_UP_S * 1000)
        page.locator(".new-todo").fill(NEW_TODO)
        page.locator(".new-todo").press("Enter")
        asked.append(page.evaluate(APP_ASK, QUESTIONS[2]))
        requests = page.evaluate("globalThis.__requests")
    finally:
        page.close()
    answers = [r for r in requests if r["sampling"].get("max_tokens") != 0]
    assert [r["messages"][-1]["content"] for r in answers] == list(QUESTIONS), "one request per question"
    row = {"load_s": load_s, "idle_longest_ms": idle_longest, "warm_ups": len(requests) - len(answers),
           "messages": answers[0]["messages"], "sampling": answers[0]["sampling"]}
    for n, (wall, request) in enumerate(zip(asked, answers)):
        timings = request["timings"] or {}
        row.update({f"first_ms_{n}": wall["first_text_ms"], f"total_ms_{n}": wall["total_ms"],
                    f"read_{n}": timings.get("prompt_n"), f"cached_{n}": timings.get("cache_n"),
                    f"decode_{n}": timings.get("predicted_per_second")})
    return row


def bare_run(context, origin, messages, sampling):
    """The bare wllama page answering `messages`: first token and decode speed."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(origin + "/bench/bare-wllama/")
        page.wait_for_selector("html[data-ready]", state="attached")
        load = {"url": origin + GGUF_URL, "n_ctx": 2048, "n_threads": 1}
        result = page.evaluate("([load, request]) => benchWllama(load, request)",
                               [load, {"messages": messages, **sampling}])
    finally:
        page.close()
    timings = result["timings"] or {}
    return {"first_ms_0": result["first_delta_ms"], "read_0": timings.get("prompt_n"),
            "decode_0": timings.get("predicted_per_second")}


def report(results):
    names = list(results)
    print("| figure (median) | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    figures = [("Send → first text, question 15 s after ready (ms)", "first_ms_0", 0),
               ("Send → first text, follow-up (ms)", "first_ms_1", 0),
               ("Send → first text, right after a list change (ms)", "first_ms_2", 0),
               ("prompt tokens read / found cached, first question", ("read_0", "cached_0"), 0),
               ("prompt tokens read / found cached, follow-up", ("read_1", "cached_1"), 0),
               ("prompt tokens read / found cached, after the change", ("read_2", "cached_2"), 0),
               ("decode tokens/s, first question", "decode_0", 1),
               ("longest main-thread task while idle after ready (ms)", "idle_longest_ms", 0),
               ("warm-up requests", "warm_ups", 0), ("model load (s)", "load_s", 2)]
    for label, key, digits in figures:
        if isinstance(key, tuple):
            cells = [f"{number(median_of(results[n], key[0]))} / {number(median_of(results[n], key[1]))}"
                     for n in names]
        else:
            cells = [number(median_of(results[n], key), digits) for n in names]
        print(f"| {label} | " + " | ".join(cells) + " |")
    app = results["app"]
    for other in [n for n in names if n != "app"]:
        for key, label in (("first_ms_0", "first text, question"), ("first_ms_1", "first text, follow-up"),
                           ("first_ms_2", "first text, after a change"), ("decode_0", "decode")):
            a, b = median_of(app, key), median_of(results[other], key)
            if a and b:
                print(f"app/{other} {label}: {a / b:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout of the site, built")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sites = {"app": ROOT, **({"before": args.before} if args.before else {})}
    servers = {name: SiteServer("127.0.0.1", 0, root=served_root(tempfile.mkdtemp(prefix=f"first-word-{name}-"), site),
                                sends_headers=False).start_in_background() for name, site in sites.items()}
    results = {name: [] for name in sites}
    results["bare"] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = {}
        for name, server in servers.items():
            context = browser.new_context(service_workers="block")
            route_bench_model(context, server.origin + GGUF_URL)
            context.add_init_script(app_init_script(TODOS))
            context.add_init_script(LONG_TASKS)
            contexts[name] = context
        for run in range(args.runs):
            for name in (list(sites) if run % 2 == 0 else list(reversed(sites))):
                results[name].append(app_run(contexts[name], servers[name].origin))
                print(f"run {run + 1} {name}: " + ", ".join(f"{k} {v}" for k, v in results[name][-1].items()
                                                          if k not in ("messages", "sampling")),
                      file=sys.stderr, flush=True)
            first = results["app"][-1]
            results["bare"].append(bare_run(contexts["app"], servers["app"].origin, first["messages"],
                                            first["sampling"]))
            print(f"run {run + 1} bare: {results['bare'][-1]}", file=sys.stderr, flush=True)
        browser.close()
    for server in servers.values():
        server.shutdown()
    print(f"{GGUF.name}, 1 thread, {args.runs} runs; questions: {', '.join(QUESTIONS)}")
    report(results)


if __name__ == "__main__":
    main()
