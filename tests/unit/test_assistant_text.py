"""Tests for app.assistant.text: the port's progress, errors and figures turned into plain words."""

import pytest

from app.assistant.text import (
    cancelled_text,
    describe_generate_error,
    describe_load_error,
    describe_progress,
    engine_note,
    format_duration,
    format_speed,
    needs_reload,
    no_engine_message,
)
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
    QuotaExceeded,
    Stats,
    Unsupported,
)

LABEL = "Llama 3.2 1B (balanced)"
MB = 1_000_000

# describe_progress


def test_download_with_a_total_gives_mb_of_total_percent_and_time_left():
    progress = LoadProgress(DOWNLOAD, 0.3, 300 * MB, 1000 * MB, elapsed_s=20)
    assert describe_progress(progress) == "Downloading: 300 MB of 1,000 MB (30%), about 47 s left"


def test_an_estimated_total_says_about():
    progress = LoadProgress(DOWNLOAD, 0.6, 1500 * MB, 2500 * MB, 90, total_estimated=True)
    assert describe_progress(progress) == "Downloading: 1,500 MB of about 2,500 MB (60%), about 1 min 00 s left"


def test_download_without_elapsed_time_has_no_time_left():
    assert describe_progress(LoadProgress(DOWNLOAD, None, 50 * MB, 200 * MB)) == "Downloading: 50 MB of 200 MB (25%)"


@pytest.mark.parametrize("progress, text", [
    (LoadProgress(DOWNLOAD, 0.0, 0, 200 * MB, 3), "Downloading: 0 MB (0%)"),  # no rate yet
    (LoadProgress(DOWNLOAD, 1.0, 880 * MB, 880 * MB, 80), "Downloading: 880 MB (100%)"),
    (LoadProgress(DOWNLOAD, None, 12 * MB, None), "Downloading: 12 MB"),
    (LoadProgress(DOWNLOAD, 0.426), "Downloading (43%)"),
    (LoadProgress(DOWNLOAD), "Starting…"),
    (LoadProgress(DOWNLOAD, 0.0), "Downloading (0%)"),
])
def test_download_at_the_ends_or_without_figures(progress, text):
    assert describe_progress(progress) == text


@pytest.mark.parametrize("progress, text", [
    (LoadProgress(DEVICE, 0.15, 1200 * MB), "Loading from this device: 1,200 MB (15%)"),
    (LoadProgress(DEVICE, 0.5), "Loading from this device (50%)"),
    (LoadProgress(DEVICE), "Loading from this device…"),
    (LoadProgress(PREPARE, 0.25), "Preparing the model…"),
    (LoadProgress(PREPARE), "Preparing the model…"),
])
def test_loading_from_the_device_and_preparing(progress, text):
    assert describe_progress(progress) == text


# format_duration


