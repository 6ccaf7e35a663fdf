// The bare-wllama side of bench/bench_wllama.py: load one GGUF, answer one request, report wllama's
// own timings. Same vendored files, load options and request shape as the app's engine module.
import { Wllama } from "../../vendor/wllama/index.js";

const VENDOR = new URL("../../vendor/", import.meta.url);

// load: {url, n_ctx, n_threads, n_batch?, n_ubatch?}; request: {messages, temperature, top_p, ...}, or
// null to only load (a warm-up that stores the GGUF in OPFS)
// -> {load_ms, first_delta_ms, total_ms, chunks, text, timings, crossOriginIsolated, threads}
window.benchWllama = async function benchWllama(load, request) {
  const wllama = new Wllama({ default: new URL("wllama/wllama.wasm", VENDOR).href },
                            { suppressNativeLog: true });
  wllama.setCompat({ wasm: new URL("wllama-compat/wllama.wasm", VENDOR).href,
                     worker: new URL("wllama-compat/wllama.js", VENDOR).href });
  const started = performance.now();
  await wllama.loadModelFromUrl(load.url, { ...load, n_gpu_layers: 0, useCache: true });
  const loaded = performance.now();
  if (!request) {
    await wllama.exit();
    return { load_ms: loaded - started, first_delta_ms: null, total_ms: null, chunks: 0, text: "",
             timings: null, threads: null, crossOriginIsolated: self.crossOriginIsolated };
  }
  let first = null, chunks = 0, text = "", timings = null;
  const stream = await wllama.createChatCompletion({ ...request, stream: true });
  for await (const chunk of stream) {
    const delta = chunk.choices?.[0]?.delta?.content;
    if (delta) {
      if (first === null) first = performance.now();
      chunks += 1;
      text += delta;
    }
    if (chunk.timings) timings = chunk.timings;
  }
  const done = performance.now();
  const threads = wllama.getNumThreads ? wllama.getNumThreads() : null;
  await wllama.exit();
  return { load_ms: loaded - started, first_delta_ms: first === null ? null : first - loaded,
           total_ms: done - loaded, chunks, text, timings, threads,
           crossOriginIsolated: self.crossOriginIsolated };
};

document.getElementById("status").textContent = "ready";
document.documentElement.dataset.ready = "";
