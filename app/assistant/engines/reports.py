"""The engine modules' reports read into the port's types: progress, errors and figures.

Pure Python. Every engine module reports in the one shape of the engine-module contract
(assets/engines/engine-module.d.ts): progress as {phase, loaded, total, fraction?, elapsed?,
estimated?}, errors as {name, message, host?, received?}, figures as the result's stats. Each module
reads its engine's own reports into those shapes (WebLLM's progress texts in webllm.js, say), so
nothing here names an engine. Error names are the contract and decide the kind; where a name says
too little (the browser's TypeError "Failed to fetch", a crashed wasm's RuntimeError "Aborted(OOM)")
well-known words of the message do.
"""

import math
from collections.abc import Mapping
from typing import Any

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

_PHASES = {DOWNLOAD, DEVICE, PREPARE}


def _number(value: object) -> float | None:
    """A finite non-negative number, or None (JS hands over NaN, null and strings too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value if value >= 0 else None


def _fraction(value: object) -> float | None:
    value = _number(value)
    return None if value is None else min(value, 1.0)


def _bytes(value: float | None) -> int | None:
    return None if value is None else int(value)


# Progress


def progress_from(report: Mapping[str, Any] | None) -> LoadProgress:
    """A module's progress report {phase, loaded, total, fraction?, elapsed?, estimated?} -> LoadProgress.

    `fraction` is the report's where it gives one, else loaded / total where both are known; an
    unknown phase is a download.
    """
    report = report or {}
    phase = report["phase"] if report.get("phase") in _PHASES else DOWNLOAD
    loaded, total = _number(report.get("loaded")), _number(report.get("total"))
    fraction = _fraction(report.get("fraction"))
    if fraction is None and loaded is not None and total:
        fraction = min(loaded / total, 1.0)
    return LoadProgress(phase, fraction, _bytes(loaded), _bytes(total), _number(report.get("elapsed")),
                        total_estimated=report.get("estimated") is True)


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


def first_line(text: str | None, limit: int = 300) -> str:
    return ((text or "").strip() or "unknown error").splitlines()[0][:limit]


def error_from(name: str | None, message: str | None, received_bytes: float | None = None,
               host: str = "") -> EngineError:
    """A module's error (its name and message) -> the EngineError subclass the person can act on.

    A network failure is HostUnreachable (naming `host`) when nothing arrived, DownloadCut when
    part of the model did or when the module cannot tell (`received_bytes` None): both offer a
    retry. (A name inside a message, as WebLLM's worker strings have it, is lifted out by the
    modules: stream.js `errorOf`.)
    """
    name = str(name or "")
    message = str(message or "")
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


def stats_from(raw: Mapping[str, Any] | None) -> Stats:
    """A generation result's `stats` (the contract's Stats, one flat dict) -> Stats.

    NaN, infinities, zero and negative figures (WebLLM reports NaN for a one-token answer) become
    None; an engine's own extra figures are left out.
    """
    raw = raw or {}
    figures: dict[str, float | None] = {}
    for key in _STAT_FIELDS:
        value = _number(raw.get(key))
        figures[key] = value if value else None
    tokens = _number(raw.get("completion_tokens"))
    return Stats(completion_tokens=None if tokens is None else int(tokens), **figures)
