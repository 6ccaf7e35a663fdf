"""The assistant's controller in CPython's asyncio, against a fake engine and a recording view.

Each test runs its own event loop (`asyncio.run`, in a thread of its own). The fake engine copies
what app/llm.py promises: errors arrive as exceptions whose text is WebLLM's worker string,
cancel_load() makes a pending load raise LoadCancelled, and stop() makes a running generation end
soon after.
"""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.assistant import ANSWER_TOKENS, MODEL_SETTING, AssistantController, LoadCancelled
from app.assistant_text import describe_generate_error, no_webgpu_message
from app.prompts import PromptTooLong, build_messages
from app.todos import Todo

DEFAULT_F32 = "Llama-3.2-1B-Instruct-q4f32_1-MLC"
DEFAULT_LABEL = "Llama 3.2 1B (balanced)"
QWEN_F32 = "Qwen2.5-1.5B-Instruct-q4f32_1-MLC"
SPEED = {"decode_tokens_per_s": 12.34, "prefill_tokens_per_s": 200.0}
CANCELLED = "Cancelled. The parts already downloaded are kept for next time."
FETCH_TEXT = ("Fetching param cache[3/20]: 120MB fetched. 15% completed, 12 secs elapsed. It can take a while "
              "when we first visit this page to populate the cache. Later refreshes will become faster.")


class FakeEngine:
    def __init__(self, *, available=True, f16=False, custom=None, cached=(), online=True):
        self.gpu = {"available": available, "f16": f16, "detail": "" if available else "navigator.gpu is missing."}
        self.custom = custom
        self.cached = set(cached)
        self.is_online = online
        self.progress = []  # (text, progress) reports each load emits
        self.load_error = None  # worker string the next load fails with
        self.hold_load = False  # the load waits until cancel_load()
        self.load_pending = asyncio.Event()
        self._cancel = None
        self.chunks = ["Hello", ", ", "world."]
        self.finish_reason = "stop"
        self.extra = SPEED
        self.generate_error = None
        self.pause_at = None  # generation waits before this chunk until stop() or release()
        self.paused = asyncio.Event()
        self._release = asyncio.Event()
        self.calls = []
        self.sent = []  # (messages, max_tokens) of each generate()

    async def detect_gpu(self):
        self.calls.append("detect_gpu")
        return dict(self.gpu)

    async def custom_models_text(self):
        return self.custom

    async def cached_ids(self, models):
        self.calls.append(("cached_ids", [m.model_id for m in models]))
        return {m.model_id for m in models if m.model_id in self.cached}

    def online(self):
        return self.is_online

    async def load(self, model, on_progress):
        self.calls.append(("load", model.model_id))
        for text, progress in self.progress:
            on_progress(text, progress)
            await asyncio.sleep(0)
        if self.hold_load:
            self._cancel = asyncio.Event()
            self.load_pending.set()
            await self._cancel.wait()
            raise LoadCancelled()
        if self.load_error:
            raise RuntimeError(self.load_error)
        self.cached.add(model.model_id)

    def cancel_load(self):
        self.calls.append("cancel_load")
        if self._cancel is not None:
            self._cancel.set()

    async def generate(self, messages, on_delta, max_tokens):
        self.calls.append("generate")
        self.sent.append((messages, max_tokens))
        self.paused.clear()
        self._release.clear()
        stopped = False
        for index, chunk in enumerate(self.chunks):
            if index == self.pause_at:
                self.paused.set()
                await self._release.wait()
                stopped = "stop" in self.calls[-1:]
            on_delta(chunk)  # WebLLM sends about one more chunk after an interrupt
            await asyncio.sleep(0)
        if self.generate_error:
            raise RuntimeError(self.generate_error)
        return ("abort" if stopped else self.finish_reason), self.extra

    def release(self):
        self._release.set()

    def stop(self):
        self.calls.append("stop")
        self._release.set()

    async def reset(self):
        self.calls.append("reset")


class AnswerView:
    def __init__(self, question):
        self.question = question
        self.parts = []
        self.finished = None

    def append(self, text):
        assert self.finished is None, "text appended after finish"
        self.parts.append(text)

    def finish(self, text, note, speed):
        self.finished = (text, note, speed)


