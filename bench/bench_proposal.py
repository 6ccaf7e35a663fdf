"""Send -> proposal shown: the structured path vs today's plain answer, same engine and model, one run.

    .venv/bin/python bench/bench_proposal.py [--runs 4] [--details]

The app (index.html, Python on the main thread, the real wllama engine module) with the real
SmolLM2-135M-Instruct Q4_1 (tests/models/, `make test-model`) on the CPU, single-threaded, in one
page and one model load. Each round asks the same question about the same seeded list after
"New chat", twice, alternating the order between rounds so a busy machine hurts both alike:

- structured: the app as it is. One request with the reply schema; the reply streams out of the
  partial JSON; the changes are read and shown under the answer. Timed from the Send click to the
  proposal section in the page (or, where the model proposed nothing valid, to the answer's end).
- plain: the same page, with a bench-only wrapper around wllama's createChatCompletion (the app's
  own module instance) that swaps in what the app sent before issue 8: the plain system prompt of
  app.prompts.build_messages for the same list and question, no response_format, and the plain
  answer budget (max_tokens 512). The app then shows a plain-text answer. Timed from Send to the
  answer's end.

Every request is sent with llama.cpp's `cache_prompt: false`, so each prefills its whole prompt
(wllama otherwise keeps the previous prompt's KV cache, and a repeated prompt costs one token).
Both also report Send -> first text, llama.cpp's own prompt/answer token counts and decode speed,
so a difference can be told apart into prompt length, answer length and per-token cost (the JSON
grammar). Printed: medians per path and structured/plain ratios. Results: docs/benchmarks-proposals.md.
"""

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from app.prompts import build_messages  # noqa: E402
from app.sampling import DEFAULT_SAMPLING  # noqa: E402
from app.todos import Todo, Todos  # noqa: E402
from bench.real_model import app_init_script, llama_figures, route_bench_model, start_model  # noqa: E402
from bench.report import median_of, number  # noqa: E402
from build.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from build.fetch_model import TARGET as GGUF  # noqa: E402
from build.serve import SiteServer  # noqa: E402

GGUF_URL = "/tests/models/" + GGUF.name
CONTEXT = 2048
TODOS = Todos([Todo("b1", "Buy milk", False, 1), Todo("b2", "Call the dentist", False, 2),
               Todo("b3", "Clean the garage", True, 3)])
QUESTION = "Add buy bread, and mark buy milk as done."
TIMEOUT_MS = 600_000

# Around the app's own wllama: keeps llama.cpp's timings and the raw text of each request; while
# globalThis.__plain is set, sends the plain request instead (bench only, never in the app).
SPY = """async () => {
  const { Wllama } = await import("/vendor/wllama/index.js");
  const original = Wllama.prototype.createChatCompletion;
  globalThis.__requests = [];
  Wllama.prototype.createChatCompletion = function (options) {
    const record = { timings: null, raw: "", plain: Boolean(globalThis.__plain) };
    globalThis.__requests.push(record);
    // No prompt caching: every request prefills its whole prompt, as the first question of a chat
    // does, so neither path profits from the other's (or its own earlier) prompt.
    let sent = { ...options, cache_prompt: false };
    if (globalThis.__plain) {
      sent = { ...sent, messages: globalThis.__plain.messages, max_tokens: globalThis.__plain.max_tokens };
      delete sent.response_format;
    }
    record.response_format = Boolean(sent.response_format);
    record.max_tokens = sent.max_tokens;
    sent.onData = (chunk) => {
      if (chunk.timings) record.timings = chunk.timings;
      record.raw += chunk.choices?.[0]?.delta?.content ?? "";
      options.onData(chunk);
    };
    return original.call(this, sent);
  };
}"""

# Send click -> first reply text -> proposal section shown (or the answer's end when none comes).
ASK = """async (question) => {
  const log = document.querySelector("#assistant-panel .transcript");
  document.querySelector("#message").value = question;
  const start = performance.now();
  let first = null;
  return await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const turn = log.querySelector(".turn");
      const answer = turn?.querySelector(".answer");
      if (!answer) return;
      if (first === null && answer.textContent.trim()) first = performance.now();
      const proposal = turn.querySelector(".proposal");
      const ended = !answer.classList.contains("streaming");
      if (proposal || (ended && document.querySelector("#assistant-panel").dataset.state === "ready")) {
        observer.disconnect();
        resolve({ first_text_ms: first === null ? null : first - start, shown_ms: performance.now() - start,
                  proposal: Boolean(proposal), changes: proposal ? proposal.querySelectorAll("li").length : 0,
                  note: turn.querySelector(".answer-meta").textContent });
      }
    });
    observer.observe(log, { childList: true, subtree: true, characterData: true, attributes: true });
    document.querySelector("#assistant-panel .send").click();
  });
}"""


