"""The assistant's controller in CPython's asyncio, against fake engines, a fake device and a
recording view (tests/unit/fakes.py's Rig puts them together).

Each test runs its own event loop (fakes.run: `asyncio.run`, in a thread of its own). The fake
engines and device (engine_fakes.py) are checked against the port's Protocols first, so the
controller is tested against the shapes the real adapters have.
"""

import asyncio
import dataclasses
import inspect
import json

import pytest
from engine_fakes import SPEED, FakeDevice, FakeEngine
from fakes import NO, MemorySettings, RecordingStorage, Rig, run

from app.assistant.engines import port
from app.assistant.controller import MODEL_SETTING
from app.assistant.text import CANCELLED_TEXT, LOOP_NOTE, describe_generate_error
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.engines.port import (
    DEVICE,
    DOWNLOAD,
    PREPARE,
    Availability,
    DownloadCut,
    EngineError,
    HostUnreachable,
    LoadProgress,
    OutOfMemory,
    Stats,
)
from app.assistant.requests.prompts import PromptTooLong, build_messages
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.todos.model import Todo

DEFAULT_F32 = "Llama-3.2-1B-Instruct-q4f32_1-MLC"
DEFAULT_LABEL = "Llama 3.2 1B (balanced)"
QWEN_F32 = "Qwen2.5-1.5B-Instruct-q4f32_1-MLC"
CPU_DEFAULT = "Qwen2.5-0.5B-Instruct-Q8_0-GGUF"
CPU_LABEL = "Qwen2.5 0.5B (fast)"
SOFTWARE = Availability(True, reason="software adapter (SwiftShader)", preferred=False)
NO_GPU = Availability(False, reason="navigator.gpu is missing")
MB = 1_000_000
TOKENS = DEFAULT_SAMPLING.max_tokens  # a question's answer budget


# The fakes keep the port's shapes


def _members(protocol):
    return {name: value for name, value in vars(protocol).items()
            if callable(value) and not name.startswith("_")}


@pytest.mark.parametrize("fake, protocol", [
    (FakeEngine(WEBLLM), port.Engine), (FakeDevice(), port.Device)])
def test_the_fakes_have_every_port_method_with_the_same_signature(fake, protocol):
    members = _members(protocol)
    assert members, protocol
    for name, declared in members.items():
        faked = getattr(type(fake), name)
        assert list(inspect.signature(faked).parameters) == list(inspect.signature(declared).parameters), name
        assert inspect.iscoroutinefunction(faked) == inspect.iscoroutinefunction(declared), name
    for attribute in getattr(protocol, "__annotations__", {}):
        assert hasattr(fake, attribute), attribute


# Set-up


async def ready(**options):
    rig = Rig(**options)
    await rig.controller.open()
    await rig.controller.load()
    assert rig.controller.state == "ready"
    return rig


# Opening the panel


def test_open_asks_every_engine_at_once_and_lists_gpu_then_cpu_models():
    async def scenario():
        rig = Rig(cached=[QWEN_F32, "SmolLM2-360M-Instruct-Q8_0-GGUF"])
        await rig.controller.open()
        asked = [c for c in rig.log if c[1].startswith("availability")]
        assert [c[1] for c in asked[:3]] == ["availability"] * 3  # all asked before any answered
        assert [label for label, _ in rig.view.groups] == ["On this device's GPU (WebLLM)", "On the CPU (llama.cpp)"]
        listed, selected, cached, problems = rig.view.listed
        assert listed[:5] == ["SmolLM2-360M-Instruct-q4f32_1-MLC", "Qwen2.5-0.5B-Instruct-q4f32_1-MLC",
                              DEFAULT_F32, QWEN_F32, "Llama-3.2-3B-Instruct-q4f32_1-MLC"]
        assert listed[5:] == ["SmolLM2-360M-Instruct-Q8_0-GGUF", CPU_DEFAULT, "Llama-3.2-1B-Instruct-Q4_K_M-GGUF"]
        assert (selected, cached, problems) == (DEFAULT_F32, {QWEN_F32, "SmolLM2-360M-Instruct-Q8_0-GGUF"}, [])
        assert rig.calls("webllm")[-1] == ("cached_ids", listed[:5])
        assert rig.calls("wllama")[-1] == ("cached_ids", listed[5:])
        assert rig.view.state_names() == ["checking", "idle"]
        assert rig.controller.models == rig.shelf.models and rig.view.progress == []
        await rig.controller.open()  # a second opening does nothing
        assert rig.calls().count("availability") == 3

    run(scenario)


