// The WebLLM engine (GPU, WebGPU) behind the engine-module contract of docs/engines.md.
//
// The model runs in a Web Worker (assets/llm-worker.js with WebLLM's handler), so the page stays
// responsive while it loads and generates. WebLLM itself (6.6 MB) is imported on first use only: a
// person who never opens the assistant never downloads it. Every exported async function settles
// (stream.js): WebLLM's worker engine rejects with strings, which Python cannot raise.
import { findAdapter } from "./gpu.js";
import { batch, settle } from "./stream.js";

const WEB_LLM = new URL("../../vendor/web-llm/index.js", import.meta.url).href;
const WORKER = new URL("../llm-worker.js", import.meta.url).href;
const MODEL_CACHE = "webllm/model";
const WASM_CACHE = "webllm/wasm";
const FRAME_MS = 16;
const SLICE_MS = 8;
const MiB = 1024 * 1024;

let loading = null; // the import of WebLLM, started once
let worker = null;
let engine = null;
let endLoad = null; // settles the load in progress (cancel, worker crash)
let stopCurrent = null; // stops the generation in progress
let failCurrent = null; // ends the generation in progress with an error (its worker died)

function webllm() {
  loading ??= import(WEB_LLM).catch((error) => {
    loading = null; // a failed import (offline, say) may be tried again
    throw error;
  });
  return loading;
}

const absolute = (url) => new URL(url, document.baseURI).href;

/** The ModelRecord WebLLM knows `model` by: a models.json record (URLs made absolute) or a prebuilt. */
function recordOf(lib, model) {
  if (model.record) {
    // WebLLM caches a model library only when its URL starts with "http", so relative URLs from
    // models.json would need the network on every start.
    return { ...model.record, model: absolute(model.record.model), model_lib: absolute(model.record.model_lib) };
  }
  return lib.prebuiltAppConfig.model_list.find((r) => r.model_id === model.model_id) ?? null;
}

/** WebLLM's prebuilt list plus the site's own records (it looks models up by id in this). */
function appConfig(lib, models) {
  const custom = models.filter((m) => m.record).map((m) => recordOf(lib, m));
  return { model_list: [...lib.prebuiltAppConfig.model_list, ...custom], cacheBackend: "cache" };
}

/** (prefix of the model's files, model library URL) as WebLLM keys them in its caches, or null. */
function fileUrls(lib, model) {
  const record = recordOf(lib, model);
  if (!record) return null;
  return { prefix: absolute(record.model).replace(/\/+$/, "") + "/", lib: absolute(record.model_lib) };
}

function hostOf(lib, model) {
  const record = recordOf(lib, model);
  try {
    return record ? new URL(absolute(record.model)).host : "";
  } catch {
    return "";
  }
}

/** Bytes fetched, from a WebLLM report ("Fetching param cache[2/10]: 300MB fetched. …"), or 0. */
function fetchedIn(report) {
  const fetched = /(\d+(?:\.\d+)?)\s*MB fetched/.exec(report?.text ?? "");
  return fetched ? Math.round(Number(fetched[1]) * MiB) : 0;
}

const NOT_A_GPU = { preferred: false, f16: false, maxStorageBufferBindingSize: null, maxBufferSize: null, threads: null };

export function availability() {
  return settle(async () => {
    const { adapter, software, reason } = await findAdapter();
    if (!adapter) return { ...NOT_A_GPU, available: false, reason };
    return {
      available: true,
      reason,
      preferred: !software,
      f16: adapter.features.has("shader-f16"),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      threads: null,
    };
  });
}

export async function load(model, onProgress) {
  const imported = await settle(webllm);
  if (imported.error) return imported;
  const lib = imported.value;
  cancelLoad(); // one load at a time: a load still running ends as cancelled
  const current = (worker = new Worker(WORKER, { type: "module" }));
  let received = 0; // bytes fetched by this load, so far (a later "from cache" report says nothing of it)
  let ended = false;
  return new Promise((resolve) => {
    const end = (outcome) => {
      if (ended) return;
      ended = true; // onProgress is never called after this: its Python proxy is about to go
      if (outcome.error) current.removeEventListener("error", onWorkerError);
      if (endLoad === end) endLoad = null;
      resolve(outcome);
    };
    const onWorkerError = (event) => {
      const error = { name: "WorkerError", message: `The model worker crashed: ${event.message ?? ""}` };
      end({ error });
      failCurrent?.(error); // after the load: an answer in progress would otherwise never end
      if (worker === current) unload();
    };
    current.addEventListener("error", onWorkerError); // removed by unload(), with the worker
    endLoad = end;
    const initProgressCallback = (report) => {
      if (ended) return;
      received = Math.max(received, fetchedIn(report));
      onProgress({ text: String(report.text ?? ""), progress: report.progress, timeElapsed: report.timeElapsed });
    };
    const config = { appConfig: appConfig(lib, [model]), initProgressCallback };
    settle(() => lib.CreateWebWorkerMLCEngine(current, model.model_id, config)).then((outcome) => {
      if (outcome.error) {
        end({ error: { ...outcome.error, received, host: hostOf(lib, model) } });
      } else if (!ended && worker === current) {
        engine = outcome.value;
        end({ value: null });
      }
    });
  });
}

