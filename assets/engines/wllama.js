// @ts-check
// The CPU engine: wllama (llama.cpp in WebAssembly) behind the engine-module contract
// (engine-module.d.ts beside this file; docs/engines.md).
//
// wllama runs the model in its own Web Worker (started from a Blob URL) and keeps downloaded GGUF
// files in the Origin Private File System (wllama-files.js lists and deletes them there).
// Everything is same-origin: the wasm from vendor/wllama/, and for browsers without JSPI or
// Memory64 (Safari, older ones) the compat build from vendor/wllama-compat/ (wllama's default
// would fetch it from a CDN). The library (275 KB) is imported on first use.
// Every exported async function settles (stream.js) and never rejects.
import { findAdapter } from "./gpu.js";
import { batch, errorOf, settle } from "./stream.js";
import { fileUrls, lib, storedFiles } from "./wllama-files.js";

/** @typedef {typeof import("./engine-module")} Contract */

export { bytesOnDevice, cachedIds, deleteModel } from "./wllama-files.js";

const WASM = new URL("../../vendor/wllama/wllama.wasm", import.meta.url).href;
const COMPAT = {
  wasm: new URL("../../vendor/wllama-compat/wllama.wasm", import.meta.url).href,
  worker: new URL("../../vendor/wllama-compat/wllama.js", import.meta.url).href,
};
const DEFAULT_CONTEXT = 2048;
const ALL_LAYERS = 999; // every layer on the GPU
// WebAssembly feature probes (the modules wasm-feature-detect validates, as wllama does): its
// builds need SIMD and exception handling, and its constructor would otherwise fail unhandled.
const SIMD_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253,
  15, 253, 98, 11];
const EXCEPTIONS_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11,
  11];

let wllama = null; // the instance holding the loaded model
let loading = null; // {abort, cancel} of the load in progress
let generation = null; // the AbortController of the answer in progress
let warming = null; // {controller, done} of the prefill in progress

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

/** Threads llama.cpp may use: half the cores (wllama's own default) where SharedArrayBuffer works. */
function threadCount() {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / 2));
}

function unsupportedReason() {
  if (typeof WebAssembly !== "object") return "no WebAssembly";
  if (!WebAssembly.validate(new Uint8Array(SIMD_PROBE))) return "WebAssembly without SIMD";
  if (!WebAssembly.validate(new Uint8Array(EXCEPTIONS_PROBE))) return "WebAssembly without exception handling";
  if (!navigator.storage?.getDirectory) return "no Origin Private File System to keep models in";
  return null;
}

/** @type {Contract["availability"]} */
export function availability() {
  return settle(async () => {
    const limits = { f16: null, maxStorageBufferBindingSize: null, maxBufferSize: null };
    const reason = unsupportedReason();
    if (reason) return { ...limits, available: false, reason, preferred: false, threads: null, gpu: false };
    const threads = threadCount();
    const note = globalThis.crossOriginIsolated ? "" : " (the page is not cross-origin isolated)";
    const gpu = await gpuUsable();
    const where = gpu ? "the GPU, or " : "";
    return { ...limits, available: true, preferred: true, threads, gpu,
             reason: `${where}${threads} thread${threads > 1 ? "s" : ""}${note}` };
  });
}

/**
 * Whether llama.cpp's WebGPU backend can run here: a real (not software) adapter with 16-bit float
 * shaders (its kernels need them; without, it finds no device and loads on the CPU), and JSPI,
 * which wllama's WebGPU build needs (Chrome and Edge 137+).
 */
async function gpuUsable() {
  if (!(/** @type {any} */ (WebAssembly).Suspending)) return false;
  const { adapter, software } = await findAdapter();
  return Boolean(adapter) && !software && adapter.features.has("shader-f16");
}

