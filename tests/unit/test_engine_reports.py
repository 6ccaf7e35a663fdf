"""Tests for app.assistant.engines.reports: each engine's raw reports turned into the port's types.

WebLLM's texts are WebLLM 0.2.86's own (docs/webllm-api.md); wllama's and the Prompt API's reports
are the shapes docs/engines.md gives the JS modules.
"""

import math

import pytest

from app.assistant.engines.port import (
    DEVICE,
    DOWNLOAD,
    PREPARE,
    PROMPT_API,
    WEBLLM,
    WLLAMA,
    Cancelled,
    DownloadCut,
    EngineError,
    HostUnreachable,
    LoadProgress,
    OutOfMemory,
    QuotaExceeded,
    Stats,
    Unsupported,
)
from app.assistant.engines.reports import error_from, progress_from, stats_from

MIB = 1 << 20
FIRST_VISIT = (" It can take a while when we first visit this page to populate the cache."
               " Later refreshes will become faster.")


def webllm(text, progress=0.0, **more):
    return progress_from(WEBLLM, dict(text=text, progress=progress, **more))


# WebLLM progress


def test_fetching_is_a_download_with_bytes_an_estimated_total_and_elapsed_time():
    report = webllm("Fetching param cache[3/20]: 120MB fetched. 15% completed, 12 secs elapsed." + FIRST_VISIT, 0.15)
    assert report == LoadProgress(DOWNLOAD, 0.15, 120 * MIB, 800 * MIB, 12, total_estimated=True)


@pytest.mark.parametrize("percent, total, estimated", [(0, None, True), (100, 880 * MIB, False)])
def test_fetching_at_the_ends(percent, total, estimated):
    report = webllm(f"Fetching param cache[20/20]: 880MB fetched. {percent}% completed, 80 secs elapsed.")
    assert (report.fraction, report.total_bytes, report.total_estimated) == (percent / 100, total, estimated)


def test_loading_from_the_cache_is_the_device_phase():
    report = webllm("Loading model from cache[3/20]: 1200MB loaded. 15% completed, 2 secs elapsed.", 0.15,
                    timeElapsed=2.5)
    assert report == LoadProgress(DEVICE, 0.15, 1200 * MIB, None, 2.5)


def test_shaders_and_finish_are_the_prepare_phase():
    assert webllm("Loading GPU shader modules[12/48]: 25% completed, 3 secs elapsed.", 0.9) == (
        LoadProgress(PREPARE, 0.9))
    assert webllm("Finish loading on WebGPU - apple", 1) == LoadProgress(PREPARE, 1.0)


def test_other_texts_take_their_phase_from_the_fraction():
    assert webllm("Start to fetch params", 0) == LoadProgress(DOWNLOAD, None)  # nothing may be fetched
    assert webllm("Something new", float("nan")) == LoadProgress(DOWNLOAD, None)
    assert webllm("Something new", 1) == LoadProgress(PREPARE, 1.0)
    assert progress_from(WEBLLM, {}) == LoadProgress(DOWNLOAD, None)


# wllama and Prompt API progress


def test_wllama_bytes_are_a_download_with_an_exact_total():
    assert progress_from(WLLAMA, {"loaded": 50_000_000, "total": 200_000_000}) == (
        LoadProgress(DOWNLOAD, 0.25, 50_000_000, 200_000_000))


def test_wllama_phases_and_odd_figures():
    assert progress_from(WLLAMA, {"loaded": 10, "total": 10, "phase": "device"}) == LoadProgress(DEVICE, 1.0, 10, 10)
    assert progress_from(WLLAMA, {"phase": "prepare"}) == LoadProgress(PREPARE)
    assert progress_from(WLLAMA, {"loaded": 5, "total": 0}) == LoadProgress(DOWNLOAD, None, 5, 0)
    assert progress_from(WLLAMA, {"loaded": None, "total": None}) == LoadProgress(DOWNLOAD)
    assert progress_from(WLLAMA, {"loaded": 5, "total": 4, "phase": "bogus"}) == LoadProgress(DOWNLOAD, 1.0, 5, 4)


def test_prompt_api_download_fraction():
    assert progress_from(PROMPT_API, {"loaded": 0.42}) == LoadProgress(DOWNLOAD, 0.42)
    assert progress_from(PROMPT_API, {"loaded": 1.5}) == LoadProgress(DOWNLOAD, 1.0)
    assert progress_from(PROMPT_API, {"phase": "prepare"}) == LoadProgress(PREPARE)