class RecordingView:
    def __init__(self):
        self.states = []
        self.errors = []
        self.listed = None
        self.progress = []
        self.answers = []
        self.cleared = 0
        self.marked = []

    def set_state(self, state, model, loaded_id):
        self.states.append((state, model.model_id if model else None, loaded_id))

    def show_error(self, message, advice="", retry=False, reload=False):
        self.errors.append((message, advice, retry))
        self.reload_offered = reload

    def show_models(self, models, selected, cached, problems):
        self.listed = ([m.model_id for m in models], selected.model_id, set(cached), list(problems))

    def show_progress(self, progress, text):
        self.progress.append((progress, text))

    def start_answer(self, question):
        self.answers.append(AnswerView(question))
        return self.answers[-1]

    def clear_transcript(self):
        self.cleared += 1

    def mark_cached(self, model_id):
        self.marked.append(model_id)

    def state_names(self):
        return [s for s, _, _ in self.states]


class Settings:
    def __init__(self, **values):
        self.values = dict(values)

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value):
        self.values[key] = value


def make(todos=None, settings=None, **engine_options):
    engine, view = FakeEngine(**engine_options), RecordingView()
    todos = [Todo("1", "Buy milk"), Todo("2", "File taxes", True, 5)] if todos is None else todos
    settings = settings or Settings()
    return AssistantController(engine, view, settings, lambda: todos), engine, view, todos


async def ready(**options):
    controller, engine, view, todos = make(**options)
    await controller.open()
    await controller.load()
    assert controller.state == "ready"
    return controller, engine, view, todos


def run(scenario):
    # In a thread of its own: in a run with the e2e tests, Playwright's event loop is already
    # running on this thread, and asyncio.run() refuses to start inside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


# Opening the panel


def test_no_webgpu_makes_the_assistant_unsupported_with_the_message():
    async def scenario():
        controller, engine, view, _ = make(available=False)
        await controller.open()
        assert view.state_names() == ["checking", "unsupported"]
        assert view.errors == [(no_webgpu_message(), "navigator.gpu is missing.", False)]
        assert view.listed is None
        await controller.load()
        assert await controller.ask("anything") is False
        assert engine.calls == ["detect_gpu"]

    run(scenario)


def test_open_lists_f32_models_without_shader_f16_and_selects_the_default():
    async def scenario():
        controller, engine, view, _ = make(cached=[QWEN_F32])
        await controller.open()
        listed, selected, cached, problems = view.listed
        assert listed == ["SmolLM2-360M-Instruct-q4f32_1-MLC", "Qwen2.5-0.5B-Instruct-q4f32_1-MLC",
                          DEFAULT_F32, QWEN_F32, "Llama-3.2-3B-Instruct-q4f32_1-MLC"]
        assert (selected, cached, problems) == (DEFAULT_F32, {QWEN_F32}, [])
        assert view.state_names() == ["checking", "idle"]
        assert controller.loaded_id is None
        await controller.open()  # a second opening does nothing
        assert engine.calls.count("detect_gpu") == 1

    run(scenario)


def test_open_with_shader_f16_lists_f16_models_and_the_seed_model():
    async def scenario():
        controller, _, view, _ = make(f16=True)
        await controller.open()
        listed, selected, _, _ = view.listed
        assert all("q4f16" in i for i in listed[:5]) and listed[5] == "Llama-3.2-3B-Instruct-q4f32_1-MLC"
        assert selected == "Llama-3.2-1B-Instruct-q4f16_1-MLC"

    run(scenario)


def test_site_models_are_added_and_their_problems_shown_and_f16_ones_dropped_without_f16():
    site = json.dumps({"models": [
        {"model_id": "Site-q4f32_1-MLC", "model": "/m/a/", "model_lib": "/m/a.wasm", "size": 200},
        {"model_id": "Site-q4f16_1-MLC", "model": "/m/b/", "model_lib": "/m/b.wasm", "size": 150},
        {"model_id": "Broken"},
    ]})

    async def scenario():
        controller, _, view, _ = make(custom=site)
        await controller.open()
        listed, _, _, problems = view.listed
        assert listed[-1] == "Site-q4f32_1-MLC" and "Site-q4f16_1-MLC" not in listed
        assert problems == ["models.json entry 3 skipped: needs model_id, model, model_lib, size (MB)"]

    run(scenario)


