// @ts-check
// The WebLLM engine (GPU, WebGPU) behind the engine-module contract (engine-module.d.ts beside this
// file; docs/engines.md).
//
// The model runs in a Web Worker (assets/llm-worker.js with WebLLM's handler), so the page stays
// responsive while it loads and generates. WebLLM itself (6.6 MB) is imported on first use only: a
// person who never opens the assistant never downloads it. Every exported async function settles
// (stream.js): WebLLM's worker engine rejects with strings, which Python cannot raise. WebLLM's
// progress texts are read here into the contract's one progress shape (progressOf).
/** @typedef {typeof import("./engine-module")} Contract */
/** @typedef {import("./engine-module").LoadProgress} LoadProgress */
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

// WebLLM 0.2.86's progress texts (its fetchTensorCacheInternal and shader loading); its "MB" are
// Math.ceil(bytes / 2**20).
const FETCHING = /Fetching param cache\[(\d+)\/(\d+)\]: (\d+)MB fetched\. (\d+)% completed, (\d+) secs elapsed/;
const FROM_CACHE = /Loading model from cache\[(\d+)\/(\d+)\]: (\d+)MB loaded\. (\d+)% completed/;
const SHADERS = /Loading GPU shader modules\[(\d+)\/(\d+)\]/;

/** A finite number >= 0, or null (a fraction of a total of 0 is NaN). */
function amount(value) {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * WebLLM's InitProgressReport {progress, timeElapsed, text} in the contract's one progress shape:
 * "Fetching param cache[3/20]: 120MB fetched. 15% completed, 12 secs elapsed. …" is a download of
 * 120 MiB of about 800 (the total worked out from the percentage), "Loading model from cache[…]:
 * 1200MB loaded. 15% completed" a load from this device, the shader modules and "Finish loading"
 * the preparation; "Start to fetch params" comes even when every file is stored already.
 * @param {{progress?: number, timeElapsed?: number, text?: string}} report
 * @returns {LoadProgress}
 */
function progressOf(report) {
  const text = String(report?.text ?? "");
  const progress = amount(report?.progress);
  const fraction = progress === null ? null : Math.min(progress, 1);
  const elapsed = amount(report?.timeElapsed);
  const fetching = FETCHING.exec(text);
  if (fetching) {
    const loaded = Number(fetching[3]) * MiB;
    const percent = Number(fetching[4]);
    const total = percent > 0 && percent < 100 ? Math.round((loaded * 100) / percent) : percent === 100 ? loaded : null;
    return { phase: "download", loaded, total, fraction: percent / 100, elapsed: Number(fetching[5]),
             estimated: percent < 100 };
  }
  const fromCache = FROM_CACHE.exec(text);
  if (fromCache) {
    return { phase: "device", loaded: Number(fromCache[3]) * MiB, total: null, fraction: Number(fromCache[4]) / 100,
             elapsed };
  }
  if (SHADERS.test(text) || text.startsWith("Finish loading")) {
    return { phase: "prepare", loaded: null, total: null, fraction, elapsed };
  }
  if (text.startsWith("Start to fetch")) return { phase: "download", loaded: null, total: null, fraction: null, elapsed };
  // A text not known here (new wording): the phase by how far the load is.
  return { phase: fraction !== null && fraction >= 1 ? "prepare" : "download", loaded: null, total: null, fraction,
           elapsed };
}

const NOT_A_GPU = { preferred: false, f16: false, maxStorageBufferBindingSize: null, maxBufferSize: null, threads: null,
                    gpu: false };

/** @type {Contract["availability"]} */
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
      gpu: false, // WebLLM always runs on the GPU: there is no choice to ask for
    };
  });
}

/** @type {Contract["load"]} */
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
      if (worker === current) dropWorker();
    };
    current.addEventListener("error", onWorkerError); // goes with the worker (dropWorker)
    endLoad = end;
    const initProgressCallback = (report) => {
      if (ended) return;
      const progress = progressOf(report);
      if (progress.phase === "download" && progress.loaded) received = Math.max(received, progress.loaded);
      onProgress(progress);
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

/** @type {Contract["cancelLoad"]} */
export function cancelLoad() {
  // Terminating the worker is the only cancel that stops downloads, cache reads and shader builds.
  const end = endLoad;
  dropWorker();
  end?.({ error: { name: "Cancelled", message: "The load was cancelled." } });
}

function dropWorker() {
  worker?.terminate(); // a terminated worker fires no more events: its error listener goes with it
  worker = engine = null;
}

/** @type {Contract["unload"]} */
export function unload() {
  // The worker holds the model and its GPU memory: terminating it frees both at once.
  return settle(async () => {
    dropWorker();
    return null;
  });
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

/** @type {Contract["generate"]} */
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
    /** @type {Record<string, unknown>} */
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
/** @type {Contract["prefill"]} */
export function prefill() {
  return settle(async () => null);
}

/** @type {Contract["cancelPrefill"]} */
export function cancelPrefill() {}

/** @type {Contract["stop"]} */
export function stop() {
  stopCurrent?.();
}

/** @type {Contract["reset"]} */
export function reset() {
  return settle(async () => {
    if (engine) await engine.resetChat();
    return null;
  });
}

// ---- models on this device: WebLLM's Cache API storage (webllm/model, webllm/wasm, webllm/config) ----

/** @type {Contract["cachedIds"]} */
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

/** @type {Contract["bytesOnDevice"]} */
export function bytesOnDevice(models) {
  return settle(async () => {
    const lib = await webllm();
    const urls = models.flatMap((model) => {
      const files = fileUrls(lib, model);
      return files ? [/** @type {const} */ ([model.model_id, files])] : [];
    });
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

/** @type {Contract["deleteModel"]} */
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
