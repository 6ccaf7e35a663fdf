// @ts-check
// What every engine module shares (engine-module.d.ts, docs/engines.md): settling calls into plain
// outcomes, and one frame-batching stream reader.

/** @typedef {import("./engine-module").EngineFailure} EngineFailure */
/** @typedef {import("./engine-module").GenerateResult} GenerateResult */

const GENERIC_NAMES = new Set(["", "Error", "TypeError", "RangeError"]);
// A name at the start of a message: "DeviceLostError: lost", or wrapped again, "Error: DeviceLostError: lost".
const NAME_IN_MESSAGE = /^\s*(?:Error: )?([A-Za-z][A-Za-z0-9]*(?:Error|Exception)): ([\s\S]*)$/;

/**
 * {name, message} of anything thrown: an Error, or a string such as WebLLM's worker rejects with
 * (its handler posts err.toString(): "TypeError: Failed to fetch"). Where the name says nothing
 * ("Error") and the message starts with the real one ("Error: DeviceLostError: …", an error made
 * again from such a string), the real one is the name: names are the contract, Python reads no message for them.
 * @param {unknown} reason
 * @returns {EngineFailure}
 */
export function errorOf(reason) {
  let error;
  if (reason instanceof Error || (reason && typeof reason === "object" && "message" in reason)) {
    const thrown = /** @type {{name?: unknown, message?: unknown}} */ (reason);
    error = { name: String(thrown.name ?? "Error"), message: String(thrown.message ?? "") };
  } else {
    const text = String(reason);
    const named = /^([A-Za-z_$][\w$]*): ([\s\S]*)$/.exec(text);
    error = named ? { name: named[1], message: named[2] } : { name: "Error", message: text };
  }
  const inner = GENERIC_NAMES.has(error.name) ? NAME_IN_MESSAGE.exec(error.message) : null;
  return inner && !GENERIC_NAMES.has(inner[1]) ? { name: inner[1], message: inner[2] } : error;
}

/**
 * Call fn() and settle into {value} or {error: {name, message}}: never rejects.
 *
 * A rejection that Pyodide has seen is reported as a page error, and a rejected string cannot be
 * raised in Python; so every exported async function of an engine module ends in this.
 * @template T
 * @param {() => T | Promise<T>} fn
 * @returns {Promise<import("./engine-module").Outcome<T>>}
 */
export async function settle(fn) {
  try {
    return { value: await fn() };
  } catch (reason) {
    return { error: errorOf(reason) };
  }
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Read `pieces` (an async iterable of {text?, reading?, finish?, stats?}) and hand out its text in
 * batches.
 *
 * Returns {batches, result, fail}. `batches` is an async iterable of strings, at most one per `frameMs`:
 * Python iterates it, and a Pyodide event-loop step per chunk would cost more than the chunk itself
 * (docs/benchmarks-streaming.md). The reader does constant work per piece (append to a string) and
 * yields to the page every `sliceMs`, so a fast stream never makes a long task. `result` is filled
 * as the pieces arrive and is final when `batches` ends: {finish, stats, error}; a failure of the
 * stream ends the batches and is reported in `result.error`, never thrown. `fail(reason)` ends them
 * the same way from outside, for a stream that will never end (its worker died). A `reading` piece
 * ({done, total}: prompt tokens read so far, where the engine says) goes into `result.reading`, and
 * a batch with no new text ("") tells the reader that it moved.
 */
export function batch(pieces, frameMs = 16, sliceMs = 8) {
  /** @type {GenerateResult} */
  const result = { finish: null, stats: null, error: null, reading: null };
  let pending = "";
  let moved = false; // result.reading changed since the last batch
  let done = false;
  let wake = null;
  const notify = () => {
    if (wake) {
      const resolve = wake;
      wake = null;
      resolve();
    }
  };
  const fail = (reason) => {
    if (done) return;
    result.error = errorOf(reason);
    done = true;
    notify();
  };
  (async () => {
    try {
      let slice = performance.now();
      for await (const piece of pieces) {
        if (done) break; // failed from outside
        if (piece.text) pending += piece.text;
        if (piece.reading) {
          result.reading = piece.reading;
          moved = true;
        }
        if (piece.finish) result.finish = piece.finish;
        if (piece.stats) result.stats = { ...result.stats, ...piece.stats };
        notify();
        if (performance.now() - slice > sliceMs) {
          await nextTask();
          slice = performance.now();
        }
      }
    } catch (reason) {
      fail(reason);
    }
    done = true;
    notify();
  })();
  const batches = (async function* () {
    while (true) {
      if (!pending && !done) await new Promise((resolve) => (wake = resolve));
      if (!done) await new Promise((resolve) => setTimeout(resolve, frameMs));
      const text = pending;
      pending = "";
      if (text || moved) {
        moved = false;
        yield text;
      }
      if (done && !pending) return;
    }
  })();
  return { batches, result, fail };
}
