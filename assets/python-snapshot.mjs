// The interpreter module PyScript loads (pyscript.toml `interpreter`): Pyodide's own loadPyodide, with
// a memory snapshot of a freshly booted Python kept on this device.
//
// Booting Pyodide (initialising CPython and importing its bootstrap modules) is most of the start-up
// time, and it is the same work on every visit. So after the first visit, a worker boots a second,
// untouched interpreter, snapshots its memory (Pyodide's `_makeSnapshot` / `makeMemorySnapshot`) and
// stores it in Cache Storage; every later start restores that memory (`_loadSnapshot`) instead of
// booting again: about 4x faster (docs/benchmarks.md). The page's own interpreter is never the one
// snapshotted: a snapshot can only be taken before Python holds any JS object, and in snapshot-making
// mode Pyodide wraps every JS global in a recording Proxy that DOM getters refuse.
//
// What could go wrong, and what happens:
// - A snapshot from another Pyodide build, a truncated or corrupted one: Pyodide checks its magic
//   number and build id, this module its version and length; it is deleted, Python boots as usual and
//   a new snapshot is made.
// - No Cache Storage, or no room for one (checked before starting the worker, and a failed write):
//   no snapshot; Python boots as usual.
// - Restored memory carries the state of the `random` module's generator, which is reseeded, and the
//   string hash seed, which stays the same until the snapshot is remade (no security role here).
// <html data-python-snapshot> says which way it went: "restored", "making", "saved" or "unavailable".
import { loadPyodide as bootPyodide, version } from "../vendor/pyodide/pyodide.mjs";

export { version };

const INDEX_URL = new URL("../vendor/pyodide/", import.meta.url).href;
const CACHE_NAME = "tasks-and-talk-python-snapshot";
// A Cache Storage key, never fetched.
const KEY = new URL("memory-snapshot", INDEX_URL).href;
// Room a snapshot needs, with a margin: it is ~31 MB for Pyodide 314.
const ROOM_NEEDED = 64 * 1024 * 1024;
// A worker that has not answered by then is stopped (its interpreter is ~100 MB of memory).
const WORKER_TIMEOUT_MS = 120_000;
// No document where PyScript would run Python in a worker: nothing to mark there.
const html = globalThis.document?.documentElement;

function mark(state) {
  if (html) html.dataset.pythonSnapshot = state;
}

async function forget() {
  try {
    await caches.delete(CACHE_NAME);
  } catch {
    // Nothing stored, or no Cache Storage: there is nothing to forget.
  }
}

/** The stored snapshot's bytes, or null when there is none usable for this Pyodide. */
async function storedSnapshot() {
  if (!("caches" in self)) return null;
  try {
    const response = await (await caches.open(CACHE_NAME)).match(KEY);
    if (!response) return null;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const expected = Number(response.headers.get("x-snapshot-bytes"));
    if (response.headers.get("x-pyodide-version") === version && bytes.length === expected) return bytes;
    console.warn("The saved Python snapshot is from another version or incomplete; starting Python afresh.");
  } catch (error) {
    console.warn("The saved Python snapshot could not be read; starting Python afresh.", error);
  }
  await forget();
  return null;
}

// Read as soon as PyScript imports this module, while it is still reading its configuration; let go
// once used (31 MB), so a later call reads it again.
let pending = storedSnapshot();

/** Reseed what restored memory would otherwise repeat on every start (random is in the snapshot). */
function reseed(pyodide) {
  const random = pyodide.pyimport("random");
  random.seed();
  random.destroy();
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

// Safari has no requestIdleCallback: a second after ready stands in for "idle".
const whenIdle = self.requestIdleCallback ?? ((start) => setTimeout(start, 1000));

/** After the page is ready and idle, make and store a snapshot in a worker (assets/python-snapshot-worker.mjs). */
function makeSnapshotLater() {
  // assets/boot.js owns the hand-over to Python, so it says when the app is ready. Where PyScript runs
  // Python in a worker, this module runs there, with no page to wait on: no snapshot is made from it
  // (yet), so such a start boots Python afresh every time.
  const shell = globalThis.window?.bootShell;
  if (!shell || !("caches" in self) || typeof Worker === "undefined") return mark("unavailable");
  shell.whenReady(() => whenIdle(async () => {
    if (!(await hasRoom())) {
      console.warn("Not enough storage for a Python snapshot: Python will boot afresh on the next start.");
      return mark("unavailable");
    }
    mark("making");
    const worker = new Worker(new URL("./python-snapshot-worker.mjs", import.meta.url), { type: "module" });
    const finish = (problem) => {
      clearTimeout(timer);
      worker.terminate();
      if (problem) console.warn("No Python snapshot was saved, so the next start boots Python afresh:", problem);
      mark(problem ? "unavailable" : "saved");
    };
    const timer = setTimeout(() => finish("making it took too long"), WORKER_TIMEOUT_MS);
    worker.addEventListener("message", ({ data }) => finish(data.error));
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      finish(event.message ?? "the worker could not start");
    });
    worker.postMessage({ indexURL: INDEX_URL, cacheName: CACHE_NAME, key: KEY });
  }, { timeout: 5000 }));
}

/** PyScript's call: Pyodide from the stored snapshot when there is one, else booted as usual. */
export async function loadPyodide(options = {}) {
  // PyScript derives indexURL from this module's URL (assets/); Pyodide's files are in vendor/pyodide/.
  const settings = { ...options, indexURL: INDEX_URL };
  const snapshot = await (pending ?? storedSnapshot());
  pending = null;
  if (snapshot) {
    try {
      const pyodide = await bootPyodide({ ...settings, _loadSnapshot: snapshot });
      // Pyodide keeps its options, this 31 MB copy of the memory among them, for the page's life.
      delete pyodide._api.config._loadSnapshot;
      reseed(pyodide);
      mark("restored");
      return pyodide;
    } catch (error) {
      console.warn("The saved Python snapshot could not be restored; starting Python afresh.", error);
      await forget();
    }
  }
  const pyodide = await bootPyodide(settings);
  makeSnapshotLater();
  return pyodide;
}
