/**
 * TEST DOUBLE of @mlc-ai/web-llm 0.2.86. The tests inject it in place of the real module (for
 * example by routing /vendor/web-llm/index.js to this file). It is NEVER shipped. It is
 * self-contained: no imports, no network, no WebGPU.
 *
 * The shapes mirror node_modules/@mlc-ai/web-llm/lib/:
 *   engine.d.ts      CreateMLCEngine, MLCEngine (the chunk builders are MLCEngine.makeStream*Chunk in index.js)
 *   web_worker.d.ts  CreateWebWorkerMLCEngine, WebWorkerMLCEngine, WebWorkerMLCEngineHandler
 *   types.d.ts       InitProgressReport, MLCEngineInterface;  config.d.ts  AppConfig, ModelRecord, prebuiltAppConfig
 *   cache_util.d.ts  has/delete*InCache;  openai_api_protocols/chat_completion.d.ts  ChatCompletion(Chunk), CompletionUsage
 *   error.d.ts       error names and messages
 *
 * Tests script the behaviour through globalThis.__webllmScenario, which is read at call time
 * (every field is optional):
 *   progress: [InitProgressReport]  reports sent before "Finish loading on ..." in place of the generated
 *             ones (the files are still stored, silently, before them). The generated sequence is the
 *             real one: "Start to fetch params", one "Fetching param cache[i/N]" per shard only when a
 *             shard is missing, "Loading model from cache[i/N]" per shard always, one shader report.
 *   progressDelayMs, loadDelayMs    delays during the load (before each report; after the reports)
 *   holdLoad: true                  the load waits until globalThis.__webllmRelease() is called
 *   loadError: {name, message}      the load fails with this error after the progress reports (the files stay stored)
 *   webgpu: false | shaderF16: false  raise WebGPUNotAvailableError / ShaderF16SupportError (for records that
 *             need shader-f16), after the config and wasm are stored and before the weights, like reload()
 *   gpuLabel: "WebGPU - apple"      used in "Finish loading on <gpuLabel>"
 *   cached: [model ids]             models already downloaded: at first use (any load or cache helper) the
 *             double stores their files, once per origin (it notes that in a cache of its own,
 *             "webllm-double/seeded"), so a later delete is not undone by a reload
 *   shards (default 4), shardMB (default 50)  the tensor-cache.json of a new download: N shards of shardMB MiB
 *             each, which is what the progress text counts; the stored shard bodies are small
 *             (shardBytes, default 65536 bytes, with a matching content-length header)
 *   failAfterShards: k              the network dies during a download: shards 0..k-1 get stored, the next
 *             missing one rejects with TypeError "Failed to fetch" (a string from a worker engine)
 *   reply: "text" | ["answer 1", "answer 2", ...]  one string for each request, in order (the last one repeats)
 *   chunkSize (default 4 chars, counted as one token), chunkDelayMs (default 0, so no timers)
 *   finishReason: "stop" | "length"; request.max_tokens also stops with "length"
 *   usage: {prompt_tokens?, completion_tokens?, total_tokens?, extra?: {...}}  overrides the computed usage
 *   generateError: {name, message, afterChunks = 0}  the stream throws after this many chunks
 * globalThis.__webllmCalls collects every call as {fn, args}, with args made JSON-safe (functions dropped).
 *
 * Model storage is REAL Cache API storage, keyed like WebLLM's "cache" backend (see "model storage"
 * below): a download `put`s small fake files (never a network request); a load, hasModelInCache and
 * the delete helpers read and delete those entries, so partial downloads, resumes and deletes behave
 * as with the real module. Offline (navigator.onLine false), a missing file fails like cache.add does.
 *
 * This double copies two behaviours of the real module:
 * (1) An engine made by CreateWebWorkerMLCEngine rejects with the STRING `${name}: ${message}`,
 *     not an Error, for errors that the real module raises inside the worker (the handler posts
 *     err.toString()). Errors that the real module raises on the page, such as
 *     WorkerEngineModelNotLoadedError, stay Error objects.
 * (2) The real index.js exports no error class except IntegrityError, so this double does not
 *     export them either. Tests reach them through globalThis.__webllmErrors.
 */
const S = () => globalThis.__webllmScenario ?? {};
const safe = (v) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
const record = (fn, ...args) => (globalThis.__webllmCalls ??= []).push({ fn, args: args.map(safe) });
const sleep = (ms) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : null);

