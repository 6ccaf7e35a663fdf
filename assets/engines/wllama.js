// The CPU engine: wllama (llama.cpp in WebAssembly) behind the engine-module contract of
// docs/engines.md.
//
// wllama runs the model in its own Web Worker (started from a Blob URL) and keeps downloaded GGUF
// files in the Origin Private File System (wllama-files.js lists and deletes them there).
// Everything is same-origin: the wasm from vendor/wllama/, and for browsers without JSPI or
// Memory64 (Safari, older ones) the compat build from vendor/wllama-compat/ (wllama's default
// would fetch it from a CDN). The library (275 KB) is imported on first use.
// Every exported async function settles (stream.js) and never rejects.
import { batch, errorOf, settle } from "./stream.js";
import { fileUrls, lib, storedFiles } from "./wllama-files.js";

export { bytesOnDevice, cachedIds, deleteModel } from "./wllama-files.js";

const WASM = new URL("../../vendor/wllama/wllama.wasm", import.meta.url).href;
const COMPAT = {
  wasm: new URL("../../vendor/wllama-compat/wllama.wasm", import.meta.url).href,
  worker: new URL("../../vendor/wllama-compat/wllama.js", import.meta.url).href,
};
const DEFAULT_CONTEXT = 2048;
// WebAssembly feature probes (the modules wasm-feature-detect validates, as wllama does): its
// builds need SIMD and exception handling, and its constructor would otherwise fail unhandled.
const SIMD_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253,
  15, 253, 98, 11];
const EXCEPTIONS_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11,
  11];

let wllama = null; // the instance holding the loaded model
let loading = null; // {abort, cancel} of the load in progress
let generation = null; // the AbortController of the answer in progress

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

export function availability() {
  return settle(async () => {
    const limits = { f16: null, maxStorageBufferBindingSize: null, maxBufferSize: null };
    const reason = unsupportedReason();
    if (reason) return { ...limits, available: false, reason, preferred: false, threads: null };
    const threads = threadCount();
    const note = globalThis.crossOriginIsolated ? "" : " (the page is not cross-origin isolated)";
    return { ...limits, available: true, preferred: true, threads, reason: `${threads} thread${threads > 1 ? "s" : ""}${note}` };
  });
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

export async function load(model, onProgress) {
  let received = 0;
  let host = "";
  let work = null;
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
    instance = new Wllama({ default: WASM }, { suppressNativeLog: true, logger: LoggerWithoutDebug });
    instance.setCompat(COMPAT);
    let preparing = false;
    work = instance.loadModelFromUrl(urls.length > 1 ? urls : urls[0], {
      n_ctx: model.context_window || DEFAULT_CONTEXT,
      n_threads: threadCount(),
      n_gpu_layers: 0, // the CPU engine: WebGPU is WebLLM's
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
    await Promise.race([work, stopped]);
    if (attempt.cancelled) throw attempt;
    wllama = instance;
    return { value: { context_window: instance.getLoadedContextInfo().n_ctx } };
  } catch (reason) {
    // A load still preparing when it was cancelled finishes in wllama's worker: free it then.
    if (instance) Promise.resolve(work).then(() => instance.exit(), () => instance.exit()).catch(() => {});
    return { error: attempt.cancelled ? cancelled() : failure(reason, received, host) };
  } finally {
    if (loading === attempt) loading = null;
  }
}

export function cancelLoad() {
  const attempt = loading;
  if (!attempt) return;
  attempt.cancelled = true;
  attempt.abort.abort(); // stops a download; a load past it is dropped when it ends
  attempt.cancel();
}

export function unload() {
  cancelLoad();
  stop();
  return settle(dropModel);
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
  const sampling = Object.fromEntries(Object.entries(fields).filter(([, value]) => value != null));
  if (options.response_format) sampling.response_format = options.response_format;
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
      ...samplingOf(options),
    })
    .then(() => chunks.close(), (reason) => chunks.close(reason ?? new Error("wllama failed")));
  try {
    for await (const chunk of chunks) {
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

export function generate(messages, options) {
  const controller = new AbortController();
  generation = controller;
  return batch(answerPieces(wllama, messages, options ?? {}, controller));
}

export function stop() {
  generation?.abort();
  generation = null;
}

export function reset() {
  // Each request sends the whole conversation; llama.cpp reuses the cached prefix by itself.
  return settle(async () => null);
}