def test_without_webgpu_the_cpu_default_is_chosen_and_the_note_says_why():
    async def scenario():
        rig = Rig(webllm=NO_GPU)
        await rig.controller.open()
        assert rig.view.listed[1] == CPU_DEFAULT
        assert rig.view.progress == [(None, "This browser offers no WebGPU, so models run on the CPU (more slowly).")]
        assert rig.view.errors == [] and rig.controller.state == "idle"

    run(scenario)


def test_a_software_gpu_is_listed_last_and_the_cpu_preferred():
    async def scenario():
        rig = Rig(webllm=SOFTWARE)
        await rig.controller.open()
        assert [label for label, _ in rig.view.groups] == ["On the CPU (llama.cpp)", "On a software GPU (slow)"]
        assert rig.view.listed[1] == CPU_DEFAULT

    run(scenario)


def test_the_built_in_model_comes_first_and_is_chosen_without_a_gpu():
    async def scenario():
        rig = Rig(webllm=NO_GPU, prompt=Availability(True))
        await rig.controller.open()
        assert rig.view.groups[0] == ("Built into this browser", ["chrome-built-in"])
        assert rig.view.listed[1] == "chrome-built-in"
        # Its engine downloads nothing (a capability, whatever the model's size): it only needs starting.
        assert rig.view.no_download == {"chrome-built-in"}

    run(scenario)


def test_no_engine_at_all_is_unsupported_and_says_the_list_works():
    async def scenario():
        rig = Rig(webllm=NO_GPU, wllama=Availability(False, reason="no WebAssembly"), prompt=NO)
        await rig.controller.open()
        assert rig.view.state_names() == ["checking", "unsupported"]
        (message, advice, retry), = rig.view.errors
        assert message.endswith("Your to-do list works here as usual.") and retry is False
        assert advice == "webllm: navigator.gpu is missing; wllama: no WebAssembly; prompt-api: unavailable"
        assert rig.view.listed is None
        await rig.controller.load()
        assert await rig.controller.ask("anything") is False
        assert rig.calls().count("availability") == 3  # each engine was asked that, and nothing else:
        assert {c for c in rig.calls() if not isinstance(c, str)} == set()

    run(scenario)


def test_an_engine_whose_availability_fails_is_not_offered():
    async def scenario():
        rig = Rig()

        async def broken():
            raise RuntimeError("adapter exploded")

        rig.webllm.availability = broken
        await rig.controller.open()
        assert rig.controller.availabilities[WEBLLM] == Availability(False, reason="adapter exploded")
        assert rig.view.listed[1] == CPU_DEFAULT

    run(scenario)


def test_site_models_are_added_and_their_problems_shown():
    site = json.dumps({"models": [
        {"model_id": "Site-q4f32_1-MLC", "model": "/m/a/", "model_lib": "/m/a.wasm", "size": 200},
        {"model_id": "Site-q4f16_1-MLC", "model": "/m/b/", "model_lib": "/m/b.wasm", "size": 150},
        {"engine": "wllama", "model_id": "Tiny-GGUF", "url": "/models/tiny.gguf", "size": 98},
        {"model_id": "Broken"},
    ]})

    async def scenario():
        rig = Rig(custom=site)
        await rig.controller.open()
        listed, _, _, problems = rig.view.listed
        assert listed[5] == "Site-q4f32_1-MLC" and "Site-q4f16_1-MLC" not in listed and listed[-1] == "Tiny-GGUF"
        assert problems == ["models.json entry 4 skipped: needs model_id, model, model_lib, size (MB)"]

    run(scenario)


def test_the_selection_is_remembered_in_settings_and_chosen_next_time():
    async def scenario():
        settings = MemorySettings()
        rig = Rig(settings=settings)
        await rig.controller.open()
        rig.controller.select(CPU_DEFAULT)
        assert settings.values == {MODEL_SETTING: CPU_DEFAULT} and rig.controller.model.model_id == CPU_DEFAULT
        rig.controller.select("No-such-model")  # not offered: nothing changes
        assert settings.values == {MODEL_SETTING: CPU_DEFAULT} and rig.controller.model.model_id == CPU_DEFAULT

        again = Rig(settings=settings)
        await again.controller.open()
        assert again.view.listed[1] == CPU_DEFAULT

    run(scenario)


