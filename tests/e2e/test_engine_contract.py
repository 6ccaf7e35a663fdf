"""Every engine module against the contract's one definition, assets/engines/engine-module.d.ts.

Each real module (webllm.js, wllama.js, prompt-api.js) is imported in a bare same-origin page and
taken through the same round: every function before a load, a load cancelled at its first report,
a load, a prefill, an answer, an answer stopped early, a new chat, an unload, a delete. What each
call gives back is checked against the `.d.ts` as tests/e2e/engine_contract.py reads it: exactly
the functions it names are exported; no call throws or rejects (every async one settles to {value}
or {error}); every value and progress report has the declared shape. Then what the contract says
in words: unload/reset settle to {value: null}, cancelLoad/stop/cancelPrefill return nothing, a
cancelled load ends as "Cancelled", a stopped answer ends with finish "abort".

Where a real engine cannot run here, its double stands in for it: WebLLM's (tests/doubles/web-llm.js,
routed in place of vendor/web-llm/index.js) and the Prompt API's (tests/doubles/prompt-api.js, in
place of `LanguageModel`). wllama is the real one, with the real test GGUF.
"""

import json
from pathlib import Path

import pytest

from tests.e2e.assistant_helpers import DEFAULT_MODEL, DOUBLE, WEB_LLM_ROUTE
from tests.e2e.engine_contract import DESCRIBE, UNDEFINED, problems, read
from tests.e2e.engine_page import open_engine_page

ROOT = Path(__file__).resolve().parent.parent.parent
GGUF = "tests/models/SmolLM2-135M-Instruct.Q4_1.gguf"
PROMPT_API_DOUBLE = ROOT / "tests/doubles/prompt-api.js"
TIMEOUT_MS = 240_000
CONTRACT = read()

MESSAGES = [{"role": "system", "content": "You are a helpful assistant. Answer in one sentence."},
            {"role": "user", "content": "What is the capital of France?"}]
LONG = [{"role": "user", "content": "Tell me a very long story about a cat."}]
OPTIONS = {"temperature": 0.3, "top_p": 0.9, "repetition_penalty": 1.1, "frequency_penalty": 0.2, "max_tokens": 8}
LONG_OPTIONS = {**OPTIONS, "max_tokens": 400}


def model(model_id, url=None, context_window=4096):
    """A model as the Python adapter passes it (the contract's Model)."""
    return {"model_id": model_id, "url": url, "record": None, "context_window": context_window}


def webllm_page(context, site, watch):
    context.route(WEB_LLM_ROUTE, lambda route: route.fulfill(path=str(DOUBLE), content_type="text/javascript"))
    scenario = {"reply": ["Paris is the capital of France.", "w " * 400], "chunkSize": 2, "chunkDelayMs": 2}
    return open_engine_page(context, site, watch,
                            init_scripts=[{"script": f"globalThis.__webllmScenario = {json.dumps(scenario)};"}])


def wllama_page(context, site, watch):
    assert (ROOT / GGUF).is_file(), f"{GGUF} is missing: `make test-model` fetches it"
    return open_engine_page(context, site, watch)


def prompt_api_page(context, site, watch):
    # The browser downloads its model on the first load; activation is not this contract's concern.
    scenario = {"availability": "downloadable", "download": [0, 0.5, 1], "requireActivation": False,
                "reply": ["Paris.", "word " * 300], "chunkSize": 5}
    return open_engine_page(context, site, watch, init_scripts=[
        {"script": f"globalThis.__promptApiScenario = {json.dumps(scenario)};"}, {"path": str(PROMPT_API_DOUBLE)}])


# engine: (module, page opener, model, keeps its models in this site's storage)
ENGINES = {
    "webllm": ("/assets/engines/webllm.js", webllm_page, model(DEFAULT_MODEL), True),
    "wllama": ("/assets/engines/wllama.js", wllama_page,
               model("SmolLM2-135M-Instruct-Q4_1", "/" + GGUF, 2048), True),
    "prompt-api": ("/assets/engines/prompt-api.js", prompt_api_page, model("chrome-built-in"), False),
}