def test_the_selection_is_remembered_in_settings_and_chosen_next_time():
    async def scenario():
        settings = Settings()
        controller, _, _, _ = make(settings=settings)
        await controller.open()
        controller.select(QWEN_F32)
        assert settings.values == {MODEL_SETTING: QWEN_F32}
        assert controller.model.model_id == QWEN_F32
        controller.select("No-such-model")  # not offered: nothing changes
        assert settings.values == {MODEL_SETTING: QWEN_F32} and controller.model.model_id == QWEN_F32

        again, _, view, _ = make(settings=settings)
        await again.open()
        assert view.listed[1] == QWEN_F32 and again.model.model_id == QWEN_F32

    run(scenario)


# Loading


def test_load_success_makes_the_assistant_ready():
    async def scenario():
        controller, engine, view, _ = make()
        await controller.open()
        await controller.load()
        assert engine.calls[-1] == ("load", DEFAULT_F32)
        assert controller.loaded_id == DEFAULT_F32
        assert view.states[-2:] == [("loading", DEFAULT_F32, None), ("ready", DEFAULT_F32, DEFAULT_F32)]
        assert view.errors == [(None, "", False)]  # the old error is cleared
        assert view.progress == [(0, "Starting…"), (None, f"{DEFAULT_LABEL} is running on this device.")]
        assert view.marked == [DEFAULT_F32]

    run(scenario)


def test_progress_reports_reach_the_view_as_plain_words():
    async def scenario():
        controller, engine, view, _ = make()
        engine.progress = [
            ("Start to fetch params", 0),
            (FETCH_TEXT, 0.15),
            ("Loading model from cache[3/20]: 120MB loaded. 15% completed, 13 secs elapsed.", 0.15),
            ("Loading GPU shader modules[12/48]: 25% completed, 14 secs elapsed.", 0.25),
            ("Finish loading on WebGPU - apple", 1),
        ]
        await controller.open()
        await controller.load()
        assert view.progress == [
            (0, "Starting…"),
            (0, "Starting…"),
            (0.15, "Downloading: 120 MB of about 800 MB (15%), about 1 min 08 s left"),
            (0.15, "Loading from this device: 120 MB (15%)"),
            (0.25, "Preparing the GPU (25%)"),
            (1, "Ready"),
            (None, f"{DEFAULT_LABEL} is running on this device."),
        ]

    run(scenario)


def test_load_failure_goes_back_to_idle_with_an_error_and_retry():
    async def scenario():
        controller, engine, view, _ = make()
        engine.load_error = ("Error: DeviceLostError: The WebGPU device was lost while loading the model. "
                             "This issue often occurs due to running out of memory (OOM).")
        await controller.open()
        await controller.load()
        assert controller.state == "idle" and controller.loaded_id is None
        assert view.states[-1] == ("idle", DEFAULT_F32, None)
        assert view.progress[-1] == (None, "")
        assert view.errors[-1] == (f"{DEFAULT_LABEL} is too big for this device's GPU memory.",
                                   "Pick a smaller model, then reload the page to reset the GPU.", True)
        assert view.reload_offered is True
        assert view.marked == []

        engine.load_error = None  # Retry
        await controller.load()
        assert controller.state == "ready" and view.errors[-1] == (None, "", False)

    run(scenario)


def test_network_cut_during_download_is_reported_as_resumable():
    async def scenario():
        controller, engine, view, _ = make()
        engine.load_error = "TypeError: Failed to execute 'add' on 'Cache': Request failed"
        await controller.open()
        await controller.load()
        assert view.errors[-1] == ("The model download was cut off.", "Try again: the parts already downloaded "
                                   "are kept, so it resumes where it stopped.", True)
        assert view.reload_offered is False

    run(scenario)


def test_cancel_goes_back_to_idle_and_says_so():
    async def scenario():
        controller, engine, view, _ = make()
        engine.hold_load = True
        await controller.open()
        controller.cancel_load()  # not loading: the engine is not asked
        assert "cancel_load" not in engine.calls
        loading = asyncio.ensure_future(controller.load())
        await engine.load_pending.wait()
        assert controller.state == "loading"
        controller.cancel_load()
        await loading
        assert engine.calls.count("cancel_load") == 1
        assert controller.state == "idle" and controller.loaded_id is None
        assert view.states[-1] == ("idle", DEFAULT_F32, None)
        assert view.progress[-1] == (None, CANCELLED)
        assert view.errors == [(None, "", False)]

    run(scenario)


