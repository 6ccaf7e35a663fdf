"""The site's own models, from `models.json`: WebLLM builds or GGUF files it serves or points to.

Pure Python. Each entry is `{"engine": "webllm"` (the default) `, model_id, model, model_lib,
size (GPU MB), label?, context_window?}` or `{"engine": "wllama", model_id, url (.gguf, absolute or
relative to the page: the adapter resolves it), size (download MB), label?, context_window?}`.
A bad entry is skipped with a problem text the picker shows; the good ones are kept.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from app.assistant.engines.names import WEBLLM, WLLAMA
from app.assistant.models.catalogue import DEFAULT_CONTEXT_WINDOW, Model

F16_BUILD = re.compile(r"q\d+f16")  # WebLLM builds that need shader-f16

def _text(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) and value else None


def _size(fields: dict[str, Any]) -> float | None:
    size = fields.get("size")
    return size if isinstance(size, (int, float)) and not isinstance(size, bool) and size > 0 else None


def _context(fields: dict[str, Any]) -> int | None:
    context = fields.get("context_window", DEFAULT_CONTEXT_WINDOW)
    ok = isinstance(context, int) and not isinstance(context, bool) and context >= 512
    return context if ok else None


def _webllm_entry(fields: dict[str, Any]) -> Model | str:
    if not all(_text(fields, k) for k in ("model_id", "model", "model_lib")) or not _size(fields):
        return "needs model_id, model, model_lib, size (MB)"
    context = _context(fields)
    if context is None:
        return "context_window must be a whole number of tokens (512 or more)"
    record = {"model_id": fields["model_id"], "model": fields["model"], "model_lib": fields["model_lib"],
              "vram_required_MB": fields["size"], "low_resource_required": True,
              "overrides": {"context_window_size": context}}
    label = _text(fields, "label") or fields["model_id"]
    return Model(fields["model_id"], f"{label} (this site)", fields["size"],
                 needs_f16=bool(F16_BUILD.search(fields["model_id"])), context_window=context, record=record,
                 site=True)


def _wllama_entry(fields: dict[str, Any]) -> Model | str:
    url = _text(fields, "url")
    if not _text(fields, "model_id") or not url or not _size(fields):
        return "a wllama model needs model_id, url (a .gguf file), size (download MB)"
    if not url.split("?")[0].lower().endswith(".gguf"):
        return "a wllama model's url must name a .gguf file"
    context = _context(fields)
    if context is None:
        return "context_window must be a whole number of tokens (512 or more)"
    label = _text(fields, "label") or fields["model_id"]
    return Model(fields["model_id"], f"{label} (this site)", fields["size"], engine=WLLAMA, url=url,
                 context_window=context, site=True)


_ENTRY_PARSERS: dict[str, Callable[[dict[str, Any]], Model | str]] = {WEBLLM: _webllm_entry, WLLAMA: _wllama_entry}


def parse_custom_models(text: str) -> tuple[list[Model], list[str]]:
    """Models from a site's models.json; returns (models, problems). Bad entries are skipped."""
    bad_file = "models.json is not a JSON object with a \"models\" list"
    try:
        entries = json.loads(text).get("models", [])
    except (ValueError, AttributeError):
        return [], [bad_file]
    if not isinstance(entries, list):
        return [], [bad_file]
    models: list[Model] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        fields = entry if isinstance(entry, dict) else {}
        engine = fields.get("engine", WEBLLM)
        parse = _ENTRY_PARSERS.get(engine) if isinstance(engine, str) else None
        result = parse(fields) if parse else 'unknown engine (use "webllm" or "wllama")'
        if isinstance(result, Model) and result.model_id in seen:
            result = f"model_id {result.model_id} is listed twice"
        if isinstance(result, str):
            problems.append(f"models.json entry {index + 1} skipped: {result}")
            continue
        seen.add(result.model_id)
        models.append(result)
    return models, problems
