"""Tests for app.assistant.models.shelf: the shelf of models on offer, and "Models on this device" over
several engines (each lists and deletes its own files; the browser's built-in model never appears)."""

import asyncio

from engine_fakes import FakeDevice, FakeEngine
from fakes import RecordingStorageView, run

from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.models.catalogue import built_in_gguf_models, built_in_models, prompt_api_model
from app.assistant.models.shelf import ModelShelf, ModelStorage, estimate_text, space_message

MB = 1_000_000
GPU_MODEL = "Llama-3.2-1B-Instruct-q4f32_1-MLC"
CPU_MODEL = "SmolLM2-360M-Instruct-Q8_0-GGUF"


def rig(estimate=(100 * MB, 10_000 * MB)):
    log = []
    webllm = FakeEngine(WEBLLM, cached=[GPU_MODEL], sizes={GPU_MODEL: 1100 * MB}, log=log)
    wllama = FakeEngine(WLLAMA, sizes={CPU_MODEL: 100 * MB}, log=log)
    prompt = FakeEngine(PROMPT_API, cached=["chrome-built-in"], sizes={"chrome-built-in": 1}, log=log)
    shelf = ModelShelf([webllm, wllama, prompt])
    shelf.offer([prompt_api_model()] + built_in_models(False) + built_in_gguf_models())
    device, view = FakeDevice(estimate=estimate), RecordingStorageView()
    return shelf, ModelStorage(shelf, device, view), view, device, (webllm, wllama, prompt)


def test_the_shelf_finds_models_and_their_engines_and_announces_deletions():
    shelf, _, _, _, (webllm, wllama, prompt) = rig()
    assert shelf.find(CPU_MODEL).model_id == CPU_MODEL and shelf.find("nope") is None
    assert shelf.engine_for(shelf.find(CPU_MODEL)) is wllama
    assert shelf.engine_for(shelf.find("chrome-built-in")) is prompt
    stored = shelf.stored_models()
    assert list(stored) == [WEBLLM, WLLAMA]  # the built-in model's engine keeps no files here
    assert len(stored[WEBLLM]) == 5 and len(stored[WLLAMA]) == 3
    heard = []
    shelf.on_deleted(heard.append)
    shelf.on_deleted(lambda model_id: heard.append(model_id.upper()))
    shelf.deleted("x")
    assert heard == ["x", "X"]


def test_refresh_lists_each_engines_files_complete_or_partial():
    async def scenario():
        _, storage, view, _, _ = rig()
        await storage.refresh()
        assert view.shown == [([(GPU_MODEL, 1100 * MB, True), (CPU_MODEL, 100 * MB, False)],
                               "This site uses 100 MB of the 10.0 GB this browser allows it.")]

    run(scenario)


def test_delete_asks_the_models_own_engine_and_announces_it():
    async def scenario():
        shelf, storage, view, _, (webllm, wllama, _) = rig()
        heard = []
        shelf.on_deleted(heard.append)
        await storage.delete(CPU_MODEL)
        assert ("wllama", "delete_model", CPU_MODEL) in wllama.calls
        assert not any(c[1] == "delete_model" for c in webllm.calls if c[0] == "webllm")
        assert heard == [CPU_MODEL]
        assert view.shown[-1][0] == [(GPU_MODEL, 1100 * MB, True)]
        await storage.delete("chrome-built-in")  # not listed, not deletable here
        await storage.delete("unknown")
        assert heard == [CPU_MODEL]

    run(scenario)


def test_a_delete_pressed_while_the_list_is_read_waits_for_it_and_the_list_shown_last_is_without_the_model():
    async def scenario():
        _, storage, view, _, (_, wllama, _) = rig()
        gate = wllama.listing_gate = asyncio.Event()
        listing = asyncio.ensure_future(storage.refresh())  # the section opened: its list is read…
        await asyncio.sleep(0)
        deleting = asyncio.ensure_future(storage.delete(CPU_MODEL))  # …and Delete pressed meanwhile
        await asyncio.sleep(0)
        assert ("wllama", "delete_model", CPU_MODEL) not in wllama.calls, "no file goes while it is listed"
        gate.set()
        await asyncio.gather(listing, deleting)
        steps = [call[1] for call in wllama.calls if call[0] == "wllama"]
        assert steps == ["bytes_on_device", "cached_ids", "delete_model", "bytes_on_device"], steps
        assert [entries for entries, _ in view.shown] == [
            [(GPU_MODEL, 1100 * MB, True), (CPU_MODEL, 100 * MB, False)],  # as read before the delete
            [(GPU_MODEL, 1100 * MB, True)],  # shown last: the model is gone
        ]

    run(scenario)


def test_check_space_counts_what_is_already_here():
    async def scenario():
        shelf, storage, _, _, _ = rig(estimate=(0, 400 * MB))
        smol = shelf.find(CPU_MODEL)  # 386 MB download, 100 MB already here
        assert await storage.check_space(smol) is None
        qwen = shelf.find("Qwen2.5-0.5B-Instruct-Q8_0-GGUF")  # 676 MB
        assert await storage.check_space(qwen) == space_message(qwen, 676 * MB, 400 * MB)
        assert await storage.check_space(shelf.find("chrome-built-in")) is None

    run(scenario)


def test_no_estimate_means_no_refusal_and_a_plain_text():
    async def scenario():
        shelf, storage, view, _, _ = rig(estimate=None)
        assert await storage.check_space(shelf.find("Qwen2.5-0.5B-Instruct-Q8_0-GGUF")) is None
        shelf, small, _, _, _ = rig(estimate=(0, 400 * MB))  # refused where the browser reports too little
        assert await small.check_space(shelf.find("Qwen2.5-0.5B-Instruct-Q8_0-GGUF")) is not None
        await storage.refresh()
        assert view.shown[-1][1] == estimate_text(None) == "This browser does not report how much space is left."

    run(scenario)


def test_after_a_download_the_storage_is_persisted_and_the_list_refreshed():
    async def scenario():
        shelf, storage, view, device, _ = rig()
        await storage.after_download(shelf.find(CPU_MODEL))
        assert device.persisted == 1 and len(view.shown) == 1

    run(scenario)
