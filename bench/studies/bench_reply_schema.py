"""Benchmark and check: the change schema (app/assistant/changes/schema.py) in WebLLM's own grammar engine.

WebLLM 0.2.86 compiles a request's JSON schema with xgrammar (bundled in its index.js) on every
request whose schema differs from the last one, and a change request's schema holds the titles of
the to-dos the message names and the phrases it offers as new titles, so the compile time is paid
for every change request. This script runs that real xgrammar under node and:

1. checks that the app's schema compiles and that xgrammar accepts valid changes and refuses
   invalid ones (a title not in the enum, an op the message did not name, a 21st change, none at
   all, extra keys, wrong key order), with titles holding quotes, backslashes and line breaks;
2. times `GrammarCompiler.compileJSONSchema` with SmolLM2-135M's real vocabulary (read from the
   test model's GGUF, tests/models/SmolLM2-135M-Instruct.Q4_1.gguf), side by side with the same
   schema whose free title strings carry `maxLength` bounds (the baseline the string rule was
   chosen against) and with xgrammar's built-in free-form JSON grammar.

    .venv/bin/python -m bench.studies.bench_reply_schema [--reps 3]

xgrammar is not exported by WebLLM, so the script imports a temporary copy of index.js with one
export added. It exits non-zero if a check fails or something is missing (node, node_modules, the
GGUF: `make test` downloads it).
"""

import argparse
import json
import pathlib
import shutil
import struct
import subprocess
import tempfile

from app.assistant.changes.schema import MAX_ACTIONS, change_schema
from bench import ROOT

WEBLLM = ROOT / "node_modules" / "@mlc-ai" / "web-llm" / "lib" / "index.js"
GGUF = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

RUNNER = r"""
import { __xg } from "./webllm.mjs";
import fs from "fs";
const { Grammar, Testings, TokenizerInfo, GrammarCompiler } = __xg;
const job = JSON.parse(fs.readFileSync("job.json", "utf8"));
const out = { checks: [], compile: {} };
for (const [schema, expected, text] of job.checks) {
  const grammar = await Grammar.fromJSONSchema(schema);
  out.checks.push([expected, await Testings.isGrammarAcceptString(grammar, text), text.slice(0, 80)]);
  grammar.dispose();
}
const info = await TokenizerInfo.createTokenizerInfo(job.vocab, "byte_level", false, job.vocab.length, [job.eos]);
for (let rep = 0; rep < job.reps; rep++) {
  for (const [name, schema] of Object.entries(job.schemas)) {
    const compiler = await GrammarCompiler.createGrammarCompiler(info, false);  // no cache
    const start = performance.now();
    const compiled = schema === null ? await compiler.compileBuiltinJSONGrammar()
                                     : await compiler.compileJSONSchema(schema);
    (out.compile[name] ??= []).push(performance.now() - start);
    compiled.dispose(); compiler.dispose();
  }
}
console.log(JSON.stringify(out));
"""


def gguf_vocab(path):
    """The token strings and end-of-turn id from a GGUF header (no numpy needed)."""
    sizes = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
    with open(path, "rb") as f:
        def read(fmt):
            return struct.unpack("<" + fmt, f.read(struct.calcsize(fmt)))[0]

        def value(kind):
            if kind == 8:
                return f.read(read("Q")).decode("utf-8", "surrogateescape")
            if kind == 9:
                item, count = read("I"), read("Q")
                return [value(item) for _ in range(count)]
            return read(sizes[kind])

        if f.read(4) != b"GGUF":
            raise SystemExit(f"{path} is not a GGUF file")
        read("I"), read("Q")
        fields = {}
        for _ in range(read("Q")):
            key = f.read(read("Q")).decode()
            fields[key] = value(read("I"))
            if "tokenizer.ggml.tokens" in fields and "tokenizer.ggml.eos_token_id" in fields:
                break
    return fields["tokenizer.ggml.tokens"], fields["tokenizer.ggml.eos_token_id"]


OPS = ("add", "complete", "reopen", "rename", "delete")
TITLES = ["Buy milk", 'Read "Dune"', "Back\\slash", "Two\nlines"]


def bounded_titles(schema, max_length):
    bounded = json.loads(json.dumps(schema))
    items = bounded["properties"]["changes"]["items"]
    for variant in items.get("anyOf", [items]):
        if variant["properties"].get("title") == {"type": "string"}:
            variant["properties"]["title"] = {"type": "string", "minLength": 1, "maxLength": max_length}
    return bounded


