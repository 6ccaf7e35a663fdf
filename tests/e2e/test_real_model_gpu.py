"""The CPU engine's GGUF model and the GPU: asked for on a GPU, and back on the CPU, with a note that
is remembered, when the GPU cannot run it. The real SmolLM2-135M in the real wllama, in Chromium.

Headless Chromium here has WebGPU through SwiftShader, a software adapter without 16-bit float
shaders, which the app rightly does not count as a GPU for llama.cpp. So the page is told its
adapter is hardware with `shader-f16` (`adapter.info`, `isFallbackAdapter` and `features.has` are
overridden in the page only): the app then asks wllama for every layer on the GPU. wllama's worker
asks WebGPU for itself and gets the real SwiftShader adapter, where llama.cpp's WebGPU backend finds
no device it can use and loads the model on the CPU, saying so only in its log; the first test
checks that the app reads that and tells the truth. The model cannot run on a GPU here at all, so
the happy path (layers on a real GPU) is covered by the unit tests of the choice
(tests/unit/test_engine_placement.py), not here. The second test makes wllama's GPU load itself
fail (a wrapper around its `loadModelFromUrl` that rejects once the file is loaded, as a shader
that does not compile would).

On tests/e2e/real_model_site.py's served site copy (the GGUF at /models/, its models.json), with a
fresh context and page for each test.
"""

import pytest
from playwright.sync_api import expect

from app.assistant.models.choice import GGUF_ON_GPU_GROUP
from tests.conftest import PageWatch
from tests.e2e.assistant_helpers import (
    PAGE_INSTRUMENTS,
    ask,
    load_button,
    message_box,
    open_assistant,
    page_errors,
    picker,
    wait_answered,
)
from tests.e2e.helpers import add
from tests.e2e.real_model_site import MODEL_ID, MODEL_LABEL, TODOS, real_site  # noqa: F401 (a fixture)
from tests.e2e.site_copy import wait_ready_page

# The page's WebGPU adapter reads as hardware; wllama's worker still gets the real SwiftShader one.
HARDWARE_ADAPTER = """
const info = Object.getOwnPropertyDescriptor(GPUAdapter.prototype, "info");
Object.defineProperty(GPUAdapter.prototype, "info", { get() {
  const real = info.get.call(this);
  return { vendor: "test", architecture: "test-gpu", device: real.device, description: "test GPU",
           isFallbackAdapter: false };
} });
Object.defineProperty(GPUAdapter.prototype, "isFallbackAdapter", { get: () => false });
const has = GPUSupportedFeatures.prototype.has;
GPUSupportedFeatures.prototype.has = function (feature) { return feature === "shader-f16" || has.call(this, feature); };
"""

# Records the layers each load asked for; with `failGpu`, a load with layers on the GPU rejects once
# the file is loaded, as a GPU that cannot compile a shader or hold the weights does.
LOADS = """(failGpu) => import("/vendor/wllama/index.js").then(({ Wllama }) => {
  globalThis.__loads = [];
  const original = Wllama.prototype.loadModelFromUrl;
  Wllama.prototype.loadModelFromUrl = function (url, params) {
    globalThis.__loads.push(params.n_gpu_layers);
    if (failGpu && params.n_gpu_layers > 0) {  // the file loads (and is stored), then the GPU gives up
      return original.call(this, url, params).then(() => this.exit())
        .then(() => { throw new Error("WebGPU: shader failed to compile"); });
    }
    return original.call(this, url, params);
  };
})"""


@pytest.fixture
def gpu_page(browser, real_site):  # noqa: F811 (the fixture imported above)
    context = browser.new_context(service_workers="block")
    context.set_default_timeout(600_000)
    watch = PageWatch(real_site.origin)
    context.add_init_script(HARDWARE_ADAPTER)
    context.add_init_script(PAGE_INSTRUMENTS)
    page = watch.attach(context.new_page())
    page.goto(real_site.url("/"))
    wait_ready_page(page)
    add(page, *TODOS)
    previous = getattr(expect, "_timeout", None)
    expect.set_options(timeout=600_000)  # the real model on a software GPU: slow, not stuck
    try:
        yield page
    finally:
        expect.set_options(timeout=previous)
    assert page_errors(page) == []
    watch.check()
    context.close()


def start(page, fail_gpu=False):
    page.evaluate(LOADS, fail_gpu)
    open_assistant(page)
    picker(page).select_option(MODEL_ID)  # on a real GPU the app picks a WebLLM model first
    load_button(page).click()
    expect(message_box(page)).to_be_enabled()


@pytest.mark.timeout(900)
def test_where_llama_cpp_finds_no_gpu_it_can_use_the_model_runs_on_the_cpu_and_the_app_says_so(gpu_page):
    page = gpu_page
    assert page.evaluate("WebAssembly.Suspending !== undefined"), "wllama's WebGPU build needs JSPI"
    start(page)
    group = picker(page).locator("optgroup", has=page.locator(f"option[value='{MODEL_ID}']"))
    expect(group).to_have_attribute("label", GGUF_ON_GPU_GROUP)
    assert page.evaluate("globalThis.__loads") == [999], "every layer was asked for on the GPU"
    expect(page.locator(".load-status")).to_have_text(
        f"{MODEL_LABEL} (this site) is running on this device's CPU: the GPU could not run it (llama.cpp "
        "found no WebGPU device it can use). It will start on the CPU from now on.")
    assert page.evaluate("JSON.parse(localStorage.getItem('tasks-and-talk.cpu-only-models'))") == [MODEL_ID]

    turn = ask(page, "What is left on my list?")
    wait_answered(turn)
    expect(turn.locator(".answer")).not_to_be_empty()


@pytest.mark.timeout(900)
def test_a_gpu_that_cannot_run_the_model_leaves_it_on_the_cpu_with_a_note_and_it_starts_there_next_time(gpu_page):
    page = gpu_page
    start(page, fail_gpu=True)
    assert page.evaluate("globalThis.__loads") == [999, 0]
    expect(page.locator(".load-status")).to_have_text(
        f"{MODEL_LABEL} (this site) is running on this device's CPU: the GPU could not run it (WebGPU: shader "
        "failed to compile). It will start on the CPU from now on.")
    turn = ask(page, "What is left on my list?")
    wait_answered(turn)
    expect(turn.locator(".answer")).not_to_be_empty()

    page.reload()
    wait_ready_page(page)
    start(page, fail_gpu=True)
    assert page.evaluate("globalThis.__loads") == [0], "remembered: straight to the CPU"
    expect(page.locator(".load-status")).to_contain_text(
        f"{MODEL_LABEL} (this site) is running on this device.")
