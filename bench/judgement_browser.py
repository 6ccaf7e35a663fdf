"""The app's CPU engine in Chromium as the judgement benchmark's engine: the path people really run.

`python -m bench.judgement --engine browser --sample 20` (in the test venv, which has Playwright)
serves the site on 127.0.0.1 with the GGUF beside it, opens a bare page of that origin in Debian's
Chromium and drives the app's own engine module (assets/engines/wllama.js: wllama 3.13, llama.cpp
in WebAssembly, one thread) with the very requests the native path sends: same messages, same
sampling, the same JSON schema (which wllama turns into a grammar with llama.cpp's C++ converter).
It shows that both paths score alike; it is slower (minutes for 20 cases), so native llama.cpp does
the bulk. wllama takes no seed: its samples differ from run to run, so the two paths are compared
by their scores, not reply by reply. The LoopGuard is applied to the text afterwards (the engine is
not stopped early), which changes the time taken, not what is scored.
"""

import json
import tempfile
import time
from pathlib import Path

from bench.judgement_native import Output
from bench.real_model import link_site
from build.browser import CHROMIUM, CHROMIUM_ARGS
from build.serve import SiteServer

PAGE = "/judgement-engine.html"
BLANK = "<!doctype html><html lang=en><meta charset=utf-8><title>judgement engine</title>"
MODULE = "/assets/engines/wllama.js"
TIMEOUT_MS = 20 * 60 * 1000

LOAD = """async ([url, model]) => {
  const engine = await import(url);
  const outcome = await engine.load(model, () => {});
  if (outcome.error) throw new Error(JSON.stringify(outcome.error));
  return outcome.value;
}"""

# As app/assistant/engines/js_adapter.py drains a generation: the text batches, then the result.
DRAIN = """async ([url, messages, options]) => {
  const engine = await import(url);
  const feed = engine.generate(messages, options);
  const batches = [];
  for await (const text of feed.batches) batches.push(text);
  return { batches, result: feed.result };
}"""


class BrowserEngine:
    """One GGUF loaded once into the app's wllama module in a bare page; `run` as NativeEngine's."""

    label = "wllama in Chromium (1 thread)"

    def __init__(self, model_path, *, context_tokens=4096):
        from playwright.sync_api import sync_playwright

        self._folder = tempfile.TemporaryDirectory(prefix="judgement-")
        root = link_site(self._folder.name)
        (root / "judgement-model").mkdir()
        (root / "judgement-model" / Path(model_path).name).symlink_to(Path(model_path).resolve())
        # No COOP/COEP: not cross-origin isolated, so wllama runs on one thread, as on most hosts.
        self.server = SiteServer("127.0.0.1", 0, root=root, sends_headers=False).start_in_background()
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = self.browser.new_context(service_workers="block")
        context.route(self.server.origin + PAGE, lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/html"}, body=BLANK))
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.goto(self.server.origin + PAGE)
        model_url = f"{self.server.origin}/judgement-model/{Path(model_path).name}"
        self.page.evaluate(LOAD, [self.server.origin + MODULE, {
            "model_id": "judgement", "url": model_url, "context_window": context_tokens}])

    def run(self, request, sampling, seed, on_text):
        """One request; `seed` is not sent (wllama takes none). on_text(chunk) True marks a loop."""
        options = {"temperature": sampling.temperature, "top_p": sampling.top_p,
                   "repetition_penalty": sampling.repetition_penalty,
                   "frequency_penalty": sampling.frequency_penalty, "max_tokens": request.max_tokens}
        if request.schema is not None:
            options["json_schema"] = request.schema
        started = time.perf_counter()
        drained = self.page.evaluate(DRAIN, [self.server.origin + MODULE, request.messages, options])
        seconds = time.perf_counter() - started
        result = drained["result"] or {}
        if result.get("error"):
            raise RuntimeError(f"wllama failed: {json.dumps(result['error'])}")
        stats = result.get("stats") or {}
        parts, finish = [], "stop" if result.get("finish") == "stop" else "length"
        for text in drained["batches"]:
            parts.append(text)
            if on_text(text):
                finish = "loop"
                break
        prompt = (stats.get("prompt_tokens") or 0) + (stats.get("cached_prompt_tokens") or 0)
        return Output("".join(parts), finish, prompt, stats.get("completion_tokens") or 0, seconds)

    def close(self):
        self.browser.close()
        self._playwright.stop()
        self.server.shutdown()
        self._folder.cleanup()