# Errors


@pytest.mark.parametrize("engine, name, message, kind", [
    (WEBLLM, "WebGPUNotAvailableError", "WebGPU is not supported in your current environment", Unsupported),
    (WEBLLM, "Error", "WebGPUNotFoundError: Cannot find WebGPU in the environment", Unsupported),
    (WEBLLM, "", "ShaderF16SupportError: This model requires WebGPU extension shader-f16", Unsupported),
    (WEBLLM, "Error", "Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit.",
     Unsupported),
    (PROMPT_API, "NotSupportedError", "The model is not available", Unsupported),
    (WLLAMA, "Unsupported", "no WebAssembly", Unsupported),
    (WEBLLM, "", "Error: DeviceLostError: The WebGPU device was lost while loading the model.", OutOfMemory),
    (WLLAMA, "RangeError", "WebAssembly.Memory(): could not allocate memory", OutOfMemory),
    (WLLAMA, "RuntimeError", "Aborted(OOM)", OutOfMemory),
    (WEBLLM, "QuotaExceededError", "The quota has been exceeded.", QuotaExceeded),
    (PROMPT_API, "QuotaExceededError", "", QuotaExceeded),
    (WEBLLM, "Cancelled", "", Cancelled),
    (WLLAMA, "WllamaAbortError", "aborted", Cancelled),
    (PROMPT_API, "AbortError", "The operation was aborted.", Cancelled),
    (WEBLLM, "Error", "ContextWindowSizeExceededError: Prompt tokens exceed context window size", EngineError),
])
def test_errors_are_sorted_into_kinds(engine, name, message, kind):
    assert type(error_from(engine, name, message)) is kind


@pytest.mark.parametrize("engine, name, message", [
    (WEBLLM, "TypeError", "Failed to fetch"),
    (WEBLLM, "", "TypeError: Failed to execute 'add' on 'Cache': Request failed"),
    (WLLAMA, "TypeError", "NetworkError when attempting to fetch resource."),
    (WLLAMA, "TypeError", "Load failed"),
])
def test_network_failures_depend_on_what_arrived(engine, name, message):
    nothing = error_from(engine, name, message, received_bytes=0, host="huggingface.co")
    assert type(nothing) is HostUnreachable and nothing.host == "huggingface.co"
    assert type(error_from(engine, name, message, received_bytes=1024, host="huggingface.co")) is DownloadCut
    assert type(error_from(engine, name, message)) is DownloadCut  # not known: a retry resumes either way


def test_the_detail_is_one_readable_line_with_the_name():
    assert error_from(WLLAMA, "TypeError", "Failed to fetch\n  at x.js:1").detail == "TypeError: Failed to fetch"
    assert error_from(WEBLLM, "", "Error: DeviceLostError: lost").detail == "Error: DeviceLostError: lost"
    assert error_from(WEBLLM, "Error", "").detail == "Error"
    assert error_from(WEBLLM, "", "").detail == "unknown error"
    assert len(error_from(WEBLLM, "", "x" * 500).detail) == 300
    assert error_from(WEBLLM, "X", "odd", host="h").host == "h"


# Figures


def test_webllm_usage_and_a_flat_dict_give_the_same_stats():
    flat = {"decode_tokens_per_s": 12.5, "prefill_tokens_per_s": 300.0, "time_to_first_token_s": 0.4,
            "completion_tokens": 42}
    usage = {"completion_tokens": 42, "prompt_tokens": 70,
             "extra": {"decode_tokens_per_s": 12.5, "prefill_tokens_per_s": 300.0, "time_to_first_token_s": 0.4}}
    assert stats_from(flat) == stats_from(usage) == Stats(12.5, 300.0, 0.4, 42)


@pytest.mark.parametrize("raw", [None, {}, {"decode_tokens_per_s": float("nan")}, {"decode_tokens_per_s": math.inf},
                                 {"decode_tokens_per_s": -1}, {"decode_tokens_per_s": "12"},
                                 {"decode_tokens_per_s": 0}, {"completion_tokens": None}])
def test_unusable_figures_become_none(raw):
    assert stats_from(raw) == Stats()
