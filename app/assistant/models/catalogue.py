"""The model catalogue: every model the app knows of, per engine, and the defaults among them.

Pure Python. Three engines (app/assistant/engines/port.py): WebLLM on the GPU, wllama (llama.cpp in WebAssembly) on
the CPU, and the browser's own model through Chrome's Prompt API.

Where the figures come from:
- WebLLM: the records of WebLLM 0.2.86's `prebuiltAppConfig` (node_modules/@mlc-ai/web-llm/lib/
  index.js): ids and `vram_required_MB`, all `low_resource_required: true`; an e2e test checks each
  id and size against the real module.
- wllama: the GGUF files and byte sizes listed in wllama's own demo app (ngxson/wllama,
  examples/main/src/config.ts, `LIST_MODELS`): SmolLM2-360M-Instruct Q8_0 386,404,992 bytes,
  Qwen2.5-0.5B-Instruct Q8_0 675,710,816, Llama-3.2-1B-Instruct Q4_K_M 807,690,656. wllama runs
  under about 2 GB of wasm memory, so nothing larger than about 1.2 GB is listed.

A site adds models through `models.json` (app/assistant/models/site.py). Which of these models this device
can run, how the picker groups them and which one is chosen: app/assistant/models/choice.py.
"""

from typing import Any

from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA

DEFAULT_CONTEXT_WINDOW = 4096
# Gemini Nano's window is larger (Chrome reports it as `contextWindow` once a session exists);
# this is what the prompt is budgeted to until the adapter learns the real figure.
PROMPT_API_CONTEXT_WINDOW = 4096

# (family label, what it is good for, q4f16 id, q4f16 VRAM MB, q4f32 id, q4f32 VRAM MB), smallest first.
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

_HF = "https://huggingface.co"
# (id, label, GGUF URL, download MB), smallest first.
BUILT_IN_GGUF = (
    ("SmolLM2-360M-Instruct-Q8_0-GGUF", "SmolLM2 360M (fastest, basic answers)",
     f"{_HF}/ngxson/SmolLM2-360M-Instruct-Q8_0-GGUF/resolve/main/smollm2-360m-instruct-q8_0.gguf", 386),
    ("Qwen2.5-0.5B-Instruct-Q8_0-GGUF", "Qwen2.5 0.5B (fast)",
     f"{_HF}/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q8_0.gguf", 676),
    ("Llama-3.2-1B-Instruct-Q4_K_M-GGUF", "Llama 3.2 1B (balanced, slower)",
     f"{_HF}/hugging-quants/Llama-3.2-1B-Instruct-Q4_K_M-GGUF/resolve/main/llama-3.2-1b-instruct-q4_k_m.gguf",
     808),
)
# The CPU default: Qwen2.5 0.5B answers about a list far better than SmolLM2 360M, at under 0.7 GB.
DEFAULT_GGUF = "Qwen2.5-0.5B-Instruct-Q8_0-GGUF"

PROMPT_API_ID = "chrome-built-in"

_SIZE_MEANS = {WEBLLM: "GPU memory", WLLAMA: "download"}


class Model:
    """One choice in the picker.

    `engine` names the engine that runs it. `record` is the WebLLM ModelRecord of a site's own
    WebLLM model (else None); `url` the GGUF of a wllama model (absolute, or relative to the page:
    the adapter resolves it). `size_mb` is GPU memory for WebLLM, the download for wllama, 0 for
    the browser's own model. `low_resource` and `buffer_bytes` are WebLLM's `low_resource_required`
    and `buffer_size_required_bytes` (see fits_adapter). `site` marks the site's own (models.json).
    """

    __slots__ = ("model_id", "label", "size_mb", "needs_f16", "context_window", "record", "engine", "url",
                 "low_resource", "buffer_bytes", "site")

    def __init__(self, model_id: str, label: str, size_mb: float, needs_f16: bool = False,
                 context_window: int = DEFAULT_CONTEXT_WINDOW, record: dict[str, Any] | None = None,
                 engine: str = WEBLLM, url: str | None = None, low_resource: bool = True,
                 buffer_bytes: int | None = None, site: bool = False) -> None:
        self.model_id = model_id
        self.label = label
        self.size_mb = size_mb
        self.needs_f16 = needs_f16
        self.context_window = context_window
        self.record = record
        self.engine = engine
        self.url = url
        self.low_resource = low_resource
        self.buffer_bytes = buffer_bytes
        self.site = site

    @property
    def option_text(self) -> str:
        """What the picker shows: name, what it is good for, and what it costs (and in what)."""
        if self.engine == PROMPT_API:
            return f"{self.label} — built into the browser"
        return f"{self.label} — {format_size(self.size_mb)} {_SIZE_MEANS.get(self.engine, '')}".rstrip()

    @property
    def download_urls(self) -> list[str]:
        """The URLs this model's files come from where the app knows them (a site's model, a GGUF);
        a built-in WebLLM model's come from WebLLM's own list, on hosts the page allows."""
        if self.url:
            return [self.url]
        if self.record:
            return [u for u in (self.record.get("model"), self.record.get("model_lib")) if isinstance(u, str)]
        return []

    def __repr__(self) -> str:
        return f"Model({self.model_id!r}, {self.size_mb} MB)"


def format_size(size_mb: float) -> str:
    if size_mb >= 1000:
        return f"{size_mb / 1000:.1f} GB"
    return f"{round(size_mb)} MB"


def built_in_models(has_f16: bool) -> list[Model]:
    """WebLLM: one entry per family, the q4f16 variant where the GPU has shader-f16, else q4f32.

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


def built_in_gguf_models() -> list[Model]:
    """The curated CPU (wllama) models, smallest first."""
    return [Model(model_id, label, size, engine=WLLAMA, url=url) for model_id, label, url, size in BUILT_IN_GGUF]


def prompt_api_model() -> Model:
    return Model(PROMPT_API_ID, "Built into this browser (Gemini Nano)", 0, engine=PROMPT_API,
                 context_window=PROMPT_API_CONTEXT_WINDOW)
