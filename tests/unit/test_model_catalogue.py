"""Tests for app.assistant.models.catalogue and app.assistant.models.choice: the models offered, and which suit this GPU."""

import json

import pytest

from app.assistant.models import catalogue as models
from app.assistant.engines.port import Availability
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.models.catalogue import Model, built_in_gguf_models, built_in_models, format_size
from app.assistant.models.choice import choose, fits_adapter, groups, offered
from app.assistant.models.site import parse_custom_models

SEED_ID = "Llama-3.2-3B-Instruct-q4f32_1-MLC"
# A desktop GPU's adapter (limits in MiB), one without shader-f16, SwiftShader, and the CPU engine.
GPU_F16 = Availability(True, f16=True, max_storage_buffer_mb=2048, max_buffer_mb=4096)
GPU = Availability(True, f16=False, max_storage_buffer_mb=2048, max_buffer_mb=4096)
SOFTWARE = Availability(True, reason="software adapter (SwiftShader)", preferred=False, f16=False,
                        max_storage_buffer_mb=1024, max_buffer_mb=1024)
CPU = Availability(True, threads=1)
NO = Availability(False, reason="not here")
GGUF_IDS = ["SmolLM2-360M-Instruct-Q8_0-GGUF", "Qwen2.5-0.5B-Instruct-Q8_0-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M-GGUF"]
F32_IDS = ["SmolLM2-360M-Instruct-q4f32_1-MLC", "Qwen2.5-0.5B-Instruct-q4f32_1-MLC",
           "Llama-3.2-1B-Instruct-q4f32_1-MLC", "Qwen2.5-1.5B-Instruct-q4f32_1-MLC", SEED_ID]


def ids(model_list):
    return [m.model_id for m in model_list]


WLLAMA_ENTRY = {"engine": "wllama", "model_id": "Tiny-GGUF", "url": "/models/tiny.Q4_1.gguf", "size": 98.4}
VALID = {"model_id": "Tiny-q4f32_1-MLC", "model": "/models/tiny/", "model_lib": "/models/tiny.wasm", "size": 300}


# built_in_models


def test_without_shader_f16_every_family_is_offered_as_q4f32():
    assert ids(built_in_models(False)) == [
        "SmolLM2-360M-Instruct-q4f32_1-MLC",
        "Qwen2.5-0.5B-Instruct-q4f32_1-MLC",
        "Llama-3.2-1B-Instruct-q4f32_1-MLC",
        "Qwen2.5-1.5B-Instruct-q4f32_1-MLC",
        "Llama-3.2-3B-Instruct-q4f32_1-MLC",
    ]
    assert not any(m.needs_f16 for m in built_in_models(False))
    assert any(m.needs_f16 for m in built_in_models(True))  # the ones left out


def test_with_shader_f16_every_family_is_offered_as_q4f16_plus_the_seed_model():
    offered = built_in_models(True)
    assert ids(offered) == [
        "SmolLM2-360M-Instruct-q4f16_1-MLC",
        "Qwen2.5-0.5B-Instruct-q4f16_1-MLC",
        "Llama-3.2-1B-Instruct-q4f16_1-MLC",
        "Qwen2.5-1.5B-Instruct-q4f16_1-MLC",
        "Llama-3.2-3B-Instruct-q4f16_1-MLC",
        SEED_ID,
    ]
    assert [m.needs_f16 for m in offered] == [True] * 5 + [False]
    assert offered[-1].label == "Llama 3.2 3B, 32-bit (best answers, needs a strong GPU)"


@pytest.mark.parametrize("f16", [False, True])
def test_the_seed_model_is_always_offered_on_a_gpu(f16):
    assert SEED_ID in ids(offered({WEBLLM: GPU if not f16 else GPU_F16}, []))


@pytest.mark.parametrize("has_f16", [False, True])
def test_models_go_from_small_to_large(has_f16):
    offered = built_in_models(has_f16)
    families = [m.label.split(" (")[0].split(",")[0] for m in offered]
    expected = ["SmolLM2 360M", "Qwen2.5 0.5B", "Llama 3.2 1B", "Qwen2.5 1.5B", "Llama 3.2 3B"]
    assert families[:5] == expected
    # Parameters grow down the list; so does the memory needed, except that Qwen2.5 0.5B's q4f16
    # build (945 MB) needs more than Llama 3.2 1B's (879 MB), as in WebLLM's records.
    sizes = [m.size_mb for m in offered]
    if has_f16:
        assert sizes == [376, 945, 879, 1630, 2264, 2952]
    else:
        assert sizes == sorted(sizes) == [580, 1060, 1129, 1889, 2952]


def test_every_built_in_model_has_webllm_defaults_and_no_custom_record():
    for m in built_in_models(True) + built_in_models(False):
        assert m.context_window == 4096 and m.record is None


# option_text and format_size