export function cancelLoad() {
  // Terminating the worker is the only cancel that stops downloads, cache reads and shader builds.
  const end = endLoad;
  unload();
  end?.({ error: { name: "Cancelled", message: "The load was cancelled." } });
}

export function unload() {
  worker?.terminate(); // a terminated worker fires no more events: its error listener goes with it
  worker = engine = null;
}

const samplingOf = (options) =>
  Object.fromEntries(
    ["temperature", "top_p", "repetition_penalty", "frequency_penalty", "max_tokens"]
      .filter((key) => options?.[key] != null)
      .map((key) => [key, options[key]]),
  );

function statsOf(usage) {
  const extra = usage.extra ?? {};
  return {
    decode_tokens_per_s: extra.decode_tokens_per_s ?? null,
    prefill_tokens_per_s: extra.prefill_tokens_per_s ?? null,
    time_to_first_token_s: extra.time_to_first_token_s ?? null,
    completion_tokens: usage.completion_tokens ?? null,
  };
}

export function generate(messages, options) {
  const current = engine;
  let stopping = false;
  let resent = false;
  const stop = () => {
    stopping = true;
    current?.interruptGenerate();
  };
  stopCurrent = stop;
  async function* pieces() {
    if (!current) throw { name: "ModelNotLoadedError", message: "No model is loaded." };
    const request = { messages, stream: true, stream_options: { include_usage: true }, ...samplingOf(options) };
    if (options?.json_schema) {
      // WebLLM's JSON mode (no OpenAI "json_schema" type): the schema goes as a string.
      request.response_format = { type: "json_object", schema: JSON.stringify(options.json_schema) };
    }
    const stream = await current.chat.completions.create(request);
    // Read to the end, also after a stop, so WebLLM releases its lock (mlc-llm #3113).
    for await (const chunk of stream) {
      if (stopping && !resent) {
        current.interruptGenerate(); // an interrupt sent before the first chunk is lost
        resent = true;
      }
      const choice = chunk.choices[0];
      if (choice) yield { text: choice.delta?.content ?? "", finish: choice.finish_reason ?? null };
      else if (chunk.usage) yield { stats: statsOf(chunk.usage) };
    }
    if (stopCurrent === stop) stopCurrent = null;
  }
  const feed = batch(pieces(), FRAME_MS, SLICE_MS);
  failCurrent = feed.fail; // a no-op once the answer has ended
  return feed;
}

// WebLLM 0.2.86 has no prefill-only request (max_tokens must be above 0) and reuses its KV
// cache only for a chat continued exactly, which it does by itself: prefill has nothing to do here (docs/engines.md).
export function prefill() {
  return settle(async () => null);
}

export function cancelPrefill() {}

export function stop() {
  stopCurrent?.();
}

export function reset() {
  return settle(async () => {
    if (engine) await engine.resetChat();
    return null;
  });
}

// ---- models on this device: WebLLM's Cache API storage (webllm/model, webllm/wasm, webllm/config) ----

export function cachedIds(models) {
  return settle(async () => {
    const lib = await webllm();
    const config = appConfig(lib, models);
    const ids = [];
    for (const model of models) {
      // an unknown or half-written record counts as not downloaded
      const outcome = await settle(() => lib.hasModelInCache(model.model_id, config));
      if (outcome.value === true) ids.push(model.model_id);
    }
    return ids;
  });
}

async function sizeOf(response) {
  const length = response?.headers.get("content-length");
  if (length) return Number(length);
  return response ? (await response.blob()).size : 0;
}

export function bytesOnDevice(models) {
  return settle(async () => {
    const lib = await webllm();
    const urls = models.map((model) => [model.model_id, fileUrls(lib, model)]).filter(([, u]) => u);
    const sizes = {};
    for (const cacheName of [MODEL_CACHE, WASM_CACHE]) {
      if (!(await caches.has(cacheName))) continue;
      const cache = await caches.open(cacheName);
      for (const request of await cache.keys()) {
        for (const [id, { prefix, lib: libUrl }] of urls) {
          if (request.url.startsWith(prefix) || request.url === libUrl) {
            sizes[id] = (sizes[id] ?? 0) + (await sizeOf(await cache.match(request)));
          }
        }
      }
    }
    return Object.fromEntries(Object.entries(sizes).filter(([, size]) => size > 0));
  });
}

export function deleteModel(model) {
  return settle(async () => {
    const lib = await webllm();
    await lib.deleteModelAllInfoInCache(model.model_id, appConfig(lib, [model]));
    // WebLLM 0.2.86 keeps tensor-cache.json: remove whatever is left under the model's URL.
    const urls = fileUrls(lib, model);
    if (urls && (await caches.has(MODEL_CACHE))) {
      const cache = await caches.open(MODEL_CACHE);
      for (const request of await cache.keys()) {
        if (request.url.startsWith(urls.prefix)) await cache.delete(request);
      }
    }
    return null;
  });
}
