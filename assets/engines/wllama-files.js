// @ts-check
// The CPU engine's model files: wllama keeps each downloaded GGUF in the Origin Private File
// System, under `<sha1 of the full URL>_<file name>` (its CacheManager), so a model is found by its
// absolute URL. This module lists, measures and deletes them for assets/engines/wllama.js, which
// re-exports the three contract functions (engine-module.d.ts). They settle and never reject.
import { settle } from "./stream.js";

/** @typedef {typeof import("./engine-module")} Contract */

const WLLAMA = new URL("../../vendor/wllama/index.js", import.meta.url).href;

let library = null; // the import of wllama, started once
let storage = null; // wllama's CacheManager over OPFS

/** wllama's module (275 KB), imported on first use. */
export function lib() {
  library ??= import(WLLAMA).catch((error) => {
    library = null; // a failed import (offline before the service worker had it) may be tried again
    throw error;
  });
  return library;
}

async function cache() {
  storage ??= new (await lib()).CacheManager();
  return storage;
}

const absolute = (url) => new URL(url, document.baseURI).href;

/** Every file URL of a model: one GGUF, or each shard of a gguf-split model. */
export async function fileUrls(model) {
  return (await lib()).ModelManager.parseModelUrl(absolute(model.url));
}

/** Completely stored files of `urls` (size equal to the size the server announced), by URL. */
export async function storedFiles(urls) {
  const entries = await (await cache()).list();
  const complete = new Map();
  for (const entry of entries) {
    const meta = entry.metadata;
    if (meta?.originalURL && entry.size > 0 && entry.size === meta.originalSize) complete.set(meta.originalURL, entry);
  }
  return urls.map((url) => complete.get(url) ?? null);
}

/** @type {Contract["cachedIds"]} */
export function cachedIds(models) {
  return settle(async () => {
    const ids = [];
    for (const model of Array.from(models).filter((m) => m.url)) {
      if ((await storedFiles(await fileUrls(model))).every(Boolean)) ids.push(model.model_id);
    }
    return ids;
  });
}

/** @type {Contract["bytesOnDevice"]} */
export function bytesOnDevice(models) {
  return settle(async () => {
    const store = await cache();
    // Partial downloads have no metadata yet: find files by the name wllama derives from the URL.
    const sizes = new Map((await store.list()).map((entry) => [entry.name, entry.size]));
    /** @type {Record<string, number>} */
    const bytes = {};
    for (const model of Array.from(models).filter((m) => m.url)) {
      let total = 0;
      for (const url of await fileUrls(model)) total += sizes.get(await store.getNameFromURL(url)) ?? 0;
      if (total > 0) bytes[model.model_id] = total;
    }
    return bytes;
  });
}

/** @type {Contract["deleteModel"]} */
export function deleteModel(model) {
  return settle(async () => {
    const store = await cache();
    for (const url of await fileUrls(model)) await store.delete(url);
    return null;
  });
}