def checks(four):
    def changes(*items):
        return json.dumps({"changes": list(items)})

    add = {"op": "add", "title": "Buy bread"}
    only_complete = json.dumps(change_schema(("complete",), ["Buy milk"]))
    return [
        (four, True, changes(add)),
        (four, True, changes(add, {"op": "complete", "todo": "Buy milk"}, {"op": "reopen", "todo": 'Read "Dune"'},
                             {"op": "rename", "todo": "Two\nlines", "title": 'Line one\nLine "two" é'},
                             {"op": "delete", "todo": "Back\\slash"})),
        (four, True, changes(*[{"op": "delete", "todo": "Buy milk"}] * MAX_ACTIONS)),
        (four, False, changes(*[{"op": "delete", "todo": "Buy milk"}] * (MAX_ACTIONS + 1))),
        (four, False, changes()),
        (four, False, changes({"op": "delete", "todo": "Buy eggs"})),
        (four, False, changes({"op": "frobnicate", "todo": "Buy milk"})),
        (four, False, changes({"op": "add", "title": "x", "todo": "Buy milk"})),
        (four, False, json.dumps({"changes": [], "reply": "ok"})),
        (only_complete, True, changes({"op": "complete", "todo": "Buy milk"})),
        (only_complete, False, changes({"op": "delete", "todo": "Buy milk"})),
        (only_complete, False, changes({"op": "complete", "todo": "Buy milk"}, {"op": "complete", "todo": "Buy milk"})),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    node = shutil.which("node")
    for need, what in ((node, "node"), (WEBLLM.exists(), WEBLLM), (GGUF.exists(), GGUF)):
        if not need:
            raise SystemExit(f"missing: {what}")
    vocab, eos = gguf_vocab(GGUF)
    four = change_schema(OPS, TITLES, many=True)
    many = change_schema(OPS, [f"Long to-do title number {n}, with words" for n in range(MAX_ACTIONS)], many=True,
                         new=[f"New title {n}" for n in range(10)])
    schemas = {
        "app schema, 4 titles": json.dumps(four),
        "app schema, 20 titles": json.dumps(many),
        "titles maxLength 100": json.dumps(bounded_titles(four, 100)),
        "titles maxLength 2000": json.dumps(bounded_titles(four, 2000)),
        "built-in JSON grammar": None,
    }
    with tempfile.TemporaryDirectory() as tmp:
        source = WEBLLM.read_text()
        marker = "var libExports$1 = requireLib$1();"
        if marker not in source:
            raise SystemExit("web-llm's bundle changed: xgrammar's exports are not where they were")
        source = source.replace(marker, marker + " export const __xg = libExports$1;", 1)
        # Its Node branch needs createRequire and a real file URL.
        source = 'import { createRequire } from "module";\n' + source
        source = source.replace('"MLC_DUMMY_PATH"', json.dumps(pathlib.Path(tmp, "webllm.mjs").as_uri()))
        pathlib.Path(tmp, "webllm.mjs").write_text(source)
        pathlib.Path(tmp, "run.mjs").write_text(RUNNER)
        job = {"checks": checks(json.dumps(four)), "vocab": vocab, "eos": eos,
               "schemas": schemas, "reps": args.reps}
        pathlib.Path(tmp, "job.json").write_text(json.dumps(job))
        done = subprocess.run([node, "run.mjs"], cwd=tmp, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"node failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])

    print(f"xgrammar from WebLLM 0.2.86 under node; SmolLM2-135M vocabulary ({len(vocab):,} tokens)")
    failed = 0
    for expected, accepted, text in result["checks"]:
        ok = expected == accepted
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {'accepts' if accepted else 'refuses'}: {text}")
    print(f"\ncompileJSONSchema, ms (median of {args.reps}; a fresh compiler each time, as for a new schema)")
    median = {name: sorted(times)[len(times) // 2] for name, times in result["compile"].items()}
    app = median["app schema, 4 titles"]
    for name, ms in median.items():
        print(f"{name:<24}{ms:>9.0f}{ms / app:>9.1f}× the app schema")
    print(f"{'PASS' if median['app schema, 20 titles'] <= 200 else 'MISS'}  app schema with 20 titles compiles "
          f"in ≤ 200 ms: {median['app schema, 20 titles']:.0f} ms")
    if failed:
        raise SystemExit(f"{failed} check(s) failed")


if __name__ == "__main__":
    main()
