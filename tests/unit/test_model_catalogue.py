"""Tests for app.models: which models the picker offers, and which variant suits this GPU."""

import json

import pytest

from app import models
from app.models import Model, built_in_models, choose, format_size, parse_custom_models, usable

SEED_ID = "Llama-3.2-3B-Instruct-q4f32_1-MLC"
BAD_ENTRY = "models.json entry {} skipped: needs model_id, model, model_lib, size (MB)"
MALFORMED = 'models.json is not a JSON object with a "models" list'


def ids(model_list):
    return [m.model_id for m in model_list]


def custom(**fields):
    return json.dumps({"models": [fields]})


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


@pytest.mark.parametrize("has_f16", [False, True])
def test_the_seed_model_is_always_offered_and_usable(has_f16):
    offered = usable(built_in_models(has_f16), has_f16)
    assert SEED_ID in ids(offered)
    assert SEED_ID in ids(usable(built_in_models(has_f16), False))


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
    assert smallest.option_text == "SmolLM2 360M (fastest, basic answers) — 580 MB"
    assert seed.option_text == "Llama 3.2 3B (best answers, needs a strong GPU) — 3.0 GB"
    assert built_in_models(False)[1].option_text == "Qwen2.5 0.5B (fast) — 1.1 GB"


@pytest.mark.parametrize("size, text", [
    (0, "0 MB"), (376, "376 MB"), (579.61, "580 MB"), (999, "999 MB"),
    (1000, "1.0 GB"), (1129, "1.1 GB"), (2263.69, "2.3 GB"), (12500, "12.5 GB"),
])
def test_format_size(size, text):
    assert format_size(size) == text


def test_repr_names_the_id_and_size():
    assert repr(Model("x", "X", 12)) == "Model('x', 12 MB)"


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
    assert m.option_text == "Site Llama (this site) — 900 MB"


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


# usable


def test_usable_drops_f16_models_without_shader_f16_and_keeps_all_with_it():
    site, _ = parse_custom_models(json.dumps({"models": [
        dict(VALID, model_id="A-q4f16_1-MLC"), dict(VALID, model_id="B-q4f32_1-MLC")]}))
    offered = built_in_models(True) + site
    assert usable(offered, True) == offered
    assert ids(usable(offered, False)) == [SEED_ID, "B-q4f32_1-MLC"]


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
