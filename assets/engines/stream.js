// What every engine module shares (docs/engines.md): settling calls into plain outcomes, and one
// frame-batching stream reader.

/** {name, message} of anything thrown: an Error, or a string such as WebLLM's worker rejects with. */
export function errorOf(reason) {
  if (reason instanceof Error || (reason && typeof reason === "object" && "message" in reason)) {
    return { name: String(reason.name ?? "Error"), message: String(reason.message ?? "") };
  }
  const text = String(reason);
  // WebLLM's worker handler posts err.toString(): "TypeError: Failed to fetch".
  const named = /^([A-Za-z_$][\w$]*): ([\s\S]*)$/.exec(text);
  return named ? { name: named[1], message: named[2] } : { name: "Error", message: text };
}

/**
 * Call fn() and settle into {value} or {error: {name, message}}: never rejects.
 *
 * A rejection that Pyodide has seen is reported as a page error, and a rejected string cannot be
 * raised in Python; so every exported async function of an engine module ends in this.
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