@pytest.mark.parametrize("seconds, text", [
    (-3, "0 s"), (0, "0 s"), (0.4, "0 s"), (59, "59 s"), (59.6, "1 min 00 s"), (68, "1 min 08 s"),
    (3599, "59 min 59 s"), (3600, "1 h 00 min"), (3725, "1 h 02 min"), (90000, "25 h 00 min"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


# format_speed


@pytest.mark.parametrize("stats", [
    None, Stats(), Stats(decode_tokens_per_s=float("nan")), Stats(decode_tokens_per_s=0),
    Stats(decode_tokens_per_s=-1.0), Stats(decode_tokens_per_s=float("inf")), Stats(decode_tokens_per_s=True),
])
def test_format_speed_is_empty_without_a_usable_figure(stats):
    assert format_speed(stats) == ""


def test_format_speed_normal():
    assert format_speed(Stats(decode_tokens_per_s=12.345, prefill_tokens_per_s=300.0)) == "12.3 tokens/s"
    assert format_speed(Stats(decode_tokens_per_s=40)) == "40.0 tokens/s"


# describe_load_error, by kind

TOO_BIG = (f"{LABEL} is too big for this device's memory.",
           "Pick a smaller model, then reload the page to free the memory.")
CUT_OFF = ("The model download was cut off.",
           "Try again: the parts already downloaded are kept, so it resumes where it stopped.")
OFFLINE = (f"You're offline, and {LABEL} hasn't been downloaded to this device yet.",
           "Connect to the internet once to download it; after that it works offline.")


def test_host_unreachable_names_the_host_and_offers_a_retry():
    error = HostUnreachable("TypeError: Failed to fetch", host="huggingface.co")
    assert describe_load_error(error, model_label=LABEL) == (
        "Cannot reach the model host (huggingface.co). Nothing was downloaded.",
        "Check the connection (or whether the host is blocked here), then try again.")
    assert describe_load_error(HostUnreachable("x"), model_label=LABEL)[0] == (
        "Cannot reach the model host (the model's server). Nothing was downloaded.")


def test_a_cut_download_is_resumable():
    assert describe_load_error(DownloadCut("TypeError: network error"), model_label=LABEL) == CUT_OFF


@pytest.mark.parametrize("error", [HostUnreachable("x", host="h"), DownloadCut("x"), EngineError("odd")])
def test_offline_network_failures_say_so(error):
    assert describe_load_error(error, online=False, model_label=LABEL) == OFFLINE


def test_out_of_memory_offers_a_smaller_model_and_a_reload():
    assert describe_load_error(OutOfMemory("DeviceLostError: lost"), model_label=LABEL) == TOO_BIG
    assert needs_reload(OutOfMemory("x")) and not needs_reload(DownloadCut("x"))
    assert describe_load_error(OutOfMemory("x"))[0] == "this model is too big for this device's memory."


def test_quota_whatever_the_network():
    expected = ("There is not enough storage space on this device for the model.",
                "Free some space (delete a downloaded model or other site data) and try again.")
    assert describe_load_error(QuotaExceeded("q"), model_label=LABEL) == expected
    assert describe_load_error(QuotaExceeded("q"), online=False, model_label=LABEL) == expected


def test_unsupported_points_to_another_model():
    assert describe_load_error(Unsupported("WebGPUNotAvailableError: no WebGPU"), model_label=LABEL) == (
        f"This browser cannot run {LABEL}: WebGPUNotAvailableError: no WebGPU",
        "Pick another model, such as one that runs on the CPU.")
    assert describe_load_error(Unsupported("ShaderF16SupportError: needs shader-f16"), model_label=LABEL) == (
        f"Your GPU cannot run {LABEL} (it lacks 16-bit float support).",
        "Pick a 32-bit (q4f32) model, or one that runs on the CPU.")
    assert describe_load_error(Unsupported(), model_label=LABEL)[0] == f"This browser cannot run {LABEL}."


def test_other_errors_show_their_detail():
    assert describe_load_error(EngineError("Error: something new"), model_label=LABEL) == (
        "The model could not be loaded: Error: something new", "Try again, or pick another model.")
    assert describe_load_error(EngineError(""))[0] == "The model could not be loaded: unknown error"


# describe_generate_error


def test_generate_errors():
    assert describe_generate_error(OutOfMemory("DeviceLostError")) == (
        "The GPU stopped responding or the model ran out of memory. Reload the page, then pick a smaller model.")
    assert describe_generate_error(EngineError("ContextWindowSizeExceededError: 5000 > 4096")) == (
        "The answer was cut short by an error: ContextWindowSizeExceededError: 5000 > 4096")
    assert describe_generate_error(EngineError()) == "The answer was cut short by an error: unknown error"


# What runs here

GPU = Availability(True, f16=True)
SOFTWARE = Availability(True, reason="software adapter (SwiftShader)", preferred=False)
CPU = Availability(True, threads=1)
NO = Availability(False, reason="navigator.gpu is missing")


def test_a_real_gpu_needs_no_note():
    assert engine_note({WEBLLM: GPU, WLLAMA: CPU}) == ""


def test_without_webgpu_the_note_says_what_runs_instead():
    note = engine_note({WEBLLM: NO, WLLAMA: CPU, PROMPT_API: NO})
    assert note == "This browser offers no WebGPU, so models run on the CPU (more slowly)."
    assert "needs WebGPU" not in note
    assert engine_note({WEBLLM: NO, WLLAMA: CPU, PROMPT_API: Availability(True)}) == (
        "This browser offers no WebGPU, so models run on the CPU (more slowly) "
        "or with the model built into this browser.")


def test_a_software_gpu_is_named():
    assert engine_note({WEBLLM: SOFTWARE, WLLAMA: CPU}) == (
        "This browser's GPU is a slow software one, so models run on the CPU; GPU models are listed last.")


def test_no_engine_at_all_still_says_the_list_works():
    message, advice = no_engine_message({WEBLLM: NO, WLLAMA: Availability(False, reason="no WebAssembly")})
    assert message.endswith("Your to-do list works here as usual.")
    assert advice == "webllm: navigator.gpu is missing; wllama: no WebAssembly"


def test_a_cut_download_on_an_engine_that_does_not_resume_says_it_starts_again():
    assert describe_load_error(DownloadCut("x"), model_label=LABEL, resumes=False) == (
        "The model download was cut off.", "Try again: the download starts again from the beginning.")


def test_the_cancelled_text_says_whether_the_download_resumes():
    assert cancelled_text() == "Cancelled. The parts already downloaded are kept for next time."
    assert cancelled_text(resumes=False) == "Cancelled. The next start downloads the model again from the beginning."