/** The layers llama.cpp says it put on the GPU ("load_tensors: offloaded 31/31 layers to GPU"), or `known`. */
function layersOnGpu(args, known) {
  const found = /offloaded (\d+)\/\d+ layers to GPU/.exec(args.join(" "));
  return found ? Number(found[1]) : known;
}

/** An Error carrying the contract's extra fields: bytes received so far and the model's host. */
function failure(reason, received, host) {
  const error = errorOf(reason);
  // WllamaError sets no name of its own; its `type` says what failed (load_error, download_error…).
  if (reason?.type && error.name === "Error") {
    error.name = "WllamaError";
    error.message = `${reason.type}: ${error.message}`;
  }
  return { ...error, received, host };
}

const cancelled = () => ({ name: "Cancelled", message: "The load was cancelled." });

async function dropModel() {
  const instance = wllama;
  wllama = null;
  if (instance) await instance.exit().catch(() => {});
}

/** @type {Contract["load"]} */
export async function load(model, onProgress) {
  let received = 0;
  let host = "";
  let work = null;
  /** @type {any} wllama's Wllama, imported on first use */
  let instance = null;
  let cancel;
  const stopped = new Promise((resolve) => (cancel = resolve));
  const attempt = { abort: new AbortController(), cancel, cancelled: false };
  loading = attempt;
  try {
    await dropModel(); // one model at a time
    if (attempt.cancelled) return { error: cancelled() };
    const { Wllama, LoggerWithoutDebug } = await lib();
    const urls = await fileUrls(model);
    host = hostOf(urls[0]);
    const stored = await storedFiles(urls);
    const onDevice = stored.every(Boolean);
    const size = onDevice ? stored.reduce((sum, entry) => sum + entry.size, 0) : null;
    onProgress(onDevice ? { phase: "device", loaded: size, total: size } : { phase: "download", loaded: 0, total: null });
    let preparing = false;
    let offloaded = 0; // layers llama.cpp put on the GPU, from its own log of the load
    const logger = {
      ...LoggerWithoutDebug,
      // llama.cpp's info lines (wllama logs them as debug): read, not shown.
      log: (...args) => (offloaded = layersOnGpu(args, offloaded)),
      debug: (...args) => (offloaded = layersOnGpu(args, offloaded)),
    };
    const start = (gpu) => {
      offloaded = 0;
      instance = new Wllama({ default: WASM }, { suppressNativeLog: !gpu, logger: gpu ? logger : LoggerWithoutDebug });
      instance.setCompat(COMPAT);
      preparing = false;
      return instance.loadModelFromUrl(urls.length > 1 ? urls : urls[0], {
        n_ctx: model.context_window || DEFAULT_CONTEXT,
        n_threads: threadCount(),
        n_gpu_layers: gpu ? ALL_LAYERS : 0,
        signal: attempt.abort.signal,
        progressCallback: ({ loaded, total }) => {
          if (attempt.cancelled || preparing) return;
          received = loaded;
          if (!onDevice) onProgress({ phase: "download", loaded, total: total || null });
          // Every byte is stored: what follows is reading the GGUF into the worker and building the context.
          if (total > 0 && loaded >= total) {
            preparing = true;
            onProgress({ phase: "prepare", loaded, total });
          }
        },
      });
    };
    let device = /** @type {"gpu" | "cpu"} */ (model.gpu ? "gpu" : "cpu");
    let gpuError = null;
    work = start(model.gpu);
    try {
      await Promise.race([work, stopped]);
    } catch (reason) {
      // The GPU could not take the model (a shader that failed to compile, not enough GPU memory, a
      // lost device): the same GGUF, stored by now, runs on the CPU instead; the app remembers it.
      if (attempt.cancelled || !model.gpu) throw reason;
      if (!(await storedFiles(urls)).every(Boolean)) throw reason; // a download that failed: not the GPU
      gpuError = errorOf(reason).message;
      await instance.exit().catch(() => {});
      device = "cpu";
      work = start(false);
      await Promise.race([work, stopped]);
    }
    if (attempt.cancelled) throw attempt;
    if (device === "gpu" && offloaded === 0) {
      // llama.cpp loads on the CPU when its WebGPU backend finds no device it can use (it needs
      // 16-bit float shaders, which SwiftShader and some GPUs lack), and says so only in its log.
      device = "cpu";
      gpuError = "llama.cpp found no WebGPU device it can use";
    }
    wllama = instance;
    return { value: { context_window: instance.getLoadedContextInfo().n_ctx, device, gpu_error: gpuError } };
  } catch (reason) {
    // A load still preparing when it was cancelled finishes in wllama's worker: free it then.
    if (instance) Promise.resolve(work).then(() => instance.exit(), () => instance.exit()).catch(() => {});
    return { error: attempt.cancelled ? cancelled() : failure(reason, received, host) };
  } finally {
    if (loading === attempt) loading = null;
  }
}

