"""The assistant panel, end to end in Chromium, with the WebLLM test double in place of the library.

The double (tests/doubles/web-llm.js) is routed in by the `assistant_page` fixture and scripted
through `globalThis.__webllmScenario`; WebGPU detection is real (Chromium's SwiftShader adapter,
which has no shader-f16). Waits are on states only.
"""

import re

import pytest
from playwright.sync_api import expect

from app.assistant.turn import NONSENSE_TEXT
from app.assistant.requests.checks import nonsense
from tests.e2e.assistant_helpers import (
    BIG_MODEL,
    CPU_GROUP,
    DEFAULT_MODEL,
    Q4F32_MODELS,
    WEBLLM_GROUP,
    alert,
    answers,
    ask,
    assistant_page,  # noqa: F401 (fixture)
    calls,
    created_messages,
    group_labels,
    load_button,
    load_status,
    message_box,
    open_assistant,
    option_texts,
    option_values,
    page_errors,
    panel,
    picker,
    progressbar,
    release_load,
    set_scenario,
    start_model,
    transcript,
    turns,
    wait_answered,
    wait_load_outcome,
    web_llm_requests,
)
from tests.e2e.helpers import add, fetched_paths, item

FETCH_REPORT = (
    "Fetching param cache[2/10]: 300MB fetched. 30% completed, 20 secs elapsed. It can take a while "
    "when we first visit this page to populate the cache. Later refreshes will become faster."
)


def loaded_ids(page):
    return [c["args"][0] for c in calls(page, "CreateWebWorkerMLCEngine")]


def assert_todo_list_still_works(page, title="water the plants"):
    add(page, title)
    expect(item(page, title)).to_be_visible()


# ---- loading the library and picking a model ----


def test_web_llm_is_not_downloaded_until_the_assistant_panel_is_opened(assistant_page, watch):
    page = assistant_page()
    add(page, "buy milk")  # using the list does not need the assistant
    expect(page.get_by_role("button", name="Ask the assistant about your list")).to_be_enabled()
    assert web_llm_requests(watch) == []

    open_assistant(page)

    assert web_llm_requests(watch) != []


def test_the_picker_offers_the_q4f32_models_with_sizes_on_a_gpu_without_shader_f16(assistant_page):
    page = assistant_page()
    has_f16 = page.evaluate(
        "navigator.gpu.requestAdapter().then((a) => a === null ? 'no adapter' : a.features.has('shader-f16'))"
    )
    assert has_f16 is False, "this test needs Chromium's SwiftShader adapter (WebGPU without shader-f16)"

    open_assistant(page)

    assert option_values(page, WEBLLM_GROUP) == Q4F32_MODELS
    expect(picker(page)).to_have_value(DEFAULT_MODEL)
    for text in option_texts(page, WEBLLM_GROUP):
        assert re.search(r" — \d+(\.\d)? (MB|GB) GPU memory$", text), f"no size in option {text!r}"
    assert "Llama 3.2 3B (best answers, needs a strong GPU) — 3.0 GB GPU memory" in option_texts(page, WEBLLM_GROUP)


def test_on_a_software_gpu_the_cpu_models_come_first_and_are_the_automatic_choice(assistant_page):
    page = assistant_page(model=None)

    open_assistant(page)

    assert group_labels(page) == [CPU_GROUP, WEBLLM_GROUP]
    assert option_values(page, CPU_GROUP) != []
    for text in option_texts(page, CPU_GROUP):
        assert re.search(r" — \d+(\.\d)? (MB|GB) download$", text), f"no download size in option {text!r}"
    assert picker(page).input_value() in option_values(page, CPU_GROUP)
    expect(panel(page)).to_contain_text("slow software one, so models run on the CPU")
    expect(load_button(page)).to_have_text("Download and start")


