"""Helpers for the assistant's e2e tests: the WebLLM test double routed in, and the panel's steps.

`assistant_page(scenario)` opens the app with tests/doubles/web-llm.js served in place of
vendor/web-llm/index.js (test-only: the route lives in the test's browser context, nothing is
shipped) and `globalThis.__webllmScenario` set before any script of the page runs. The double runs
on the page, so `set_scenario(page, ...)` changes it between questions, and `calls(page)` reads
`globalThis.__webllmCalls`.

Chromium's WebGPU adapter here is SwiftShader, a software one, so the automatic choice would be
the CPU engine: the fixture remembers a WebLLM model as the person's choice (the
`tasks-and-talk.model` setting) unless a test asks for the automatic choice (`model=None`).
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
DOUBLE = ROOT / "tests/doubles/web-llm.js"
WEB_LLM_ROUTE = "**/vendor/web-llm/index.js"
WEB_LLM_PATH = "/vendor/web-llm/index.js"

DEFAULT_MODEL = "Llama-3.2-1B-Instruct-q4f32_1-MLC"
BIG_MODEL = "Llama-3.2-3B-Instruct-q4f32_1-MLC"
Q4F32_MODELS = [
    "SmolLM2-360M-Instruct-q4f32_1-MLC",
    "Qwen2.5-0.5B-Instruct-q4f32_1-MLC",
    "Llama-3.2-1B-Instruct-q4f32_1-MLC",
    "Qwen2.5-1.5B-Instruct-q4f32_1-MLC",
    "Llama-3.2-3B-Instruct-q4f32_1-MLC",
]

MODEL_SETTING = "tasks-and-talk.model"
# The picker's <optgroup> labels (app/assistant/models/choice.py); WebLLM on SwiftShader is the software group.
WEBLLM_GROUP = "On a software GPU (slow)"
CPU_GROUP = "On the CPU (llama.cpp)"

STATE_TIMEOUT_MS = 30000  # Python runs every step; the test machine may be busy

# Run before the page's scripts. Uncaught errors and unhandled rejections are kept on the page so a
# test can wait for "the load ended, one way or another" (wait_load_outcome) instead of a fixed
# time; the resource-timing buffer is enlarged so open_assistant can always see the markdown modules.
PAGE_INSTRUMENTS = """
performance.setResourceTimingBufferSize(2000);
globalThis.__pageErrors = [];
addEventListener("error", (e) => globalThis.__pageErrors.push(String(e.error ?? e.message)));
addEventListener("unhandledrejection", (e) => globalThis.__pageErrors.push(String(e.reason)));
"""


@pytest.fixture
def assistant_page(context, open_app):
    """assistant_page(scenario=None, init_script=None, model=DEFAULT_MODEL) -> the app, with the double.

    `init_script` (JS text) runs before the page's own scripts, after the scenario is set. `model`
    is stored as the remembered choice where none is stored yet (None: the app chooses).
    """
    routed = []

    def opener(scenario=None, init_script=None, path="/", model=DEFAULT_MODEL):
        if not routed:
            context.route(WEB_LLM_ROUTE, serve_double)
            routed.append(True)
        context.add_init_script(f"globalThis.__webllmScenario = {json.dumps(scenario or {})};")
        if model:
            context.add_init_script(remember_model_script(model))
        context.add_init_script(PAGE_INSTRUMENTS)
        if init_script:
            context.add_init_script(init_script)
        return open_app(path)

    previous = getattr(expect, "_timeout", None)
    expect.set_options(timeout=STATE_TIMEOUT_MS)
    context.set_default_navigation_timeout(60000)
    yield opener
    expect.set_options(timeout=previous)


def remember_model_script(model_id):
    """JS that stores `model_id` as the chosen model, unless a choice is stored already."""
    key, value = json.dumps(MODEL_SETTING), json.dumps(model_id)
    return f"if (localStorage.getItem({key}) === null) localStorage.setItem({key}, {value});"


def serve_double(route):
    route.fulfill(path=str(DOUBLE), content_type="text/javascript")


# ---- the page-side double ----

def set_scenario(page, **fields):
    """Change fields of the scenario the double reads at each call (None deletes a field)."""
    page.evaluate(
        """(fields) => {
            const s = (globalThis.__webllmScenario ??= {});
            for (const [k, v] of Object.entries(fields)) { if (v === null) delete s[k]; else s[k] = v; }
        }""",
        fields,
    )


def calls(page, fn=None):
    """The double's recorded calls ({fn, args}), optionally only those to `fn`."""
    recorded = page.evaluate("globalThis.__webllmCalls ?? []")
    return [c for c in recorded if fn is None or c["fn"] == fn]