/** @type {Contract["cancelLoad"]} */
export function cancelLoad() {
  const attempt = loading;
  if (!attempt) return;
  attempt.cancelled = true;
  attempt.abort.abort(); // stops a download; a load past it is dropped when it ends
  attempt.cancel();
}

/** @type {Contract["unload"]} */
export function unload() {
  cancelLoad();
  cancelPrefill();
  stop();
  return settle(async () => {
    await dropModel(); // wllama's worker exits: the model's memory goes with it
    return null;
  });
}

/** The sampling fields under llama.cpp server's names (wllama's `penalty_repeat` typing is ignored). */
function samplingOf(options) {
  const fields = {
    temperature: options.temperature,
    top_p: options.top_p,
    repeat_penalty: options.repetition_penalty,
    frequency_penalty: options.frequency_penalty,
    max_tokens: options.max_tokens,
  };
  /** @type {Record<string, unknown>} */
  const sampling = Object.fromEntries(Object.entries(fields).filter(([, value]) => value != null));
  if (options.json_schema) {
    sampling.response_format = { type: "json_schema", json_schema: { name: "reply", schema: options.json_schema, strict: true } };
  }
  return sampling;
}

/** An async iterable fed by push(): wllama streams through an onData callback. */
function channel() {
  const items = [];
  let wake = null;
  let closed = false;
  let failed = null;
  const notify = () => {
    if (wake) {
      const resolve = wake;
      wake = null;
      resolve();
    }
  };
  return {
    push(item) {
      items.push(item);
      notify();
    },
    close(reason = null) {
      closed = true;
      failed = reason;
      notify();
    },
    async *[Symbol.asyncIterator]() {
      for (let next = 0; ; ) {
        if (next < items.length) {
          const item = items[next];
          items[next++] = undefined;
          yield item;
        } else if (closed) {
          if (failed) throw failed;
          return;
        } else {
          await new Promise((resolve) => (wake = resolve));
        }
      }
    },
  };
}

/** Figures of one answer: wllama's own timings where it sent them, else from timestamps. */
function statsOf(timings, clock) {
  const seconds = (ms) => ms / 1000;
  const firstToken = clock.first === null ? null : seconds(clock.first - clock.start);
  if (timings) {
    return {
      prefill_tokens_per_s: timings.prompt_per_second,
      decode_tokens_per_s: timings.predicted_per_second,
      time_to_first_token_s: firstToken,
      completion_tokens: timings.predicted_n,
      prompt_tokens: timings.prompt_n,
      cached_prompt_tokens: timings.cache_n,
    };
  }
  // Stopped early: wllama sends no timings. Each streamed chunk is one token.
  const span = clock.last - clock.first;
  return {
    prefill_tokens_per_s: null,
    decode_tokens_per_s: clock.count > 1 && span > 0 ? (clock.count - 1) / seconds(span) : null,
    time_to_first_token_s: firstToken,
    completion_tokens: clock.count,
  };
}

