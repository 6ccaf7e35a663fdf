"""What the assistant says about loading, failures and speed, in plain words.

Pure Python, and engine-neutral: it reads the port's types (LoadProgress, the EngineError kinds,
Stats, Availability), never an engine's own strings (each engine module reports in one shape,
assets/engines/engine-module.d.ts; app/assistant/engines/reports.py reads it into types).
"""

import math
from collections.abc import Mapping

from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.engines.port import (
    DEVICE,
    DOWNLOAD,
    Availability,
    EngineError,
    Loaded,
    LoadProgress,
    Stats,
)

MB = 1_000_000

LOOP_NOTE = "The answer started repeating itself, so it was cut off."
STOPPED_NOTE = "Stopped."
LENGTH_NOTE = "The answer reached its length limit."
CANCELLED_TEXT = "Cancelled. The parts already downloaded are kept for next time."
CANCELLED_RESTART_TEXT = "Cancelled. The next start downloads the model again from the beginning."
RETRY_DOWNLOAD = "Try again: the parts already downloaded are kept, so it resumes where it stopped."
RETRY_RESTART = "Try again: the download starts again from the beginning."


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _mb(size_bytes: float) -> str:
    return f"{round(size_bytes / MB):,} MB"


def _percent(fraction: float) -> str:
    return f"{round(fraction * 100)}%"


def describe_progress(progress: LoadProgress) -> str:
    """One line for the progress bar from a LoadProgress: how much, of how much, how long left."""
    loaded, total, fraction = progress.loaded_bytes, progress.total_bytes, progress.fraction
    if progress.phase == DOWNLOAD:
        if loaded is None:
            return f"Downloading ({_percent(fraction)})" if fraction is not None else "Starting…"
        if not total or loaded >= total or loaded <= 0:
            return f"Downloading: {_mb(loaded)}" + (f" ({_percent(fraction)})" if fraction is not None else "")
        about = "about " if progress.total_estimated else ""
        text = f"Downloading: {_mb(loaded)} of {about}{_mb(total)} ({_percent(loaded / total)})"
        if progress.elapsed_s:
            left = progress.elapsed_s * (total - loaded) / loaded
            text += f", about {format_duration(left)} left"
        return text
    if progress.phase == DEVICE:
        amount = f": {_mb(loaded)}" if loaded is not None else ""
        percent = f" ({_percent(fraction)})" if fraction is not None else ""
        return f"Loading from this device{amount}{percent}" if amount or percent else "Loading from this device…"
    return "Preparing the model…"


def format_speed(stats: Stats | None) -> str:
    """'12.3 tokens/s' from Stats, or '' when the engine gave no usable figure."""
    speed = getattr(stats, "decode_tokens_per_s", None)
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) or speed <= 0:
        return ""
    return f"{speed:.1f} tokens/s"


def offline_message(model_label: str) -> tuple[str, str]:
    return (f"You're offline, and {model_label} hasn't been downloaded to this device yet.",
            "Connect to the internet once to download it; after that it works offline.")


def csp_blocked_message(origin: str, model_label: str) -> tuple[str, str]:
    """(message, advice) for a model whose host this site's Content-Security-Policy does not allow."""
    host = origin.split("://", 1)[-1]
    return (f"This site's Content-Security-Policy does not allow connections to {host}, so {model_label} "
            "cannot be downloaded. Nothing was downloaded.",
            f"The site's owner must add {origin} to connect-src in the Content-Security-Policy "
            "(index.html's, and the server's if it sends one).")


def cancelled_text(resumes: bool = True) -> str:
    return CANCELLED_TEXT if resumes else CANCELLED_RESTART_TEXT


def describe_load_error(error: EngineError, *, online: bool = True, model_label: str = "this model",
                        resumes: bool = True) -> tuple[str, str]:
    """(message, advice) for a failed load, from the EngineError's kind; advice names what to do."""
    kind, detail = error.kind, error.detail
    if kind == "quota":  # storage is full whatever the network does
        return ("There is not enough storage space on this device for the model.",
                "Free some space (delete a downloaded model or other site data) and try again.")
    if kind == "unsupported":
        if "shader-f16" in detail.lower() or "ShaderF16" in detail:
            return (f"Your GPU cannot run {model_label} (it lacks 16-bit float support).",
                    "Pick a 32-bit (q4f32) model, or one that runs on the CPU.")
        return (f"This browser cannot run {model_label}: {detail}" if detail else
                f"This browser cannot run {model_label}.", "Pick another model, such as one that runs on the CPU.")
    if kind == "memory":
        return (f"{model_label} is too big for this device's memory.",
                "Pick a smaller model, then reload the page to free the memory.")
    if not online:
        return offline_message(model_label)
    if kind == "unreachable":
        host = error.host or "the model's server"
        return (f"Cannot reach the model host ({host}). Nothing was downloaded.",
                "Check the connection (or whether the host is blocked here), then try again.")
    if kind == "network":
        return "The model download was cut off.", RETRY_DOWNLOAD if resumes else RETRY_RESTART
    return f"The model could not be loaded: {detail or 'unknown error'}", "Try again, or pick another model."


def describe_generate_error(error: EngineError) -> str:
    """The note under an answer that an engine error ended."""
    if error.kind == "memory":
        return ("The GPU stopped responding or the model ran out of memory. "
                "Reload the page, then pick a smaller model.")
    return f"The answer was cut short by an error: {error.detail or 'unknown error'}"


def needs_reload(error: EngineError) -> bool:
    """Only a page reload gets a fresh GPU device or wasm memory."""
    return error.kind == "memory"


def engine_note(availabilities: Mapping[str, Availability]) -> str:
    """A line on what runs here when there is no real GPU for WebLLM ('' when there is one)."""
    gpu = availabilities.get(WEBLLM)
    cpu = availabilities.get(WLLAMA)
    if gpu is not None and gpu.available and gpu.preferred:
        return ""
    builtin = availabilities.get(PROMPT_API)
    extra = " or with the model built into this browser" if builtin is not None and builtin.available else ""
    if cpu is None or not cpu.available:
        return ""
    if gpu is not None and gpu.available:
        return f"This browser's GPU is a slow software one, so models run on the CPU{extra}; GPU models are listed last."
    return f"This browser offers no WebGPU, so models run on the CPU (more slowly){extra}."


def no_engine_message(availabilities: Mapping[str, Availability | None]) -> tuple[str, str]:
    """(message, advice) when no engine can run here; the to-do list works all the same."""
    reasons = "; ".join(f"{name}: {found.reason}" for name, found in availabilities.items()
                        if found is not None and found.reason)
    return ("The assistant cannot run in this browser: it needs WebAssembly, WebGPU or a built-in model. "
            f"It works in current Chrome, Edge, Firefox and Safari. Your to-do list works here as usual.",
            reasons)


def running_text(label: str, loaded: Loaded) -> str:
    """The line under the picker once a model runs: where it runs, and why not on the GPU if it failed."""
    if loaded.gpu_error:
        return (f"{label} is running on this device's CPU: the GPU could not run it ({loaded.gpu_error}). "
                "It will start on the CPU from now on.")
    if loaded.device == "gpu":
        return f"{label} is running on this device's GPU."
    return f"{label} is running on this device."
