"""Offline use and model storage: after one online visit the app, its list and a downloaded model
work with the network off; partial downloads, deletes, the quota check and persistence.

Every test runs on its own served copy of the site (tests/e2e/site_copy.py) with service workers
allowed and the WebLLM double as vendor/web-llm/index.js; the double keeps model files in the real
Cache API (webllm/model, webllm/wasm, webllm/config), so what the app shows is read from there.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.assistant_helpers import calls
from tests.e2e.helpers import add, item, items, labels, stored_titles, wait_snapshot_settled
from tests.e2e.site_copy import (  # noqa: F401 (site_copy and sw_app are fixtures)
    cache_names,
    is_controlled,
    reload_ready,
    site_copy,
    sw_app,
    wait_activated,
)

REPLY = "Buy milk first, then call the plumber."

# Every text the load-status line shows, in order (the double loads in a few milliseconds).
RECORD_STATUS = """
addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector(".load-status");
  globalThis.__statusLog = [];
  new MutationObserver(() => globalThis.__statusLog.push(status.textContent))
    .observe(status, { childList: true, characterData: true, subtree: true });
});
"""

# The record (model URL, model_lib) the double gives a model id, and what its caches hold for it.
MODEL_ENTRIES = """async (id) => {
  const { prebuiltAppConfig } = await import("/vendor/web-llm/index.js");
  const record = prebuiltAppConfig.model_list.find((r) => r.model_id === id);
  const prefix = record.model + "/";
  const urls = async (name) => (await caches.has(name))
    ? (await (await caches.open(name)).keys()).map((r) => r.url) : [];
  const mine = (list) => list.filter((u) => u.startsWith(prefix) || u === record.model_lib)
    .map((u) => u.startsWith(prefix) ? u.slice(prefix.length) : "model_lib");
  return {
    model: mine(await urls("webllm/model")),
    wasm: mine(await urls("webllm/wasm")),
    config: mine(await urls("webllm/config")),
  };
}"""

SHARDS = [f"resolve/main/params_shard_{i}.bin" for i in range(4)]  # the double's default: 4 shards
ALL_MODEL_FILES = {"resolve/main/tensor-cache.json", "resolve/main/tokenizer.json", *SHARDS}


# Resolves once `predicate(arg)` (an async function's source) is truthy; page.wait_for_function does
# not await a promise, and Cache Storage is only reachable through promises.
WAIT_UNTIL = """async ([source, arg]) => {
  const predicate = (0, eval)(source), deadline = Date.now() + 10000;
  while (!(await predicate(arg))) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + source);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}"""
NO_SHARDS_LEFT = """async () => (await caches.has("webllm/model"))
  && (await (await caches.open("webllm/model")).keys()).every((r) => !r.url.includes("params_shard_"))"""


def wait_until(page, predicate, arg=None):
    page.evaluate(WAIT_UNTIL, [predicate, arg])


def entries(page, model_id):
    found = page.evaluate(MODEL_ENTRIES, model_id)
    return {"model": set(found["model"]), "wasm": found["wasm"], "config": found["config"]}


def open_assistant(page):
    page.locator(".assistant-toggle").click()
    expect(page.locator("#assistant-panel")).to_have_attribute("data-state", "idle", timeout=30000)
    return page.locator("#model").input_value()


def selected_option(page):
    return page.locator("#model option:checked")


def model_label(page):
    return selected_option(page).text_content().split(" — ")[0]


def start_model(page):
    """Click the start button and wait until the selected model runs."""
    page.locator(".load-model").click()
    expect(page.locator(".load-status")).to_have_text(f"{model_label(page)} is running on this device.")


def error_message(page):
    return page.locator(".assistant-error .message")


def open_storage(page):
    page.locator("details.model-storage > summary").click()
    expect(page.locator("details.model-storage")).to_have_attribute("open", "")
    return page.locator(".stored-models")


def visit_then_go_offline(sw_app, page):
    """The page was opened online: wait for the service worker, cut the network, reload."""
    wait_activated(page)
    sw_app.context.set_offline(True)
    reload_ready(page)
    assert is_controlled(page)
    expect(page.locator(".connection")).to_have_text("Offline")


# The list offline.


def test_after_one_online_visit_the_list_starts_offline_edits_persist_and_nothing_leaves_the_origin(sw_app):
    page = sw_app.open()
    add(page, "water the plants")
    wait_activated(page)
    # The first visit's background work done, so that no request of its is cut by the reload below.
    assert wait_snapshot_settled(page) == "saved"
    sw_app.context.set_offline(True)
    answered = []
    failed = []
    page.on("response", lambda r: answered.append((r.url, r.from_service_worker)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))

    reload_ready(page)
    expect(page.locator(".connection")).to_have_text("Offline")
    expect(labels(page)).to_have_text(["water the plants"])
    add(page, "buy milk", "call mum")
    item(page, "buy milk").locator("label").dblclick()
    edit = item(page, "buy milk").locator(".edit")
    edit.fill("buy oat milk")
    edit.press("Enter")
    item(page, "call mum").locator(".toggle").check()
    expect(item(page, "call mum")).to_have_class("completed")

    reload_ready(page)
    expect(page.locator(".connection")).to_have_text("Offline")
    expect(labels(page)).to_have_text(["water the plants", "buy oat milk", "call mum"])
    expect(item(page, "call mum")).to_have_class("completed")
    expect(items(page).locator(".toggle:checked")).to_have_count(1)
    assert stored_titles(page) == ["water the plants", "buy oat milk", "call mum"]
    assert failed == []
    from_network = [url for url, from_sw in answered if url.startswith("http") and not from_sw]
    assert answered and from_network == [], f"answered without the service worker: {from_network}"
    assert sw_app.watch.foreign_requests() == []


def test_offline_is_shown_even_where_the_browser_claims_to_be_online(sw_app):
    """After a reload without a network Chromium 150 keeps navigator.onLine true; the page asks the
    network itself. Here navigator.onLine is made to say true throughout, as it does there."""
    sw_app.context.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', { get: () => true });")
    page = sw_app.open()
    expect(page.locator(".connection")).to_have_text("Online")
    assert not page.evaluate("document.documentElement.hasAttribute('data-offline')")
    wait_activated(page)
    sw_app.context.set_offline(True)
    reload_ready(page)
    assert page.evaluate("navigator.onLine") is True
    expect(page.locator(".connection")).to_have_text("Offline")
    assert page.evaluate("document.documentElement.hasAttribute('data-offline')")


# The assistant offline.


def test_a_model_downloaded_online_starts_from_this_device_and_answers_offline(sw_app):
    sw_app.scenario(reply=REPLY, chunkSize=3)
    sw_app.context.add_init_script(script=RECORD_STATUS)
    page = sw_app.open()
    add(page, "buy milk", "call the plumber")
    model_id = open_assistant(page)
    start_model(page)
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES
    log = page.evaluate("globalThis.__statusLog")
    assert any(text.startswith("Downloading") for text in log), log  # the first start, online

    visit_then_go_offline(sw_app, page)
    assert open_assistant(page) == model_id
    expect(selected_option(page)).to_contain_text(", on this device")
    expect(page.locator(".load-model")).to_have_text("Start model")
    start_model(page)
    log = page.evaluate("globalThis.__statusLog")
    assert any(text.startswith("Loading from this device") for text in log), log
    assert not any(text.startswith("Downloading") for text in log), log
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES

    page.locator("#message").fill("What should I do first?")
    page.locator("#message").press("Enter")
    answer = page.locator(".transcript .turn .answer")
    expect(answer).to_have_text(REPLY)
    expect(answer).not_to_have_class("answer streaming")
    expect(page.locator(".transcript .turn .answer-meta")).not_to_contain_text("error")
    [request] = calls(page, "chat.completions.create")
    assert request["args"][0]["stream"] is True
    assert "buy milk" in request["args"][0]["messages"][0]["content"]
    assert sw_app.watch.foreign_requests() == []


@pytest.mark.parametrize("claims_online", [False, True], ids=["browser-says-offline", "browser-claims-online"])
def test_offline_a_model_not_on_this_device_gets_the_offline_message_and_no_load_is_attempted(sw_app, claims_online):
    if claims_online:  # navigator.onLine stuck at true, as after an offline reload in Chromium 150
        sw_app.context.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', { get: () => true });")
    page = sw_app.open()
    visit_then_go_offline(sw_app, page)
    open_assistant(page)
    label = model_label(page)
    expect(selected_option(page)).not_to_contain_text("on this device")
    page.locator(".load-model").click()

    expect(error_message(page)).to_have_text(f"You're offline, and {label} hasn't been downloaded to this device yet.")
    expect(page.locator(".assistant-error .advice")).to_contain_text("Connect to the internet once")
    expect(page.locator(".assistant-error .retry")).to_be_visible()
    expect(page.locator("#assistant-panel")).to_have_attribute("data-state", "idle")
    assert calls(page, "CreateWebWorkerMLCEngine") == []
    assert not [name for name in cache_names(page) if name.startswith("webllm/")]

    # Online again, the same button downloads and starts it: the same checks then find the load,
    # the model's caches and the mark.
    sw_app.context.set_offline(False)
    expect(page.locator(".connection")).to_have_text("Online")
    page.locator(".assistant-error .retry").click()
    expect(page.locator(".load-status")).to_have_text(f"{label} is running on this device.")
    assert len(calls(page, "CreateWebWorkerMLCEngine")) == 1
    assert [name for name in cache_names(page) if name.startswith("webllm/")]
    expect(selected_option(page)).to_contain_text(", on this device")


# Partial downloads.

def test_a_download_cut_off_half_way_says_so_and_try_again_completes_it(sw_app):
    sw_app.scenario(failAfterShards=2)
    page = sw_app.open()
    model_id = open_assistant(page)
    label = model_label(page)
    page.locator(".load-model").click()
    expect(error_message(page)).to_have_text("The model download was cut off.")
    expect(page.locator(".assistant-error .advice")).to_contain_text("parts already downloaded are kept")
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES - set(SHARDS[2:])
    listed = open_storage(page)
    expect(listed.locator("li")).to_contain_text(f"{label}: ")
    expect(listed.locator("li")).to_contain_text("partly downloaded")

    page.evaluate("globalThis.__webllmScenario = {}")  # the network is back
    page.locator(".assistant-error .retry").click()
    expect(page.locator(".load-status")).to_have_text(f"{label} is running on this device.")
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES
    expect(listed.locator("li")).not_to_contain_text("partly")
    assert sw_app.watch.errors == []


def test_a_download_cut_off_earlier_is_listed_as_partly_downloaded_and_starting_again_completes_it(sw_app):
    page = sw_app.open()
    model_id = open_assistant(page)
    label = model_label(page)
    # An earlier visit's download died after two of the four shards (an in-page engine: no worker involved).
    outcome = page.evaluate("""async (id) => {
      const webllm = await import("/vendor/web-llm/index.js");
      globalThis.__webllmScenario = { failAfterShards: 2 };
      try { await webllm.CreateMLCEngine(id); return "loaded"; } catch (error) { return String(error); }
      finally { globalThis.__webllmScenario = {}; }
    }""", model_id)
    assert outcome == "TypeError: Failed to fetch"
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES - set(SHARDS[2:])
    reload_ready(page)
    open_assistant(page)
    expect(selected_option(page)).not_to_contain_text("on this device")
    listed = open_storage(page)
    expect(listed.locator("li")).to_have_count(1)
    expect(listed.locator("li")).to_contain_text(f"{label}: ")
    expect(listed.locator("li")).to_contain_text("partly downloaded; start it to finish the download")

    start_model(page)
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES
    expect(listed.locator("li")).to_have_count(1)
    expect(listed.locator("li")).to_contain_text(f"{label}: ")
    expect(listed.locator("li")).not_to_contain_text("partly")
    expect(selected_option(page)).to_contain_text(", on this device")


# Deleting a model.


def download_and_open_storage(sw_app):
    page = sw_app.open()
    model_id = open_assistant(page)
    start_model(page)
    listed = open_storage(page)
    expect(listed.locator("li")).to_contain_text(f"{model_label(page)}: ")
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES
    return page, model_id, listed


def test_deleting_a_model_removes_its_weights_tokenizer_config_and_wasm_from_webllm_caches(sw_app):
    page, model_id, listed = download_and_open_storage(sw_app)
    stored = entries(page, model_id)
    assert stored["wasm"] != [] and stored["config"] != []
    assert page.evaluate("async (id) => (await import('/vendor/web-llm/index.js')).hasModelInCache(id)", model_id) is True
    page.locator(f"button.delete-model[data-model-id='{model_id}']").click()

    wait_until(page, NO_SHARDS_LEFT)
    left = entries(page, model_id)
    assert left["model"] & (set(SHARDS) | {"resolve/main/tokenizer.json"}) == set()
    assert left["wasm"] == [] and left["config"] == []
    assert page.evaluate("async (id) => (await import('/vendor/web-llm/index.js')).hasModelInCache(id)", model_id) is False


def test_deleting_a_model_removes_every_entry_it_had_in_webllm_caches_and_its_line_in_the_list(sw_app):
    page, model_id, listed = download_and_open_storage(sw_app)
    page.locator(f"button.delete-model[data-model-id='{model_id}']").click()

    expect(listed.locator("li")).to_have_text(["No model downloaded yet."])
    assert entries(page, model_id) == {"model": set(), "wasm": [], "config": []}


def test_deleting_a_model_clears_its_on_this_device_mark_in_the_picker(sw_app):
    page, model_id, listed = download_and_open_storage(sw_app)
    expect(selected_option(page)).to_contain_text(", on this device")
    page.locator(f"button.delete-model[data-model-id='{model_id}']").click()
    wait_until(page, NO_SHARDS_LEFT)

    expect(selected_option(page)).not_to_contain_text("on this device")


# Space: the quota check before a download, persistence after one.

LITTLE_SPACE = """
Object.defineProperty(StorageManager.prototype, "estimate", {
  configurable: true,
  value: async function () { return { usage: 990e6, quota: 1000e6 }; },
});
"""


def test_with_little_free_space_an_uncached_model_is_refused_before_any_download(sw_app):
    sw_app.context.add_init_script(script=LITTLE_SPACE)
    page = sw_app.open()
    model_id = open_assistant(page)
    label = model_label(page)
    page.locator(".load-model").click()

    expect(error_message(page)).to_contain_text(f"Not enough storage space for {label}")
    expect(error_message(page)).to_contain_text("about 10 MB more for this site")
    expect(page.locator(".assistant-error .retry")).to_be_visible()
    expect(page.locator("#assistant-panel")).to_have_attribute("data-state", "idle")
    assert calls(page, "CreateWebWorkerMLCEngine") == []
    assert entries(page, model_id) == {"model": set(), "wasm": [], "config": []}

    # With the space there, the same button downloads it: the same checks then find the load and the files.
    page.evaluate("""() => Object.defineProperty(StorageManager.prototype, "estimate", {
      configurable: true, value: async function () { return { usage: 0, quota: 10e9 }; } })""")
    page.locator(".assistant-error .retry").click()
    expect(page.locator(".load-status")).to_have_text(f"{label} is running on this device.")
    assert len(calls(page, "CreateWebWorkerMLCEngine")) == 1
    assert entries(page, model_id)["model"] == ALL_MODEL_FILES


def test_with_little_free_space_a_model_already_on_this_device_still_starts(sw_app):
    sw_app.context.add_init_script(script=LITTLE_SPACE)
    page = sw_app.open()
    model_id = open_assistant(page)
    page.evaluate("(id) => { globalThis.__webllmScenario = { cached: [id] }; }", model_id)  # stored at next use

    start_model(page)
    expect(error_message(page)).to_be_attached()  # the error's line is there, and shows nothing
    expect(error_message(page)).to_be_hidden()
    assert len(calls(page, "CreateWebWorkerMLCEngine")) == 1


RECORD_PERSIST = """
globalThis.__persistCalls = 0;
const persist = StorageManager.prototype.persist;
StorageManager.prototype.persist = function () { globalThis.__persistCalls += 1; return persist.call(this); };
"""


def test_the_browser_is_asked_to_keep_the_site_storage_after_a_download(sw_app):
    sw_app.context.add_init_script(script=RECORD_PERSIST)
    page = sw_app.open()
    open_assistant(page)
    assert page.evaluate("globalThis.__persistCalls") == 0

    start_model(page)
    page.wait_for_function("globalThis.__persistCalls === 1")