async function* answerPieces(instance, messages, options, controller) {
  if (!instance) throw new Error("No model is loaded.");
  const chunks = channel();
  const clock = { start: performance.now(), first: null, last: null, count: 0 };
  let timings = null;
  instance
    .createChatCompletion({
      messages: Array.from(messages, ({ role, content }) => ({ role, content })),
      stream: true,
      abortSignal: controller.signal,
      onData: (chunk) => chunks.push(chunk),
      return_progress: true, // llama.cpp reports how much of the prompt it has read
      ...samplingOf(options),
    })
    .then(() => chunks.close(), (reason) => chunks.close(reason ?? new Error("wllama failed")));
  try {
    for await (const chunk of chunks) {
      const progress = chunk.prompt_progress;
      if (progress?.total > 0) yield { reading: { done: progress.processed, total: progress.total } };
      const choice = chunk.choices?.[0];
      const text = choice?.delta?.content;
      if (text) {
        const now = performance.now();
        clock.first ??= now;
        clock.last = now;
        clock.count += 1;
        yield { text };
      }
      if (choice?.finish_reason) yield { finish: choice.finish_reason };
      if (chunk.timings) timings = chunk.timings;
    }
  } catch (reason) {
    // stop(): wllama throws its AbortError and frees the request; the next one works.
    if (!controller.signal.aborted) throw reason;
    yield { finish: "abort" };
  }
  yield { stats: statsOf(controller.signal.aborted ? null : timings, clock) };
}

/** @type {Contract["generate"]} */
export function generate(messages, options) {
  const controller = new AbortController();
  generation = controller;
  return batch(afterPrefill(() => answerPieces(wllama, messages, options ?? {}, controller)));
}

/** A request waits for the prefill in progress (cancelPrefill() ends it at once where it is stale). */
async function* afterPrefill(pieces) {
  await warming?.done;
  yield* pieces();
}

/**
 * Reads `messages` (the system prompt and the chat so far) into llama.cpp's KV cache before the
 * person sends a question, so the question's request prefills only the question. The request is
 * the chat with an empty user message and max_tokens 0: the chat template renders everything up to
 * the user's text, which llama.cpp's server keeps and reuses as the longest common prefix of the
 * next prompt. Settles to {value: {prompt_tokens, cached_prompt_tokens}} (what it read and what was
 * already there), or {value: null} when it was cancelled or no model is loaded.
 *
 * @type {Contract["prefill"]}
 */
export function prefill(messages, options) {
  cancelPrefill();
  const instance = wllama;
  if (!instance) return settle(async () => null);
  const controller = new AbortController();
  const work = (async () => {
    /** @type {any} llama.cpp's timings, on the last chunk */
    let timings = null;
    try {
      await instance.createChatCompletion({
        messages: [...Array.from(messages, ({ role, content }) => ({ role, content })), { role: "user", content: "" }],
        stream: true,
        abortSignal: controller.signal,
        onData: (chunk) => (timings = chunk.timings ?? timings),
        ...samplingOf({ ...(options ?? {}), max_tokens: 0, json_schema: null }),
      });
    } catch (reason) {
      if (controller.signal.aborted) return null; // cancelled: what it read stays in the cache
      throw reason;
    }
    return timings ? { prompt_tokens: timings.prompt_n, cached_prompt_tokens: timings.cache_n } : null;
  })();
  const entry = { controller, done: work.catch(() => null) };
  warming = entry;
  entry.done.finally(() => {
    if (warming === entry) warming = null;
  });
  return settle(() => work);
}

/** Ends the prefill in progress (llama.cpp stops at its next batch of tokens). *
 * @type {Contract["cancelPrefill"]}
 */
export function cancelPrefill() {
  warming?.controller.abort();
}

/** @type {Contract["stop"]} */
export function stop() {
  generation?.abort();
  generation = null;
}

/** @type {Contract["reset"]} */
export function reset() {
  // Each request sends the whole conversation; llama.cpp reuses the cached prefix by itself.
  return settle(async () => null);
}
