"""The shared stream reader (assets/engines/stream.js) and the WebLLM module (assets/engines/webllm.js)
on a bare page, without the app.

stream.js is driven with pieces made in the page; webllm.js with the WebLLM test double routed in
place of vendor/web-llm/index.js (it mirrors the real module's shapes, string rejections included)
and Chromium's real SwiftShader WebGPU adapter.
"""

import json

import pytest

from tests.e2e.assistant_helpers import DEFAULT_MODEL, DOUBLE, WEB_LLM_ROUTE, calls
from tests.e2e.engine_page import DRAIN, open_engine_page

STREAM = "/assets/engines/stream.js"
WEBLLM = "/assets/engines/webllm.js"
MODEL = {"model_id": DEFAULT_MODEL, "engine": "webllm"}
SAMPLING = {"temperature": 0.3, "top_p": 0.9, "repetition_penalty": 1.1, "frequency_penalty": 0.2,
            "max_tokens": 64}


@pytest.fixture
def engine_page(context, site, watch):
    def opener(scenario=None):
        context.route(WEB_LLM_ROUTE, lambda route: route.fulfill(path=str(DOUBLE), content_type="text/javascript"))
        script = f"globalThis.__webllmScenario = {json.dumps(scenario or {})};"
        return open_engine_page(context, site, watch, init_scripts=[{"script": script}])

    yield opener
    watch.check()


# ---- stream.js ----


def test_settle_turns_rejections_into_name_and_message_and_never_rejects(engine_page):
    page = engine_page()
    outcomes = page.evaluate(
        """async (url) => {
            const { settle } = await import(url);
            return [
                await settle(async () => 42),
                await settle(() => Promise.reject("TypeError: Failed to fetch")),
                await settle(() => { throw new RangeError("too far"); }),
                await settle(() => Promise.reject("Engine.unload() is called.")),
                // a name inside the message is the name (the contract's errors are sorted by name)
                await settle(() => Promise.reject("Error: DeviceLostError: The WebGPU device was lost.")),
                await settle(() => { throw new Error("WebGPUNotFoundError: Cannot find WebGPU in the environment"); }),
                await settle(() => Promise.reject("TypeError: Failed to execute 'add' on 'Cache': Request failed")),
                await settle(() => Promise.reject("Error: TypeError: Failed to fetch")),
            ];
        }""",
        STREAM,
    )
    assert outcomes == [
        {"value": 42},
        {"error": {"name": "TypeError", "message": "Failed to fetch"}},
        {"error": {"name": "RangeError", "message": "too far"}},
        {"error": {"name": "Error", "message": "Engine.unload() is called."}},
        {"error": {"name": "DeviceLostError", "message": "The WebGPU device was lost."}},
        {"error": {"name": "WebGPUNotFoundError", "message": "Cannot find WebGPU in the environment"}},
        {"error": {"name": "TypeError", "message": "Failed to execute 'add' on 'Cache': Request failed"}},
        {"error": {"name": "Error", "message": "TypeError: Failed to fetch"}},  # no more telling name inside
    ]


BATCH_FAST_STREAM = """async ([url, n]) => {
  const { batch } = await import(url);
  let timerFiredAt = null, produced = 0;
  setTimeout(() => { timerFiredAt = produced; }, 0);
  async function* pieces() {  // as fast as the reader takes them: microtasks only, for a while
    const end = performance.now() + 300;
    while (performance.now() < end) { produced++; yield { text: "x" }; }
    yield { finish: "stop", stats: { decode_tokens_per_s: 12 } };
    yield { stats: { completion_tokens: produced } };
  }
  const feed = batch(pieces(), 16, 8);
  const batches = [];
  for await (const text of feed.batches) batches.push(text.length);
  return { produced, timerFiredAt, batches, result: feed.result };
}"""


def test_batch_hands_out_the_whole_text_in_frame_batches_and_yields_to_the_page_meanwhile(engine_page):
    page = engine_page()
    out = page.evaluate(BATCH_FAST_STREAM, [STREAM, 0])

    assert sum(out["batches"]) == out["produced"] > 1000
    assert len(out["batches"]) < out["produced"] / 100, "one batch per frame, not one per piece"
    assert out["timerFiredAt"] is not None and out["timerFiredAt"] < out["produced"], \
        "a timer set before the stream ran while it was still streaming"
    assert out["result"] == {"finish": "stop", "error": None, "reading": None,
                             "stats": {"decode_tokens_per_s": 12, "completion_tokens": out["produced"]}}


