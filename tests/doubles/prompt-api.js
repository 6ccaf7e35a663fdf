/**
 * TEST DOUBLE of Chrome's built-in Prompt API (the global `LanguageModel`). Tests inject it as an
 * init script (Playwright `add_init_script(path=...)`), so it replaces the browser's own
 * `LanguageModel` before any script of the page runs. It is NEVER shipped. A classic script: no
 * imports, no network, no model.
 *
 * The shapes mirror the Prompt API spec (webmachinelearning/prompt-api, index.bs) and Chrome's
 * typings (@types/dom-chromium-ai 0.0.17), as Chromium 156 exposes them to web pages:
 *   static  availability(options) -> "unavailable" | "downloadable" | "downloading" | "available"
 *           create({initialPrompts, expectedInputs, expectedOutputs, signal, monitor}) -> session
 *           (no static params() and no temperature/topK/samplingMode on web pages, unless scripted)
 *   session prompt(input, {signal, responseConstraint, omitResponseConstraintInput}) -> string
 *           promptStreaming(input, options) -> ReadableStream of string DELTAS (as current Chrome)
 *           append(input), measureContextUsage(input), clone({signal}), destroy()
 *           contextUsage, contextWindow, oncontextoverflow / "contextoverflow" events
 *   monitor "downloadprogress" ProgressEvents with loaded 0..1 (total 1)
 *   errors  DOMExceptions by name: NotSupportedError (unavailable, unsupported languages, a system
 *           message in a prompt), NotAllowedError (a download without user activation),
 *           AbortError (the signal; the abort reason itself when one was given),
 *           InvalidStateError (a destroyed session), QuotaExceededError (over the context window),
 *           TypeError (a system message that is not first in initialPrompts)
 *
 * Tests script it through globalThis.__promptApiScenario, read at each call (every field optional):
 *   availability: "available" (default) | "downloadable" | "downloading" | "unavailable"
 *             once a create() has downloaded the model, "downloadable"/"downloading" read "available"
 *   languages: ["en", "es", "ja"]     what the model supports (others: "unavailable" / NotSupportedError)
 *   download: [0, 0.5, 1]             the downloadprogress `loaded` values of a download
 *   holdDownload: true                the download waits after its first event until
 *                                     globalThis.__promptApiRelease() (or the create's signal aborts)
 *   downloadError: {name, message}    the download fails after its first event
 *   requireActivation: true (default) a download needs transient user activation, as in Chrome
 *   noActivation: true                the double sees no user activation (Playwright's evaluate
 *                                     carries a user gesture, so a call without one is scripted)
 *   createError: {name, message}      create() rejects with this DOMException (after any download)
 *   reply: "text" | ["answer 1", "answer 2", ...]  one per prompt, in order (the last one repeats);
 *             an object is sent as its JSON. Without `reply`, a prompt with a responseConstraint
 *             gets the smallest JSON instance of its schema, and one without gets "OK".
 *   chunks: ["Hel", "lo"] | [["a", "b"], ["c"]]  exact deltas of the streamed reply (per prompt)
 *   chunkSize: 3                      otherwise the reply is cut into deltas of this many characters
 *   cumulative: true                  stream the whole text so far in each chunk (Chrome before ~137)
 *   holdAfterChunks: k                the stream pauses after k chunks until __promptApiRelease()
 *   promptError: {name, message, afterChunks = 0}  the stream errors after this many chunks
 *   contextWindow: 4096               tokens; usage is counted as ceil(characters / 4)
 *   params: {defaultTopK, maxTopK, defaultTemperature, maxTemperature}  expose the extension-only
 *             static params() and accept temperature/topK in create() (both or neither)
 * globalThis.__promptApiCalls collects every call as {fn, args} (JSON-safe, functions dropped).
 */