def open_app(browser, server):
    """The app in a new page, with the spy in place and the model started."""
    context = browser.new_context(service_workers="block")
    route_bench_model(context, server.origin + GGUF_URL, CONTEXT)
    context.add_init_script(app_init_script(TODOS))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: print(f"page error: {error}", file=sys.stderr))
    seconds = start_model(page, server.origin, spy=SPY)
    print(f"model loaded in {seconds:.1f} s", file=sys.stderr, flush=True)
    return context, page


def ask(page, plain):
    page.locator("#assistant-panel .new-chat").click()
    page.wait_for_function("document.querySelectorAll('#assistant-panel .turn').length === 0")
    page.evaluate("(plain) => { globalThis.__plain = plain; }", plain)
    result = page.evaluate(ASK, QUESTION)
    page.wait_for_function("document.querySelector('#assistant-panel').dataset.state === 'ready'")
    request = page.evaluate("globalThis.__requests.at(-1)")
    assert request["plain"] == (plain is not None) and request["response_format"] == (plain is None), request
    timings = request["timings"] or {}
    engine_ms = (timings["prompt_ms"] + timings["predicted_ms"]) if timings.get("predicted_ms") else None
    return {**result, **llama_figures(timings),
            # Everything but llama.cpp's own prefill and decode: Python, reading the reply, the DOM, waits.
            "outside_engine_ms": result["shown_ms"] - engine_ms if engine_ms else None, "raw": request["raw"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--details", action="store_true", help="print each answer's raw text")
    args = parser.parse_args()
    if not GGUF.exists():
        sys.exit(f"{GGUF} is missing: run `make test-model`")
    plain_request = {"messages": build_messages(list(TODOS), [], QUESTION, context_tokens=CONTEXT,
                                                answer_tokens=DEFAULT_SAMPLING.max_tokens),
                     "max_tokens": DEFAULT_SAMPLING.max_tokens}
    server = SiteServer("127.0.0.1", 0).start_in_background()
    rows = {"structured": [], "plain": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context, page = open_app(browser, server)
        ask(page, None)  # warm-up: first request after the load
        for run in range(args.runs):
            order = ("structured", "plain") if run % 2 == 0 else ("plain", "structured")
            for name in order:
                row = ask(page, plain_request if name == "plain" else None)
                rows[name].append(row)
                print(f"  run {run + 1} {name}: shown {row['shown_ms']:.0f} ms, first text "
                      f"{number(row['first_text_ms'])} ms, tokens {row['prompt_n']} / {row['predicted_n']}, prefill "
                      f"{number(row['prefill_tok_s'], 1)} tok/s, outside the engine "
                      f"{number(row['outside_engine_ms'])} ms, proposal {row['proposal']} "
                      f"({row['changes']}), note {row['note']!r}", file=sys.stderr, flush=True)
                if args.details:
                    print(f"    raw: {row['raw']!r}", file=sys.stderr, flush=True)
        context.close()
        browser.close()
    server.shutdown()

    print(f"question: {QUESTION!r}; list of {len(TODOS)} to-dos; SmolLM2-135M Q4_1 on wllama, 1 thread; "
          f"{args.runs} runs each, medians")
    print("| path | Send -> shown ms | Send -> first text ms | prompt tokens | answer tokens | prefill tok/s "
          "| decode tok/s | outside the engine ms | proposals shown |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, data in rows.items():
        shown = sum(r["proposal"] for r in data)
        print(f"| {name} | {number(median_of(data, 'shown_ms'))} | {number(median_of(data, 'first_text_ms'))} "
              f"| {number(median_of(data, 'prompt_n'))} | {number(median_of(data, 'predicted_n'))} "
              f"| {number(median_of(data, 'prefill_tok_s'), 1)} | {number(median_of(data, 'decode_tok_s'), 1)} "
              f"| {number(median_of(data, 'outside_engine_ms'))} | {shown}/{len(data)} |")
    s, p = rows["structured"], rows["plain"]
    for key, label in (("shown_ms", "Send -> shown"), ("first_text_ms", "Send -> first text"),
                       ("predicted_n", "answer tokens")):
        a, b = median_of(s, key), median_of(p, key)
        print(f"structured/plain, {label}: {a / b:.2f}" if a and b else f"structured/plain, {label}: —")
    per_token = [r["shown_ms"] / r["predicted_n"] for r in s if r["predicted_n"]]
    per_token_plain = [r["shown_ms"] / r["predicted_n"] for r in p if r["predicted_n"]]
    if per_token and per_token_plain:
        print(f"Send -> shown per answer token, ms: structured {statistics.median(per_token):.0f}, "
              f"plain {statistics.median(per_token_plain):.0f}")


if __name__ == "__main__":
    main()