export const modelVersion = "v0_2_86/base";
export const modelLibURLPrefix = "https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/";
// [model_id, model_lib stem, vram_required_MB, low_resource_required, required_features has shader-f16]
const RECORDS = [
  ["Llama-3.2-1B-Instruct-q4f32_1-MLC", "Llama-3.2-1B-Instruct-q4f32_1", 1128.82, true],
  ["Llama-3.2-1B-Instruct-q4f16_1-MLC", "Llama-3.2-1B-Instruct-q4f16_1", 879.04, true],
  ["Llama-3.2-3B-Instruct-q4f32_1-MLC", "Llama-3.2-3B-Instruct-q4f32_1", 2951.51, true],
  ["Llama-3.2-3B-Instruct-q4f16_1-MLC", "Llama-3.2-3B-Instruct-q4f16_1", 2263.69, true],
  ["Phi-3.5-mini-instruct-q4f16_1-MLC", "Phi-3.5-mini-instruct-q4f16_1", 3672.07, false],
  ["Phi-3.5-mini-instruct-q4f32_1-MLC", "Phi-3.5-mini-instruct-q4f32_1", 5483.12, false],
  ["SmolLM2-360M-Instruct-q4f16_1-MLC", "SmolLM2-360M-Instruct-q4f16_1", 376.06, true, true],
  ["SmolLM2-360M-Instruct-q4f32_1-MLC", "SmolLM2-360M-Instruct-q4f32_1", 579.61, true],
  ["Qwen3-0.6B-q4f16_1-MLC", "Qwen3-0.6B-q4f16_1", 1403.34, true],
  ["Qwen3-0.6B-q4f32_1-MLC", "Qwen3-0.6B-q4f32_1", 1924.98, true],
  ["Qwen3-1.7B-q4f16_1-MLC", "Qwen3-1.7B-q4f16_1", 2036.66, true],
  ["Qwen3-1.7B-q4f32_1-MLC", "Qwen3-1.7B-q4f32_1", 2635.44, true],
  ["Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "Qwen2-0.5B-Instruct-q4f16_1", 944.62, true],
  ["Qwen2.5-0.5B-Instruct-q4f32_1-MLC", "Qwen2-0.5B-Instruct-q4f32_1", 1060.2, true],
  ["Qwen2.5-1.5B-Instruct-q4f16_1-MLC", "Qwen2-1.5B-Instruct-q4f16_1", 1629.75, true],
  ["Qwen2.5-1.5B-Instruct-q4f32_1-MLC", "Qwen2-1.5B-Instruct-q4f32_1", 1888.97, true],
];
export const prebuiltAppConfig = {
  cacheBackend: "cache",
  model_list: RECORDS.map(([id, lib, vram, low, f16]) => ({
    model: "https://huggingface.co/mlc-ai/" + id, model_id: id,
    model_lib: modelLibURLPrefix + modelVersion + "/" + lib + "_cs1k-webgpu.wasm",
    vram_required_MB: vram, low_resource_required: low,
    ...(f16 ? { required_features: ["shader-f16"] } : {}),
    overrides: { context_window_size: 4096 },
  })),
};

// ---- errors (names and default messages as in index.js) ----
const errorClass = (name, Base = Error) =>
  ({ [name]: class extends Base { constructor(message) { super(message); this.name = name; } } })[name];
const FeatureSupportError = errorClass("FeatureSupportError");
const ERRORS = { FeatureSupportError, ShaderF16SupportError: errorClass("ShaderF16SupportError", FeatureSupportError) };
for (const n of ["WebGPUNotAvailableError", "WebGPUNotFoundError", "DeviceLostError", "ModelNotFoundError",
  "ModelNotLoadedError", "WorkerEngineModelNotLoadedError", "ContextWindowSizeExceededError", "MessageOrderError",
  "InvalidStreamOptionsError", "ArtifactManifestError"]) ERRORS[n] = errorClass(n);
export class IntegrityError extends Error {
  constructor(url, expected, actual) {
    super(`Integrity verification failed for ${url}\n  Expected: ${expected}\n  Actual: ${actual}\nThis may indicate file corruption or tampering.`);
    Object.assign(this, { url, expected, actual, name: "IntegrityError" });
  }
}
globalThis.__webllmErrors = { ...ERRORS, IntegrityError };
const MESSAGES = {
  WebGPUNotAvailableError: "WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine. Please make sure that your browser supports WebGPU and that it is enabled in your browser settings. You can also consult your browser's compatibility chart to see if it supports WebGPU. For more information about WebGPU support in your browser, visit https://webgpureport.org/",
  WebGPUNotFoundError: "Cannot find WebGPU in the environment",
  ShaderF16SupportError: 'This model requires WebGPU extension shader-f16, which is not enabled in this browser. You can try to launch Chrome Canary in command line with flag "--enable-dawn-features=allow_unsafe_apis".',
  DeviceLostError: "The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM). To resolve this, try reloading with a model that has fewer parameters or uses a smaller context length.",
  ModelNotLoadedError: "Model not loaded before trying to complete ChatCompletionRequest. Please ensure you have called MLCEngine.reload(model) to load the model before initiating APIs, or initialize your engine using CreateMLCEngine() with a valid model configuration.",
  WorkerEngineModelNotLoadedError: "WebWorkerMLCEngine is not loaded with a model. Did you call `engine.reload()`?",
  InvalidStreamOptionsError: "Only specify stream_options when stream=True.",
  TypeError: "Failed to fetch",
};
function makeError({ name = "Error", message } = {}) {
  const native = /Error$/.test(name) && typeof globalThis[name] === "function" ? globalThis[name] : null;
  const C = ERRORS[name] ?? native;
  const e = C ? new C(message ?? MESSAGES[name] ?? name) : new Error(message ?? name);
  if (!C) e.name = name;
  return e;
}

function findRecord(id, appConfig) {
  const rec = (appConfig ?? prebuiltAppConfig).model_list.find((r) => r.model_id === id);
  if (!rec) throw makeError({ name: "ModelNotFoundError", message: `Cannot find model record in appConfig for ${id}. Please check if the model ID is correct and included in the model_list configuration.` });
  return rec;
}

// ---- model storage: real Cache API entries, keyed like WebLLM's "cache" backend ----
// Mirrors index.js: cleanModelUrl (11280), ArtifactCache.addToCache/hasAllKeys/deleteInCache (6512-6590),
// hasTensorInCache/deleteTensorCache (6989-7020), fetchTensorCacheInternal (8180-8245), the cache
// helpers (14840-14911) and reload()'s order (18215-18315): config, wasm, GPU checks, tokenizer,
// tensor-cache.json, then the shards.
const MODEL_CACHE = "webllm/model", WASM_CACHE = "webllm/wasm", CONFIG_CACHE = "webllm/config";
const SEEDED_CACHE = "webllm-double/seeded"; // the double's own note of the `cached` ids it stored
const MiB = 1024 * 1024;
function cleanModelUrl(modelUrl) { // verbatim: a relative `model` throws "TypeError: Invalid URL", as in 0.2.86
  modelUrl += modelUrl.endsWith("/") ? "" : "/";
  if (!modelUrl.match(/.+\/resolve\/.+\//)) modelUrl += "resolve/main/";
  return new URL(modelUrl).href;
}
function modelFiles(rec) {
  const base = cleanModelUrl(rec.model), at = (name) => new URL(name, base).href;
  return { base, config: at("mlc-chat-config.json"), tokenizer: at("tokenizer.json"), tensorCache: at("tensor-cache.json"),
    // reload() fetches a model_lib that is not http(s) or contains "localhost" without caching it
    wasm: rec.model_lib, wasmCached: String(rec.model_lib).startsWith("http") && !String(rec.model_lib).includes("localhost") };
}
function tensorCacheJson(s) {
  const n = Math.max(1, s.shards ?? 4), nbytes = Math.round((s.shardMB ?? 50) * MiB);
  return { metadata: { ParamSize: n * 1000, ParamBytes: n * nbytes, BitsPerParam: 4.5 },
    records: Array.from({ length: n }, (_, i) => ({ dataPath: `params_shard_${i}.bin`, format: "raw-shard", nbytes,
      records: [{ name: `param_${i}`, shape: [nbytes / 4], dtype: "uint32", format: "f32-to-bf16", nbytes, byteOffset: 0 }],
      md5sum: "00000000000000000000000000000000" })) };
}
const FILES = {
  config: (rec) => JSON.stringify({ model_type: "llama", quantization: rec.model_id.match(/q\d+f\d+_\d/)?.[0] ?? "q4f32_1",
    context_window_size: 131072, temperature: 0.6, top_p: 0.9, tokenizer_files: ["tokenizer.json"],
    conv_template: { name: "test-double", system_template: "{system_message}", roles: { user: "user", assistant: "assistant" } } }),
  wasm: () => { const b = new Uint8Array(4096); b.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]); return b; },
  tokenizer: () => JSON.stringify({ version: "1.0", model: { type: "BPE", vocab: { a: 0, b: 1 }, merges: [] } }),
  shard: (i, s) => new Uint8Array(Math.max(1, s.shardBytes ?? 65536)).fill((i % 250) + 1),
};
function fileResponse(body, type) {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return new Response(bytes, { status: 200, statusText: "OK", headers: { "content-type": type, "content-length": String(bytes.byteLength) } });
}
const offline = () => globalThis.navigator?.onLine === false;
/** ArtifactCache.addToCache: keeps a file already stored, else "downloads" it (a put; offline, cache.add's error). */
async function addToCache(cacheName, url, makeBody, type, { network = true } = {}) {
  const cache = await caches.open(cacheName);
  if (await cache.match(url)) return false;
  if (network && offline()) throw makeError({ name: "TypeError" });
  await cache.put(url, fileResponse(makeBody(), type));
  return true;
}
async function storedKeys(cacheName) {
  return (await caches.has(cacheName)) ? (await (await caches.open(cacheName)).keys()).map((r) => r.url) : [];
}
async function tensorRecords(files) {
  const found = (await caches.has(MODEL_CACHE)) ? await (await caches.open(MODEL_CACHE)).match(files.tensorCache) : undefined;
  return found ? (await found.json()).records : null;
}
const shardUrl = (files, rec) => new URL(rec.dataPath, files.base).href;
/** hasTensorInCache: tensor-cache.json and every shard it lists are in webllm/model. */
async function hasTensors(files) {
  const records = await tensorRecords(files);
  if (!records) return false;
  const keys = await storedKeys(MODEL_CACHE);
  return records.every((r) => keys.includes(shardUrl(files, r)));
}
/** reload()'s downloads before the GPU checks: the chat config, then the model library. */
async function fetchConfigAndWasm(rec, files, step, options) {
  await step(); await addToCache(CONFIG_CACHE, files.config, () => FILES.config(rec), "application/json", options);
  if (files.wasmCached) { await step(); await addToCache(WASM_CACHE, files.wasm, FILES.wasm, "application/wasm", options); }
}
/** The tokenizer, tensor-cache.json and the shards, with fetchTensorCacheInternal's reports. */
async function fetchWeights(files, s, step, report, options) {
  await step(); await addToCache(MODEL_CACHE, files.tokenizer, FILES.tokenizer, "application/json", options);
  await step(); await addToCache(MODEL_CACHE, files.tensorCache, () => JSON.stringify(tensorCacheJson(s)), "application/json", options);
  const records = await tensorRecords(files), n = records.length;
  const total = records.reduce((a, r) => a + r.nbytes, 0), keys = await storedKeys(MODEL_CACHE);
  const text = (i, bytes, verb) => `[${i}/${n}]: ${Math.ceil(bytes / MiB)}MB ${verb}. ${Math.floor((bytes * 100) / total)}% completed, ${i} secs elapsed.`;
  await report({ progress: 0, timeElapsed: 0, text: "Start to fetch params" });
  let bytes = 0;
  if (!records.every((r) => keys.includes(shardUrl(files, r)))) {
    for (let i = 0; i < n; i++) {
      const url = shardUrl(files, records[i]);
      await step();
      if (s.failAfterShards != null && i >= s.failAfterShards && !keys.includes(url)) throw makeError({ name: "TypeError" });
      await addToCache(MODEL_CACHE, url, () => FILES.shard(i, s), "application/octet-stream", options);
      bytes += records[i].nbytes;
      await report({ progress: bytes / total, timeElapsed: i + 1, text: "Fetching param cache" + text(i + 1, bytes, "fetched") + " It can take a while when we first visit this page to populate the cache. Later refreshes will become faster." });
    }
  }
  bytes = 0;
  for (let i = 0; i < n; i++) { // loading onto the GPU reads each shard from the cache (a lost one is fetched again)
    await step(); await addToCache(MODEL_CACHE, shardUrl(files, records[i]), () => FILES.shard(i, s), "application/octet-stream", options);
    bytes += records[i].nbytes;
    await report({ progress: bytes / total, timeElapsed: i + 1, text: "Loading model from cache" + text(i + 1, bytes, "loaded") });
  }
  await report({ progress: 1, timeElapsed: n, text: `Loading GPU shader modules[8/8]: 100% completed, ${n} secs elapsed.` });
}
// scenario.cached: store those models' files once per origin, at first use (loads and cache helpers).
const seededHere = new Set();
let seeding = Promise.resolve();
function seedCached(appConfig) {
  const run = seeding.then(async () => {
    for (const id of S().cached ?? []) {
      if (seededHere.has(id)) continue;
      const rec = [appConfig, prebuiltAppConfig].map((c) => c?.model_list?.find((r) => r.model_id === id)).find(Boolean);
      if (!rec) continue; // a record the caller's appConfig does not know yet
      seededHere.add(id);
      const marks = await caches.open(SEEDED_CACHE), mark = "https://webllm-double.invalid/seeded/" + encodeURIComponent(id);
      if (await marks.match(mark)) continue;
      try {
        const files = modelFiles(rec), quiet = async () => {}, options = { network: false };
        await fetchConfigAndWasm(rec, files, quiet, options);
        await fetchWeights(files, { ...S(), failAfterShards: undefined }, quiet, quiet, options);
      } catch (e) { continue; } // a record WebLLM cannot handle (a relative `model` URL) stays not downloaded
      await marks.put(mark, new Response("seeded"));
    }
  });
  seeding = run.catch(() => {});
  return run;
}
let replyIndex = 0;
function nextReply(s) {
  const r = s.reply ?? "This is a scripted reply from the WebLLM test double.";
  return Array.isArray(r) ? String(r[Math.min(replyIndex++, r.length - 1)] ?? "") : String(r);
}

// ---- engines ----
class EngineBase {
  constructor(engineConfig, inWorker) {
    this.inWorker = inWorker; this.modelId = undefined; this.message = ""; this.interruptSignal = false;
    this.appConfig = engineConfig?.appConfig ?? prebuiltAppConfig;
    this.initProgressCallback = engineConfig?.initProgressCallback;
    this.lockTail = Promise.resolve(); this.abortLoad = null;
    this.chat = { completions: { create: (request) => this.chatCompletion(request) } };
  }
  fail(err) { return this.inWorker ? String(err) : err; } // the worker handler posts err.toString()
  setInitProgressCallback(cb) { this.initProgressCallback = cb; }
  getInitProgressCallback() { return this.initProgressCallback; }
  setAppConfig(appConfig) { this.appConfig = appConfig; }
  setLogLevel() {}
  async reload(modelId, chatOpts) { record("reload", modelId, chatOpts); return this._reload(modelId); }
  async _reload(modelId) {
    this.abortLoad?.("Engine.unload() is called."); this.modelId = undefined; // reload() first unloads
    const ids = [].concat(modelId);
    try { for (const id of ids) await this.load(id); } catch (e) { throw this.fail(e); }
    this.modelId = ids;
  }
  async load(id) {
    const s = S(), t0 = Date.now(), rec = findRecord(id, this.appConfig), load = { aborted: false };
    // unload() aborts the downloads; a terminated worker (see WebWorkerMLCEngine) stops for good
    const step = async () => {
      if (load.aborted) throw "Engine.unload() is called.";
      if (this.terminated) await new Promise(() => {});
    };
    const report = async (r) => { await sleep(s.progressDelayMs); await step(); this.initProgressCallback?.({ ...r }); };
    const run = (async () => {
      await seedCached(this.appConfig);
      const files = modelFiles(rec);
      await fetchConfigAndWasm(rec, files, step);
      if (s.webgpu === false) throw makeError({ name: "WebGPUNotAvailableError" });
      if (s.shaderF16 === false && rec.required_features?.includes("shader-f16")) throw makeError({ name: "ShaderF16SupportError" });
      await fetchWeights(files, s, step, s.progress ? async () => {} : report);
      for (const r of s.progress ?? []) await report(r);
      await sleep(s.loadDelayMs);
      if (s.holdLoad) await new Promise((resolve) => { globalThis.__webllmRelease = resolve; });
      await step();
      if (s.loadError) throw makeError(s.loadError);
    })();
    run.catch(() => {});
    // unload() during a load aborts it with the AbortController reason the real engine uses
    try {
      await Promise.race([run, new Promise((_, reject) => { this.abortLoad = (reason) => { load.aborted = true; reject(reason); }; })]);
    } finally { this.abortLoad = null; }
    this.initProgressCallback?.({ progress: 1, timeElapsed: (Date.now() - t0) / 1000, text: "Finish loading on " + (s.gpuLabel ?? "WebGPU - test double") });
  }
  async unload() { record("unload"); this.abortLoad?.("Engine.unload() is called."); this.modelId = undefined; }
  async resetChat(keepStats = false, modelId) { record("resetChat", keepStats, modelId); this.message = ""; }
  async getMessage(modelId) { record("getMessage", modelId); return this.message; }
  async runtimeStatsText(modelId) { record("runtimeStatsText", modelId); return "prefill: 250.0000 tokens/sec, decoding: 40.0000 tokens/sec"; }
  async getMaxStorageBufferBindingSize() { return 1 << 30; }
  async getGPUVendor() { return "test-double"; }
  acquire() { // one request at a time per model, like the real engine's lock
    let release; const prev = this.lockTail; this.lockTail = new Promise((r) => { release = r; });
    return prev.then(() => release);
  }
  async chatCompletion(request) {
    record("chat.completions.create", request);
    const timeReceived = Date.now();
    if (!this.modelId) throw makeError({ name: this.inWorker ? "WorkerEngineModelNotLoadedError" : "ModelNotLoadedError" });
    const last = request.messages?.at(-1)?.role;
    if (last !== "user" && last !== "tool") throw this.fail(makeError({ name: "MessageOrderError", message: "Last message should be from either `user` or `tool`." }));
    if (request.stream_options != null && !request.stream) throw this.fail(makeError({ name: "InvalidStreamOptionsError" }));
    if (request.stream) return this.generate(request, timeReceived, request.stream_options?.include_usage === true);
    let content = "", finish_reason = "stop", usage, id, created;
    for await (const c of this.generate(request, timeReceived, true)) {
      ({ id, created } = c);
      if (c.usage) usage = c.usage;
      else if (c.choices[0].finish_reason) finish_reason = c.choices[0].finish_reason;
      else content += c.choices[0].delta.content;
    }
    return { id, choices: [{ finish_reason, index: 0, logprobs: null, message: { content, role: "assistant" } }],
      model: this.modelId[0], object: "chat.completion", created, usage };
  }
  async *generate(request, timeReceived, withUsage) {
    const release = await this.acquire();
    try {
      this.interruptSignal = false; this.message = ""; // reset on the first next(), after the lock, like the real one
      const s = S(), text = nextReply(s), size = Math.max(1, s.chunkSize ?? 4), max = request.max_tokens ?? Infinity;
      const id = crypto.randomUUID(), created = Math.floor(Date.now() / 1000), model = this.modelId?.[0] ?? "";
      const err = s.generateError, errAt = err?.afterChunks ?? 0;
      let finish = s.finishReason ?? "stop", n = 0;
      for (let i = 0; i < text.length; i += size) {
        if (err && n === errAt) throw this.fail(makeError(err));
        if (n > 0 && this.interruptSignal) { finish = "abort"; break; } // checked before each decode step
        if (n >= max) { finish = "length"; break; }
        await sleep(s.chunkDelayMs);
        const content = text.slice(i, i + size);
        this.message += content; n++;
        yield { id, choices: [{ delta: { content, role: "assistant" }, finish_reason: null, index: 0, logprobs: null }], model, object: "chat.completion.chunk", created };
      }
      if (err && n === errAt) throw this.fail(makeError(err));
      if (finish === "stop" && n >= max) finish = "length";
      yield { id, choices: [{ delta: {}, finish_reason: finish, index: 0 }], model, object: "chat.completion.chunk", created };
      if (withUsage) {
        const u = s.usage ?? {}, promptChars = request.messages.reduce((a, m) => a + String(m.content ?? "").length, 0);
        const completion_tokens = u.completion_tokens ?? n, prompt_tokens = u.prompt_tokens ?? Math.ceil(promptChars / 4);
        const extra = { e2e_latency_s: (Date.now() - timeReceived) / 1000, prefill_tokens_per_s: 250, decode_tokens_per_s: 40,
          time_to_first_token_s: prompt_tokens / 250, time_per_output_token_s: n > 1 ? 0.025 : 0, latencyBreakdown: undefined, ...u.extra };
        const usage = { completion_tokens, prompt_tokens, total_tokens: u.total_tokens ?? completion_tokens + prompt_tokens, extra };
        yield { id, choices: [], usage, model, object: "chat.completion.chunk", created };
      }
    } finally { release(); }
  }
}
export class MLCEngine extends EngineBase {
  constructor(engineConfig) { super(engineConfig, false); }
  async interruptGenerate() { record("interruptGenerate"); this.interruptSignal = true; }
}
export class WebWorkerMLCEngine extends EngineBase {
  constructor(worker, engineConfig) {
    super(engineConfig, true); this.worker = worker; this.terminated = false;
    if (worker) worker.onmessage = () => {};
    // The double loads on the page, so it notices the worker's end itself: after terminate() nothing more is
    // stored or reported, and the pending load never settles (the real page-side promise never does either).
    if (typeof worker?.terminate === "function") {
      const terminate = worker.terminate.bind(worker);
      worker.terminate = () => { this.terminated = true; terminate(); };
    }
  }
  interruptGenerate() { record("interruptGenerate"); this.interruptSignal = true; } // returns void, like the real one
}
export async function CreateMLCEngine(modelId, engineConfig, chatOpts) {
  record("CreateMLCEngine", modelId, engineConfig, chatOpts);
  const engine = new MLCEngine(engineConfig);
  await engine._reload(modelId);
  return engine;
}
export async function CreateWebWorkerMLCEngine(worker, modelId, engineConfig, chatOpts) {
  record("CreateWebWorkerMLCEngine", modelId, engineConfig, chatOpts);
  const engine = new WebWorkerMLCEngine(worker, engineConfig);
  await engine._reload(modelId);
  return engine;
}
/** Worker side: a worker script that does `const h = new WebWorkerMLCEngineHandler(); self.onmessage = (m) => h.onmessage(m);` loads and stays idle. */
export class WebWorkerMLCEngineHandler {
  constructor() { this.engine = new MLCEngine(); this.modelId = undefined; this.chatOpts = undefined; }
  postMessage() {}
  setLogitProcessorRegistry() {}
  onmessage() {}
}

// ---- cache helpers (cache_util.d.ts) ----
// Like the real ones they run on the page, never fetch except where noted, and throw ModelNotFoundError
// for an unknown id (and TypeError for a relative `model` URL, from cleanModelUrl).
export async function hasModelInCache(modelId, appConfig) {
  record("hasModelInCache", modelId);
  const files = modelFiles(findRecord(modelId, appConfig));
  await seedCached(appConfig);
  return hasTensors(files);
}
/** deleteTensorCache + the tokenizer files (index.js:7004-7020, 14866-14876). Like the real one it reads
 * tensor-cache.json through fetchWithCache (so a missing one is downloaded and stays, and offline that
 * fails with TypeError "Failed to fetch"), deletes the shards it lists and keeps tensor-cache.json itself. */
async function deleteWeights(rec, appConfig) {
  const files = modelFiles(rec);
  await seedCached(appConfig);
  await addToCache(MODEL_CACHE, files.tensorCache, () => JSON.stringify(tensorCacheJson(S())), "application/json");
  const cache = await caches.open(MODEL_CACHE);
  await Promise.all((await tensorRecords(files)).map((r) => cache.delete(shardUrl(files, r))));
  await cache.delete(new URL("tokenizer.model", files.base).href);
  await cache.delete(files.tokenizer);
}
async function deleteConfig(rec) {
  const files = modelFiles(rec), cache = await caches.open(CONFIG_CACHE);
  await cache.delete(files.config);
  if (rec.model_manifest !== undefined) await cache.delete(new URL(rec.model_manifest, files.base).href);
}
async function deleteWasm(rec) { await (await caches.open(WASM_CACHE)).delete(rec.model_lib); }
export async function deleteModelAllInfoInCache(modelId, appConfig) {
  record("deleteModelAllInfoInCache", modelId);
  const rec = findRecord(modelId, appConfig);
  await deleteWeights(rec, appConfig); await deleteWasm(rec); await deleteConfig(rec);
}
export async function deleteModelInCache(modelId, appConfig) { record("deleteModelInCache", modelId); await deleteWeights(findRecord(modelId, appConfig), appConfig); }
export async function deleteChatConfigInCache(modelId, appConfig) { record("deleteChatConfigInCache", modelId); await deleteConfig(findRecord(modelId, appConfig)); }
export async function deleteModelWasmInCache(modelId, appConfig) { record("deleteModelWasmInCache", modelId); await deleteWasm(findRecord(modelId, appConfig)); }