(() => {
  const scenario = () => globalThis.__promptApiScenario ?? {};
  const calls = (globalThis.__promptApiCalls = []);
  const safe = (value) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));
  const record = (fn, args) => calls.push({ fn, args: safe(args) });
  const fail = (name, message) => new DOMException(message, name);
  const scripted = (error) => fail(error.name ?? "OperationError", error.message ?? "");
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  const tokens = (text) => Math.ceil(String(text).length / 4);

  const holds = new Set();
  globalThis.__promptApiRelease = () => {
    const waiting = [...holds];
    holds.clear();
    for (const release of waiting) release();
  };
  /** Wait for __promptApiRelease(); rejects with the signal's reason when it aborts first. */
  function hold(signal) {
    return new Promise((resolve, reject) => {
      const release = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        holds.delete(release);
        reject(signal.reason);
      };
      holds.add(release);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  let downloaded = false;
  let prompts = 0; // replies handed out so far, across sessions

  function supports(options) {
    const known = scenario().languages ?? ["en", "es", "ja"];
    const wanted = [...(options?.expectedInputs ?? []), ...(options?.expectedOutputs ?? [])];
    return wanted.every((e) => (e.languages ?? []).every((tag) => known.includes(tag.split("-")[0])));
  }

  function state(options) {
    const scripted = scenario().availability ?? "available";
    if (scripted === "unavailable" || !supports(options)) return "unavailable";
    return downloaded ? "available" : scripted;
  }

  /** [{role, content}] of a prompt argument: a string is one user message. */
  function messagesOf(input) {
    if (typeof input === "string") return [{ role: "user", content: input }];
    return Array.from(input, (m) => ({ role: m.role, content: m.content, ...(m.prefix ? { prefix: true } : {}) }));
  }

  const textOf = (messages) => messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");

  function checkInitialPrompts(initialPrompts) {
    initialPrompts.forEach((m, index) => {
      if (!["system", "user", "assistant"].includes(m.role)) throw new TypeError(`Invalid role "${m.role}".`);
      if (m.role === "system" && index > 0) throw new TypeError("A system message must come first.");
    });
  }

  /** The smallest JSON value that a (simple) JSON schema accepts. */
  function instanceOf(schema) {
    if (!schema || typeof schema !== "object") return null;
    if ("const" in schema) return schema.const;
    if (schema.enum) return schema.enum[0];
    if (schema.anyOf || schema.oneOf) return instanceOf((schema.anyOf ?? schema.oneOf)[0]);
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === "object") {
      const out = {};
      for (const key of schema.required ?? []) out[key] = instanceOf(schema.properties?.[key]);
      return out;
    }
    if (type === "array") return Array.from({ length: schema.minItems ?? 0 }, () => instanceOf(schema.items));
    if (type === "string") return "x".repeat(schema.minLength ?? 0);
    if (type === "integer" || type === "number") return schema.minimum ?? 0;
    if (type === "boolean") return false;
    return null;
  }

  function replyFor(index, constraint) {
    const { reply } = scenario();
    if (reply === undefined) return constraint ? JSON.stringify(instanceOf(constraint)) : "OK";
    const value = Array.isArray(reply) ? reply[Math.min(index, reply.length - 1)] : reply;
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function deltasFor(index, text) {
    const { chunks, chunkSize = 3 } = scenario();
    if (chunks) return Array.isArray(chunks[0]) ? chunks[Math.min(index, chunks.length - 1)] : chunks;
    const deltas = [];
    for (let at = 0; at < text.length; at += chunkSize) deltas.push(text.slice(at, at + chunkSize));
    return deltas;
  }

  const INTERNAL = Symbol("LanguageModel double");

  class LanguageModel extends EventTarget {
    #history;
    #window;
    #destroyed = false;
    #running = new Set(); // stream controllers of prompts in progress
    oncontextoverflow = null;

    constructor(token, history, window) {
      if (token !== INTERNAL) throw new TypeError("Illegal constructor");
      super();
      this.#history = history;
      this.#window = window;
    }

    static async availability(options = {}) {
      record("availability", options);
      return state(options);
    }

    static async create(options = {}) {
      const { initialPrompts = [], signal, monitor } = options;
      record("create", { ...options, monitor: Boolean(monitor), signal: Boolean(signal) });
      if (signal?.aborted) throw signal.reason;
      const s = scenario();
      if ((options.temperature === undefined) !== (options.topK === undefined) && s.params) {
        throw fail("NotSupportedError", "Initializing a new session must either specify both topK and temperature, or neither of them.");
      }
      checkInitialPrompts(initialPrompts);
      const target = new EventTarget();
      monitor?.(target);
      const now = state(options);
      if (now === "unavailable") throw fail("NotSupportedError", "Unable to create a text session because the service is not running.");
      if (now !== "available") {
        const active = navigator.userActivation?.isActive && !s.noActivation;
        if ((s.requireActivation ?? true) && !active) {
          throw fail("NotAllowedError", 'Requires a user gesture when availability is "downloading" or "downloadable".');
        }
        const steps = s.download ?? [0, 0.5, 1];
        for (const [n, loaded] of steps.entries()) {
          await nextTask();
          if (signal?.aborted) throw signal.reason;
          target.dispatchEvent(new ProgressEvent("downloadprogress", { loaded, total: 1, lengthComputable: true }));
          if (n === 0 && s.downloadError) throw scripted(s.downloadError);
          if (n === 0 && s.holdDownload) await hold(signal);
        }
        downloaded = true;
      }
      await nextTask();
      if (signal?.aborted) throw signal.reason;
      if (s.createError) throw scripted(s.createError);
      const window = s.contextWindow ?? 4096;
      if (tokens(textOf(initialPrompts)) > window) throw fail("QuotaExceededError", "The initial prompts are too large.");
      return new LanguageModel(INTERNAL, initialPrompts.map((m) => ({ ...m })), window);
    }

    get contextWindow() {
      return this.#window;
    }

    get contextUsage() {
      return tokens(textOf(this.#history));
    }

    #check(messages) {
      if (this.#destroyed) throw fail("InvalidStateError", "The session has been destroyed.");
      if (messages.some((m) => m.role === "system")) throw fail("NotSupportedError", "System messages belong in initialPrompts.");
    }

    #remember(messages) {
      this.#history.push(...messages);
      if (this.contextUsage > this.#window) {
        // Chrome drops the oldest messages after the system prompt and says so.
        const start = this.#history[0]?.role === "system" ? 1 : 0;
        while (this.contextUsage > this.#window && this.#history.length > start + 1) this.#history.splice(start, 1);
        const event = new Event("contextoverflow");
        this.oncontextoverflow?.(event);
        this.dispatchEvent(event);
      }
    }

    promptStreaming(input, options = {}) {
      const messages = messagesOf(input);
      const { signal, responseConstraint } = options;
      record("promptStreaming", { input: messages, responseConstraint, omitResponseConstraintInput: options.omitResponseConstraintInput ?? false, signal: Boolean(signal) });
      this.#check(messages);
      const index = prompts++;
      const text = replyFor(index, responseConstraint);
      const deltas = deltasFor(index, text);
      const s = scenario();
      const session = this;
      let sent = 0;
      let whole = "";
      let controller;
      const onAbort = () => {
        controller.error(signal.reason);
        session.#running.delete(controller);
      };
      return new ReadableStream({
        start(c) {
          controller = c;
          session.#running.add(c);
          if (signal?.aborted) throw signal.reason;
          signal?.addEventListener("abort", onAbort, { once: true });
        },
        async pull(c) {
          await nextTask();
          if (signal?.aborted) return;
          if (s.holdAfterChunks === sent && sent > 0) await hold(signal).catch(() => {});
          if (signal?.aborted || !session.#running.has(c)) return;
          if (s.promptError && (s.promptError.afterChunks ?? 0) === sent) {
            signal?.removeEventListener("abort", onAbort);
            c.error(scripted(s.promptError));
            return;
          }
          if (sent < deltas.length) {
            whole += deltas[sent];
            c.enqueue(s.cumulative ? whole : deltas[sent]);
            sent += 1;
            return;
          }
          signal?.removeEventListener("abort", onAbort);
          session.#running.delete(c);
          session.#remember([...messages, { role: "assistant", content: whole }]);
          c.close();
        },
      });
    }

    async prompt(input, options = {}) {
      let text = "";
      for await (const chunk of this.promptStreaming(input, options)) text = scenario().cumulative ? chunk : text + chunk;
      return text;
    }

    async append(input, options = {}) {
      const messages = messagesOf(input);
      record("append", { input: messages });
      this.#check(messages);
      if (options.signal?.aborted) throw options.signal.reason;
      this.#remember(messages);
    }

    async measureContextUsage(input) {
      return tokens(textOf(messagesOf(input)));
    }

    async clone(options = {}) {
      record("clone", {});
      if (this.#destroyed) throw fail("InvalidStateError", "The session has been destroyed.");
      if (options.signal?.aborted) throw options.signal.reason;
      return new LanguageModel(INTERNAL, this.#history.map((m) => ({ ...m })), this.#window);
    }

    destroy() {
      record("destroy", {});
      this.#destroyed = true;
      for (const c of this.#running) c.error(fail("AbortError", "The session has been destroyed."));
      this.#running.clear();
    }
  }

  if (scenario().params) {
    LanguageModel.params = async () => ({ ...scenario().params });
  }
  Object.defineProperty(globalThis, "LanguageModel", { value: LanguageModel, writable: true, configurable: true });
})();
