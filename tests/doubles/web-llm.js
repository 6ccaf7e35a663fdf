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
 *   progress: [InitProgressReport]  reports sent before "Finish loading on ..." (the default is a
 *             realistic sequence: "Fetching param cache" reports only when the model is not cached)
 *   progressDelayMs, loadDelayMs    delays during the load
 *   holdLoad: true                  the load waits until globalThis.__webllmRelease() is called
 *   loadError: {name, message}      the load fails with this error after the progress reports
 *   webgpu: false | shaderF16: false  raise WebGPUNotAvailableError / ShaderF16SupportError (for records that need shader-f16)
 *   gpuLabel: "WebGPU - apple"      used in "Finish loading on <gpuLabel>"
 *   cached: [model ids]             what hasModelInCache reports (successful loads and deletes then update it)
 *   reply: "text" | ["answer 1", "answer 2", ...]  one string for each request, in order (the last one repeats)
 *   chunkSize (default 4 chars, counted as one token), chunkDelayMs (default 0, so no timers)
 *   finishReason: "stop" | "length"; request.max_tokens also stops with "length"
 *   usage: {prompt_tokens?, completion_tokens?, total_tokens?, extra?: {...}}  overrides the computed usage
 *   generateError: {name, message, afterChunks = 0}  the stream throws after this many chunks
 * globalThis.__webllmCalls collects every call as {fn, args}, with args made JSON-safe (functions dropped).
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

// ---- cache state and default progress ----
const cacheState = new Map(); // model id -> cached? (this overrides scenario.cached after loads and deletes)
const isCached = (id) => (cacheState.has(id) ? cacheState.get(id) : (S().cached ?? []).includes(id));
function findRecord(id, appConfig) {
  const rec = (appConfig ?? prebuiltAppConfig).model_list.find((r) => r.model_id === id);
  if (!rec) throw makeError({ name: "ModelNotFoundError", message: `Cannot find model record in appConfig for ${id}. Please check if the model ID is correct and included in the model_list configuration.` });
  return rec;
}
function defaultProgress(cached, n = 4, mb = 200) {
  const at = (i, verb) => `[${i}/${n}]: ${Math.ceil((i * mb) / n)}MB ${verb}. ${Math.floor((i * 100) / n)}% completed, ${i} secs elapsed.`;
  const out = [{ progress: 0, timeElapsed: 0, text: "Start to fetch params" }];
  for (let i = 1; !cached && i <= n; i++) out.push({ progress: i / n, timeElapsed: i, text: "Fetching param cache" + at(i, "fetched") + " It can take a while when we first visit this page to populate the cache. Later refreshes will become faster." });
  for (let i = 1; i <= n; i++) out.push({ progress: i / n, timeElapsed: i, text: "Loading model from cache" + at(i, "loaded") });
  out.push({ progress: 1, timeElapsed: n, text: `Loading GPU shader modules[8/8]: 100% completed, ${n} secs elapsed.` });
  return out;
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
    const s = S(), t0 = Date.now(), rec = findRecord(id, this.appConfig);
    if (s.webgpu === false) throw makeError({ name: "WebGPUNotAvailableError" });
    if (s.shaderF16 === false && rec.required_features?.includes("shader-f16")) throw makeError({ name: "ShaderF16SupportError" });
    const run = (async () => {
      for (const r of s.progress ?? defaultProgress(isCached(id))) { await sleep(s.progressDelayMs); this.initProgressCallback?.({ ...r }); }
      await sleep(s.loadDelayMs);
      if (s.holdLoad) await new Promise((resolve) => { globalThis.__webllmRelease = resolve; });
      if (s.loadError) throw makeError(s.loadError);
    })();
    run.catch(() => {});
    // unload() during a load aborts it with the AbortController reason the real engine uses
    try { await Promise.race([run, new Promise((_, reject) => { this.abortLoad = reject; })]); } finally { this.abortLoad = null; }
    cacheState.set(id, true);
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
  constructor(worker, engineConfig) { super(engineConfig, true); this.worker = worker; if (worker) worker.onmessage = () => {}; }
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
export async function hasModelInCache(modelId, appConfig) { record("hasModelInCache", modelId); findRecord(modelId, appConfig); return isCached(modelId); }
export async function deleteModelAllInfoInCache(modelId, appConfig) { record("deleteModelAllInfoInCache", modelId); findRecord(modelId, appConfig); cacheState.set(modelId, false); }
export async function deleteModelInCache(modelId, appConfig) { record("deleteModelInCache", modelId); findRecord(modelId, appConfig); cacheState.set(modelId, false); }
export async function deleteChatConfigInCache(modelId, appConfig) { record("deleteChatConfigInCache", modelId); findRecord(modelId, appConfig); }
export async function deleteModelWasmInCache(modelId, appConfig) { record("deleteModelWasmInCache", modelId); findRecord(modelId, appConfig); }