def test_offline_and_not_downloaded_shows_an_error_without_loading():
    async def scenario():
        controller, engine, view, _ = make(online=False)
        await controller.open()
        await controller.load()
        assert ("load", DEFAULT_F32) not in engine.calls
        assert engine.calls[-1] == ("cached_ids", [DEFAULT_F32])
        assert view.errors[-1] == (
            f"You're offline, and {DEFAULT_LABEL} hasn't been downloaded to this device yet.",
            "Connect to the internet once to download it; after that it works offline.", True)
        assert controller.state == "idle" and "loading" not in view.state_names()

    run(scenario)


def test_offline_but_downloaded_loads():
    async def scenario():
        controller, engine, _, _ = make(online=False, cached=[DEFAULT_F32])
        await controller.open()
        await controller.load()
        assert engine.calls[-1] == ("load", DEFAULT_F32) and controller.state == "ready"

    run(scenario)


# Asking


def test_ask_streams_deltas_in_order_and_finishes_with_the_speed():
    async def scenario():
        controller, engine, view, _ = await ready()
        assert await controller.ask("  What is open?  ") is True
        (answer,) = view.answers
        assert answer.question == "What is open?"
        assert answer.parts == ["Hello", ", ", "world."]
        assert answer.finished == ("Hello, world.", "", "12.3 tokens/s")
        assert view.state_names()[-2:] == ["generating", "ready"]
        assert engine.sent[0][1] == ANSWER_TOKENS

    run(scenario)


def test_no_speed_figure_gives_an_empty_speed():
    async def scenario():
        controller, engine, view, _ = await ready()
        engine.extra = {"decode_tokens_per_s": float("nan")}
        await controller.ask("q")
        assert view.answers[0].finished == ("Hello, world.", "", "")

    run(scenario)


def test_messages_are_built_from_the_current_to_dos_and_carry_the_history():
    async def scenario():
        controller, engine, _, todos = await ready()
        await controller.ask("What is open?")
        assert engine.sent[0][0] == build_messages(list(todos), [], "What is open?",
                                                   context_tokens=4096, answer_tokens=ANSWER_TOKENS)
        todos.append(Todo("3", "Call mum"))
        todos[0] = Todo("1", "Buy milk", True, 0)
        await controller.ask("And now?")
        history = [{"role": "user", "content": "What is open?"}, {"role": "assistant", "content": "Hello, world."}]
        second = engine.sent[1][0]
        assert second == build_messages(list(todos), history, "And now?",
                                        context_tokens=4096, answer_tokens=ANSWER_TOKENS)
        first_system, second_system = engine.sent[0][0][0]["content"], second[0]["content"]
        assert second_system != first_system
        assert '"Call mum"' in second_system and '"Call mum"' not in first_system
        assert second[1:] == history + [{"role": "user", "content": "And now?"}]

    run(scenario)


def test_stop_keeps_the_text_so_far_ignores_later_deltas_and_the_next_question_works_at_once():
    async def scenario():
        controller, engine, view, _ = await ready()
        engine.pause_at = 1
        asking = asyncio.ensure_future(controller.ask("Long answer please"))
        await engine.paused.wait()
        assert controller.state == "generating"
        controller.stop()
        assert await asking is True
        first = view.answers[0]
        assert "stop" in engine.calls
        assert first.parts == ["Hello"]
        assert first.finished == ("Hello", "Stopped.", "12.3 tokens/s")
        assert controller.state == "ready"
        controller.stop()  # not generating: the engine is not asked again
        assert engine.calls.count("stop") == 1

        engine.pause_at = None
        assert await controller.ask("Next") is True
        assert view.answers[1].parts == ["Hello", ", ", "world."]
        assert view.answers[1].finished == ("Hello, world.", "", "12.3 tokens/s")
        assert engine.sent[1][0][1:3] == [{"role": "user", "content": "Long answer please"},
                                          {"role": "assistant", "content": "Hello"}]

    run(scenario)


def test_generate_error_becomes_a_note_and_the_assistant_stays_ready():
    async def scenario():
        controller, engine, view, _ = await ready()
        engine.generate_error = "Error: DeviceLostError: The WebGPU device was lost."
        assert await controller.ask("q") is True
        assert view.answers[0].finished == (
            "Hello, world.", describe_generate_error(engine.generate_error), "")
        assert view.answers[0].finished[1] == ("The GPU stopped responding (the model may be too big for it). "
                                               "Reload the page, then pick a smaller model.")
        assert view.reload_offered is True
        assert controller.state == "ready"

        engine.generate_error, engine.chunks = "Error: something odd", []
        await controller.ask("again")
        assert view.answers[1].finished == ("", "The answer was cut short by an error: Error: something odd", "")
        assert len(controller.history) == 2  # the failed empty answer is not remembered

    run(scenario)