def test_option_text_shows_the_label_and_the_size():
    smallest, *_, seed = built_in_models(False)
    assert smallest.option_text == "SmolLM2 360M (fastest, basic answers) — 580 MB GPU memory"
    assert seed.option_text == "Llama 3.2 3B (best answers, needs a strong GPU) — 3.0 GB GPU memory"
    assert built_in_models(False)[1].option_text == "Qwen2.5 0.5B (fast) — 1.1 GB GPU memory"


@pytest.mark.parametrize("size, text", [
    (0, "0 MB"), (376, "376 MB"), (579.61, "580 MB"), (999, "999 MB"),
    (1000, "1.0 GB"), (1129, "1.1 GB"), (2263.69, "2.3 GB"), (12500, "12.5 GB"),
])
def test_format_size(size, text):
    assert format_size(size) == text


def test_repr_names_the_id_and_size():
    assert repr(Model("x", "X", 12)) == "Model('x', 12 MB)"


# choose


def test_choose_prefers_the_remembered_model():
    offered = built_in_models(False)
    assert choose(offered, "Qwen2.5-1.5B-Instruct-q4f32_1-MLC") is offered[3]


@pytest.mark.parametrize("has_f16, expected", [
    (False, "Llama-3.2-1B-Instruct-q4f32_1-MLC"), (True, "Llama-3.2-1B-Instruct-q4f16_1-MLC")])
def test_choose_falls_back_to_the_default_family(has_f16, expected):
    offered = built_in_models(has_f16)
    assert choose(offered, None).model_id == expected
    assert choose(offered, "Gone-q4f16_1-MLC").model_id == expected  # remembered but no longer offered
    assert models.DEFAULT_FAMILY == "Llama 3.2 1B"


def test_choose_falls_back_to_the_first_model_then_to_none():
    only_site, _ = parse_custom_models(json.dumps({"models": [
        dict(VALID, model_id="A-q4f32_1-MLC"), dict(VALID, model_id="B-q4f32_1-MLC")]}))
    assert choose(only_site, "missing") is only_site[0]
    assert choose([], "anything") is None
    assert choose([], None) is None


def test_choose_without_availabilities_keeps_the_webllm_default():
    assert choose(built_in_gguf_models() + built_in_models(False), None).model_id == "Llama-3.2-1B-Instruct-q4f32_1-MLC"


# The CPU (wllama) and built-in (Prompt API) models


def test_the_curated_gguf_models_are_small_hugging_face_files_smallest_first():
    models = built_in_gguf_models()
    assert ids(models) == GGUF_IDS
    assert [m.size_mb for m in models] == sorted(m.size_mb for m in models) == [386, 676, 808]
    for m in models:
        assert m.engine == WLLAMA and m.record is None and not m.needs_f16 and m.context_window == 4096
        assert m.url.startswith("https://huggingface.co/") and "/resolve/main/" in m.url
        assert m.url.endswith(".gguf") and m.size_mb < 1200
    assert models[0].option_text == "SmolLM2 360M (fastest, basic answers) — 386 MB download"


def test_the_built_in_browser_model_costs_no_download():
    (model,) = offered({PROMPT_API: Availability(True)}, [])
    assert (model.model_id, model.engine, model.size_mb, model.context_window) == (
        "chrome-built-in", PROMPT_API, 0, 4096)
    assert model.option_text == "Built into this browser (Gemini Nano) — built into the browser"


# fits_adapter: WebLLM's own rules


def test_f16_builds_need_shader_f16():
    f16, f32 = built_in_models(True)[0], built_in_models(False)[0]
    assert fits_adapter(f16, GPU_F16) and not fits_adapter(f16, GPU)
    assert fits_adapter(f32, GPU) and fits_adapter(f32, GPU_F16)


@pytest.mark.parametrize("binding, buffer, fits", [
    (None, None, True),  # limits not reported: not held against the model
    (1024, 1024, True),
    (128, 256, True),  # the runtime's fallback minimums
    (127, 256, False),
    (128, 255, False),
])
def test_the_runtime_needs_128_mib_bindings_and_256_mib_buffers(binding, buffer, fits):
    adapter = Availability(True, max_storage_buffer_mb=binding, max_buffer_mb=buffer)
    assert fits_adapter(built_in_models(False)[0], adapter) is fits


def test_a_128_mib_binding_limit_is_a_low_resource_device():
    adapter = Availability(True, max_storage_buffer_mb=128, max_buffer_mb=4096)
    assert fits_adapter(Model("a", "A", 100, low_resource=True), adapter)
    assert not fits_adapter(Model("b", "B", 100, low_resource=False), adapter)
    assert fits_adapter(Model("b", "B", 100, low_resource=False), GPU)


def test_a_records_buffer_size_must_fit_the_binding_limit():
    adapter = Availability(True, max_storage_buffer_mb=256, max_buffer_mb=4096)
    assert fits_adapter(Model("a", "A", 100, buffer_bytes=256 << 20), adapter)
    assert not fits_adapter(Model("a", "A", 100, buffer_bytes=(256 << 20) + 1), adapter)