def test_the_chosen_model_is_remembered_across_reloads_whether_loaded_or_not(assistant_page):
    page = assistant_page()
    open_assistant(page)
    picker(page).select_option("Qwen2.5-0.5B-Instruct-q4f32_1-MLC")
    # Stored as it is chosen (where Python runs in a worker, a moment after the page's change event).
    page.wait_for_function("localStorage.getItem('tasks-and-talk.model') === 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC'")
    page.reload()
    page.wait_for_selector("html[data-ready]", state="attached", timeout=60000)
    open_assistant(page)
    expect(picker(page)).to_have_value("Qwen2.5-0.5B-Instruct-q4f32_1-MLC")

    picker(page).select_option(BIG_MODEL)
    start_model(page)
    assert loaded_ids(page) == [BIG_MODEL]
    page.reload()
    page.wait_for_selector("html[data-ready]", state="attached", timeout=60000)
    open_assistant(page)
    expect(picker(page)).to_have_value(BIG_MODEL)
    expect(load_button(page)).to_have_text("Start model")  # its files stayed on this device


def test_a_model_is_loaded_only_when_the_load_button_is_clicked(assistant_page):
    page = assistant_page({"holdLoad": True})
    open_assistant(page)
    expect(load_button(page)).to_have_text("Download and start")
    expect(progressbar(page)).to_be_hidden()
    expect(message_box(page)).to_be_disabled()
    assert calls(page, "hasModelInCache") != []  # the panel did look at the models
    assert loaded_ids(page) == []

    load_button(page).click()
    expect(progressbar(page)).to_be_visible()  # the load the panel had not started
    release_load(page)
    expect(message_box(page)).to_be_enabled()

    assert loaded_ids(page) == [DEFAULT_MODEL]
    expect(load_status(page)).to_have_text("Llama 3.2 1B (balanced) is running on this device.")


# ---- progress and cancel ----

RECORD_PROGRESS = """
addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("#assistant-panel [role=progressbar]");
  const status = document.querySelector("#assistant-panel .load-status");
  globalThis.__progressSeen = [];
  new MutationObserver(() => globalThis.__progressSeen.push([bar.getAttribute("aria-valuenow"), status.textContent]))
    .observe(status, { childList: true, characterData: true, subtree: true });
});
"""


def test_download_progress_shows_the_percentage_megabytes_of_total_and_time_left(assistant_page):
    first = "Fetching param cache[1/10]: 100MB fetched. 10% completed, 5 secs elapsed. It can take a while."
    page = assistant_page(
        {
            "holdLoad": True,
            "progress": [
                {"progress": 0, "timeElapsed": 0, "text": "Start to fetch params"},
                {"progress": 0.1, "timeElapsed": 5, "text": first},
                {"progress": 0.3, "timeElapsed": 20, "text": FETCH_REPORT},
            ],
        },
        init_script=RECORD_PROGRESS,
    )
    open_assistant(page)
    load_button(page).click()

    expect(progressbar(page)).to_have_attribute("aria-valuenow", "30")
    # WebLLM's "MB" are MiB (2**20 bytes); the app shows MB of 10**6 bytes.
    expect(load_status(page)).to_have_text("Downloading: 315 MB of about 1,049 MB (30%), about 47 s left")
    assert ["10", "Downloading: 105 MB of about 1,049 MB (10%), about 45 s left"] in page.evaluate(
        "globalThis.__progressSeen"
    ), "the bar and the text should follow each report"
    expect(panel(page).get_by_role("button", name="Cancel")).to_be_visible()
    expect(load_button(page)).to_be_hidden()
    expect(picker(page)).to_be_disabled()
    expect(message_box(page)).to_be_disabled()

    release_load(page)

    expect(message_box(page)).to_be_enabled()
    expect(progressbar(page)).to_be_hidden()
    expect(load_status(page)).to_have_text("Llama 3.2 1B (balanced) is running on this device.")
    expect(picker(page).locator(f"option[value='{DEFAULT_MODEL}']")).to_have_text(re.compile(r", on this device$"))