def test_open_refreshes_the_storage_list():
    async def scenario():
        storage = RecordingStorage()
        rig = Rig(storage=storage)
        await rig.controller.open()
        assert storage.calls == ["refresh"]

    run(scenario)


# Loading


def test_load_success_makes_the_assistant_ready():
    async def scenario():
        storage = RecordingStorage()
        rig = Rig(storage=storage)
        await rig.controller.open()
        await rig.controller.load()
        assert rig.calls("webllm")[-1] == ("load", DEFAULT_F32)
        assert rig.controller.loaded_id == DEFAULT_F32
        assert rig.view.states[-2:] == [("loading", DEFAULT_F32, None), ("ready", DEFAULT_F32, DEFAULT_F32)]
        assert rig.view.errors == [(None, "", False)]  # the old error is cleared
        assert rig.view.progress == [(0, "Starting…"), (None, f"{DEFAULT_LABEL} is running on this device.")]
        assert rig.view.marked == [DEFAULT_F32]
        assert storage.calls == ["refresh", ("check_space", DEFAULT_F32), ("after_download", DEFAULT_F32)]

    run(scenario)


def test_progress_reaches_the_view_as_plain_words_with_time_left_from_the_clock():
    async def scenario():
        rig = Rig(webllm=NO_GPU)
        await rig.controller.open()
        # The CPU engine's reports carry no elapsed time: the controller's clock gives it (20 s).
        rig.wllama.progress = [
            LoadProgress(DOWNLOAD, 0.3, 300 * MB, 1000 * MB),
            LoadProgress(DOWNLOAD, 0.5, 500 * MB, 1000 * MB, elapsed_s=5),
            LoadProgress(DEVICE, 0.5, 1200 * MB),
            LoadProgress(PREPARE),
        ]
        await rig.controller.load()
        assert rig.view.progress[1:] == [
            (0, "Starting…"),
            (0.3, "Downloading: 300 MB of 1,000 MB (30%), about 47 s left"),
            (0.5, "Downloading: 500 MB of 1,000 MB (50%), about 5 s left"),
            (0.5, "Loading from this device: 1,200 MB (50%)"),
            (None, "Preparing the model…"),
            (None, f"{CPU_LABEL} is running on this device."),
        ]

    run(scenario)


@pytest.mark.parametrize("error, message, advice, reload", [
    (OutOfMemory("DeviceLostError: lost"), f"{DEFAULT_LABEL} is too big for this device's memory.",
     "Pick a smaller model, then reload the page to free the memory.", True),
    (HostUnreachable("TypeError: Failed to fetch", host="huggingface.co"),
     "Cannot reach the model host (huggingface.co). Nothing was downloaded.",
     "Check the connection (or whether the host is blocked here), then try again.", False),
    (DownloadCut("TypeError: network error"), "The model download was cut off.",
     "Try again: the parts already downloaded are kept, so it resumes where it stopped.", False),
    (RuntimeError("a bug in an adapter"), "The model could not be loaded: a bug in an adapter",
     "Try again, or pick another model.", False),
])
def test_load_failure_goes_back_to_idle_with_an_error_and_retry(error, message, advice, reload):
    async def scenario():
        rig = Rig()
        rig.webllm.load_error = error
        await rig.controller.open()
        await rig.controller.load()
        assert rig.controller.state == "idle" and rig.controller.loaded_id is None
        assert rig.view.states[-1] == ("idle", DEFAULT_F32, None)
        assert rig.view.progress[-1] == (None, "")
        assert rig.view.errors[-1] == (message, advice, True)
        assert rig.view.reload_offered is reload
        assert rig.view.marked == []

        rig.webllm.load_error = None  # Retry
        await rig.controller.load()
        assert rig.controller.state == "ready" and rig.view.errors[-1] == (None, "", False)
        assert rig.view.marked == [DEFAULT_F32]  # marked once it did load

    run(scenario)


def test_cancel_goes_back_to_idle_and_says_so():
    async def scenario():
        rig = Rig()
        rig.webllm.hold_load = True
        await rig.controller.open()
        rig.controller.cancel_load()  # not loading: the engine is not asked
        assert "cancel_load" not in rig.calls()
        loading = asyncio.ensure_future(rig.controller.load())
        await rig.webllm.load_pending.wait()
        assert rig.controller.state == "loading"
        rig.controller.cancel_load()
        await loading
        assert rig.calls("webllm").count("cancel_load") == 1
        assert rig.controller.state == "idle" and rig.controller.loaded_id is None
        assert rig.view.progress[-1] == (None, CANCELLED_TEXT)
        assert rig.view.errors == [(None, "", False)]

    run(scenario)


