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
// - A snapshot is noted in localStorage (noteSnapshotStored), so that assets/boot.js runs Python on
//   the page's thread to restore it; if the browser evicted it meanwhile, Python boots there this
//   once (one long task, as where the page is not isolated) and the note goes.
// - Restored memory carries the state of the `random` module's generator, which is reseeded, and the
//   string hash seed, which stays the same until the snapshot is remade (no security role here).
// How this start went is left in `globalThis.pythonSnapshot`, "restored" or "booted", in the thread
// Python runs in: app/main.py hands it to assets/boot.js, which marks the page and, after a boot,
// has assets/python-snapshot-maker.mjs make a snapshot for the next start.
import { loadPyodide as bootPyodide, version } from "../vendor/pyodide/pyodide.mjs";
import { CACHE_NAME, INDEX_URL, KEY, noteSnapshotStored } from "./python-snapshot-maker.mjs";

export { version };

async function forget() {
  noteSnapshotStored(false);
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
    if (!response) {
      noteSnapshotStored(false); // the browser may have evicted it since it was noted
      return null;
    }
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

/**
 * Pyodide, loaded by `load`, without JSPI where this is a page's main thread. Pyodide calls Python
 * through JSPI where the browser has it, each call on a stack of its own, and Chromium 156 now and
 * then crashes the page's renderer when it scans such a stack for its garbage collector on the main
 * thread (docs/benchmarks-main-thread.md: five minidumps, one instruction). Pyodide decides as it
 * loads, from `WebAssembly.Suspending`, so that is hidden only meanwhile: wllama's engine checks it
 * later, on this page, for its WebGPU build. In a worker Pyodide keeps JSPI.
 */
async function withoutJspiOnMainThread(load) {
  const suspending = Object.getOwnPropertyDescriptor(WebAssembly, "Suspending");
  if (!suspending || "WorkerGlobalScope" in self) return load();
  delete WebAssembly.Suspending;
  try {
    return await load();
  } finally {
    Object.defineProperty(WebAssembly, "Suspending", suspending);
  }
}

/** PyScript's call: Pyodide from the stored snapshot when there is one, else booted as usual. */
export function loadPyodide(options = {}) {
  return withoutJspiOnMainThread(() => loadOnThisThread(options));
}

async function loadOnThisThread(options) {
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
      globalThis.pythonSnapshot = "restored";
      return pyodide;
    } catch (error) {
      console.warn("The saved Python snapshot could not be restored; starting Python afresh.", error);
      await forget();
    }
  }
  const pyodide = await bootPyodide(settings);
  globalThis.pythonSnapshot = "booted";
  return pyodide;
}