def test_loading_a_model_already_on_the_device_says_so(assistant_page):
    report = "Loading model from cache[3/10]: 450MB loaded. 30% completed, 2 secs elapsed."
    page = assistant_page(
        {"cached": [DEFAULT_MODEL], "holdLoad": True, "progress": [{"progress": 0.3, "timeElapsed": 2, "text": report}]}
    )
    open_assistant(page)
    expect(picker(page).locator(f"option[value='{DEFAULT_MODEL}']")).to_have_text(
        "Llama 3.2 1B (balanced) — 1.1 GB GPU memory, on this device"
    )
    expect(load_button(page)).to_have_text("Start model")
    load_button(page).click()

    expect(progressbar(page)).to_have_attribute("aria-valuenow", "30")
    expect(load_status(page)).to_have_text("Loading from this device: 472 MB (30%)")

    release_load(page)
    expect(message_box(page)).to_be_enabled()


def test_cancel_during_a_load_returns_to_the_start_with_a_note_and_a_later_load_works(assistant_page):
    page = assistant_page({"holdLoad": True, "progress": [{"progress": 0.3, "timeElapsed": 20, "text": FETCH_REPORT}]})
    open_assistant(page)
    load_button(page).click()
    expect(progressbar(page)).to_have_attribute("aria-valuenow", "30")

    panel(page).get_by_role("button", name="Cancel").click()

    expect(load_button(page)).to_have_text("Download and start")
    expect(load_button(page)).to_be_enabled()
    expect(panel(page).get_by_role("button", name="Cancel")).to_be_hidden()
    expect(progressbar(page)).to_be_hidden()
    expect(load_status(page)).to_contain_text("Cancelled")
    expect(picker(page)).to_be_enabled()
    expect(message_box(page)).to_be_disabled()

    set_scenario(page, holdLoad=None)
    start_model(page)
    assert loaded_ids(page) == [DEFAULT_MODEL, DEFAULT_MODEL]
    expect(load_status(page)).to_have_text("Llama 3.2 1B (balanced) is running on this device.")


# ---- asking ----

LONG_REPLY = " ".join(f"w{i:03d}" for i in range(150))


def test_an_answer_streams_in_order_into_the_conversation_log_before_it_ends(assistant_page):
    page = assistant_page({"reply": LONG_REPLY, "chunkDelayMs": 20})
    open_assistant(page)
    start_model(page)
    ask(page, "What is on my list?")

    streaming = transcript(page).locator(".answer.streaming")
    expect(streaming).to_contain_text("w010")
    early = streaming.text_content()
    expect(streaming).to_contain_text("w060")
    later = streaming.text_content()
    assert LONG_REPLY.startswith(early) and LONG_REPLY.startswith(later)
    assert len(early) < len(later) < len(LONG_REPLY), "a partial answer is shown while it streams"

    wait_answered(turns(page).first)
    expect(transcript(page).locator(".answer")).to_have_text(LONG_REPLY)
    assert transcript(page).locator(".answer").text_content().strip() == LONG_REPLY


def test_the_finished_answer_is_rendered_as_markdown_with_the_decoding_speed(assistant_page):
    page = assistant_page(
        {
            "reply": "You have **two** open to-dos:\n\n- buy milk\n- call mum",
            "usage": {"extra": {"decode_tokens_per_s": 12.345}},
        }
    )
    open_assistant(page)
    start_model(page)
    turn = ask(page, "What is left?")
    wait_answered(turn)

    expect(turn.locator(".answer strong")).to_have_text("two")
    expect(turn.locator(".answer li")).to_have_text(["buy milk", "call mum"])
    expect(turn.locator(".answer-meta")).to_have_text("12.3 tokens/s")


def test_send_is_disabled_while_an_answer_is_generating(assistant_page):
    page = assistant_page({"reply": LONG_REPLY, "chunkDelayMs": 20})
    open_assistant(page)
    start_model(page)
    send = page.get_by_role("button", name="Send")
    expect(send).to_be_enabled()
    turn = ask(page, "What is on my list?")

    expect(turn.locator(".answer.streaming")).to_contain_text("w005")
    expect(send).to_be_disabled()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    expect(page.get_by_role("button", name="New chat")).to_be_disabled()

    wait_answered(turn)
    expect(send).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()