def test_offline_and_not_downloaded_shows_an_error_without_loading():
    async def scenario():
        rig = Rig(online=False, webllm=NO_GPU)
        await rig.controller.open()
        await rig.controller.load()
        assert "load" not in [c[0] for c in rig.calls("wllama") if isinstance(c, tuple)]
        assert rig.view.errors[-1] == (
            f"You're offline, and {CPU_LABEL} hasn't been downloaded to this device yet.",
            "Connect to the internet once to download it; after that it works offline.", True)
        assert rig.controller.state == "idle" and "loading" not in rig.view.state_names()

        rig.device.is_online = True  # online again, the same load does download it
        await rig.controller.load()
        assert rig.calls("wllama")[-1] == ("load", CPU_DEFAULT) and "loading" in rig.view.state_names()

    run(scenario)


BLOCKED_HOST = "https://models.example.org"
BLOCKED_SITE = json.dumps({"models": [
    {"engine": "wllama", "model_id": "Far-GGUF", "url": BLOCKED_HOST + "/far.gguf", "size": 98}]})
BLOCKED_MESSAGE = (
    "This site's Content-Security-Policy does not allow connections to models.example.org, so Far-GGUF "
    "(this site) cannot be downloaded. Nothing was downloaded.",
    "The site's owner must add https://models.example.org to connect-src in the Content-Security-Policy "
    "(index.html's, and the server's if it sends one).", False)


def test_a_model_on_a_host_the_policy_blocks_is_refused_before_downloading_naming_what_to_add():
    async def scenario():
        rig = Rig(custom=BLOCKED_SITE, webllm=NO_GPU)
        rig.device.blocked = {BLOCKED_HOST}
        await rig.controller.open()
        rig.controller.select("Far-GGUF")
        await rig.controller.load()
        assert rig.view.errors[-1] == BLOCKED_MESSAGE
        assert ("load", "Far-GGUF") not in rig.calls("wllama") and rig.controller.state == "idle"

        rig.device.blocked = set()  # the owner added the host: the same load goes ahead
        await rig.controller.load()
        assert rig.calls("wllama")[-1] == ("load", "Far-GGUF") and rig.controller.state == "ready"

    run(scenario)


def test_a_model_already_on_this_device_starts_whatever_the_policy_says_of_its_host():
    async def scenario():
        rig = Rig(custom=BLOCKED_SITE, webllm=NO_GPU, cached=["Far-GGUF"])
        rig.device.blocked = {BLOCKED_HOST}
        await rig.controller.open()
        rig.controller.select("Far-GGUF")
        await rig.controller.load()
        assert rig.calls("wllama")[-1] == ("load", "Far-GGUF") and rig.controller.state == "ready"

    run(scenario)


def test_an_unreachable_host_the_browser_reported_blocking_gets_the_policy_message():
    async def scenario():
        rig = Rig(custom=BLOCKED_SITE, webllm=NO_GPU)
        await rig.controller.open()
        rig.controller.select("Far-GGUF")
        rig.wllama.load_error = HostUnreachable("TypeError: Failed to fetch", host="models.example.org")
        await rig.controller.load()  # not blocked as far as the page can tell: a plain network failure
        assert rig.view.errors[-1][0] == "Cannot reach the model host (models.example.org). Nothing was downloaded."

        # A server's header blocks it: the page's own policy allowed it, the browser reports it
        # blocked while the engine fetches.
        rig.wllama.during_load = lambda: rig.device.blocked.add(BLOCKED_HOST)
        await rig.controller.load()
        assert rig.calls("wllama").count(("load", "Far-GGUF")) == 2
        assert rig.view.errors[-1] == BLOCKED_MESSAGE

    run(scenario)


def test_offline_but_downloaded_loads():
    async def scenario():
        rig = Rig(online=False, webllm=NO_GPU, cached=[CPU_DEFAULT])
        await rig.controller.open()
        await rig.controller.load()
        assert rig.calls("wllama")[-1] == ("load", CPU_DEFAULT) and rig.controller.state == "ready"

    run(scenario)


