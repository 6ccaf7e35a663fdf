"""Tests for app.assistant.engines.reports: the engine modules' reports read into the port's types.

Every module reports in the contract's shapes (assets/engines/engine-module.d.ts); how each reads
its engine's own reports into them (WebLLM's progress texts, wllama's byte counts, the Prompt API's
download fractions) is tested on the modules themselves (tests/e2e/test_engine_modules.py,
test_engine_contract.py).
"""

import math

import pytest

from app.assistant.engines.port import (
    DEVICE,
    DOWNLOAD,
    PREPARE,
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


# Progress


def test_every_field_of_a_report_reaches_the_port():
    report = {"phase": "download", "loaded": 120 * MIB, "total": 800 * MIB, "fraction": 0.15, "elapsed": 12,
              "estimated": True}
    assert progress_from(report) == LoadProgress(DOWNLOAD, 0.15, 120 * MIB, 800 * MIB, 12, total_estimated=True)


def test_bytes_give_the_fraction_where_the_report_has_none():
    assert progress_from({"phase": "download", "loaded": 50_000_000, "total": 200_000_000}) == (
        LoadProgress(DOWNLOAD, 0.25, 50_000_000, 200_000_000))
    assert progress_from({"phase": "device", "loaded": 10, "total": 10}) == LoadProgress(DEVICE, 1.0, 10, 10)
    assert progress_from({"phase": "download", "loaded": 5, "total": 4}) == LoadProgress(DOWNLOAD, 1.0, 5, 4)
    assert progress_from({"phase": "download", "loaded": 5, "total": 0}) == LoadProgress(DOWNLOAD, None, 5, 0)


def test_a_fraction_without_bytes_and_a_phase_without_figures():
    assert progress_from({"phase": "download", "loaded": None, "total": None, "fraction": 0.42}) == (
        LoadProgress(DOWNLOAD, 0.42))
    assert progress_from({"phase": "device", "loaded": 1200 * MIB, "total": None, "fraction": 0.15, "elapsed": 2.5}) == (
        LoadProgress(DEVICE, 0.15, 1200 * MIB, None, 2.5))
    assert progress_from({"phase": "prepare", "loaded": None, "total": None}) == LoadProgress(PREPARE)
    assert progress_from({"phase": "device", "loaded": None, "total": None}) == LoadProgress(DEVICE)


@pytest.mark.parametrize("report, expected", [
    ({}, LoadProgress(DOWNLOAD)),
    (None, LoadProgress(DOWNLOAD)),
    ({"phase": "bogus", "loaded": 5, "total": 10}, LoadProgress(DOWNLOAD, 0.5, 5, 10)),
    ({"phase": "download", "fraction": 1.5}, LoadProgress(DOWNLOAD, 1.0)),
    ({"phase": "download", "fraction": float("nan"), "elapsed": -1}, LoadProgress(DOWNLOAD)),
    ({"phase": "download", "loaded": "12", "total": True, "estimated": "yes"}, LoadProgress(DOWNLOAD)),
    ({"phase": "download", "loaded": 2.7, "total": 10.2}, LoadProgress(DOWNLOAD, 2.7 / 10.2, 2, 10)),
])
def test_odd_figures_become_none(report, expected):
    assert progress_from(report) == expected


# Errors


@pytest.mark.parametrize("name, message, kind", [
    ("WebGPUNotAvailableError", "WebGPU is not supported in your current environment", Unsupported),
    ("WebGPUNotFoundError", "Cannot find WebGPU in the environment", Unsupported),
    ("ShaderF16SupportError", "This model requires WebGPU extension shader-f16", Unsupported),
    ("Error", "Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit.",
     Unsupported),
    ("NotSupportedError", "The model is not available", Unsupported),
    ("Unsupported", "no WebAssembly", Unsupported),
    ("DeviceLostError", "The WebGPU device was lost while loading the model.", OutOfMemory),
    ("RangeError", "WebAssembly.Memory(): could not allocate memory", OutOfMemory),
    ("RuntimeError", "Aborted(OOM)", OutOfMemory),
    ("QuotaExceededError", "The quota has been exceeded.", QuotaExceeded),
    ("QuotaExceededError", "", QuotaExceeded),
    ("Cancelled", "", Cancelled),
    ("WllamaAbortError", "aborted", Cancelled),
    ("AbortError", "The operation was aborted.", Cancelled),
    ("ContextWindowSizeExceededError", "Prompt tokens exceed context window size", EngineError),
    ("WorkerError", "The model worker crashed: ", EngineError),
])
def test_errors_are_sorted_into_kinds(name, message, kind):
    assert type(error_from(name, message)) is kind


def test_the_name_decides_not_a_name_inside_the_message():
    # Lifting a name out of a message is the modules' work (stream.js errorOf), not Python's.
    assert type(error_from("Error", "DeviceLostError: lost")) is EngineError


@pytest.mark.parametrize("name, message", [
    ("TypeError", "Failed to fetch"),
    ("TypeError", "Failed to execute 'add' on 'Cache': Request failed"),
    ("TypeError", "NetworkError when attempting to fetch resource."),
    ("TypeError", "Load failed"),
    ("NetworkError", "offline"),
])
def test_network_failures_depend_on_what_arrived(name, message):
    nothing = error_from(name, message, received_bytes=0, host="huggingface.co")
    assert type(nothing) is HostUnreachable and nothing.host == "huggingface.co"
    assert type(error_from(name, message, received_bytes=1024, host="huggingface.co")) is DownloadCut
    assert type(error_from(name, message)) is DownloadCut  # not known: a retry resumes either way


def test_the_detail_is_one_readable_line_with_the_name():
    assert error_from("TypeError", "Failed to fetch\n  at x.js:1").detail == "TypeError: Failed to fetch"
    assert error_from("DeviceLostError", "DeviceLostError: lost").detail == "DeviceLostError: lost"
    assert error_from("Error", "").detail == "Error"
    assert error_from("", "").detail == "unknown error"
    assert len(error_from("", "x" * 500).detail) == 300
    assert error_from("X", "odd", host="h").host == "h"


# Figures


def test_the_figures_of_a_result_become_stats_and_an_engines_extras_are_left_out():
    flat = {"decode_tokens_per_s": 12.5, "prefill_tokens_per_s": 300.0, "time_to_first_token_s": 0.4,
            "completion_tokens": 42, "prompt_tokens": 70, "context_used": 120}
    assert stats_from(flat) == Stats(12.5, 300.0, 0.4, 42)


@pytest.mark.parametrize("raw", [None, {}, {"decode_tokens_per_s": float("nan")}, {"decode_tokens_per_s": math.inf},
                                 {"decode_tokens_per_s": -1}, {"decode_tokens_per_s": "12"},
                                 {"decode_tokens_per_s": 0}, {"completion_tokens": None}])
def test_unusable_figures_become_none(raw):
    assert stats_from(raw) == Stats()