def test_enter_sends_the_question_and_shift_enter_inserts_a_newline(assistant_page):
    page = assistant_page({"reply": "Noted."})
    open_assistant(page)
    start_model(page)
    box = message_box(page)
    box.fill("first line")
    box.press("Shift+Enter")
    box.press_sequentially("second line")
    expect(box).to_have_value("first line\nsecond line")
    expect(turns(page)).to_have_count(0)

    box.press("Enter")

    expect(turns(page)).to_have_count(1)
    assert turns(page).first.locator(".question").text_content() == "first line\nsecond line"
    expect(box).to_have_value("")
    wait_answered(turns(page).first)
    assert created_messages(page)[-1][-1] == {"role": "user", "content": "first line\nsecond line"}


def test_stop_ends_the_answer_with_stopped_and_the_next_question_is_answered_at_once(assistant_page):
    page = assistant_page({"reply": LONG_REPLY, "chunkDelayMs": 50})
    open_assistant(page)
    start_model(page)
    turn = ask(page, "What is on my list?")
    expect(turn.locator(".answer.streaming")).to_contain_text("w003")

    page.get_by_role("button", name="Stop").click()

    wait_answered(turn)
    expect(turn.locator(".answer-meta")).to_contain_text("Stopped.")
    stopped = turn.locator(".answer").text_content().strip()
    assert LONG_REPLY.startswith(stopped) and len(stopped) < len(LONG_REPLY)
    assert calls(page, "interruptGenerate") != []
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()

    set_scenario(page, reply="Two to-dos.", chunkDelayMs=None)
    second = ask(page, "And now?")
    wait_answered(second)
    expect(second.locator(".answer")).to_have_text("Two to-dos.")
    expect(second.locator(".answer-meta")).not_to_contain_text("Stopped")


NONSENSE_REPLY = ");*/10; */*25; */*48;"


def test_an_answer_that_makes_no_sense_is_replaced_and_try_again_asks_the_same_question_again(assistant_page):
    page = assistant_page({"reply": [NONSENSE_REPLY, "You have nothing on your list."]})
    open_assistant(page)
    start_model(page)
    turn = ask(page, "What is on my list?")
    wait_answered(turn)

    expect(turn.locator(".answer")).to_have_text(NONSENSE_TEXT)
    expect(turn.locator(".answer")).not_to_contain_text("*/")
    retry = turn.get_by_role("button", name="Try again")
    expect(retry).to_have_class("retry-answer")
    expect(retry).to_be_visible()
    assert len(calls(page, "chat.completions.create")) == 1

    retry.click()

    expect(turns(page)).to_have_count(2)
    second = turns(page).nth(1)
    expect(second.locator(".question")).to_have_text("What is on my list?")
    wait_answered(second)
    expect(second.locator(".answer")).to_have_text("You have nothing on your list.")
    expect(transcript(page).locator(".retry-answer")).to_have_count(0)  # pressed once, it is gone
    first, again = created_messages(page)
    assert again == first, "the same question, and the answer that made no sense is not in the history"
    assert again[-1] == {"role": "user", "content": "What is on my list?"}
    expect(page.get_by_role("button", name="Send")).to_be_enabled()


def test_new_chat_clears_the_conversation_and_resets_the_model_chat(assistant_page):
    page = assistant_page({"reply": ["First answer.", "Fresh answer."]})
    open_assistant(page)
    start_model(page)
    wait_answered(ask(page, "What is first on my list?"))
    assert calls(page, "resetChat") == []

    page.get_by_role("button", name="New chat").click()

    expect(turns(page)).to_have_count(0)
    expect(transcript(page)).to_be_empty()
    page.wait_for_function("(globalThis.__webllmCalls ?? []).some((c) => c.fn === 'resetChat')")
    assert len(calls(page, "resetChat")) == 1
    # The first message of the new chat: about the list, so the model is asked (not declined).
    wait_answered(ask(page, "What is left on my list?"))
    assert len(created_messages(page)) == 2
    assert [m["role"] for m in created_messages(page)[-1]] == ["system", "user"], "no history after New chat"
    expect(answers(page)).to_have_text(["Fresh answer."])