def test_not_enough_space_is_refused_before_downloading():
    async def scenario():
        rig = Rig(storage=RecordingStorage(problem="Not enough storage space"))
        await rig.controller.open()
        await rig.controller.load()
        assert rig.view.errors[-1] == ("Not enough storage space", "", True)
        assert ("load", DEFAULT_F32) not in rig.calls("webllm")
        rig.storage.problem = None  # space freed: the same load goes ahead
        await rig.controller.load()
        assert ("load", DEFAULT_F32) in rig.calls("webllm")

    run(scenario)


def test_the_built_in_model_skips_the_space_check_and_the_device_list():
    async def scenario():
        storage = RecordingStorage(problem="never asked")
        rig = Rig(webllm=NO_GPU, prompt=Availability(True), online=False, storage=storage)
        await rig.controller.open()
        await rig.controller.load()
        assert rig.calls("prompt-api")[-1] == ("load", "chrome-built-in")
        assert rig.controller.state == "ready" and storage.calls == ["refresh"]
        assert rig.view.marked == []

    run(scenario)


def test_switching_engines_unloads_the_previous_one():
    async def scenario():
        rig = await ready()
        rig.controller.select(CPU_DEFAULT)
        await rig.controller.load()
        assert rig.log[-2:] == [("webllm", "unload"), ("wllama", "load", CPU_DEFAULT)]
        rig.controller.select("SmolLM2-360M-Instruct-Q8_0-GGUF")  # same engine: its load replaces the model
        await rig.controller.load()
        assert rig.calls().count("unload") == 1
        assert await rig.controller.ask("What is left on my list?") is True
        assert rig.calls("wllama")[-1] == "generate" and "generate" not in rig.calls("webllm")

    run(scenario)


# Asking


def test_ask_streams_deltas_in_order_with_the_apps_sampling_and_finishes_with_the_speed():
    async def scenario():
        rig = await ready()
        assert await rig.controller.ask("  What is open?  ") is True
        (answer,) = rig.view.answers
        assert answer.question == "What is open?"
        assert answer.parts == ["Hello", ", ", "world."]
        assert answer.finished == ("Hello, world.", "", "12.3 tokens/s")
        assert rig.view.state_names()[-2:] == ["generating", "ready"]
        assert rig.webllm.sent[0][1] == dataclasses.replace(DEFAULT_SAMPLING, max_tokens=TOKENS)

    run(scenario)


def test_no_speed_figure_gives_an_empty_speed():
    async def scenario():
        rig = await ready()
        rig.webllm.stats = Stats()
        await rig.controller.ask("What is left on my list?")
        assert rig.view.answers[0].finished == ("Hello, world.", "", "")

    run(scenario)


def test_messages_are_built_from_the_current_to_dos_and_carry_the_history():
    async def scenario():
        rig = await ready()
        todos = rig.todos
        await rig.controller.ask("What is open?")
        sent = [messages for messages, _ in rig.webllm.sent]
        assert sent[0] == build_messages(list(todos), [], "What is open?", context_tokens=4096,
                                                    answer_tokens=TOKENS)
        todos.append(Todo("3", "Call mum"))
        todos[0] = Todo("1", "Buy milk", True, 0)
        await rig.controller.ask("And now?")
        history = [{"role": "user", "content": "What is open?"}, {"role": "assistant", "content": "Hello, world."}]
        second = rig.webllm.sent[1][0]
        assert second == build_messages(list(todos), history, "And now?", context_tokens=4096,
                                                   answer_tokens=TOKENS)
        assert second[0]["content"] != sent[0][0]["content"]
        assert second[1:] == history + [{"role": "user", "content": "And now?"}]

    run(scenario)


def test_a_looping_reply_is_stopped_trimmed_and_marked():
    async def scenario():
        rig = await ready()
        rig.webllm.chunks = ["You have one open to-do:\n", "- Buy milk at the shop\n", "- Buy milk at the shop\n",
                             "- Buy milk at the shop\n", "- Buy milk at the shop\n", "- Buy milk"]
        assert await rig.controller.ask("What is open?") is True
        answer = rig.view.answers[0]
        assert rig.calls("webllm")[-1] == "stop"
        assert "one more after the stop" not in answer.parts
        kept = "You have one open to-do:\n- Buy milk at the shop"
        assert answer.finished == (kept, LOOP_NOTE, "12.3 tokens/s")
        assert rig.controller.history[-1] == {"role": "assistant", "content": kept}
        assert rig.controller.state == "ready"

    run(scenario)


