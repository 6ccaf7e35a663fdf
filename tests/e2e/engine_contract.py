"""The engine-module contract read from its one definition, assets/engines/engine-module.d.ts.

tests/e2e/test_engine_contract.py checks every engine module against what this reads, so the
`.d.ts` file cannot drift from the modules unnoticed. It reads the plain subset of TypeScript that
file keeps to (see its header): `export declare function`s, interfaces with one field per line
(optional `?`, an index signature, `extends`, one type parameter), generic type aliases, and types
made of unions, string literals, `string`, `number`, `boolean`, `null`, `undefined`, `void`,
`object`, `unknown`, `T[]`, `Record<string, T>`, `Promise<T>`, `AsyncIterable<T>`, function types and
the names of interfaces and aliases.

Values to check are what the page's DESCRIBE function (below) makes of a JS value: JSON, with
markers for what JSON cannot hold (undefined, functions, promises, async iterables).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

DEFINITION = Path(__file__).resolve().parent.parent.parent / "assets/engines/engine-module.d.ts"

UNDEFINED = "<undefined>"
FUNCTION = "<function>"
PROMISE = "<promise>"
ASYNC_ITERABLE = "<async iterable>"
MARKERS = {UNDEFINED, FUNCTION, PROMISE, ASYNC_ITERABLE}

# A JS function for page.evaluate's scripts: a value as JSON, with the markers above.
DESCRIBE = """(value) => {
  const describe = (v) => {
    if (v === undefined) return "<undefined>";
    if (typeof v === "function") return "<function>";
    if (v && typeof v === "object") {
      if (typeof v.then === "function") return "<promise>";
      if (typeof v[Symbol.asyncIterator] === "function") return "<async iterable>";
      if (Array.isArray(v)) return v.map(describe);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
    }
    return v;
  };
  return describe(value);
}"""


@dataclass
class Interface:
    params: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)  # name -> (optional, type)
    index: str | None = None  # the type of an index signature's values
    extends: str | None = None


@dataclass
class Contract:
    functions: dict  # name -> return type
    interfaces: dict  # name -> Interface
    aliases: dict  # name -> (params, type)

    def returns_promise(self, function):
        return _generic(self.functions[function])[0] == "Promise"

    def value_type(self, function):
        """The type of what `function` gives: its promise's value for an async one."""
        declared = self.functions[function]
        return _generic(declared)[1][0] if self.returns_promise(function) else declared


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _closing(text, start, opening="(", closing=")"):
    """The index of the bracket closing the one at `start`."""
    depth = 0
    for index in range(start, len(text)):
        depth += {opening: 1, closing: -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced {opening} at {start}")


def read(text=None):
    """The Contract in the `.d.ts` text (by default, the file's)."""
    text = _strip_comments(DEFINITION.read_text() if text is None else text)
    functions = {}
    for found in re.finditer(r"export declare function (\w+)\(", text):
        end = _closing(text, found.end() - 1)
        returned = re.match(r"\s*:\s*([^;]+);", text[end + 1:])
        functions[found[1]] = returned[1].strip()
    interfaces = {}
    header = r"export interface (\w+)(?:<(\w+)>)?(?:\s+extends\s+(\w+))?\s*\{"
    for found in re.finditer(header, text):
        end = _closing(text, found.end() - 1, "{", "}")
        interface = Interface([found[2]] if found[2] else [], extends=found[3])
        for line in text[found.end():end].split(";"):
            line = line.strip()
            if not line:
                continue
            index = re.fullmatch(r"\[\w+: string\]: (.+)", line)
            member = re.fullmatch(r"(\w+)(\?)?: (.+)", line)
            if index:
                interface.index = index[1].strip()
            elif member:
                interface.fields[member[1]] = (bool(member[2]), member[3].strip())
            else:
                raise ValueError(f"interface {found[1]}: cannot read {line!r}")
        interfaces[found[1]] = interface
    aliases = {m[1]: ([m[2]] if m[2] else [], m[3].strip())
               for m in re.finditer(r"export type (\w+)(?:<(\w+)>)?\s*=\s*([^;]+);", text)}
    return Contract(functions, interfaces, aliases)


def _split(text, separator):
    """`text` split at `separator` outside brackets and quotes."""
    parts, depth, start, quoted = [], 0, 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "<([{":
            depth += 1
        elif not quoted and char in ">)]}" and text[index - 1:index + 1] != "=>":
            depth -= 1
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:index].strip())
            start = index + 1
    return [*parts, text[start:].strip()]