def test_a_follow_up_question_carries_the_chat_and_the_list_as_it_is_now(assistant_page):
    page = assistant_page({"reply": ["You have no to-dos.", "You have one: call the plumber."]})
    open_assistant(page)
    start_model(page)
    wait_answered(ask(page, "What do I have to do?"))
    add(page, "call the plumber")
    wait_answered(ask(page, "And now?"))

    first, second = created_messages(page)
    assert "call the plumber" not in first[0]["content"]
    assert second[0]["role"] == "system" and '"call the plumber"' in second[0]["content"]
    assert second[1:] == [
        {"role": "user", "content": "What do I have to do?"},
        {"role": "assistant", "content": "You have no to-dos."},
        {"role": "user", "content": "And now?"},
    ]
    expect(answers(page)).to_have_text(["You have no to-dos.", "You have one: call the plumber."])


def test_choosing_another_model_offers_the_load_button_and_loads_that_model(assistant_page):
    page = assistant_page()
    open_assistant(page)
    start_model(page)
    expect(load_button(page)).to_be_hidden()

    picker(page).select_option(BIG_MODEL)
    expect(load_button(page)).to_be_visible()
    expect(load_button(page)).to_have_text("Download and start")
    expect(message_box(page)).to_be_disabled()
    picker(page).select_option(DEFAULT_MODEL)  # back to the running one: nothing to load
    expect(load_button(page)).to_be_hidden()
    expect(message_box(page)).to_be_enabled()

    picker(page).select_option(BIG_MODEL)
    start_model(page)

    assert loaded_ids(page) == [DEFAULT_MODEL, BIG_MODEL]
    expect(load_status(page)).to_have_text("Llama 3.2 3B (best answers, needs a strong GPU) is running on this device.")
    expect(load_button(page)).to_be_hidden()


# ---- failures: a clear message, and the to-do list keeps working ----

NO_WEBGPU = {
    "navigator.gpu missing": "delete Navigator.prototype.gpu;",
    "no adapter": "GPU.prototype.requestAdapter = async function () { return null; };",
}


@pytest.mark.parametrize("init_script", NO_WEBGPU.values(), ids=NO_WEBGPU.keys())
def test_without_webgpu_the_cpu_models_are_offered_webllm_is_not_downloaded_and_the_list_keeps_working(
    assistant_page, watch, init_script
):
    page = assistant_page(init_script=init_script)
    open_assistant(page)

    assert group_labels(page) == [CPU_GROUP]
    assert picker(page).input_value() in option_values(page, CPU_GROUP)  # the remembered GPU model is not offered
    expect(panel(page)).to_contain_text("This browser offers no WebGPU, so models run on the CPU")
    expect(load_button(page)).to_have_text("Download and start")
    expect(message_box(page)).to_be_disabled()
    # The watch saw the panel's own modules come; WebLLM was not among them.
    assert "/app/assistant/controller.py" in fetched_paths(page, watch)
    assert web_llm_requests(watch) == [], "no 6.6 MB library for a browser that cannot run it"
    assert_todo_list_still_works(page)


# In a fresh browser the first requestAdapter() can return null and the next one the GPU.
NULL_FIRST_ADAPTER = """
const requestAdapter = GPU.prototype.requestAdapter;
globalThis.__adapterRequests = 0;
GPU.prototype.requestAdapter = function (...args) {
  return ++globalThis.__adapterRequests === 1 ? Promise.resolve(null) : requestAdapter.apply(this, args);
};
"""


def test_a_gpu_adapter_that_appears_only_on_a_second_request_is_found(assistant_page):
    page = assistant_page(init_script=NULL_FIRST_ADAPTER)
    open_assistant(page)

    assert option_values(page, WEBLLM_GROUP) == Q4F32_MODELS
    assert page.evaluate("globalThis.__adapterRequests") >= 2
    expect(picker(page)).to_have_value(DEFAULT_MODEL)


