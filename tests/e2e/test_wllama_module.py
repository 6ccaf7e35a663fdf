"""The CPU engine's module (assets/engines/wllama.js) on the REAL wllama and the REAL test model.

A smoke check of the module contract on its own page; the app's real-model tests drive the same
module through the assistant. SmolLM2-135M answers poorly, so these tests assert what the module
does (phases, streaming, figures, stop, storage), never what the model says.
"""

import json
from pathlib import Path

import pytest

from tests.e2e.engine_page import DRAIN, open_engine_page

ROOT = Path(__file__).resolve().parent.parent.parent
GGUF = "tests/models/SmolLM2-135M-Instruct.Q4_1.gguf"
MODULE = "/assets/engines/wllama.js"
TIMEOUT_MS = 240_000
QUESTION = [{"role": "system", "content": "You are a helpful assistant. Answer in one sentence."},
            {"role": "user", "content": "What is the capital of France?"}]
SAMPLING = {"temperature": 0.3, "top_p": 0.9, "repetition_penalty": 1.1, "frequency_penalty": 0.2,
            "max_tokens": 24}

# load() says the context it really built, and where: on the CPU (no layers were asked on the GPU)
LOADED = {"value": {"context_window": 2048, "device": "cpu", "gpu_error": None}}

# Bounded so that even a 135M model closes the JSON well before max_tokens.
REPLY_SCHEMA = {
    "type": "object",
    "properties": {
        "reply": {"type": "string", "maxLength": 60},
        "actions": {"type": "array", "maxItems": 2, "items": {
            "type": "object", "properties": {"op": {"type": "string", "enum": ["add"]},
                                             "title": {"type": "string", "minLength": 1, "maxLength": 30}},
            "required": ["op", "title"], "additionalProperties": False}},
    },
    "required": ["reply", "actions"],
    "additionalProperties": False,
}

LOAD = """async ([url, model]) => {
  const engine = await import(url);
  const reports = [];
  const outcome = await engine.load(model, (report) => reports.push(report));
  return { outcome, phases: [...new Set(reports.map((r) => r.phase))], last: reports.at(-1) };
}"""


@pytest.fixture
def model(site):
    assert (ROOT / GGUF).is_file(), f"{GGUF} is missing: `make test-model` fetches it"
    return {"model_id": "SmolLM2-135M-Instruct-Q4_1", "engine": "wllama", "url": "/" + GGUF,
            "context_window": 2048}


@pytest.fixture
def engine_page(context, site, watch):
    page = open_engine_page(context, site, watch)
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    watch.check()


def call(page, function, *args):
    return page.evaluate("async ([url, f, args]) => (await import(url))[f](...args)", [MODULE, function, list(args)])


def test_a_model_downloads_answers_in_a_stream_and_stops(engine_page, model, site, watch):
    page = engine_page
    assert call(page, "availability")["value"]["available"] is True
    assert call(page, "cachedIds", [model]) == {"value": []}

    loaded = page.evaluate(LOAD, [MODULE, model])
    assert loaded["outcome"] == LOADED
    assert loaded["phases"] == ["download", "prepare"]
    assert loaded["last"]["loaded"] == loaded["last"]["total"] == 98_362_432

    answer = page.evaluate(DRAIN, [MODULE, QUESTION, SAMPLING])
    result = answer["result"]
    assert result["error"] is None
    assert result["finish"] in ("stop", "length")
    assert answer["text"].strip()
    stats = result["stats"]
    assert stats["prefill_tokens_per_s"] > 0 and stats["decode_tokens_per_s"] > 0
    assert 0 < stats["completion_tokens"] <= SAMPLING["max_tokens"]

    # Stop while it streams: the answer ends with "abort", and the next request works.
    stopped = page.evaluate("""async ([url, messages]) => {
      const engine = await import(url);
      const feed = engine.generate(messages, { max_tokens: 400 });
      let text = '';
      for await (const batch of feed.batches) { text += batch; if (batch) engine.stop(); }  // "" is reading progress
      return { text, result: feed.result };
    }""", [MODULE, [{"role": "user", "content": "Tell me a very long story about a cat."}]])
    assert stopped["result"]["finish"] == "abort" and stopped["result"]["error"] is None
    assert 0 < stopped["result"]["stats"]["completion_tokens"] < 400
    again = page.evaluate(DRAIN, [MODULE, QUESTION, SAMPLING])
    assert again["result"]["error"] is None and again["text"].strip()

    # A JSON schema constrains the answer (llama.cpp's grammar): it is JSON of that shape.
    structured = page.evaluate(DRAIN, [MODULE, QUESTION, {**SAMPLING, "max_tokens": 120, "json_schema": REPLY_SCHEMA}])
    assert structured["result"]["finish"] == "stop"
    reply = json.loads(structured["text"])
    assert set(reply) == {"reply", "actions"} and isinstance(reply["reply"], str) and len(reply["actions"]) <= 2

    assert call(page, "cachedIds", [model]) == {"value": [model["model_id"]]}
    assert call(page, "bytesOnDevice", [model]) == {"value": {model["model_id"]: 98_362_432}}
    assert call(page, "unload") == {"value": None}

    # A second load reads the model from this device; deleting it empties the device.
    # Of the vendored files, the runtime fetched exactly wllama's module and its wasm.
    vendored = {u.removeprefix(site.origin) for u in watch.requests if u.startswith(f"{site.origin}/vendor/")}
    assert vendored == {"/vendor/wllama/index.js", "/vendor/wllama/wllama.wasm"}

    reloaded = page.evaluate(LOAD, [MODULE, model])
    assert reloaded["outcome"] == LOADED
    assert reloaded["phases"] == ["device", "prepare"]
    assert call(page, "deleteModel", model) == {"value": None}
    assert call(page, "cachedIds", [model]) == {"value": []}
    assert call(page, "bytesOnDevice", [model]) == {"value": {}}


