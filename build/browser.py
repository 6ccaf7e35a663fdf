"""Debian's Chromium, started the same way by the tests and the benchmarks, and the waits both run in it.

Playwright's own browser download does not work here, so Playwright drives /usr/bin/chromium. The
flags keep Chromium from calling home (this machine's network is closed).
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A SwiftShader WebGPU adapter (no shader-f16) on http://127.0.0.1, so the assistant offers models.
WEBGPU_ARG = "--enable-unsafe-webgpu"

# Resolves to "activated" once this page's service worker registration has an active, activated worker,
# or to "not activated in time" after timeoutMs (an install that fails never activates).
WAIT_ACTIVATED = """async (timeoutMs) => {
  const activated = (async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker.state !== "activated") {
      await new Promise((resolve) => worker.addEventListener("statechange", () => {
        if (worker.state === "activated") resolve();
      }));
    }
    return worker.state;
  })();
  const timeout = new Promise((resolve) => setTimeout(() => resolve("not activated in time"), timeoutMs));
  return Promise.race([activated, timeout]);
}"""
