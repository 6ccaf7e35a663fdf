"""The model catalogue: which WebLLM models the picker offers, and which variant suits this GPU.

Pure Python. The built-in entries are records of WebLLM 0.2.86's `prebuiltAppConfig` (an e2e test
checks each id and size against the real module). A site can add its own models, for example ones
served from its own origin, through `models.json` (`{"models": [{model_id, model, model_lib, size,
label?, context_window?}]}`).
"""

import json
import re

_F16 = re.compile(r"q\d+f16")

DEFAULT_CONTEXT_WINDOW = 4096

# (family label, parameters, q4f16 id, q4f16 VRAM MB, q4f32 id, q4f32 VRAM MB), smallest first.
BUILT_IN = (
    ("SmolLM2 360M", "fastest, basic answers",
     "SmolLM2-360M-Instruct-q4f16_1-MLC", 376, "SmolLM2-360M-Instruct-q4f32_1-MLC", 580),
    ("Qwen2.5 0.5B", "fast",
     "Qwen2.5-0.5B-Instruct-q4f16_1-MLC", 945, "Qwen2.5-0.5B-Instruct-q4f32_1-MLC", 1060),
    ("Llama 3.2 1B", "balanced",
     "Llama-3.2-1B-Instruct-q4f16_1-MLC", 879, "Llama-3.2-1B-Instruct-q4f32_1-MLC", 1129),
    ("Qwen2.5 1.5B", "better answers",
     "Qwen2.5-1.5B-Instruct-q4f16_1-MLC", 1630, "Qwen2.5-1.5B-Instruct-q4f32_1-MLC", 1889),
    ("Llama 3.2 3B", "best answers, needs a strong GPU",
     "Llama-3.2-3B-Instruct-q4f16_1-MLC", 2264, "Llama-3.2-3B-Instruct-q4f32_1-MLC", 2952),
)
DEFAULT_FAMILY = "Llama 3.2 1B"


class Model:
    """One choice in the picker. `record` is the WebLLM ModelRecord for custom models, else None."""

    __slots__ = ("model_id", "label", "size_mb", "needs_f16", "context_window", "record")

    def __init__(self, model_id, label, size_mb, needs_f16=False,
                 context_window=DEFAULT_CONTEXT_WINDOW, record=None):
        self.model_id = model_id
        self.label = label
        self.size_mb = size_mb
        self.needs_f16 = needs_f16
        self.context_window = context_window
        self.record = record

    @property
    def option_text(self):
        """What the picker shows: name, what it is good for, and what it costs."""
        return f"{self.label} — {format_size(self.size_mb)}"

    def __repr__(self):
        return f"Model({self.model_id!r}, {self.size_mb} MB)"


def format_size(size_mb):
    if size_mb >= 1000:
        return f"{size_mb / 1000:.1f} GB"
    return f"{round(size_mb)} MB"


def built_in_models(has_f16):
    """One entry per family: the q4f16 variant where the GPU has shader-f16, else q4f32.

    The seed article's Llama-3.2-3B-Instruct-q4f32_1-MLC is always offered, whatever the GPU.
    """
    models = []
    for family, note, f16_id, f16_mb, f32_id, f32_mb in BUILT_IN:
        if has_f16:
            models.append(Model(f16_id, f"{family} ({note})", f16_mb, needs_f16=True))
        else:
            models.append(Model(f32_id, f"{family} ({note})", f32_mb))
    if has_f16:
        family, note, _, _, f32_id, f32_mb = BUILT_IN[-1]
        models.append(Model(f32_id, f"{family}, 32-bit ({note})", f32_mb))
    return models


def parse_custom_models(text):
    """Models from a site's models.json; returns (models, problems). Bad entries are skipped."""
    bad_file = "models.json is not a JSON object with a \"models\" list"
    try:
        entries = json.loads(text).get("models", [])
    except (ValueError, AttributeError):
        return [], [bad_file]
    if not isinstance(entries, list):
        return [], [bad_file]
    models, problems = [], []
    for index, entry in enumerate(entries):
        fields = entry if isinstance(entry, dict) else {}
        missing = [k for k in ("model_id", "model", "model_lib") if not isinstance(fields.get(k), str) or not fields[k]]
        size = fields.get("size")
        if missing or not isinstance(size, (int, float)) or isinstance(size, bool) or size <= 0:
            problems.append(f"models.json entry {index + 1} skipped: needs model_id, model, model_lib, size (MB)")
            continue
        context = fields.get("context_window", DEFAULT_CONTEXT_WINDOW)
        record = {"model_id": fields["model_id"], "model": fields["model"], "model_lib": fields["model_lib"],
                  "vram_required_MB": fields["size"], "low_resource_required": True,
                  "overrides": {"context_window_size": context}}
        label = fields.get("label") or fields["model_id"]
        models.append(Model(fields["model_id"], f"{label} (this site)", fields["size"],
                            needs_f16=bool(_F16.search(fields["model_id"])), context_window=context, record=record))
    return models, problems


def usable(models, has_f16):
    """Drop models this GPU cannot run (f16 ones without shader-f16)."""
    return [m for m in models if has_f16 or not m.needs_f16]


def choose(models, remembered_id):
    """The remembered model if it is still offered, else the default family's variant, else the first."""
    by_id = {m.model_id: m for m in models}
    if remembered_id in by_id:
        return by_id[remembered_id]
    for m in models:
        if m.label.startswith(DEFAULT_FAMILY):
            return m
    return models[0] if models else None
