r"""The JSON schema of the assistant's structured reply, and how each engine is handed it.

Pure Python. Every message gets one structured request whose reply is
`{"reply": "<text for the person>", "actions": [...]}`. app/actions.py reads what comes back and
checks it again in Python (a reply may be cut off, or come from an engine without constrained
decoding). Kept apart from that reading because the schema answers to the engines' grammar
compilers, as measured below.

The schema keeps to the JSON-schema subset that all three engines' constrained decoding accepts:
`type`, `properties`, `required`, `additionalProperties: false`, `enum`, `anyOf` of whole objects
(llama.cpp cannot mix `properties` with `anyOf` in one object), `items` and `maxItems`. Arrays are
bounded: a small model otherwise loops until `max_tokens` and leaves truncated JSON. Strings are
not, on purpose, as measured with the xgrammar inside WebLLM 0.2.86 and SmolLM2's 49,152-token
vocabulary: a `minLength` or `maxLength` turns a string into `[^"\\\r\n]{m,n}`, which forbids every
escape (no quote in a title, no line break in the reply), and a `maxLength` of 100 or more makes
the grammar take 5-10 s to compile (60 ms without), again for each new list, since the ids are in
the schema. Title lengths are checked in app/actions.py instead, and `max_tokens` bounds the whole reply.
bench/bench_reply_schema.py repeats those checks. llama.cpp's converter (the generation wllama 3.13
ships, compiled natively for the check) turns the schema into a grammar with the same key order,
the id enum and at most 20 actions, and, unlike xgrammar, bounds the whitespace between tokens.
"""

import json

MAX_ACTIONS = 20
"""The most changes one reply may propose (the schema's maxItems; more is rejected as a whole)."""


def reply_schema(short_ids=()):
    """The JSON schema of one structured reply; ids are limited to `short_ids` (none: adds only)."""
    title = {"type": "string"}
    variants = [_action(["add"], title=title)]
    if short_ids:
        known = {"type": "string", "enum": list(short_ids)}
        variants.append(_action(["complete", "reopen", "delete"], id=known))
        variants.append(_action(["rename"], id=known, title=title))
    return {
        "type": "object",
        "properties": {
            "reply": {"type": "string"},
            "actions": {
                "type": "array",
                "items": variants[0] if len(variants) == 1 else {"anyOf": variants},
                "maxItems": MAX_ACTIONS,
            },
        },
        "required": ["reply", "actions"],
        "additionalProperties": False,
    }


def _action(ops, **fields):
    return {
        "type": "object",
        "properties": {"op": {"type": "string", "enum": ops}, **fields},
        "required": ["op", *fields],
        "additionalProperties": False,
    }


def webllm_response_format(schema):
    """WebLLM 0.2.86's JSON mode: the schema goes in as a string."""
    return {"type": "json_object", "schema": json.dumps(schema)}


def wllama_response_format(schema):
    """wllama 3.13's OpenAI-style `response_format` (converted to a grammar by llama.cpp)."""
    return {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema, "strict": True}}


# The Prompt API takes the schema object itself: session.promptStreaming(text, {responseConstraint}).
