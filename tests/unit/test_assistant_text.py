"""Tests for app.assistant_text: WebLLM's progress texts and error strings turned into plain words.

The inputs are WebLLM 0.2.86's exact texts, as quoted in docs/webllm-api.md (sections 3 and 7).
"""

import pytest

from app.assistant_text import (
    WORKING_BROWSERS,
    describe_generate_error,
    describe_load_error,
    describe_progress,
    error_name,
    format_duration,
    format_speed,
    no_webgpu_message,
)

LABEL = "Llama 3.2 1B (balanced)"
FIRST_VISIT = (" It can take a while when we first visit this page to populate the cache."
               " Later refreshes will become faster.")


def fetching(i, n, mb, pct, secs):
    return (f"Fetching param cache[{i}/{n}]: {mb}MB fetched. {pct}% completed, {secs} secs elapsed."
            + FIRST_VISIT)


# describe_progress


def test_download_progress_gives_mb_of_total_percent_and_time_left():
    text = ("Fetching param cache[3/20]: 120MB fetched. 15% completed, 12 secs elapsed. It can take a while "
            "when we first visit this page to populate the cache. Later refreshes will become faster.")
    assert describe_progress(text, 0.15) == "Downloading: 120 MB of about 800 MB (15%), about 1 min 08 s left"


def test_download_progress_groups_thousands_and_estimates_from_the_text_not_the_progress_argument():
    assert describe_progress(fetching(40, 60, 1500, 60, 90), 0.99) == (
        "Downloading: 1,500 MB of about 2,500 MB (60%), about 1 min 00 s left")
    assert describe_progress(fetching(1, 60, 30, 1, 4), 0.01) == (
        "Downloading: 30 MB of about 3,000 MB (1%), about 6 min 36 s left")


@pytest.mark.parametrize("pct, mb, expected", [
    (0, 0, "Downloading: 0 MB (0%)"),  # no rate yet: no total, no time left
    (100, 880, "Downloading: 880 MB (100%)"),
])
def test_download_progress_at_the_ends_has_no_estimate(pct, mb, expected):
    assert describe_progress(fetching(20, 20, mb, pct, 80), pct / 100) == expected


def test_loading_from_the_cache():
    text = "Loading model from cache[3/20]: 1200MB loaded. 15% completed, 2 secs elapsed."
    assert describe_progress(text, 0.15) == "Loading from this device: 1,200 MB (15%)"


def test_shader_compilation():
    text = "Loading GPU shader modules[12/48]: 25% completed, 3 secs elapsed."
    assert describe_progress(text, 0.25) == "Preparing the GPU (25%)"


def test_finish_and_start():
    assert describe_progress("Finish loading on WebGPU - apple", 1) == "Ready"
    assert describe_progress("Start to fetch params", 0) == "Starting…"


def test_an_unknown_text_shows_the_progress_number():
    assert describe_progress("Compiling something new", 0.426) == "Loading (43%)"
    assert describe_progress("", 0) == "Loading (0%)"


# format_duration