def test_length_finish_gets_a_note():
    async def scenario():
        controller, engine, view, _ = await ready()
        engine.finish_reason = "length"
        await controller.ask("q")
        assert view.answers[0].finished == ("Hello, world.", "The answer reached its length limit.", "12.3 tokens/s")

    run(scenario)


def test_one_generation_at_a_time():
    async def scenario():
        controller, engine, view, _ = await ready()
        engine.pause_at = 1
        asking = asyncio.ensure_future(controller.ask("first"))
        await engine.paused.wait()
        assert await controller.ask("second") is False
        await controller.new_chat()  # ignored while generating
        assert view.cleared == 0 and "reset" not in engine.calls
        engine.release()
        assert await asking is True
        assert engine.calls.count("generate") == 1 and len(view.answers) == 1

    run(scenario)


def test_ask_before_a_model_is_ready_is_refused():
    async def scenario():
        controller, engine, view, _ = make()
        assert await controller.ask("closed") is False
        await controller.open()
        assert await controller.ask("idle") is False
        engine.hold_load = True
        loading = asyncio.ensure_future(controller.load())
        await engine.load_pending.wait()
        assert await controller.ask("loading") is False
        controller.cancel_load()
        await loading
        assert "generate" not in engine.calls and view.answers == []

    run(scenario)


def test_blank_question_is_ignored():
    async def scenario():
        controller, engine, view, _ = await ready()
        states = list(view.states)
        assert await controller.ask("  \n\t ") is False
        assert await controller.ask("") is False
        assert "generate" not in engine.calls and view.answers == [] and view.states == states

    run(scenario)


def test_too_long_question_shows_an_error_and_is_refused():
    async def scenario():
        controller, engine, view, todos = await ready()
        question = "why " * 5000
        with pytest.raises(PromptTooLong) as raised:
            build_messages(todos, [], question.strip(), context_tokens=4096, answer_tokens=ANSWER_TOKENS)
        assert await controller.ask(question) is False
        assert view.errors[-1] == (str(raised.value), "", False)
        assert str(raised.value).startswith("Your question is too long for the assistant to read.")
        assert controller.state == "ready" and "generate" not in engine.calls and view.answers == []

    run(scenario)


def test_new_chat_clears_history_and_resets_the_engine():
    async def scenario():
        controller, engine, view, todos = await ready()
        await controller.ask("first")
        await controller.new_chat()
        assert controller.history == [] and view.cleared == 1
        assert engine.calls[-1] == "reset" and view.errors[-1] == (None, "", False)
        await controller.ask("second")
        assert engine.sent[1][0] == build_messages(todos, [], "second", context_tokens=4096,
                                                   answer_tokens=ANSWER_TOKENS)

    run(scenario)


def test_new_chat_without_a_loaded_model_does_not_touch_the_engine():
    async def scenario():
        controller, engine, view, _ = make()
        await controller.open()
        await controller.new_chat()
        assert view.cleared == 1 and "reset" not in engine.calls

    run(scenario)


# Choosing another model


def test_selecting_another_model_needs_a_load_and_going_back_is_ready_again():
    async def scenario():
        controller, engine, view, _ = await ready()
        controller.select(QWEN_F32)
        assert controller.state == "idle" and view.states[-1] == ("idle", QWEN_F32, DEFAULT_F32)
        assert await controller.ask("q") is False
        controller.select(DEFAULT_F32)
        assert controller.state == "ready" and view.states[-1] == ("ready", DEFAULT_F32, DEFAULT_F32)
        controller.select(QWEN_F32)
        await controller.load()
        assert engine.calls[-1] == ("load", QWEN_F32)
        assert controller.loaded_id == QWEN_F32 and controller.state == "ready"

    run(scenario)


def test_selecting_another_model_while_generating_needs_a_load_afterwards():
    async def scenario():
        controller, engine, view, _ = await ready()
        engine.pause_at = 1
        asking = asyncio.ensure_future(controller.ask("first"))
        await engine.paused.wait()
        controller.select(QWEN_F32)
        engine.release()
        await asking
        assert controller.state == "idle" and view.states[-1] == ("idle", QWEN_F32, DEFAULT_F32)
        assert await controller.ask("second") is False

    run(scenario)
