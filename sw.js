// Tasks & Talk's service worker: keeps the app shell (page, Python files, PyScript, Pyodide, WebLLM)
// so that after one visit the app starts with the network off.
//
// The precache list comes from build/precache.py (precache-manifest.js): every served file with a
// content hash. The cache name derives from those hashes, so a deploy that changes any file makes a
// new cache; nobody bumps a version by hand. Install fills the new cache completely (checking every
// file's hash, reusing unchanged files from the old cache) or fails, leaving the old version in
// charge. Every response comes from one cache, so old and new files never mix. Model files are
// WebLLM's business: it keeps them in its own caches (webllm/*), which this worker never touches.
//
// Cross-origin isolation on any host: the page and its workers are isolated only when their
// responses carry COOP and COEP (build/serve.py sends them; many static hosts cannot). This worker
// adds them to what it serves (the page, the precached files, same-origin workers), so from the
// second visit on the page is `crossOriginIsolated` wherever it is hosted. The values and the
// reasons for `require-corp` are in build/serve.py.
//
// Yielding to a page that is starting: the install downloads, hashes and stores ~50 MB, seconds of
// network, CPU and disk. It begins when the first visit is ready (assets/pwa.js registers then), so
// a reload straight after that first visit would boot Python while the install runs (measured: 1.43x
// the bare page's reload, 1.12x with what follows; `bench_startup --reload`, docs/benchmarks.md).
// So the install starts no new file while a page of the site is booting (a few are fetched at a
// time, so the ones in flight finish soon), and goes on when none is:
// - a page says "BOOTING" to the installing worker as soon as its pwa.js runs, and "READY" at
//   data-ready;
// - at its start the install asks every window of the origin ("ARE_YOU_BOOTING") and counts each as
//   booting until it answers "READY": a page answers on its main thread, which a page in the middle
//   of Pyodide's boot (one task of seconds) holds, so a late answer must not mean "not booting".
// A page stops counting as booting when it says ready, when it is gone (closed, navigated away), or
// BOOT_TIMEOUT_MS after it was counted: a page that never gets ready, or never answers (a window of
// the origin without pwa.js, an old version's page during an update), holds the install no longer,
// and the install always completes (or fails) as before. tests/e2e/test_pwa.py checks the pause and
// the timeout.
importScripts("./precache-manifest.js");

const PREFIX = "tasks-and-talk-shell-";
const CACHE = PREFIX + self.PRECACHE.version;
const SCOPE = self.registration.scope;
const REVISIONS = new Map(self.PRECACHE.files.map((f) => [new URL(f.url, SCOPE).href, f.revision]));
const INDEX = new URL("./index.html", SCOPE).href;

// Files fetched at a time by the install: few, so that a pause for a booting page takes effect soon.
const PARALLEL_FETCHES = 4;
// Longest a page counts as booting after it said so (a cold start on a slow phone is well under it).
const BOOT_TIMEOUT_MS = 30_000;
// How often the paused install looks whether a booting page is gone or timed out.
const RECHECK_MS = 1_000;

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

function isolated(response) {
  if (response.type !== "basic" && response.type !== "default") return response; // not same-origin
  if (response.headers.get("Cross-Origin-Embedder-Policy")) return response; // the host sent them
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  const { status, statusText } = response;
  return new Response(response.body, { status, statusText, headers });
}

async function sha256(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function previousCopy(url, revision) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const response = await (await caches.open(name)).match(url);
    if (response && response.headers.get("x-revision") === revision) return response;
  }
  return null;
}

async function fetchChecked(url, revision) {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  // A file changed on the server since the manifest was made: a mixed install is refused.
  if (!(await sha256(body)).startsWith(revision)) throw new Error(`${url} does not match its revision`);
  const headers = new Headers(response.headers);
  headers.set("x-revision", revision);
  return new Response(body, { status: 200, statusText: "OK", headers });
}

// The pages that said they are booting: client id -> when (Date.now()). See "Yielding" above.
const booting = new Map();
// What the install did, for tests (tests/e2e/test_pwa.py asks with PRECACHE_STATUS): files stored,
// fetches in flight, waits that timed out, and its steps in order ("asked", "booting", "ready",
// "paused", "resumed", "fetch", "gone", "timed out").
const status = { total: REVISIONS.size, stored: 0, inFlight: 0, waits: 0, timedOut: 0, log: [] };
const waiting = new Set(); // the paused fetchers' wake-ups, called when a page says READY
function changed() {
  for (const wake of waiting) wake();
  waiting.clear();
}

/** Resolves once no page of the site is booting (each counts for BOOT_TIMEOUT_MS at most). */
async function noPageBooting() {
  for (let waited = false; ; waited = true) {
    for (const [id, since] of booting) {
      const timedOut = Date.now() - since > BOOT_TIMEOUT_MS;
      // Another fetcher may have dropped it meanwhile: log each page once.
      if ((timedOut || !(await self.clients.get(id))) && booting.get(id) === since) {
        booting.delete(id);
        status.log.push(timedOut ? "timed out" : "gone");
        if (timedOut) status.timedOut++;
      }
    }
    if (booting.size === 0) {
      if (waited) status.log.push("resumed");
      return;
    }
    if (!waited) {
      status.waits++;
      status.log.push("paused");
    }
    await new Promise((resolve) => {
      waiting.add(resolve);
      setTimeout(resolve, RECHECK_MS);
    });
  }
}

async function storeFile(cache, url, revision) {
  if (await cache.match(url)) return;
  let response = await previousCopy(url, revision);
  if (!response) {
    await noPageBooting();
    status.inFlight++;
    status.log.push("fetch");
    try {
      response = await fetchChecked(url, revision);
    } finally {
      status.inFlight--;
    }
  }
  await cache.put(url, response);
  status.stored++;
}

async function install() {
  // Every window open when the install begins counts as booting until it answers "READY" (pwa.js).
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    booting.set(client.id, Date.now());
    status.log.push("asked");
    client.postMessage({ type: "ARE_YOU_BOOTING" });
  }
  const cache = await caches.open(CACHE);
  const queue = [...REVISIONS];
  const fetcher = async () => {
    for (let next; (next = queue.shift()); ) await storeFile(cache, ...next);
  };
  await Promise.all(Array.from({ length: PARALLEL_FETCHES }, fetcher));
}

async function activate() {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
}

async function fromCache(key, request) {
  const cached = await (await caches.open(CACHE)).match(key);
  return isolated(cached || (await fetch(request)));
}

// Where the headers decide isolation: the page's and workers' own responses.
const ISOLATED_DESTINATIONS = new Set(["document", "worker", "sharedworker"]);

self.addEventListener("install", (event) => event.waitUntil(install()));
self.addEventListener("activate", (event) => event.waitUntil(activate()));
self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  const client = event.source && event.source.id;
  if (type === "SKIP_WAITING") self.skipWaiting();
  else if (type === "BOOTING" && client) {
    booting.set(client, Date.now());
    status.log.push("booting");
  } else if (type === "READY" && client) {
    if (booting.delete(client)) status.log.push("ready");
    changed();
  } else if (type === "PRECACHE_STATUS" && event.ports[0]) {
    event.ports[0].postMessage({ ...status, booting: booting.size, log: [...status.log] });
  }
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // the model hub: WebLLM caches what it fetches
  if (request.mode === "navigate") {
    event.respondWith(fromCache(INDEX, request));
    return;
  }
  const key = url.origin + url.pathname;
  if (REVISIONS.has(key)) event.respondWith(fromCache(key, request));
  else if (ISOLATED_DESTINATIONS.has(request.destination)) event.respondWith(fetch(request).then(isolated));
});
