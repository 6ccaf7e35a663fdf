"""Each engine's raw reports turned into the port's types: progress, errors and figures.

Pure Python, and the only place that reads an engine's own strings. The JS modules under
assets/engines/ pass their engine's raw reports as they are (docs/engines.md): WebLLM's progress
texts ("Fetching param cache[3/20]: 120MB fetched. 15% completed, 12 secs elapsed. …"), wllama's
byte counts, the Prompt API's download fractions, and every engine's error name and message.
"""

import math
import re

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

MIB = 1 << 20  # WebLLM's "MB" in its progress texts is Math.ceil(bytes / 2**20)

_FETCHING = re.compile(r"Fetching param cache\[(\d+)/(\d+)\]: (\d+)MB fetched\. (\d+)% completed, (\d+) secs elapsed")
_FROM_CACHE = re.compile(r"Loading model from cache\[(\d+)/(\d+)\]: (\d+)MB loaded\. (\d+)% completed")
_SHADERS = re.compile(r"Loading GPU shader modules\[(\d+)/(\d+)\]")
_PHASES = {DOWNLOAD, DEVICE, PREPARE}


def _number(value):
    """A finite non-negative number, or None (JS hands over NaN, null and strings too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value if value >= 0 else None


def _fraction(value):
    value = _number(value)
    return None if value is None else min(value, 1.0)


# Progress


def webllm_progress(report):
    """WebLLM's InitProgressReport {text, progress, timeElapsed?} -> LoadProgress."""
    text = str(report.get("text") or "")
    fraction = _fraction(report.get("progress"))
    elapsed = _number(report.get("timeElapsed"))
    match = _FETCHING.search(text)
    if match:
        fetched, percent, elapsed = int(match[3]) * MIB, int(match[4]), int(match[5])
        total = round(fetched * 100 / percent) if 0 < percent < 100 else (fetched if percent == 100 else None)
        return LoadProgress(DOWNLOAD, percent / 100, fetched, total, elapsed, total_estimated=percent < 100)
    match = _FROM_CACHE.search(text)
    if match:
        return LoadProgress(DEVICE, int(match[4]) / 100, int(match[3]) * MIB, None, elapsed)
    if _SHADERS.search(text) or text.startswith("Finish loading"):
        return LoadProgress(PREPARE, fraction, elapsed_s=elapsed)
    if text.startswith("Start to fetch"):  # sent even when every file is on this device already
        return LoadProgress(DOWNLOAD, None, elapsed_s=elapsed)
    # Texts not known here (new wording): phase by how far the load is.
    return LoadProgress(PREPARE if fraction is not None and fraction >= 1 else DOWNLOAD, fraction,
                        elapsed_s=elapsed)


def wllama_progress(report):
    """wllama's {loaded, total} bytes (from its cache too), or {phase: "prepare" | "device"}."""
    loaded, total = _number(report.get("loaded")), _number(report.get("total"))
    phase = report.get("phase") if report.get("phase") in _PHASES else DOWNLOAD
    fraction = min(loaded / total, 1.0) if loaded is not None and total else None
    if phase == PREPARE and loaded is None:
        fraction = None
    return LoadProgress(phase, fraction, None if loaded is None else int(loaded),
                        None if total is None else int(total))


def prompt_api_progress(report):
    """The Prompt API's downloadprogress {loaded: 0..1}, or {phase: "prepare"}."""
    if report.get("phase") in _PHASES and report.get("loaded") is None:
        return LoadProgress(report["phase"])
    return LoadProgress(DOWNLOAD, _fraction(report.get("loaded")))


_PROGRESS = {WEBLLM: webllm_progress, WLLAMA: wllama_progress, PROMPT_API: prompt_api_progress}


def progress_from(engine_name, report):
    """Any engine's raw progress report (a dict) -> LoadProgress."""
    return _PROGRESS[engine_name](report or {})


# Errors

_UNSUPPORTED_NAMES = {"WebGPUNotAvailableError", "WebGPUNotFoundError", "ShaderF16SupportError",
                      "NotSupportedError", "Unsupported"}
_CANCELLED_NAMES = {"Cancelled", "AbortError", "WllamaAbortError"}
_UNSUPPORTED_TEXTS = ("webgpu is not supported", "unable to find a compatible gpu", "shader-f16",
                      "webassembly is not", "no webassembly", "cannot initialize runtime because of requested")
_MEMORY_TEXTS = ("device was lost", "out of memory", "allocation failed", "could not allocate memory",
                 "aborted(oom)", "exceeds the maximum")
_NETWORK_TEXTS = ("failed to fetch", "networkerror", "network error", "load failed", "request failed",
                  "cannot fetch", "err_internet", "err_connection", "err_name_not_resolved", "fetch failed")
_NAME_IN_TEXT = re.compile(r"\s*(?:Error: )?([A-Za-z][A-Za-z0-9]*(?:Error|Exception)):")


def first_line(text, limit=300):
    return ((text or "").strip() or "unknown error").splitlines()[0][:limit]


def error_from(engine_name, name, message, received_bytes=None, host=""):
    """An engine's error (its name and message) -> the EngineError subclass the person can act on.

    A network failure is HostUnreachable (naming `host`) when nothing arrived, DownloadCut when
    part of the model did or when the adapter cannot tell (`received_bytes` None): both offer a
    retry. WebLLM's worker sends errors as strings ("Error: DeviceLostError: …"), so the name is
    also looked for at the start of the message.
    """
    name = str(name or "")
    message = str(message or "")
    if not name or name in ("Error", "TypeError", "RangeError"):
        found = _NAME_IN_TEXT.match(message)
        name = found[1] if found and found[1] not in ("TypeError", "RangeError") else name
    lowered = message.lower()
    if name and name not in message:
        message = f"{name}: {message}" if message else name
    detail = first_line(message)
    if name in _CANCELLED_NAMES:
        return Cancelled(detail)
    if name == "QuotaExceededError" or "quota" in lowered:
        return QuotaExceeded(detail)
    if name in _UNSUPPORTED_NAMES or any(t in lowered for t in _UNSUPPORTED_TEXTS):
        return Unsupported(detail)
    if name == "DeviceLostError" or any(t in lowered for t in _MEMORY_TEXTS):
        return OutOfMemory(detail)
    if name == "NetworkError" or any(t in lowered for t in _NETWORK_TEXTS):
        if received_bytes == 0:
            return HostUnreachable(detail, host=host)
        return DownloadCut(detail, host=host)
    return EngineError(detail, host=host)


# Figures

_STAT_FIELDS = ("decode_tokens_per_s", "prefill_tokens_per_s", "time_to_first_token_s")


def stats_from(raw):
    """Any engine's figures -> Stats: WebLLM's `usage` (figures under `extra`) or a flat dict.

    NaN, infinities, zero and negative figures (WebLLM reports NaN for a one-token answer) become
    None.
    """
    raw = dict(raw or {})
    raw.update(raw.pop("extra", None) or {})
    figures = {}
    for key in _STAT_FIELDS:
        value = _number(raw.get(key))
        figures[key] = value if value else None
    tokens = _number(raw.get("completion_tokens"))
    return Stats(completion_tokens=None if tokens is None else int(tokens), **figures)
