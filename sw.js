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
importScripts("./precache-manifest.js");

const PREFIX = "tasks-and-talk-shell-";
const CACHE = PREFIX + self.PRECACHE.version;
const SCOPE = self.registration.scope;
const REVISIONS = new Map(self.PRECACHE.files.map((f) => [new URL(f.url, SCOPE).href, f.revision]));
const INDEX = new URL("./index.html", SCOPE).href;

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

async function install() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    [...REVISIONS].map(async ([url, revision]) => {
      if (await cache.match(url)) return;
      await cache.put(url, (await previousCopy(url, revision)) || (await fetchChecked(url, revision)));
    }),
  );
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
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
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
