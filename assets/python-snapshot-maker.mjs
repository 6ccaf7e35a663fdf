// Makes the memory snapshot of a freshly booted Python that assets/python-snapshot.mjs restores on
// later starts, on the page's main thread whichever thread the app's Python runs on: assets/boot.js
// imports it at hand-over when Python was booted rather than restored (app/main.py says which).
// The snapshot is taken in a worker of its own (assets/python-snapshot-worker.mjs) booting a second,
// untouched interpreter: the app's own is never the one snapshotted (a snapshot can only be taken
// before Python holds any JS object). Nothing happens at import: the interpreter module imports the
// names below from any thread.
// <html data-python-snapshot> says how it went: "making", then "saved" or "unavailable".

export const INDEX_URL = new URL("../vendor/pyodide/", import.meta.url).href;
export const CACHE_NAME = "tasks-and-talk-python-snapshot";
// A Cache Storage key, never fetched.
export const KEY = new URL("memory-snapshot", INDEX_URL).href;
// Room a snapshot needs, with a margin: it is ~31 MB for Pyodide 314.
const ROOM_NEEDED = 64 * 1024 * 1024;
// A worker that has not answered by then is stopped (its interpreter is ~100 MB of memory).
const WORKER_TIMEOUT_MS = 120_000;

function mark(state) {
  document.documentElement.dataset.pythonSnapshot = state;
}

/** Say in localStorage whether a snapshot is stored: assets/boot.js reads it before Python starts,
 * to run Python on the page's thread when it will be restored. Only the page's thread can say it
 * (a worker has no localStorage); failures only cost the choice. */
export function noteSnapshotStored(stored) {
  if (typeof document === "undefined") return;
  try {
    const key = document.documentElement.dataset.pythonSnapshotKey;
    if (stored) localStorage.setItem(key, "stored");
    else localStorage.removeItem(key);
  } catch {
    // No storage: assets/boot.js then finds no note and runs Python in a worker, as for a first visit.
  }
}

/** Is there clearly room for a snapshot? (Unknown counts as yes: a failed write is handled too.) */
async function hasRoom() {
  try {
    const { quota, usage } = await navigator.storage.estimate();
    return quota - usage >= ROOM_NEEDED;
  } catch {
    return true;
  }
}

/** Make and store a snapshot; call it once the app is ready and the page idle. */
export async function makeSnapshot() {
  if (!("caches" in self) || typeof Worker === "undefined") return mark("unavailable");
  if (!(await hasRoom())) {
    noteSnapshotStored(false);
    console.warn("Not enough storage for a Python snapshot: Python will boot afresh on the next start.");
    return mark("unavailable");
  }
  mark("making");
  const worker = new Worker(new URL("./python-snapshot-worker.mjs", import.meta.url), { type: "module" });
  const finish = (problem) => {
    clearTimeout(timer);
    worker.terminate();
    if (problem) console.warn("No Python snapshot was saved, so the next start boots Python afresh:", problem);
    noteSnapshotStored(!problem);
    mark(problem ? "unavailable" : "saved");
  };
  const timer = setTimeout(() => finish("making it took too long"), WORKER_TIMEOUT_MS);
  worker.addEventListener("message", ({ data }) => finish(data.error));
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    finish(event.message ?? "the worker could not start");
  });
  worker.postMessage({ indexURL: INDEX_URL, cacheName: CACHE_NAME, key: KEY });
}