def created_messages(page):
    """The `messages` of each chat.completions.create request, in order."""
    return [c["args"][0]["messages"] for c in calls(page, "chat.completions.create")]


def web_llm_requests(watch):
    return [u for u in watch.requests if u.split("?", 1)[0].endswith(WEB_LLM_PATH)]


# ---- the panel ----

def panel(page):
    return page.locator("#assistant-panel")


def picker(page):
    return page.get_by_role("combobox", name="Model")


def option_values(page, group=None):
    """The picker's option values, all or those under the <optgroup> labelled `group`."""
    options = picker(page).locator(f"optgroup[label='{group}'] option" if group else "option")
    return options.evaluate_all("os => os.map((o) => o.value)")


def option_texts(page, group=None):
    options = picker(page).locator(f"optgroup[label='{group}'] option" if group else "option")
    return options.evaluate_all("os => os.map((o) => o.textContent)")


def group_labels(page):
    return picker(page).locator("optgroup").evaluate_all("gs => gs.map((g) => g.label)")


def message_box(page):
    return page.get_by_role("textbox", name="Message")


def transcript(page):
    return page.get_by_role("log", name="Conversation")


def progressbar(page):
    return page.get_by_role("progressbar", name="Model loading")


def load_status(page):
    return panel(page).locator(".load-status")


def alert(page):
    """The assistant's error box (role=alert inside the panel)."""
    return panel(page).get_by_role("alert")


def load_button(page):
    return panel(page).get_by_role("button", name="Download and start").or_(
        panel(page).get_by_role("button", name="Start model")
    )


def turns(page):
    return transcript(page).locator("article.turn")


def answers(page):
    return transcript(page).locator(".answer")


def open_assistant(page):
    """Open the panel and wait until the model picker is usable and the markdown renderer is in.

    The panel imports assets/markdown.js only after the model check (app/assistant/views/transcript.py);
    waiting for its modules keeps a quick scripted answer from finishing before it, so the answer is
    rendered as markdown at once rather than when the renderer arrives.
    """
    page.get_by_role("button", name="Ask the assistant about your list").click()
    expect(picker(page)).to_be_enabled()
    page.wait_for_function(
        """() => ["/vendor/marked/marked.esm.js", "/vendor/dompurify/purify.es.mjs"].every(
            (path) => performance.getEntriesByType("resource").some((e) => e.name.endsWith(path)))""",
        timeout=STATE_TIMEOUT_MS,
    )


def start_model(page):
    """Click the load button and wait until a question can be typed."""
    load_button(page).click()
    expect(message_box(page)).to_be_enabled()


def release_load(page):
    """Let a load held by the scenario's `holdLoad` finish."""
    page.wait_for_function("typeof globalThis.__webllmRelease === 'function'", timeout=STATE_TIMEOUT_MS)
    page.evaluate("globalThis.__webllmRelease()")


def ask(page, text):
    """Type a question and send it with the Send button; returns the new turn."""
    count = turns(page).count()
    message_box(page).fill(text)
    page.get_by_role("button", name="Send").click()
    expect(turns(page)).to_have_count(count + 1)
    return turns(page).nth(count)


def wait_answered(turn):
    """Wait until an answer has stopped streaming."""
    expect(turn.locator(".answer")).not_to_contain_class("streaming")


def page_errors(page):
    return page.evaluate("globalThis.__pageErrors ?? []")


def wait_load_outcome(page, timeout=STATE_TIMEOUT_MS):
    """Wait until a load has ended: an error is shown, the model is ready, or the page had an uncaught error."""
    page.wait_for_function(
        """() => !document.querySelector("#assistant-panel .assistant-error").hidden
            || !document.querySelector("#message").disabled
            || (globalThis.__pageErrors ?? []).length > 0""",
        timeout=timeout,
    )