# The round every module goes through. `call` records what each function gave back: a synchronous
# throw, a rejection, or the value (a promise's, once settled), as engine_contract.DESCRIBE has it.
PROBE = """async ([url, model, messages, options, long, longOptions]) => {
  const describe = (%s);
  const engine = await import(url);
  const exports = Object.fromEntries(Object.entries(engine).map(([name, value]) => [name, typeof value]));
  const calls = [];
  async function call(step, fn, ...args) {
    const entry = { step, fn, threw: null, promise: false, rejected: null, value: null };
    calls.push(entry);
    let returned;
    try {
      returned = engine[fn](...args);
    } catch (error) {
      entry.threw = String(error?.stack ?? error);
      return undefined;
    }
    if (returned && typeof returned.then === "function") {
      entry.promise = true;
      try {
        returned = await returned;
      } catch (error) {
        entry.rejected = String(error?.message ?? error);
        return undefined;
      }
    }
    entry.value = describe(returned);
    return returned;
  }
  async function drain(step, feed, onBatch = () => {}) {
    if (!feed?.batches) return { step, batches: [], result: null, threw: "no feed" };
    const batches = [];
    try {
      for await (const text of feed.batches) {
        batches.push(text);
        onBatch(text);
      }
    } catch (error) {
      return { step, batches: describe(batches), result: describe(feed.result), threw: String(error) };
    }
    return { step, batches: describe(batches), result: describe(feed.result), threw: null };
  }
  const out = { exports, calls, drained: {} };

  // Nothing loaded yet.
  await call("before a load", "availability");
  out.cachedBefore = (await call("before a load", "cachedIds", [model]))?.value;
  await call("before a load", "bytesOnDevice", [model]);
  await call("before a load", "cancelLoad");
  await call("before a load", "stop");
  await call("before a load", "cancelPrefill");
  await call("before a load", "prefill", messages.slice(0, -1), options);
  await call("before a load", "reset");
  out.drained.beforeLoad = await drain("before a load", await call("before a load", "generate", messages, options));
  await call("before a load", "unload");

  // A load cancelled at its first report.
  out.cancelledReports = [];
  await call("cancelled load", "load", { ...model, gpu: false }, (report) => {
    out.cancelledReports.push(describe(report));
    if (out.cancelledReports.length === 1) call("cancelled load", "cancelLoad");
  });

  // A load, and what a loaded model does.
  out.reports = [];
  out.late = 0;
  let settled = false;
  await call("load", "load", { ...model, gpu: false }, (report) => {
    if (settled) out.late += 1;
    out.reports.push(describe(report));
  });
  settled = true;
  out.cachedAfter = (await call("loaded", "cachedIds", [model]))?.value;
  out.bytesAfter = (await call("loaded", "bytesOnDevice", [model]))?.value;
  await call("loaded", "prefill", messages.slice(0, -1), options);
  await call("loaded", "cancelPrefill");
  out.drained.answer = await drain("answer", await call("answer", "generate", messages, options));
  const feed = await call("stopped answer", "generate", long, longOptions);
  let stopped = false;
  out.drained.stopped = await drain("stopped answer", feed, (text) => {
    if (text && !stopped) {
      stopped = true;
      call("stopped answer", "stop");
    }
  });
  await call("loaded", "reset");

  // Unloaded, then deleted.
  await call("unloaded", "unload");
  out.drained.afterUnload = await drain("after unload", await call("unloaded", "generate", messages, options));
  await call("unloaded", "deleteModel", model);
  out.cachedAfterDelete = (await call("deleted", "cachedIds", [model]))?.value;
  return out;
}""" % DESCRIBE


def values(out, function, step=None):
    return [c["value"] for c in out["calls"] if c["fn"] == function and (step is None or c["step"] == step)]


