"""Which of the catalogue's models this device can run, how the picker groups them, and which one is
chosen when the person has not picked one.

Pure Python. The models themselves (and the defaults) are app/assistant/models/catalogue.py's; this module
applies what the engines report about this device (app.assistant.engines.port.Availability per engine): WebLLM's
own rules for which model a WebGPU adapter can run (`fits_adapter`), the picker's order and groups
(`offered`, `groups`), and the choice by capability (`choose`). Kept apart from the catalogue:
that is data, checked against the engines' releases; this is the logic over a device's capabilities.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence

from app.assistant.engines.port import Availability
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.models.catalogue import (
    DEFAULT_FAMILY,
    DEFAULT_GGUF,
    Model,
    built_in_gguf_models,
    built_in_models,
    prompt_api_model,
)

MIB = 1 << 20

GROUP_LABELS = {
    PROMPT_API: "Built into this browser",
    WEBLLM: "On this device's GPU (WebLLM)",
    WLLAMA: "On the CPU (llama.cpp)",
}
SOFTWARE_GPU_GROUP = "On a software GPU (slow)"
GGUF_ON_GPU_GROUP = "On this device's GPU (llama.cpp)"


def fits_adapter(model: Model, availability: Availability) -> bool:
    """Can this WebGPU adapter run this WebLLM model? The rules WebLLM itself applies:

    - shader-f16 for q?f16 builds (WebLLM 0.2.86 throws ShaderF16SupportError without it);
    - the runtime's own minimum limits: it asks for 1 GiB buffers and falls back to maxBufferSize
      256 MiB and maxStorageBufferBindingSize 128 MiB, below which it refuses to start
      (lib/index.js, the adapter checks before `requestDevice`);
    - WebLLM's chat demo (web-llm PR #256, "Disable most models on Android phone") treats an adapter
      whose maxStorageBufferBindingSize is 128 MiB or less as a low-resource device and offers only
      models whose record has `low_resource_required: true`;
    - and (web-llm PR #310) a record's `buffer_size_required_bytes` must not exceed
      maxStorageBufferBindingSize.
    Limits the adapter did not report are not held against a model. Availability gives the limits
    in MiB (2**20 bytes; WebGPU's limits are powers of two).
    """
    if model.needs_f16 and not availability.f16:
        return False
    binding, buffer = availability.max_storage_buffer_mb, availability.max_buffer_mb
    if buffer is not None and buffer * MIB < 1 << 28:
        return False
    if binding is not None:
        if binding * MIB < 1 << 27:
            return False
        if binding * MIB <= 1 << 27 and not model.low_resource:
            return False
        if model.buffer_bytes is not None and model.buffer_bytes > binding * MIB:
            return False
    return True


def offered(availabilities: Mapping[str, Availability], custom_models: Iterable[Model]) -> list[Model]:
    """Every model this device can run, grouped by engine, in picker order.

    The browser's own model first (this site downloads nothing for it); then WebLLM on a real GPU;
    then the CPU models (wherever WebAssembly runs); WebLLM on a software adapter (SwiftShader) last.
    `availabilities` maps engine names to app.assistant.engines.port.Availability; a missing name means unavailable.
    """
    def available(name: str) -> Availability | None:
        found = availabilities.get(name)
        return found if found is not None and found.available else None

    by_engine: dict[str, list[Model]] = {WEBLLM: [], WLLAMA: []}
    for model in custom_models:
        by_engine.setdefault(model.engine, []).append(model)
    result = []
    if available(PROMPT_API):
        result.append(prompt_api_model())
    gpu = available(WEBLLM)
    webllm: list[Model] = []
    if gpu:
        webllm = [m for m in built_in_models(gpu.f16) + by_engine[WEBLLM] if fits_adapter(m, gpu)]
    if gpu and gpu.preferred:
        result += webllm
    if available(WLLAMA):
        result += built_in_gguf_models() + by_engine[WLLAMA]
    if gpu and not gpu.preferred:
        result += webllm
    return result


def group_label(engine: str, availabilities: Mapping[str, Availability]) -> str:
    found = availabilities.get(engine)
    if engine == WEBLLM and found is not None and not found.preferred:
        return SOFTWARE_GPU_GROUP
    if engine == WLLAMA and found is not None and found.gpu:
        return GGUF_ON_GPU_GROUP
    return GROUP_LABELS.get(engine, engine)


def groups(models: Iterable[Model],
           availabilities: Mapping[str, Availability] | None = None) -> list[tuple[str, list[Model]]]:
    """[(group label, [models])] for the picker's <optgroup>s, in the order of `models`.

    WebLLM's group is named "On a software GPU (slow)" when its adapter is not preferred, and
    llama.cpp's "On this device's GPU (llama.cpp)" when it can put its models on a real GPU.
    """
    availabilities = availabilities or {}
    result: list[tuple[str, list[Model]]] = []
    for model in models:
        label = group_label(model.engine, availabilities)
        if result and result[-1][0] == label:
            result[-1][1].append(model)
        else:
            result.append((label, [model]))
    return result


def choose(models: Sequence[Model], remembered_id: str | None,
           availabilities: Mapping[str, Availability] | None = None) -> Model | None:
    """The remembered model if it is still offered; else by capability: on a real (preferred) GPU a
    WebLLM model, else the browser's own model, else a CPU model; else the first model, or None.

    Within WebLLM and the CPU engine, the site's own first model (models.json: served by the site,
    so it works where the model hosts are out of reach) comes before the built-in default
    (WebLLM's Llama 3.2 1B; Qwen2.5 0.5B on the CPU).
    """
    availabilities = availabilities or {}
    by_id = {m.model_id: m for m in models}
    if remembered_id in by_id:
        return by_id[remembered_id]

    def pick(engine: str, default: Callable[[Model], bool]) -> Model | None:
        mine = [m for m in models if m.engine == engine]
        return next((m for m in mine if m.site), None) or next((m for m in mine if default(m)), None) or (
            mine[0] if mine else None)

    gpu = availabilities.get(WEBLLM)
    if gpu is None or (gpu.available and gpu.preferred):
        found = pick(WEBLLM, lambda m: m.label.startswith(DEFAULT_FAMILY))
        if found:
            return found
    found = pick(PROMPT_API, lambda m: True) or pick(WLLAMA, lambda m: m.model_id == DEFAULT_GGUF)
    return found or (models[0] if models else None)
