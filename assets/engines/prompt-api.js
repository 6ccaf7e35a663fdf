// @ts-check
// Chrome's built-in model (the Prompt API's `LanguageModel`) behind the engine-module contract
// (engine-module.d.ts beside this file; docs/engines.md).
//
// The browser downloads, keeps and runs the model; this site stores nothing. load() creates a
// session (which downloads the model if needed, with progress) and keeps it, so the model stays
// in memory. Each conversation has its own session, created with the earlier messages as
// `initialPrompts`; while the app's messages only grow by the last answer and a new question, the
// same session answers (the model keeps its context), and any other change (a new system prompt
// because the list changed, trimmed history, a stopped answer) makes a fresh one. Every exported
// async function settles (stream.js) and never rejects.
import { batch, settle } from "./stream.js";

/** @typedef {typeof import("./engine-module")} Contract */

const EXPECTED = {
  expectedInputs: [{ type: "text", languages: ["en"] }],
  expectedOutputs: [{ type: "text", languages: ["en"] }],
};
// The Prompt API has no max_tokens: an answer is cut at about this many characters per token.
const CHARS_PER_TOKEN = 4;
// Sampling modes of the current spec, by the temperature they stand for.
const SAMPLING_MODES = [[0.15, "most-predictable"], [0.5, "predictable"], [0.9, "balanced"], [1.3, "creative"]];

let base = null; // the session load() made: keeps the model loaded
let conversation = null; // {session, history, key, stale}
let loading = null; // the AbortController of the load in progress
let generation = null; // the AbortController of the answer in progress
let preparing = null; // {controller, done} of the session being made ahead (prefill)

const api = () => globalThis.LanguageModel;
const present = () => typeof api() === "function";
const same = (a, b) => a.length === b.length && a.every((m, i) => m.role === b[i].role && m.content === b[i].content);
const plain = (messages) => Array.from(messages, ({ role, content }) => ({ role, content }));

/** @type {Contract["availability"]} */
export function availability() {
  return settle(async () => {
    const limits = { preferred: true, f16: null, maxStorageBufferBindingSize: null, maxBufferSize: null, threads: null,
                     gpu: false };
    if (!present()) return { ...limits, available: false, reason: "no Prompt API in this browser" };
    const state = await api().availability(EXPECTED);
    return { ...limits, available: state !== "unavailable", reason: state };
  });
}

function destroyConversation() {
  conversation?.session.destroy();
  conversation = null;
}

/** @type {Contract["load"]} */
export function load(model, onProgress) {
  return settle(async () => {
    if (!present()) throw new DOMException("This browser has no Prompt API.", "NotSupportedError");
    const controller = new AbortController();
    loading = controller;
    try {
      const state = await api().availability(EXPECTED);
      if (state === "unavailable") throw new DOMException("The built-in model is unavailable.", "NotSupportedError");
      const onDevice = state === "available";
      // The browser tells how far a download is (0..1), never its bytes.
      onProgress({ phase: onDevice ? "device" : "download", loaded: null, total: null, fraction: onDevice ? null : 0 });
      let prepared = onDevice;
      const session = await api().create({
        ...EXPECTED,
        signal: controller.signal,
        monitor(monitor) {
          monitor.addEventListener("downloadprogress", (event) => {
            if (prepared || controller.signal.aborted) return;
            onProgress({ phase: "download", loaded: null, total: null, fraction: Math.min(event.loaded, 1) });
            if (event.loaded >= 1) {
              prepared = true; // downloaded: the browser now loads the model into memory
              onProgress({ phase: "prepare", loaded: null, total: null });
            }
          });
        },
      });
      if (controller.signal.aborted) {
        session.destroy();
        throw new DOMException("The load was cancelled.", "AbortError");
      }
      destroyConversation();
      base?.destroy();
      base = session;
      // The real window (Gemini Nano's is larger than the catalogue's cautious figure).
      return Number.isFinite(session.contextWindow) ? { context_window: session.contextWindow } : null;
    } catch (reason) {
      if (controller.signal.aborted) throw new DOMException("The load was cancelled.", "Cancelled");
      throw reason;
    } finally {
      if (loading === controller) loading = null;
    }
  });
}

/** @type {Contract["cancelLoad"]} */
export function cancelLoad() {
  loading?.abort();
}

/** @type {Contract["unload"]} */
export function unload() {
  cancelLoad();
  cancelPrefill();
  stop();
  destroyConversation();
  base?.destroy();
  base = null;
  return settle(async () => null);
}

/** Sampling options create() accepts here: temperature/topK where params() exists, else a mode. */
async function samplingOf(options) {
  if (options.temperature == null) return {};
  const params = typeof api().params === "function" ? await api().params().catch(() => null) : null;
  if (params) return { temperature: Math.min(options.temperature, params.maxTemperature), topK: params.defaultTopK };
  if ("samplingMode" in api().prototype) {
    const mode = SAMPLING_MODES.find(([upTo]) => options.temperature <= upTo);
    return { samplingMode: mode ? mode[1] : "most-creative" };
  }
  return {};
}

