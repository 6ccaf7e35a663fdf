"""Debian's Chromium, started the same way by the tests and the benchmarks.

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
