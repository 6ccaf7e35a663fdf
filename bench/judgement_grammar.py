"""A JSON schema (the subset the app's reply schemas use) as a llama.cpp grammar, as wllama makes it.

Pure Python. wllama converts a request's `response_format` with llama.cpp's C++ converter
(common/json-schema-to-grammar.cpp); llama-cpp-python's Python port of it differs where it matters
here: it lets raw control characters into strings (a raw line break then makes invalid JSON the
browser could never produce), and it does not escape quotes or backslashes inside enum values (a
title such as `"}], "actions": …` breaks the grammar). So the native benchmark builds the grammar
itself, with the C++ converter's rules for strings and white space, properties in the schema's
order, and enum values as JSON literals. The subset: objects whose properties are all required
with `additionalProperties: false`, strings, string enums, arrays with `minItems`/`maxItems`, and
`anyOf`. Anything else raises ValueError.
"""

import json
import re

SPACE = 'space ::= | " " | "\\n"{1,2} [ \\t]{0,20}'
CHAR = 'char ::= [^"\\\\\\x7F\\x00-\\x1F] | [\\\\] (["\\\\bfnrt] | "u" [0-9a-fA-F]{4})'
STRING = 'string ::= "\\"" char* "\\"" space'


def to_gbnf(schema: dict) -> str:
    """The grammar text for `schema` (root rule first)."""
    rules = {}
    root = _value(schema, "root", rules)
    lines = [f"root ::= {root}"] + [f"{name} ::= {body}" for name, body in rules.items()]
    return "\n".join(lines + [SPACE, CHAR, STRING]) + "\n"


def _value(schema, name, rules):
    if "anyOf" in schema:
        options = [_rule(_value(s, f"{name}-{n}", rules), f"{name}-{n}", rules)
                   for n, s in enumerate(schema["anyOf"])]
        return "(" + " | ".join(options) + ")"
    if "enum" in schema:
        return "(" + " | ".join(_literal(json.dumps(v, ensure_ascii=False)) for v in schema["enum"]) + ") space"
    kind = schema.get("type")
    if kind == "string":
        return "string"
    if kind == "object":
        props = schema.get("properties", {})
        if set(schema.get("required", [])) != set(props) or schema.get("additionalProperties", True):
            raise ValueError(f"{name}: only objects whose properties are all required, and no others")
        pairs = [f'{_literal(json.dumps(key))} space ":" space {_rule(_value(sub, f"{name}-{key}", rules), f"{name}-{key}", rules)}'
                 for key, sub in props.items()]
        return '"{" space ' + ' "," space '.join(pairs) + ' "}" space'
    if kind == "array":
        item = _rule(_value(schema["items"], f"{name}-item", rules), f"{name}-item", rules)
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        rest = f'("," space {item}){{{max(low - 1, 0)},{"" if high is None else high - 1}}}'
        body = f"{item} {rest}"
        return '"[" space ' + (f"({body})?" if low == 0 else body) + ' "]" space'
    raise ValueError(f"{name}: {schema!r} is outside the supported subset")


def _rule(body, name, rules):
    """A named rule for `body` (plain names stay inline)."""
    if body == "string":
        return body
    name = re.sub(r"[^A-Za-z0-9-]", "-", name)
    rules[name] = body
    return name


def _literal(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
