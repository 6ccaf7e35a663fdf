"""The assistant with the REAL vendored WebLLM 0.2.86 (no double), in Chromium with SwiftShader WebGPU.

SwiftShader is a software adapter, so the app lists WebLLM's models after the CPU ones (in the
"On a software GPU (slow)" group) and would choose a CPU model: the fixture remembers a WebLLM model.

The model hub is unreachable from the tests: its two hosts are routed to `route.abort()` and
listed in `watch.allowed_foreign` (expected attempts, blocked). The library is 6.6 MB and runs in
the page and in the worker, so the waits are longer; they are still waits on states.
"""

import pytest
from playwright.sync_api import expect

from app.assistant.models.catalogue import format_size
from tests.e2e.assistant_helpers import (
    DEFAULT_MODEL,
    PAGE_INSTRUMENTS,
    Q4F32_MODELS,
    WEBLLM_GROUP,
    alert,
    load_button,
    message_box,
    open_assistant,
    option_texts,
    option_values,
    page_errors,
    picker,
    remember_model_script,
    wait_load_outcome,
    web_llm_requests,
)
from tests.e2e.helpers import add, item

HUB = ["https://huggingface.co/", "https://raw.githubusercontent.com/"]
REAL_TIMEOUT_MS = 120000


@pytest.fixture
def real_page(context, open_app, watch):
    """The app with the real WebLLM; the hub's hosts are blocked and their attempts recorded."""
    attempts = []

    def block(route):
        attempts.append(route.request.url)
        route.abort()

    for prefix in HUB:
        context.route(prefix + "**", block)
    watch.allowed_foreign += HUB
    context.add_init_script(PAGE_INSTRUMENTS)
    context.add_init_script(remember_model_script(DEFAULT_MODEL))
    context.set_default_navigation_timeout(60000)
    previous = getattr(expect, "_timeout", None)
    expect.set_options(timeout=REAL_TIMEOUT_MS)
    page = open_app()
    page.hub_attempts = attempts
    yield page
    expect.set_options(timeout=previous)


def test_real_webllm_offers_only_q4f32_models_here_and_finds_none_on_this_device(real_page, watch):
    page = real_page
    assert page.evaluate("navigator.gpu.requestAdapter().then((a) => a && !a.features.has('shader-f16'))") is True

    open_assistant(page)

    assert web_llm_requests(watch) != [], "the real module was loaded"
    values = option_values(page, WEBLLM_GROUP)
    texts = option_texts(page, WEBLLM_GROUP)
    assert values == Q4F32_MODELS
    expect(picker(page)).to_have_value(DEFAULT_MODEL)
    # hasModelInCache ran against the real Cache Storage: nothing is claimed to be downloaded.
    assert not [t for t in texts if "on this device" in t], texts
    expect(load_button(page)).to_have_text("Download and start")
    real = page.evaluate(
        """async (ids) => {
            const webllm = await import("./vendor/web-llm/index.js");
            const out = {};
            for (const id of ids) {
                const record = webllm.prebuiltAppConfig.model_list.find((r) => r.model_id === id);
                out[id] = record ? [record.vram_required_MB, record.required_features ?? [],
                                    await webllm.hasModelInCache(id)] : null;
            }
            return out;
        }""",
        values,
    )
    for model_id, text in zip(values, texts):
        assert real[model_id] is not None, f"{model_id} is not a record of the real WebLLM"
        vram, features, cached = real[model_id]
        assert "shader-f16" not in features
        assert cached is False
        assert text.endswith(f" — {format_size(vram)} GPU memory"), (text, vram)
    assert page.hub_attempts == [], "opening the panel downloads nothing from the hub"


def test_real_webllm_with_the_hub_unreachable_names_the_host_and_the_list_keeps_working(real_page):
    page = real_page
    open_assistant(page)
    load_button(page).click()
    wait_load_outcome(page, timeout=REAL_TIMEOUT_MS)

    assert page.hub_attempts != [], "the real library tried the hub"
    assert page_errors(page) == []  # its worker rejects with a string: "TypeError: Failed to fetch"
    expect(alert(page)).to_be_visible()
    expect(alert(page)).to_contain_text("Cannot reach the model host (huggingface.co).")
    expect(alert(page).get_by_role("button", name="Try again")).to_be_visible()
    expect(message_box(page)).to_be_disabled()
    expect(load_button(page)).to_be_visible()
    add(page, "still here")
    expect(item(page, "still here")).to_be_visible()
