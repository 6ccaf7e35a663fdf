"""What the assistant says about loading and failures: WebLLM's reports turned into plain words.

Pure Python. WebLLM reports progress as free text ("Fetching param cache[3/20]: 120MB fetched. 15%
completed, 12 secs elapsed. ...") and errors as strings from its worker ("WebGPUNotAvailableError:
..."); these functions turn both into what a person wants to know: how much, how long, what to do.
"""

import math
import re

WORKING_BROWSERS = "Chrome or Edge 113+ on Windows, macOS or ChromeOS, or Chrome 121+ on Android"

_FETCHING = re.compile(r"Fetching param cache\[(\d+)/(\d+)\]: (\d+)MB fetched\. (\d+)% completed, (\d+) secs elapsed")
_FROM_CACHE = re.compile(r"Loading model from cache\[(\d+)/(\d+)\]: (\d+)MB loaded\. (\d+)% completed")
_SHADERS = re.compile(r"Loading GPU shader modules\[(\d+)/(\d+)\]: (\d+)% completed")


def format_duration(seconds):
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe_progress(text, progress):
    """One line for the progress bar: MB of total, percent and time left while downloading."""
    match = _FETCHING.search(text)
    if match:
        fetched, percent, elapsed = int(match[3]), int(match[4]), int(match[5])
        if 0 < percent < 100:
            total = round(fetched * 100 / percent)
            left = elapsed * (100 - percent) / percent
            return f"Downloading: {fetched:,} MB of about {total:,} MB ({percent}%), about {format_duration(left)} left"
        return f"Downloading: {fetched:,} MB ({percent}%)"
    match = _FROM_CACHE.search(text)
    if match:
        return f"Loading from this device: {int(match[3]):,} MB ({match[4]}%)"
    match = _SHADERS.search(text)
    if match:
        return f"Preparing the GPU ({match[3]}%)"
    if text.startswith("Finish loading"):
        return "Ready"
    if text.startswith("Start to fetch"):
        return "Starting…"
    return f"Loading ({round(progress * 100)}%)"


def format_speed(usage_extra):
    """'12.3 tokens/s' from usage.extra (a dict), or '' when WebLLM gave no figure."""
    speed = (usage_extra or {}).get("decode_tokens_per_s")
    if not isinstance(speed, (int, float)) or not math.isfinite(speed) or speed <= 0:  # NaN happens
        return ""
    return f"{speed:.1f} tokens/s"


def _first_line(error_text):
    return ((error_text or "").strip() or "unknown error").splitlines()[0][:300]


def error_name(error_text):
    """The error class name WebLLM put before ': ' (its worker sends errors as strings)."""
    match = re.match(r"\s*(?:Error: )?([A-Za-z][A-Za-z0-9]*(?:Error|Exception)):", error_text or "")
    return match[1] if match else ""


def needs_reload(error_text):
    """True when the GPU device is lost or out of memory: only a page reload gets a fresh one."""
    lowered = (error_text or "").lower()
    return (error_name(error_text) == "DeviceLostError" or "device was lost" in lowered
            or "out of memory" in lowered or "allocation failed" in lowered)


def describe_load_error(error_text, *, online=True, model_label="this model"):
    """(message, advice) for a failed model load; advice names the action the user can take."""
    name = error_name(error_text)
    lowered = (error_text or "").lower()
    if name in ("WebGPUNotAvailableError", "WebGPUNotFoundError") or "webgpu is not supported" in lowered:
        return no_webgpu_message(), ""
    if name == "ShaderF16SupportError" or "shader-f16" in lowered:
        return (f"Your GPU cannot run {model_label} (it lacks 16-bit float support).",
                "Pick a 32-bit (q4f32) model instead.")
    if (name == "DeviceLostError" or "device was lost" in lowered or "out of memory" in lowered
            or "allocation failed" in lowered or "exceeds the maximum" in lowered):
        return (f"{model_label} is too big for this device's GPU memory.",
                "Pick a smaller model, then reload the page to reset the GPU.")
    if name == "QuotaExceededError" or "quota" in lowered:
        return ("There is not enough storage space on this device for the model.",
                "Free some space (delete a downloaded model or other site data) and try again.")
    if not online:
        return (f"You're offline, and {model_label} hasn't been downloaded to this device yet.",
                "Connect to the internet once to download it; after that it works offline.")
    if "fetch" in lowered or "network" in lowered or "request failed" in lowered or "cache" in lowered:
        return ("The model download was cut off.",
                "Try again: the parts already downloaded are kept, so it resumes where it stopped.")
    detail = _first_line(error_text)
    return f"The model could not be loaded: {detail}", "Try again, or pick another model."


def no_webgpu_message():
    return (f"The assistant needs WebGPU, which this browser does not offer. It works in {WORKING_BROWSERS}. "
            "Your to-do list works here as usual.")


def describe_generate_error(error_text):
    name = error_name(error_text)
    lowered = (error_text or "").lower()
    if name == "DeviceLostError" or "device was lost" in lowered:
        return "The GPU stopped responding (the model may be too big for it). Reload the page, then pick a smaller model."
    detail = _first_line(error_text)
    return f"The answer was cut short by an error: {detail}"