# WebLLM's worker engine rejects with STRINGS ("DeviceLostError: ..."); these tests go through that
# path (the double copies it), which once left the load or the answer hanging with an uncaught
# "TypeError: invalid exception object" from Pyodide.


def test_a_gpu_out_of_memory_while_loading_suggests_a_smaller_model_and_offers_a_reload(assistant_page):
    page = assistant_page({"loadError": {"name": "DeviceLostError"}, "holdLoad": True})
    open_assistant(page)
    load_button(page).click()
    expect(progressbar(page)).to_be_visible()  # the load's bar, until it fails
    release_load(page)
    wait_load_outcome(page)
    assert page_errors(page) == []

    expect(alert(page)).to_contain_text("too big for this device's memory")
    expect(alert(page)).to_contain_text("smaller model")
    expect(page.get_by_role("button", name="Reload page")).to_be_visible()
    expect(progressbar(page)).to_be_hidden()
    expect(load_button(page)).to_be_visible()
    expect(message_box(page)).to_be_disabled()
    assert_todo_list_still_works(page)


def test_a_cut_off_download_says_so_and_try_again_starts_the_model(assistant_page):
    page = assistant_page({"loadError": {"name": "TypeError", "message": "Failed to fetch"}})
    open_assistant(page)
    load_button(page).click()
    wait_load_outcome(page)
    assert page_errors(page) == []

    expect(alert(page)).to_contain_text("The model download was cut off.")
    try_again = alert(page).get_by_role("button", name="Try again")
    expect(try_again).to_be_visible()
    assert_todo_list_still_works(page)

    set_scenario(page, loadError=None)
    try_again.click()
    expect(message_box(page)).to_be_enabled()
    expect(alert(page)).to_be_hidden()
    assert loaded_ids(page) == [DEFAULT_MODEL, DEFAULT_MODEL]


def test_a_model_host_that_sends_nothing_is_named_and_try_again_is_offered(assistant_page):
    page = assistant_page({"failAfterShards": 0})  # the network dies before the first weight shard
    open_assistant(page)
    load_button(page).click()
    wait_load_outcome(page)
    assert page_errors(page) == []

    expect(alert(page)).to_contain_text("Cannot reach the model host (huggingface.co).")
    expect(alert(page).get_by_role("button", name="Try again")).to_be_visible()
    expect(message_box(page)).to_be_disabled()
    assert_todo_list_still_works(page)


def test_an_error_in_the_middle_of_an_answer_ends_it_with_a_message_and_the_chat_goes_on(assistant_page):
    page = assistant_page({"reply": LONG_REPLY, "generateError": {"name": "DeviceLostError", "afterChunks": 2}})
    open_assistant(page)
    start_model(page)
    turn = ask(page, "What is on my list?")

    expect(turn.locator(".answer-meta")).to_contain_text("The GPU stopped responding")
    expect(turn.locator(".answer")).to_contain_text(LONG_REPLY[:8])  # the two chunks before the error
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    assert page_errors(page) == []

    set_scenario(page, generateError=None, reply="Still here.")
    second = ask(page, "Again?")
    wait_answered(second)
    expect(second.locator(".answer")).to_have_text("Still here.")


def test_offline_without_the_model_says_it_is_not_downloaded_and_does_not_try(assistant_page, context):
    page = assistant_page()
    open_assistant(page)
    context.set_offline(True)

    load_button(page).click()

    expect(alert(page)).to_contain_text("You're offline")
    expect(alert(page)).to_contain_text("hasn't been downloaded to this device yet")
    expect(alert(page).get_by_role("button", name="Try again")).to_be_visible()
    assert loaded_ids(page) == []
    expect(progressbar(page)).to_be_hidden()
    assert_todo_list_still_works(page)

    context.set_offline(False)
    set_scenario(page, holdLoad=True)
    alert(page).get_by_role("button", name="Try again").click()
    expect(progressbar(page)).to_be_visible()  # online, the load starts: its bar, and the engine asked
    assert loaded_ids(page) == [DEFAULT_MODEL]
    release_load(page)
    expect(message_box(page)).to_be_enabled()