def test_stop_keeps_the_text_so_far_ignores_later_deltas_and_the_next_question_works_at_once():
    async def scenario():
        rig = await ready()
        rig.webllm.pause_at = 1
        asking = asyncio.ensure_future(rig.controller.ask("Give me a long answer about my list"))
        await rig.webllm.paused.wait()
        assert rig.controller.state == "generating"
        rig.controller.stop()
        assert await asking is True
        first = rig.view.answers[0]
        assert first.parts == ["Hello"]
        assert first.finished == ("Hello", "Stopped.", "12.3 tokens/s")
        assert rig.controller.state == "ready"
        rig.controller.stop()  # not generating: the engine is not asked again
        assert rig.calls("webllm").count("stop") == 1

        rig.webllm.pause_at = None
        assert await rig.controller.ask("Next") is True
        assert rig.view.answers[1].finished == ("Hello, world.", "", "12.3 tokens/s")
        assert rig.webllm.sent[1][0][1:3] == [{"role": "user", "content": "Give me a long answer about my list"},
                                              {"role": "assistant", "content": "Hello"}]

    run(scenario)


def test_generate_error_becomes_a_note_and_the_assistant_stays_ready():
    async def scenario():
        rig = await ready()
        rig.webllm.generate_error = OutOfMemory("Error: DeviceLostError: The WebGPU device was lost.")
        assert await rig.controller.ask("What is left on my list?") is True
        note = describe_generate_error(rig.webllm.generate_error)
        assert rig.view.answers[0].finished == ("Hello, world.", note, "")
        assert rig.view.errors[-1] == (note, "", False) and rig.view.reload_offered is True
        assert rig.controller.state == "ready"

        rig.webllm.generate_error, rig.webllm.chunks = EngineError("Error: something odd"), []
        await rig.controller.ask("again")
        assert rig.view.answers[1].finished == ("", "The answer was cut short by an error: Error: something odd", "")
        assert len(rig.controller.history) == 2  # the failed empty answer is not remembered

        rig.webllm.generate_error = ValueError("not an EngineError")
        await rig.controller.ask("once more")
        assert rig.view.answers[2].finished[1] == "The answer was cut short by an error: not an EngineError"

    run(scenario)


def test_length_finish_gets_a_note():
    async def scenario():
        rig = await ready()
        rig.webllm.finish = "length"
        await rig.controller.ask("What is left on my list?")
        assert rig.view.answers[0].finished == ("Hello, world.", "The answer reached its length limit.",
                                                "12.3 tokens/s")

    run(scenario)


def test_one_generation_at_a_time():
    async def scenario():
        rig = await ready()
        rig.webllm.pause_at = 1
        asking = asyncio.ensure_future(rig.controller.ask("What is first on my list?"))
        await rig.webllm.paused.wait()
        assert await rig.controller.ask("What is next on my list?") is False
        await rig.controller.new_chat()  # ignored while generating
        assert rig.view.cleared == 0 and "reset" not in rig.calls()
        rig.webllm.release()
        assert await asking is True
        assert rig.calls().count("generate") == 1 and len(rig.view.answers) == 1
        await rig.controller.new_chat()  # not generating now: it clears and resets
        assert rig.view.cleared == 1 and rig.calls().count("reset") == 1

    run(scenario)


def test_ask_before_a_model_is_ready_is_refused():
    async def scenario():
        rig = Rig()
        assert await rig.controller.ask("closed") is False
        await rig.controller.open()
        assert await rig.controller.ask("idle") is False
        rig.webllm.hold_load = True
        loading = asyncio.ensure_future(rig.controller.load())
        await rig.webllm.load_pending.wait()
        assert await rig.controller.ask("loading") is False
        rig.controller.cancel_load()
        await loading
        assert "generate" not in rig.calls() and rig.view.answers == []
        rig.webllm.hold_load = False
        await rig.controller.load()
        assert await rig.controller.ask("What is on my list?") is True  # once ready, a question is answered
        assert "generate" in rig.calls() and len(rig.view.answers) == 1

    run(scenario)