def _generic(type_text):
    """("Name", [arguments]) of `Name<A, B>`, or (type_text, [])."""
    found = re.fullmatch(r"(\w+)<(.*)>", type_text.strip(), flags=re.S)
    return (found[1], _split(found[2], ",")) if found else (type_text.strip(), [])


def _substitute(type_text, params, arguments):
    for param, argument in zip(params, arguments):
        type_text = re.sub(rf"\b{param}\b", f"({argument})" if "|" in argument else argument, type_text)
    return type_text


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def problems(contract, value, type_text, where="value"):
    """Why `value` (as DESCRIBE made it) is not of `type_text`; [] when it is."""
    type_text = type_text.strip()
    while type_text.startswith("(") and _closing(type_text, 0) == len(type_text) - 1 and "=>" not in type_text:
        type_text = type_text[1:-1].strip()
    alternatives = _split(type_text, "|")
    if len(alternatives) > 1:
        found = [problems(contract, value, alternative, where) for alternative in alternatives]
        if any(not p for p in found):
            return []
        return [f"{where}: {value!r} is not {type_text} ({'; '.join(p[0] for p in found)})"]
    wrong = [f"{where}: {value!r} is not {type_text}"]
    simple = {
        "string": lambda v: isinstance(v, str) and v not in MARKERS,
        "number": _is_number,
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "undefined": lambda v: v == UNDEFINED,
        "void": lambda v: v == UNDEFINED,
        "object": lambda v: isinstance(v, dict),
        "unknown": lambda v: True,
    }
    if "=>" in type_text:
        return [] if value == FUNCTION else wrong
    if type_text.startswith('"'):
        return [] if value == type_text.strip('"') else wrong
    if type_text in simple:
        return [] if simple[type_text](value) else wrong
    if type_text.endswith("[]"):
        if not isinstance(value, list):
            return wrong
        return [p for i, item in enumerate(value) for p in problems(contract, item, type_text[:-2], f"{where}[{i}]")]
    name, arguments = _generic(type_text)
    if name == "Record":
        if not isinstance(value, dict):
            return wrong
        return [p for key, item in value.items() for p in problems(contract, item, arguments[1], f"{where}.{key}")]
    if name == "AsyncIterable":
        return [] if value == ASYNC_ITERABLE else wrong
    if name == "Promise":
        return [] if value == PROMISE else wrong
    if name in contract.aliases:
        params, aliased = contract.aliases[name]
        return problems(contract, value, _substitute(aliased, params, arguments), where)
    if name in contract.interfaces:
        if not isinstance(value, dict):
            return wrong
        return _interface_problems(contract, value, name, arguments, where)
    raise ValueError(f"{where}: the contract's type {type_text!r} is not one this reader knows")


def _interface_problems(contract, value, name, arguments, where):
    interface = contract.interfaces[name]
    fields, index = {}, interface.index
    chain = [interface]
    while chain[-1].extends:
        chain.append(contract.interfaces[chain[-1].extends])
    for part in reversed(chain):
        fields.update({k: (optional, _substitute(t, interface.params, arguments)) for k, (optional, t) in part.fields.items()})
        index = part.index or index
    found = []
    for key, (optional, type_text) in fields.items():
        item = value.get(key, UNDEFINED)
        if item == UNDEFINED and optional:
            continue
        if item == UNDEFINED:
            found.append(f"{where}: {name} has no {key}")
        else:
            found += problems(contract, item, type_text, f"{where}.{key}")
    for key in value.keys() - fields.keys():
        if index is None:
            found.append(f"{where}: {key} is not a field of {name}")
        else:
            found += problems(contract, value[key], index, f"{where}.{key}")
    return found