@pytest.mark.parametrize("engine", list(ENGINES))
def test_every_module_keeps_the_contract(engine, context, site, watch):
    module, opener, the_model, stores = ENGINES[engine]
    page = opener(context, site, watch)
    page.set_default_timeout(TIMEOUT_MS)
    out = page.evaluate(PROBE, [module, the_model, MESSAGES, OPTIONS, LONG, LONG_OPTIONS])

    # Exactly the functions the contract names, each a function.
    assert out["exports"] == {name: "function" for name in CONTRACT.functions}
    assert {c["fn"] for c in out["calls"]} == set(CONTRACT.functions), "the round calls every function"

    # Nothing throws or rejects; async ones return a promise, the others a plain value; every value
    # has the declared shape.
    found = []
    for c in out["calls"]:
        where = f"{c['step']}: {c['fn']}()"
        if c["threw"] is not None:
            found.append(f"{where} threw: {c['threw']}")
        elif c["rejected"] is not None:
            found.append(f"{where} rejected: {c['rejected']}")
        elif c["promise"] is not CONTRACT.returns_promise(c["fn"]):
            found.append(f"{where} returned {'a' if c['promise'] else 'no'} promise, against {CONTRACT.functions[c['fn']]}")
        else:
            found += problems(CONTRACT, c["value"], CONTRACT.value_type(c["fn"]), where)
    for name, drained in out["drained"].items():
        if drained["threw"] is not None:
            found.append(f"{name}: its batches threw {drained['threw']}")
        found += problems(CONTRACT, drained["batches"], "string[]", f"{name}: batches")
        found += problems(CONTRACT, drained["result"], "GenerateResult", f"{name}: result")
    for index, report in enumerate(out["cancelledReports"] + out["reports"]):
        found += problems(CONTRACT, report, "LoadProgress", f"progress report {index}")
    assert found == []

    # What the contract says in words.
    assert values(out, "unload") == [{"value": None}, {"value": None}]
    assert values(out, "reset") == [{"value": None}, {"value": None}]
    for function in ("cancelLoad", "stop", "cancelPrefill"):
        assert values(out, function) and set(values(out, function)) == {UNDEFINED}, function
    [availability] = values(out, "availability")
    assert availability["value"]["available"] is True

    [cancelled] = values(out, "load", "cancelled load")
    assert cancelled["error"]["name"] == "Cancelled" and len(values(out, "cancelLoad", "cancelled load")) == 1
    [loaded] = values(out, "load", "load")
    assert "value" in loaded, loaded
    phases = [report["phase"] for report in out["reports"]]
    assert "download" in phases and phases[-1] == "prepare", phases  # a first load, on a fresh device
    assert all(0 <= report.get("fraction") <= 1 for report in out["reports"] if report.get("fraction") is not None)
    assert out["late"] == 0, "no progress report after load() settled"

    for name in ("beforeLoad", "afterUnload"):  # no model: the answer ends with an error, nothing thrown
        assert out["drained"][name]["result"]["error"]["name"], name
    answer = out["drained"]["answer"]
    assert answer["result"]["error"] is None and answer["result"]["finish"] in ("stop", "length")
    assert "".join(answer["batches"]).strip()
    stopped = out["drained"]["stopped"]
    assert values(out, "stop", "stopped answer") == [UNDEFINED]
    assert stopped["result"]["error"] is None and stopped["result"]["finish"] == "abort"

    model_id = the_model["model_id"]
    assert out["cachedBefore"] == [] and out["cachedAfter"] == [model_id]
    [deleted] = values(out, "deleteModel")
    if stores:
        assert out["bytesAfter"][model_id] > 0 and list(out["bytesAfter"]) == [model_id]
        assert deleted == {"value": None} and out["cachedAfterDelete"] == []
    else:  # the browser keeps its own model: nothing of it in this site's storage
        assert out["bytesAfter"] == {}
        assert deleted["error"]["name"] == "NotSupportedError" and out["cachedAfterDelete"] == [model_id]
    watch.check()