def test_a_cancelled_download_settles_as_cancelled_and_keeps_nothing(engine_page, model):
    page = engine_page
    outcome = page.evaluate("""async ([url, model]) => {
      const engine = await import(url);
      return engine.load(model, (report) => { if (report.loaded > 0) engine.cancelLoad(); });
    }""", [MODULE, model])
    assert outcome["error"]["name"] == "Cancelled"
    assert call(page, "cachedIds", [model]) == {"value": []}


def test_a_load_cancelled_while_preparing_settles_at_once_and_the_next_load_works(engine_page, model):
    page = engine_page
    outcome = page.evaluate("""async ([url, model]) => {
      const engine = await import(url);
      return engine.load(model, (report) => { if (report.phase === 'prepare') engine.cancelLoad(); });
    }""", [MODULE, model])
    assert outcome["error"]["name"] == "Cancelled"
    assert page.evaluate(LOAD, [MODULE, model])["outcome"] == LOADED
    answer = page.evaluate(DRAIN, [MODULE, QUESTION, {**SAMPLING, "max_tokens": 4}])
    assert answer["result"]["error"] is None and answer["text"].strip()


def test_an_unreachable_model_host_is_reported_with_nothing_received(engine_page, model, watch):
    page = engine_page
    gone = {**model, "url": "http://127.0.0.1:9/models/gone.gguf"}
    watch.allowed_foreign.append("http://127.0.0.1:9/")
    outcome = page.evaluate(LOAD, [MODULE, gone])["outcome"]
    assert outcome["error"]["received"] == 0
    assert outcome["error"]["host"] == "127.0.0.1:9"
    assert "fetch" in outcome["error"]["message"].lower()


def test_without_jspi_the_vendored_compat_build_runs_and_nothing_comes_from_a_cdn(context, site, watch, model):
    # Safari and older browsers lack JSPI: wllama then needs its compat build, vendored here.
    page = open_engine_page(context, site, watch, init_scripts=[{"script": "delete WebAssembly.Suspending;"}])
    page.set_default_timeout(TIMEOUT_MS)
    loaded = page.evaluate(LOAD, [MODULE, model])
    assert loaded["outcome"] == LOADED
    answer = page.evaluate(DRAIN, [MODULE, QUESTION, {**SAMPLING, "max_tokens": 4}])
    assert answer["result"]["error"] is None and answer["text"].strip()
    assert f"{site.origin}/vendor/wllama-compat/wllama.wasm" in watch.requests
    assert f"{site.origin}/vendor/wllama/wllama.wasm" not in watch.requests
    watch.check()


# What the CPU engine needs from the hardening issue's policy: WebAssembly compilation and workers
# started from Blob URLs; nothing else beyond 'self'.
STRICT_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; "
              "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")


@pytest.mark.parametrize("isolated", [False, True])
def test_under_a_strict_csp_the_engine_loads_and_answers_without_a_violation(context, site, watch, model, isolated):
    page = open_engine_page(context, site, watch, isolated=isolated, csp=STRICT_CSP)
    page.set_default_timeout(TIMEOUT_MS)
    assert page.evaluate(LOAD, [MODULE, model])["outcome"] == LOADED
    answer = page.evaluate(DRAIN, [MODULE, QUESTION, {**SAMPLING, "max_tokens": 4}])
    assert answer["result"]["error"] is None and answer["text"].strip()
    assert page.evaluate("window.__violations") == []
    watch.check()


@pytest.mark.parametrize("isolated, threads", [(True, 4), (False, 1)])
def test_threads_are_half_the_cores_only_in_a_cross_origin_isolated_page(context, site, watch, isolated, threads):
    cores = {"script": "Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', {get: () => 8});"}
    page = open_engine_page(context, site, watch, isolated=isolated, init_scripts=[cores])
    value = call(page, "availability")["value"]
    assert page.evaluate("crossOriginIsolated") is isolated
    assert value["available"] is True and value["threads"] == threads
    assert ("not cross-origin isolated" in value["reason"]) is not isolated
    watch.check()