# offered, groups and choose by capability


def test_a_real_gpu_offers_webllm_then_the_cpu_models():
    models = offered({WEBLLM: GPU, WLLAMA: CPU, PROMPT_API: NO}, [])
    assert ids(models) == F32_IDS + GGUF_IDS
    assert [(label, ids(group)) for label, group in groups(models, {WEBLLM: GPU})] == [
        ("On this device's GPU (WebLLM)", F32_IDS), ("On the CPU (llama.cpp)", GGUF_IDS)]
    assert choose(models, None, {WEBLLM: GPU, WLLAMA: CPU}).model_id == "Llama-3.2-1B-Instruct-q4f32_1-MLC"


def test_the_built_in_model_is_listed_first_but_a_real_gpu_is_still_chosen():
    available = {WEBLLM: GPU_F16, WLLAMA: CPU, PROMPT_API: Availability(True)}
    models = offered(available, [])
    assert models[0].model_id == "chrome-built-in" and models[1].engine == WEBLLM and models[-1].engine == WLLAMA
    assert [label for label, _ in groups(models, available)] == [
        "Built into this browser", "On this device's GPU (WebLLM)", "On the CPU (llama.cpp)"]
    assert choose(models, None, available).model_id == "Llama-3.2-1B-Instruct-q4f16_1-MLC"


def test_without_a_gpu_the_built_in_model_is_chosen_where_available():
    available = {WEBLLM: NO, WLLAMA: CPU, PROMPT_API: Availability(True)}
    models = offered(available, [])
    assert ids(models) == ["chrome-built-in"] + GGUF_IDS
    assert choose(models, None, available).model_id == "chrome-built-in"


def test_with_neither_gpu_nor_built_in_model_the_default_cpu_model_is_chosen():
    available = {WEBLLM: NO, WLLAMA: CPU, PROMPT_API: NO}
    models = offered(available, [])
    assert ids(models) == GGUF_IDS
    assert choose(models, None, available).model_id == "Qwen2.5-0.5B-Instruct-Q8_0-GGUF"
    assert choose(models, "SmolLM2-360M-Instruct-Q8_0-GGUF", available).model_id == GGUF_IDS[0]


def test_a_software_adapter_lists_its_webllm_models_last_named_as_such_and_prefers_the_cpu():
    available = {WEBLLM: SOFTWARE, WLLAMA: CPU}
    models = offered(available, [])
    assert ids(models) == GGUF_IDS + F32_IDS
    assert [label for label, _ in groups(models, available)] == [
        "On the CPU (llama.cpp)", "On a software GPU (slow)"]
    assert choose(models, None, available).engine == WLLAMA
    assert choose(models, SEED_ID, available).model_id == SEED_ID  # a remembered choice stays


def test_site_models_join_their_engines_group_and_unfit_ones_are_dropped():
    site, _ = parse_custom_models(json.dumps({"models": [
        dict(VALID, model_id="Site-q4f16_1-MLC"), dict(VALID, model_id="Site-q4f32_1-MLC"), WLLAMA_ENTRY]}))
    models = offered({WEBLLM: GPU, WLLAMA: CPU}, site)
    assert ids(models) == F32_IDS + ["Site-q4f32_1-MLC"] + GGUF_IDS + ["Tiny-GGUF"]
    assert ids(offered({WLLAMA: CPU}, site)) == GGUF_IDS + ["Tiny-GGUF"]  # no GPU: no WebLLM model


def test_nothing_available_offers_nothing():
    assert offered({WEBLLM: NO, WLLAMA: NO, PROMPT_API: NO}, []) == []
    assert offered({}, []) == []
    assert choose([], None, {}) is None and groups([]) == []


def test_the_sites_own_model_is_chosen_before_the_built_in_default_of_its_engine():
    site, _ = parse_custom_models(json.dumps({"models": [dict(VALID, model_id="Site-q4f32_1-MLC"), WLLAMA_ENTRY]}))
    assert all(m.site for m in site) and not any(m.site for m in built_in_models(False) + built_in_gguf_models())
    on_gpu = {WEBLLM: GPU, WLLAMA: CPU}
    assert choose(offered(on_gpu, site), None, on_gpu).model_id == "Site-q4f32_1-MLC"
    on_cpu = {WEBLLM: NO, WLLAMA: CPU}
    assert choose(offered(on_cpu, site), None, on_cpu).model_id == "Tiny-GGUF"
    software = {WEBLLM: SOFTWARE, WLLAMA: CPU}
    assert choose(offered(software, site), None, software).model_id == "Tiny-GGUF"
    assert choose(offered(on_cpu, site), GGUF_IDS[0], on_cpu).model_id == GGUF_IDS[0]  # remembered wins
