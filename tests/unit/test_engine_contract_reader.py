"""Tests for tests/e2e/engine_contract.py: the engine-module contract read from its `.d.ts` file.

The e2e contract test trusts this reader to reject what the contract does not allow; these cases
show that it does, on the real definition.
"""

import pytest

from tests.e2e.engine_contract import ASYNC_ITERABLE, FUNCTION, PROMISE, UNDEFINED, problems, read

CONTRACT = read()
AVAILABILITY = {"available": True, "reason": "", "preferred": True, "f16": None, "maxStorageBufferBindingSize": None,
                "maxBufferSize": None, "threads": 4, "gpu": False}
RESULT = {"finish": "stop", "stats": {"completion_tokens": 3, "prompt_tokens": 9}, "error": None, "reading": None}


def test_it_reads_every_function_and_which_settle_later():
    assert set(CONTRACT.functions) == {"availability", "load", "cancelLoad", "unload", "generate", "stop", "prefill",
                                       "cancelPrefill", "reset", "cachedIds", "bytesOnDevice", "deleteModel"}
    promised = {name for name in CONTRACT.functions if CONTRACT.returns_promise(name)}
    assert promised == {"availability", "load", "unload", "prefill", "reset", "cachedIds", "bytesOnDevice",
                        "deleteModel"}
    assert CONTRACT.functions["unload"] == "Promise<Outcome<null>>"
    assert CONTRACT.value_type("unload") == "Outcome<null>" and CONTRACT.value_type("stop") == "void"


@pytest.mark.parametrize("value, type_text", [
    ({"value": AVAILABILITY}, "Outcome<Availability>"),
    ({"error": {"name": "TypeError", "message": "Failed to fetch", "received": 0, "host": "example.com"}},
     "Outcome<Loaded | null>"),
    ({"value": None}, "Outcome<Loaded | null>"),
    ({"value": {"context_window": 2048, "device": "cpu", "gpu_error": None}}, "Outcome<Loaded | null>"),
    ({"value": {"m": 12}}, "Outcome<Record<string, number>>"),
    ({"value": []}, "Outcome<string[]>"),
    ({"batches": ASYNC_ITERABLE, "result": RESULT, "fail": FUNCTION}, "Feed"),
    ({"batches": ASYNC_ITERABLE, "result": RESULT}, "Feed"),
    ({"phase": "download", "loaded": None, "total": None, "fraction": 0.5}, "LoadProgress"),
    (UNDEFINED, "void"),
])
def test_shapes_the_contract_allows(value, type_text):
    assert problems(CONTRACT, value, type_text) == []


@pytest.mark.parametrize("value, type_text, problem", [
    ({"value": {**AVAILABILITY, "gpu": None}}, "Outcome<Availability>", "value.value.gpu: None is not boolean"),
    ({"value": {k: v for k, v in AVAILABILITY.items() if k != "threads"}}, "Outcome<Availability>",
     "Availability has no threads"),
    ({"value": {**AVAILABILITY, "cores": 8}}, "Outcome<Availability>", "cores is not a field of Availability"),
    ({"value": None, "error": {"name": "X", "message": ""}}, "Outcome<null>", "is not undefined"),
    ({}, "Outcome<null>", "Failed has no error"),
    ({"value": UNDEFINED}, "Outcome<null>", "Settled has no value"),  # settle(async () => {}): {value: undefined}
    ({"error": {"name": "X"}}, "Outcome<null>", "EngineFailure has no message"),
    ({"value": {"m": "12"}}, "Outcome<Record<string, number>>", "value.value.m: '12' is not number"),
    ({"value": [3]}, "Outcome<string[]>", "value.value[0]: 3 is not string"),
    ({"batches": ["a"], "result": RESULT}, "Feed", "value.batches"),
    ({"batches": ASYNC_ITERABLE, "result": {**RESULT, "reading": {"done": 1}}}, "Feed", "Reading has no total"),
    ({"batches": ASYNC_ITERABLE, "result": {**RESULT, "stats": {"completion_tokens": "3"}}}, "Feed",
     "completion_tokens"),
    ({"phase": "loading", "loaded": None, "total": None}, "LoadProgress", "value.phase"),
    ({"phase": "device", "loaded": 10}, "LoadProgress", "LoadProgress has no total"),
    ({"phase": "download", "loaded": None, "total": None, "fraction": "0.5"}, "LoadProgress", "value.fraction"),
    (None, "void", "is not void"),
    (PROMISE, "void", "is not void"),
])
def test_shapes_the_contract_refuses(value, type_text, problem):
    found = problems(CONTRACT, value, type_text)
    assert found and problem in "\n".join(found), found


def test_an_unknown_type_is_an_error_of_the_definition_not_a_pass():
    with pytest.raises(ValueError, match="not one this reader knows"):
        problems(CONTRACT, {}, "Mystery")
