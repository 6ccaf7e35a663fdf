// @ts-check
// The WebGPU adapter, as both GPU-capable engines see it (WebLLM's MLC models, wllama's GGUF models).

const ADAPTER_TRIES = 3;

/**
 * This browser's WebGPU adapter: {adapter, software, reason} or {adapter: null, reason}.
 * In a fresh browser the first requestAdapter() can return null and the next one the GPU (seen on a
 * real NVIDIA GPU), so it is asked up to three times. `software` is an adapter that runs on the CPU
 * (SwiftShader, or any fallback adapter): it works, far slower than a CPU engine.
 */
export async function findAdapter() {
  const gpu = /** @type {any} */ (globalThis.navigator)?.gpu; // WebGPU's types are not in TypeScript's DOM library
  if (!gpu) return { adapter: null, reason: "This browser has no WebGPU (navigator.gpu is missing)." };
  let lastError = null;
  for (let attempt = 0; attempt < ADAPTER_TRIES; attempt++) {
    try {
      const adapter = await gpu.requestAdapter();
      if (adapter) {
        const info = adapter.info ?? {};
        const swiftShader = info.architecture === "swiftshader";
        const software = swiftShader || info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
        const reason = software ? (swiftShader ? "software adapter (SwiftShader)" : "software adapter") : "";
        return { adapter, software, reason };
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
  const detail = lastError ? ` (${lastError.message ?? lastError})` : "";
  return { adapter: null, reason: `The browser found no usable GPU adapter${detail}.` };
}