def test_batch_ends_on_a_failing_stream_with_the_text_so_far_and_the_error_in_the_result(engine_page):
    page = engine_page()
    out = page.evaluate(
        """async (url) => {
            const { batch } = await import(url);
            async function* pieces() { yield { text: "Hello" }; yield { text: ", wor" }; throw "DeviceLostError: lost"; }
            const feed = batch(pieces(), 16, 8);
            const texts = [];
            for await (const text of feed.batches) texts.push(text);
            return { text: texts.join(""), result: feed.result };
        }""",
        STREAM,
    )
    assert out == {"text": "Hello, wor", "result": {"finish": None, "stats": None, "reading": None,
                                                  "error": {"name": "DeviceLostError", "message": "lost"}}}


# ---- webllm.js ----


def test_webllm_availability_names_swiftshader_a_software_adapter_with_its_limits(engine_page):
    page = engine_page()
    value = page.evaluate("async (url) => (await (await import(url)).availability()).value", WEBLLM)
    assert value["available"] is True
    assert value["preferred"] is False
    assert value["reason"] == "software adapter (SwiftShader)"
    assert value["f16"] is False
    assert value["maxStorageBufferBindingSize"] >= 128 * 2**20 and value["maxBufferSize"] >= 256 * 2**20


def test_webllm_generate_sends_the_sampling_options_and_reports_finish_and_figures(engine_page):
    page = engine_page({"reply": "Two open to-dos.", "chunkSize": 3})
    assert page.evaluate("async ([url, m]) => (await import(url)).load(m, () => {})", [WEBLLM, MODEL]) == {
        "value": None}
    out = page.evaluate(DRAIN, [WEBLLM, [{"role": "user", "content": "How many?"}], SAMPLING])

    assert out["text"] == "Two open to-dos."
    assert out["result"]["finish"] == "stop" and out["result"]["error"] is None
    assert out["result"]["stats"]["decode_tokens_per_s"] == 40
    assert out["result"]["stats"]["completion_tokens"] == 6
    [request] = [c["args"][0] for c in calls(page, "chat.completions.create")]
    assert {k: request[k] for k in SAMPLING} == SAMPLING
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}


FETCHING = "Fetching param cache[{i}/20]: {mb}MB fetched. {p}% completed, {s} secs elapsed. It can take a while " \
           "when we first visit this page to populate the cache. Later refreshes will become faster."
LOAD_REPORTS = """async ([url, m]) => {
  const reports = [];
  const outcome = await (await import(url)).load(m, (report) => reports.push(report));
  return { outcome, reports };
}"""
MIB = 2**20


def test_webllm_progress_texts_are_read_into_the_contracts_one_progress_shape(engine_page):
    # WebLLM 0.2.86's own texts (its fetchTensorCacheInternal and shader loading), sent by the double.
    texts = [
        (0, 0, "Start to fetch params"),
        (0, 1, FETCHING.format(i=1, mb=0, p=0, s=1)),
        (0.15, 12, FETCHING.format(i=3, mb=120, p=15, s=12)),
        (1, 80, FETCHING.format(i=20, mb=880, p=100, s=80)),
        (0.15, 2.5, "Loading model from cache[3/20]: 1200MB loaded. 15% completed, 2 secs elapsed."),
        (0.9, 3, "Loading GPU shader modules[12/48]: 25% completed, 3 secs elapsed."),
        (0.5, 4, "Something new"),
        (1, 5, "Something new"),
    ]
    page = engine_page({"progress": [{"progress": p, "timeElapsed": t, "text": text} for p, t, text in texts]})
    out = page.evaluate(LOAD_REPORTS, [WEBLLM, MODEL])

    assert out["outcome"] == {"value": None}
    *reports, finish = out["reports"]
    assert reports == [
        # sent even when every file is stored: no bytes, no fraction
        {"phase": "download", "loaded": None, "total": None, "fraction": None, "elapsed": 0},
        {"phase": "download", "loaded": 0, "total": None, "fraction": 0, "elapsed": 1, "estimated": True},
        # 120 MiB are 15%: about 800 MiB in all, worked out
        {"phase": "download", "loaded": 120 * MIB, "total": 800 * MIB, "fraction": 0.15, "elapsed": 12,
         "estimated": True},
        {"phase": "download", "loaded": 880 * MIB, "total": 880 * MIB, "fraction": 1, "elapsed": 80,
         "estimated": False},
        {"phase": "device", "loaded": 1200 * MIB, "total": None, "fraction": 0.15, "elapsed": 2.5},
        {"phase": "prepare", "loaded": None, "total": None, "fraction": 0.9, "elapsed": 3},
        # a text not known here: the phase by how far the load is
        {"phase": "download", "loaded": None, "total": None, "fraction": 0.5, "elapsed": 4},
        {"phase": "prepare", "loaded": None, "total": None, "fraction": 1, "elapsed": 5},
    ]
    assert {k: finish[k] for k in ("phase", "fraction")} == {"phase": "prepare", "fraction": 1}  # "Finish loading on …"