# ---- hostile text ----

# Prose lines between the hostile ones, so the reply still reads as an answer (app/assistant/requests/checks.py
# takes a reply whose lines are mostly tags, or start with "[", for code) and is rendered as markdown.
HOSTILE_REPLY = "\n\n".join(
    [
        "Here you go.",
        "First, a script that must not run:",
        "<script>window.__pwned=1</script>",
        "Then an image whose error handler must not run:",
        "<img src=x onerror=window.__pwned=1>",
        "An image from another site that must not load:",
        '<img src="https://evil.example/pixel.png">',
        "Another one, in markdown: ![tracker](https://evil.example/md.png)",
        "A link that must run nothing: [click](javascript:window.__pwned=1)",
        "Two more links that must lead nowhere:",
        '<a href="javascript:window.__pwned=1">raw link</a>',
        '<a href=" JaVaScRiPt:window.__pwned=1" onclick="window.__pwned=1">mixed case</a>',
        "And a frame from another site:",
        '<iframe src="https://evil.example/frame"></iframe>',
        "For more, see [help](https://example.com/help).",
    ]
)
# About the list, so the app asks the model rather than declining the first message of the chat.
HOSTILE_QUESTION = (
    'What is on my list? <b>bold?</b> <img src=x onerror="window.__pwned=2"> <script>window.__pwned=3</script>'
)


def test_hostile_model_output_runs_nothing_loads_nothing_and_links_nowhere_unsafe(assistant_page, watch):
    page = assistant_page({"reply": HOSTILE_REPLY})
    open_assistant(page)
    start_model(page)
    turn = ask(page, HOSTILE_QUESTION)
    wait_answered(turn)
    assert nonsense(HOSTILE_REPLY) is None, "the reply must be rendered, not replaced as nonsense"
    expect(turn.locator(".answer")).to_contain_text("Here you go.")
    expect(turn.locator(".answer")).not_to_contain_text(NONSENSE_TEXT)

    log = transcript(page)
    expect(log.locator("script, img, iframe, object, embed, svg, style")).to_have_count(0)
    expect(log.locator("[onerror], [onclick], [onload]")).to_have_count(0)
    hrefs = log.locator("a").evaluate_all("as => as.map((a) => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and re.match(r"\s*javascript:", h, re.I)], hrefs
    safe = log.get_by_role("link", name="help")
    expect(safe).to_have_attribute("href", "https://example.com/help")
    expect(safe).to_have_attribute("target", "_blank")
    expect(safe).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert [u for u in watch.requests if "evil.example" in u or u.endswith("/x")] == []
    assert watch.foreign_requests() == []

    question = turn.locator(".question")
    assert question.text_content() == HOSTILE_QUESTION
    expect(question.locator("*")).to_have_count(0)
    assert created_messages(page)[-1][-1]["content"] == HOSTILE_QUESTION


# ---- a race in the panel's start-up ----


def test_an_answer_that_ends_before_the_markdown_module_arrives_is_still_rendered(assistant_page, context):
    held = []
    context.route("**/assets/markdown.js", lambda route: held.append(route))
    page = assistant_page({"reply": "You have **two** open to-dos."})
    page.get_by_role("button", name="Ask the assistant about your list").click()
    expect(picker(page)).to_be_enabled()
    start_model(page)
    turn = ask(page, "How many?")
    expect(turn.locator(".answer-meta")).to_have_text("40.0 tokens/s")  # finished
    expect(turn.locator(".answer")).to_have_text("You have **two** open to-dos.")  # readable meanwhile
    for route in held:
        route.continue_()
    context.unroute("**/assets/markdown.js")
    expect(turn.locator(".answer strong")).to_have_text("two")
    expect(turn.locator(".answer")).to_have_text("You have two open to-dos.")

