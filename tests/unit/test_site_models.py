"""Tests for app.assistant.models.site: the site's own models from models.json, WebLLM builds and GGUF files."""

import json

import pytest

from app.assistant.engines.names import WEBLLM, WLLAMA
from app.assistant.models.site import parse_custom_models

BAD_ENTRY = "models.json entry {} skipped: needs model_id, model, model_lib, size (MB)"
MALFORMED = 'models.json is not a JSON object with a "models" list'
VALID = {"model_id": "Tiny-q4f32_1-MLC", "model": "/models/tiny/", "model_lib": "/models/tiny.wasm", "size": 300}


def ids(model_list):
    return [m.model_id for m in model_list]


def custom(**fields):
    return json.dumps({"models": [fields]})


# parse_custom_models


def test_a_valid_entry_becomes_a_model_with_an_exact_webllm_record():
    text = json.dumps({"models": [{
        "model_id": "Site-Llama-q4f16_1-MLC", "model": "/models/site-llama/",
        "model_lib": "/models/site-llama.wasm", "size": 900.5, "label": "Site Llama", "context_window": 2048,
    }]})
    found, problems = parse_custom_models(text)
    assert problems == []
    (m,) = found
    assert (m.model_id, m.label, m.size_mb, m.needs_f16, m.context_window) == (
        "Site-Llama-q4f16_1-MLC", "Site Llama (this site)", 900.5, True, 2048)
    assert m.record == {
        "model_id": "Site-Llama-q4f16_1-MLC",
        "model": "/models/site-llama/",
        "model_lib": "/models/site-llama.wasm",
        "vram_required_MB": 900.5,
        "low_resource_required": True,
        "overrides": {"context_window_size": 2048},
    }
    assert m.option_text == "Site Llama (this site) — 900 MB GPU memory"


def test_a_minimal_entry_gets_the_id_as_label_and_the_default_context_window():
    (m,), problems = parse_custom_models(custom(**VALID))
    assert problems == []
    assert (m.label, m.needs_f16, m.context_window) == ("Tiny-q4f32_1-MLC (this site)", False, 4096)
    assert m.record == {
        "model_id": "Tiny-q4f32_1-MLC", "model": "/models/tiny/", "model_lib": "/models/tiny.wasm",
        "vram_required_MB": 300, "low_resource_required": True, "overrides": {"context_window_size": 4096},
    }


def test_bad_entries_are_skipped_with_a_problem_each_and_good_ones_kept():
    entries = [
        {k: v for k, v in VALID.items() if k != "model_lib"},  # 1: missing field
        dict(VALID, model_id="Good-q4f32_1-MLC"),  # 2: fine
        dict(VALID, size="300"),  # 3: size not a number
        "Tiny-q4f32_1-MLC",  # 4: not an object
        dict(VALID, model=""),  # 5: empty field
        dict(VALID, size=0),  # 6: no size
    ]
    found, problems = parse_custom_models(json.dumps({"models": entries}))
    assert ids(found) == ["Good-q4f32_1-MLC"]
    assert problems == [BAD_ENTRY.format(n) for n in (1, 3, 4, 5, 6)]


@pytest.mark.parametrize("text", ["{broken", "", "[1, 2]", "null", '"models"'])
def test_malformed_json_gives_no_models_and_one_problem(text):
    assert parse_custom_models(text) == ([], [MALFORMED])


def test_an_object_without_models_or_with_an_empty_list_gives_nothing_and_no_problem():
    assert parse_custom_models("{}") == ([], [])
    assert parse_custom_models('{"models": []}') == ([], [])


def test_an_entry_whose_model_id_is_not_a_string_is_skipped():
    assert parse_custom_models(custom(**dict(VALID, model_id=7))) == ([], [BAD_ENTRY.format(1)])


def test_any_f16_quantization_needs_shader_f16():
    (m,), _ = parse_custom_models(custom(**dict(VALID, model_id="Qwen3-0.6B-q0f16-MLC")))
    assert m.needs_f16


def test_models_that_is_not_a_list_is_reported():
    assert parse_custom_models(json.dumps({"models": VALID})) == ([], [MALFORMED])


# models.json: wllama entries and engines

WLLAMA_ENTRY = {"engine": "wllama", "model_id": "Tiny-GGUF", "url": "/models/tiny.Q4_1.gguf", "size": 98.4}


def test_a_wllama_entry_gives_a_cpu_model_with_its_url_and_download_size():
    (m,), problems = parse_custom_models(custom(**dict(WLLAMA_ENTRY, label="Tiny", context_window=2048)))
    assert problems == []
    assert (m.model_id, m.label, m.engine, m.url, m.size_mb, m.context_window, m.record) == (
        "Tiny-GGUF", "Tiny (this site)", WLLAMA, "/models/tiny.Q4_1.gguf", 98.4, 2048, None)
    assert m.option_text == "Tiny (this site) — 98 MB download"


def test_an_absolute_gguf_url_with_a_query_is_kept_as_it_is():
    url = "https://models.example/tiny.gguf?download=true"
    (m,), _ = parse_custom_models(custom(**dict(WLLAMA_ENTRY, url=url)))
    assert m.url == url and m.context_window == 4096 and m.label == "Tiny-GGUF (this site)"


def test_an_explicit_webllm_engine_is_the_default_kind():
    (m,), problems = parse_custom_models(custom(**dict(VALID, engine="webllm")))
    assert problems == [] and m.engine == WEBLLM and m.url is None


@pytest.mark.parametrize("entry, problem", [
    ({k: v for k, v in WLLAMA_ENTRY.items() if k != "url"},
     "a wllama model needs model_id, url (a .gguf file), size (download MB)"),
    (dict(WLLAMA_ENTRY, size=-1), "a wllama model needs model_id, url (a .gguf file), size (download MB)"),
    (dict(WLLAMA_ENTRY, url="/models/tiny.bin"), "a wllama model's url must name a .gguf file"),
    (dict(WLLAMA_ENTRY, context_window=100), "context_window must be a whole number of tokens (512 or more)"),
    (dict(VALID, context_window="4096"), "context_window must be a whole number of tokens (512 or more)"),
    (dict(WLLAMA_ENTRY, engine="onnx"), 'unknown engine (use "webllm" or "wllama")'),
    (dict(WLLAMA_ENTRY, engine=None), 'unknown engine (use "webllm" or "wllama")'),
])
def test_bad_wllama_and_engine_entries_are_skipped_with_a_reason(entry, problem):
    assert parse_custom_models(custom(**entry)) == ([], [f"models.json entry 1 skipped: {problem}"])


def test_a_model_id_listed_twice_keeps_the_first():
    found, problems = parse_custom_models(json.dumps({"models": [WLLAMA_ENTRY, dict(WLLAMA_ENTRY, size=5)]}))
    assert [m.size_mb for m in found] == [98.4]
    assert problems == ["models.json entry 2 skipped: model_id Tiny-GGUF is listed twice"]