def test_webllm_unload_settles_to_null_and_ends_the_model(engine_page):
    page = engine_page({"reply": "Hi."})
    out = page.evaluate(
        """async ([url, m]) => {
            const engine = await import(url);
            await engine.load(m, () => {});
            const unloaded = engine.unload();
            const isPromise = unloaded instanceof Promise;
            const outcome = await unloaded;
            const feed = engine.generate([{ role: "user", content: "Hello?" }], {});
            for await (const _ of feed.batches);
            return { isPromise, outcome, hasValue: "value" in outcome, error: feed.result.error };
        }""",
        [WEBLLM, MODEL],
    )
    assert out == {"isPromise": True, "outcome": {"value": None}, "hasValue": True,
                   "error": {"name": "ModelNotLoadedError", "message": "No model is loaded."}}


def test_webllm_a_download_cut_after_some_shards_reports_the_bytes_received_and_the_host(engine_page):
    page = engine_page({"failAfterShards": 2})
    outcome = page.evaluate("async ([url, m]) => (await import(url)).load(m, () => {})", [WEBLLM, MODEL])

    assert outcome["error"]["name"] == "TypeError"
    assert outcome["error"]["message"] == "Failed to fetch"
    assert outcome["error"]["received"] == 2 * 50 * 2**20  # two 50 MiB shards, from WebLLM's reports
    assert outcome["error"]["host"] == "huggingface.co"


def test_webllm_cancel_load_settles_the_load_as_cancelled_and_a_later_load_works(engine_page):
    page = engine_page({"holdLoad": True})
    out = page.evaluate(
        """async ([url, m]) => {
            const engine = await import(url);
            const loading = engine.load(m, () => {});
            while (typeof globalThis.__webllmRelease !== "function") await new Promise((r) => setTimeout(r, 10));
            engine.cancelLoad();
            const cancelled = await loading;
            globalThis.__webllmScenario.holdLoad = false;
            return { cancelled, again: await engine.load(m, () => {}) };
        }""",
        [WEBLLM, MODEL],
    )
    assert out == {"cancelled": {"error": {"name": "Cancelled", "message": "The load was cancelled."}},
                   "again": {"value": None}}


def test_webllm_an_answer_whose_worker_dies_ends_with_the_error_instead_of_hanging(engine_page):
    page = engine_page({"reply": "w " * 400, "chunkSize": 2, "chunkDelayMs": 20})
    out = page.evaluate(
        """async ([url, m, sampling]) => {
            const engine = await import(url);
            const workers = [];
            const NativeWorker = Worker;
            globalThis.Worker = class extends NativeWorker {
                constructor(...args) { super(...args); workers.push(this); }
            };
            await engine.load(m, () => {});
            const feed = engine.generate([{ role: "user", content: "Go on" }], sampling);
            const texts = [];
            for await (const text of feed.batches) {
                texts.push(text);
                // the double runs on the page, so the crash is the event a dying worker fires
                if (texts.length === 2) workers.at(-1).dispatchEvent(new ErrorEvent("error", { message: "Aborted(OOM)" }));
            }
            return { batches: texts.length, result: feed.result };
        }""",
        [WEBLLM, MODEL, SAMPLING],
    )
    assert out["batches"] >= 2
    assert out["result"]["error"] == {"name": "WorkerError", "message": "The model worker crashed: Aborted(OOM)"}
