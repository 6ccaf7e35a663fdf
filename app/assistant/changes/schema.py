r"""The JSON schema of a change request: `{"changes": [...]}` (app/assistant/requests/plan.py).

Pure Python. Only a message that asks for a change gets a JSON request; its schema allows just the
kinds of change the message names, on just the to-dos it names (by their exact titles, as an
enum), with new titles chosen among the message's own phrases (app/assistant/requests/intent.py
`new_titles`). app/assistant/changes/reading.py checks what comes back again in Python (a reply may be cut off, or
come from an engine without constrained decoding). Kept apart from that reading because the
schema answers to the engines' grammar compilers, as measured below. Each engine module hands the
schema to its engine in that engine's own shape (docs/engines.md).

The schema keeps to the JSON-schema subset that all three engines' constrained decoding accepts:
`type`, `properties`, `required`, `additionalProperties: false`, `enum`, `anyOf` of whole objects
(llama.cpp cannot mix `properties` with `anyOf` in one object), `items` and `maxItems`. Arrays are
bounded: a small model otherwise loops until `max_tokens` and leaves truncated JSON. Strings are
not, on purpose, as measured with the xgrammar inside WebLLM 0.2.86 and SmolLM2's 49,152-token
vocabulary: a `minLength` or `maxLength` turns a string into `[^"\\\r\n]{m,n}`, which forbids every
escape (no quote or line break in a title), and a `maxLength` of 100 or more makes
the grammar take 5-10 s to compile (60 ms without), again for each new schema. Title lengths are
checked in app/assistant/changes/reading.py instead, and `max_tokens` bounds the whole answer. bench/studies/bench_reply_schema.py
repeats those checks. llama.cpp's converter (the generation wllama 3.13 ships) turns the schema
into a grammar with the same key order, the enums and at most 20 changes, and, unlike xgrammar,
bounds the whitespace between tokens.
"""

from collections.abc import Collection, Iterable
from typing import Any

from app.assistant.requests.intent import TODO_OPS

MAX_ACTIONS = 20
"""The most changes one reply may propose (the schema's maxItems; more is rejected as a whole)."""


def change_schema(ops: Collection[str], titles: Collection[str], many: bool = False,
                  new: Collection[str] = ()) -> dict[str, Any]:
    """The JSON schema of a change request: {"changes": [...]}, 1 to 20 (or exactly 1) changes of
    the kinds in `ops`, naming only `titles`; new titles are one of `new` (any text when empty).
    Keeps to the subset every engine's grammar takes."""
    variants: list[dict[str, Any]] = []
    title = _enum(new) if new else {"type": "string"}
    if "add" in ops:
        variants.append(_object(op=_enum(["add"]), title=title))
    which = _enum(titles) if titles else None
    by_todo = [op for op in TODO_OPS if op in ops and op != "rename"]
    if which and by_todo:
        variants.append(_object(op=_enum(by_todo), todo=which))
    if which and "rename" in ops:
        variants.append(_object(op=_enum(["rename"]), todo=which, title=title))
    items = variants[0] if len(variants) == 1 else {"anyOf": variants}
    changes = {"type": "array", "items": items, "minItems": 1, "maxItems": MAX_ACTIONS if many else 1}
    return _object(changes=changes)


def _enum(values: Iterable[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}