def test_blank_question_is_ignored():
    async def scenario():
        rig = await ready()
        states = list(rig.view.states)
        assert await rig.controller.ask("  \n\t ") is False
        assert await rig.controller.ask("") is False
        assert "generate" not in rig.calls() and rig.view.answers == [] and rig.view.states == states
        assert await rig.controller.ask("What is open?") is True
        assert "generate" in rig.calls() and len(rig.view.answers) == 1

    run(scenario)


def test_too_long_question_shows_an_error_and_is_refused():
    async def scenario():
        rig = await ready()
        question = "what is on my list " * 1500
        with pytest.raises(PromptTooLong) as raised:
            build_messages(rig.todos, [], question.strip(), context_tokens=4096, answer_tokens=TOKENS)
        assert await rig.controller.ask(question) is False
        assert rig.view.errors[-1] == (str(raised.value), "", False)
        assert rig.controller.state == "ready" and "generate" not in rig.calls() and rig.view.answers == []
        assert await rig.controller.ask("what is on my list") is True
        assert "generate" in rig.calls() and len(rig.view.answers) == 1

    run(scenario)


def test_new_chat_clears_history_and_resets_the_loaded_engine():
    async def scenario():
        rig = await ready()
        await rig.controller.ask("What is first on my list?")
        assert len(rig.controller.history) == 2
        await rig.controller.new_chat()
        assert rig.controller.history == [] and rig.view.cleared == 1
        assert rig.log[-1] == ("webllm", "reset") and rig.view.errors[-1] == (None, "", False)
        await rig.controller.ask("What is next on my list?")
        assert rig.webllm.sent[1][0] == build_messages(rig.todos, [], "What is next on my list?", context_tokens=4096,
                                                                  answer_tokens=TOKENS)

    run(scenario)


def test_new_chat_without_a_loaded_model_does_not_touch_an_engine():
    async def scenario():
        rig = Rig()
        await rig.controller.open()
        await rig.controller.new_chat()
        assert rig.view.cleared == 1 and "reset" not in rig.calls()
        await rig.controller.load()
        await rig.controller.new_chat()  # with one loaded, its chat is reset
        assert rig.view.cleared == 2 and rig.calls().count("reset") == 1

    run(scenario)


# Choosing another model, deleting one


def test_selecting_another_model_needs_a_load_and_going_back_is_ready_again():
    async def scenario():
        rig = await ready()
        rig.controller.select(QWEN_F32)
        assert rig.controller.state == "idle" and rig.view.states[-1] == ("idle", QWEN_F32, DEFAULT_F32)
        assert await rig.controller.ask("What is left on my list?") is False
        rig.controller.select(DEFAULT_F32)
        assert rig.controller.state == "ready" and rig.view.states[-1] == ("ready", DEFAULT_F32, DEFAULT_F32)
        rig.controller.select(QWEN_F32)
        await rig.controller.load()
        assert rig.calls("webllm")[-1] == ("load", QWEN_F32)
        assert rig.controller.loaded_id == QWEN_F32 and rig.controller.state == "ready"

    run(scenario)


def test_selecting_another_model_while_generating_needs_a_load_afterwards():
    async def scenario():
        rig = await ready()
        rig.webllm.pause_at = 1
        asking = asyncio.ensure_future(rig.controller.ask("What is first on my list?"))
        await rig.webllm.paused.wait()
        rig.controller.select(QWEN_F32)
        rig.webllm.release()
        await asking
        assert rig.controller.state == "idle" and rig.view.states[-1] == ("idle", QWEN_F32, DEFAULT_F32)
        assert await rig.controller.ask("What is next on my list?") is False

    run(scenario)


def test_a_deletion_announced_on_the_shelf_unmarks_the_model():
    async def scenario():
        rig = await ready()
        rig.shelf.deleted(DEFAULT_F32)
        assert rig.view.unmarked == [DEFAULT_F32]
        assert rig.view.states[-1] == ("ready", DEFAULT_F32, DEFAULT_F32)

    run(scenario)


def test_the_speed_figure_is_the_engines():
    assert SPEED.decode_tokens_per_s == 12.34


def test_a_cut_cpu_download_offers_a_retry_that_starts_again():
    async def scenario():
        rig = Rig(webllm=NO_GPU)
        rig.wllama.load_error = DownloadCut("TypeError: network error")
        await rig.controller.open()
        await rig.controller.load()
        assert rig.view.errors[-1] == ("The model download was cut off.",
                                       "Try again: the download starts again from the beginning.", True)

    run(scenario)
