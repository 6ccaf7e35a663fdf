// Boots an untouched Pyodide off the main thread, snapshots its memory and stores it in Cache Storage
// for assets/python-snapshot.mjs to restore on the next start. Answers {} when stored, {error} if not.
import { loadPyodide, version } from "../vendor/pyodide/pyodide.mjs";

addEventListener("message", async ({ data: { indexURL, cacheName, key } }) => {
  try {
    const pyodide = await loadPyodide({ indexURL, _makeSnapshot: true });
    // Pyodide puts "" at the front of sys.path again when it restores, as when it boots.
    const sys = pyodide.pyimport("sys");
    const path = sys.path;
    path.remove("");
    path.destroy();
    sys.destroy();
    const snapshot = pyodide.makeMemorySnapshot();
    const headers = {
      "content-type": "application/octet-stream",
      "x-pyodide-version": version,
      "x-snapshot-bytes": String(snapshot.length),
    };
    await (await caches.open(cacheName)).put(key, new Response(snapshot, { headers }));
    postMessage({});
  } catch (error) {
    postMessage({ error: `${error?.name ?? "Error"}: ${error?.message ?? error}` });
  }
});