@pytest.mark.parametrize("seconds, text", [
    (-3, "0 s"), (0, "0 s"), (0.4, "0 s"), (59, "59 s"), (59.6, "1 min 00 s"), (68, "1 min 08 s"),
    (3599, "59 min 59 s"), (3600, "1 h 00 min"), (3725, "1 h 02 min"), (90000, "25 h 00 min"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


# format_speed


@pytest.mark.parametrize("extra", [
    None, {}, {"decode_tokens_per_s": None}, {"decode_tokens_per_s": float("nan")},
    {"decode_tokens_per_s": 0}, {"decode_tokens_per_s": -1.0}, {"decode_tokens_per_s": "12"},
])
def test_format_speed_is_empty_without_a_usable_figure(extra):
    assert format_speed(extra) == ""


def test_format_speed_normal():
    assert format_speed({"decode_tokens_per_s": 12.345, "prefill_tokens_per_s": 300.0}) == "12.3 tokens/s"
    assert format_speed({"decode_tokens_per_s": 40}) == "40.0 tokens/s"


def test_format_speed_is_empty_for_infinity():
    assert format_speed({"decode_tokens_per_s": float("inf")}) == ""


# error_name


@pytest.mark.parametrize("text, name", [
    ("WebGPUNotAvailableError: WebGPU is not supported in your current environment, but it is necessary "
     "to run the WebLLM engine. Please make sure that your browser supports WebGPU and that it is enabled "
     "in your browser settings.", "WebGPUNotAvailableError"),
    ("Error: DeviceLostError: The WebGPU device was lost while loading the model.", "DeviceLostError"),
    ("TypeError: Failed to fetch", "TypeError"),
    ("  QuotaExceededError: quota", "QuotaExceededError"),
    ("Error: Unable to find a compatible GPU.", ""),  # a plain Error has no class worth naming
    ("Failed to fetch", ""),
    ("", ""),
    (None, ""),
])
def test_error_name(text, name):
    assert error_name(text) == name


def test_error_name_with_digits():
    assert error_name("ShaderF16SupportError: This model requires WebGPU extension shader-f16") == (
        "ShaderF16SupportError")


# describe_load_error

NO_WEBGPU = (f"The assistant needs WebGPU, which this browser does not offer. It works in {WORKING_BROWSERS}. "
             "Your to-do list works here as usual.")
TOO_BIG = (f"{LABEL} is too big for this device's GPU memory.",
           "Pick a smaller model, then reload the page to reset the GPU.")
CUT_OFF = ("The model download was cut off.",
           "Try again: the parts already downloaded are kept, so it resumes where it stopped.")


def test_no_webgpu_message():
    assert no_webgpu_message() == NO_WEBGPU
    assert WORKING_BROWSERS == "Chrome or Edge 113+ on Windows, macOS or ChromeOS, or Chrome 121+ on Android"


@pytest.mark.parametrize("text", [
    "WebGPUNotAvailableError: WebGPU is not supported in your current environment, but it is necessary "
    "to run the WebLLM engine.",
    "WebGPUNotFoundError: Cannot find WebGPU in the environment",
    "Error: WebGPU is not supported in your current environment",
])
def test_load_error_without_webgpu(text):
    assert describe_load_error(text, model_label=LABEL) == (NO_WEBGPU, "")


def test_load_error_without_shader_f16():
    text = ("ShaderF16SupportError: This model requires WebGPU extension shader-f16, which is not enabled "
            "in this browser. You can try to launch Chrome Canary in command line with flag "
            "\"--enable-dawn-features=allow_unsafe_apis\".")
    assert describe_load_error(text, model_label=LABEL) == (
        f"Your GPU cannot run {LABEL} (it lacks 16-bit float support).", "Pick a 32-bit (q4f32) model instead.")


@pytest.mark.parametrize("text", [
    "Error: DeviceLostError: The WebGPU device was lost while loading the model. This issue often occurs "
    "due to running out of memory (OOM). To reduce memory usage, try a smaller model.",
    "DeviceLostError: lost",
    "Error: Out of memory while allocating a buffer",
    "RangeError: Array buffer allocation failed",
])
def test_load_error_device_lost_or_out_of_memory(text):
    assert describe_load_error(text, model_label=LABEL) == TOO_BIG


def test_load_error_quota():
    expected = ("There is not enough storage space on this device for the model.",
                "Free some space (delete a downloaded model or other site data) and try again.")
    assert describe_load_error("QuotaExceededError: The quota has been exceeded.", model_label=LABEL) == expected
    # Storage is full whatever the network does.
    assert describe_load_error("QuotaExceededError: quota", online=False, model_label=LABEL) == expected


def test_load_error_offline():
    expected = (f"You're offline, and {LABEL} hasn't been downloaded to this device yet.",
                "Connect to the internet once to download it; after that it works offline.")
    assert describe_load_error("", online=False, model_label=LABEL) == expected
    assert describe_load_error("TypeError: Failed to fetch", online=False, model_label=LABEL) == expected


@pytest.mark.parametrize("text", [
    "TypeError: Failed to fetch",
    "TypeError: Failed to execute 'add' on 'Cache': Request failed",
    "Error: Cannot fetch https://huggingface.co/mlc-ai/x/resolve/main/params_shard_3.bin err= TypeError",
    "TypeError: NetworkError when attempting to fetch resource.",
])
def test_load_error_network_cut(text):
    assert describe_load_error(text, model_label=LABEL) == CUT_OFF


def test_load_error_unknown_shows_the_first_line_and_a_generic_advice():
    text = "Error: Unable to find a compatible GPU. This issue might be because your computer doesn't have a GPU\nat x.js:1"
    assert describe_load_error(text, model_label=LABEL) == (
        "The model could not be loaded: Error: Unable to find a compatible GPU. This issue might be because "
        "your computer doesn't have a GPU", "Try again, or pick another model.")
    assert describe_load_error("", model_label=LABEL) == (
        "The model could not be loaded: unknown error", "Try again, or pick another model.")
    assert describe_load_error("x" * 500)[0] == "The model could not be loaded: " + "x" * 300


def test_load_error_default_label():
    assert describe_load_error("DeviceLostError: lost")[0] == "this model is too big for this device's GPU memory."


def test_whitespace_only_error_text_is_an_unknown_error():
    assert describe_load_error("  \n ") == ("The model could not be loaded: unknown error",
                                            "Try again, or pick another model.")
    assert describe_generate_error("\n") == "The answer was cut short by an error: unknown error"


# describe_generate_error


def test_generate_error_device_lost():
    expected = ("The GPU stopped responding (the model may be too big for it). "
                "Reload the page, then pick a smaller model.")
    assert describe_generate_error("Error: DeviceLostError: The WebGPU device was lost.") == expected
    assert describe_generate_error("Error: the device was lost") == expected


def test_generate_error_other():
    text = "ContextWindowSizeExceededError: Prompt tokens exceed context window size: 5000 > 4096\nmore"
    assert describe_generate_error(text) == ("The answer was cut short by an error: ContextWindowSizeExceededError: "
                                             "Prompt tokens exceed context window size: 5000 > 4096")
    assert describe_generate_error("") == "The answer was cut short by an error: unknown error"
    assert describe_generate_error(None) == "The answer was cut short by an error: unknown error"