/** The session that has seen exactly `earlier` with these sampling options, made if needed. */
async function sessionFor(earlier, sampling, signal) {
  const key = JSON.stringify(sampling);
  if (conversation && !conversation.stale && conversation.key === key && same(conversation.history, earlier)) {
    return conversation;
  }
  destroyConversation();
  const session = await api().create({ ...EXPECTED, ...sampling, initialPrompts: earlier, signal });
  conversation = { session, history: earlier, key, stale: false };
  // The browser dropped old messages to make room: the session no longer holds `history`.
  session.addEventListener("contextoverflow", () => {
    if (conversation?.session === session) conversation.stale = true;
  });
  return conversation;
}

async function* answerPieces(messages, options, controller) {
  await preparing?.done; // a session being made for this chat: it is this request's (or cancelled)
  if (!base) throw new DOMException("The built-in model is not loaded.", "InvalidStateError");
  const all = plain(messages);
  const constraint = options.json_schema ? { responseConstraint: options.json_schema } : {};
  const limit = options.max_tokens ? options.max_tokens * CHARS_PER_TOKEN : Infinity;
  const clock = { start: performance.now(), first: null, last: null };
  let current = null;
  let reader = null;
  let answer = "";
  let cumulative = null; // older Chrome sent the whole text so far in each chunk, current Chrome a delta
  let finish = "stop";
  try {
    current = await sessionFor(all.slice(0, -1), await samplingOf(options), controller.signal);
    reader = current.session.promptStreaming(all.at(-1).content, { signal: controller.signal, ...constraint }).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = String(value);
      cumulative ??= answer ? chunk.startsWith(answer) && chunk.length > answer.length : null;
      const delta = cumulative ? chunk.slice(answer.length) : chunk;
      if (!delta) continue;
      const now = performance.now();
      clock.first ??= now;
      clock.last = now;
      answer += delta;
      yield { text: delta };
      if (answer.length >= limit) {
        finish = "length";
        controller.abort();
        break;
      }
    }
    if (finish === "stop") current.history = [...all, { role: "assistant", content: answer }];
    else current.stale = true; // the session holds a cut answer the app will not send back as is
  } catch (reason) {
    if (current) current.stale = true;
    if (!controller.signal.aborted) throw reason;
    finish = "abort"; // stop(): the stream (or the session's creation) ends with an AbortError
  } finally {
    reader?.releaseLock();
  }
  yield { finish };
  yield { stats: current ? await statsOf(current.session, answer, clock) : {} };
}

/** Figures of one answer; the API gives no timings, so tokens are measured and time is the clock's. */
async function statsOf(session, answer, clock) {
  const seconds = (ms) => ms / 1000;
  let tokens = null;
  try {
    tokens = answer ? await session.measureContextUsage(answer) : 0;
  } catch {
    tokens = null; // a destroyed session, or a browser without the measurement
  }
  const span = clock.last - clock.first;
  return {
    time_to_first_token_s: clock.first === null ? null : seconds(clock.first - clock.start),
    decode_tokens_per_s: tokens > 1 && span > 0 ? (tokens - 1) / seconds(span) : null,
    prefill_tokens_per_s: null,
    completion_tokens: tokens,
    context_used: session.contextUsage ?? null,
    context_window: Number.isFinite(session.contextWindow) ? session.contextWindow : null,
  };
}

/** @type {Contract["generate"]} */
export function generate(messages, options) {
  const controller = new AbortController();
  generation = controller;
  return batch(answerPieces(messages, options ?? {}, controller));
}

/**
 * Makes the session for the chat so far before the question is sent: the browser reads
 * `initialPrompts` when a session is created, and the question's request then finds it ready
 * (sessionFor reuses a session holding exactly its earlier messages).
 *
 * @type {Contract["prefill"]}
 */
export function prefill(messages, options) {
  cancelPrefill();
  if (!base) return settle(async () => null);
  const controller = new AbortController();
  const work = (async () => {
    try {
      await sessionFor(plain(messages), await samplingOf(options ?? {}), controller.signal);
    } catch (reason) {
      if (!controller.signal.aborted) throw reason;
    }
    return null;
  })();
  preparing = { controller, done: work.catch(() => null) };
  return settle(() => work);
}

/** @type {Contract["cancelPrefill"]} */
export function cancelPrefill() {
  preparing?.controller.abort();
}

/** @type {Contract["stop"]} */
export function stop() {
  generation?.abort();
  generation = null;
}

/** @type {Contract["reset"]} */
export function reset() {
  return settle(async () => {
    destroyConversation();
    return null;
  });
}

/** @type {Contract["cachedIds"]} */
export function cachedIds(models) {
  return settle(async () => {
    if (!present()) return [];
    const state = await api().availability(EXPECTED);
    return state === "available" ? Array.from(models, (m) => m.model_id) : [];
  });
}

/** @type {Contract["bytesOnDevice"]} */
export function bytesOnDevice() {
  // The browser keeps the model outside this site's storage and does not say its size.
  return settle(async () => ({}));
}

/** @type {Contract["deleteModel"]} */
export function deleteModel() {
  return settle(async () => {
    throw new DOMException("The browser manages its built-in model; this site cannot delete it.", "NotSupportedError");
  });
}
