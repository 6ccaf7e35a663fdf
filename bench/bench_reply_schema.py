"""Benchmark and check: the reply schema (app/reply_schema.py) in WebLLM's own grammar engine.

WebLLM 0.2.86 compiles a request's JSON schema with xgrammar (bundled in its index.js) on every
request whose schema differs from the last one, and the schema holds the list's short ids, so the
compile time is paid again whenever the list changes. This script runs that real xgrammar under
node and:

1. checks that the app's schema compiles and that xgrammar accepts valid replies and refuses
   invalid ones (unknown id, unknown op, a 21st action, extra keys, wrong key order);
2. times `GrammarCompiler.compileJSONSchema` with SmolLM2-135M's real vocabulary (read from the
   test model's GGUF, tests/models/SmolLM2-135M-Instruct.Q4_1.gguf), side by side with the same
   schema whose title strings carry `maxLength` bounds (the baseline this schema was chosen
   against) and with xgrammar's built-in free-form JSON grammar.

    .venv/bin/python bench/bench_reply_schema.py [--reps 3]

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
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEBLLM = ROOT / "node_modules" / "@mlc-ai" / "web-llm" / "lib" / "index.js"
GGUF = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
sys.path.insert(0, str(ROOT))

from app.reply_schema import MAX_ACTIONS, reply_schema  # noqa: E402

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


def bounded_titles(schema, max_length):
    bounded = json.loads(json.dumps(schema))
    items = bounded["properties"]["actions"]["items"]
    for variant in items.get("anyOf", [items]):
        if "title" in variant["properties"]:
            variant["properties"]["title"] = {"type": "string", "minLength": 1, "maxLength": max_length}
    return bounded


def checks(three):
    def reply(*acts, reply="ok"):
        return json.dumps({"reply": reply, "actions": list(acts)})

    add = {"op": "add", "title": "Buy bread"}
    return [
        (three, True, reply()),
        (three, True, reply(add, {"op": "complete", "id": "t2"}, {"op": "reopen", "id": "t3"},
                            {"op": "rename", "id": "t1", "title": 'Read "Dune"'}, {"op": "delete", "id": "t3"},
                            reply="Line one\nLine \"two\" é")),
        (three, True, reply(*[{"op": "delete", "id": "t1"}] * MAX_ACTIONS)),
        (three, False, reply(*[{"op": "delete", "id": "t1"}] * (MAX_ACTIONS + 1))),
        (three, False, reply({"op": "delete", "id": "t4"})),
        (three, False, reply({"op": "frobnicate", "id": "t1"})),
        (three, False, reply({"op": "add", "title": "x", "id": "t1"})),
        (three, False, json.dumps({"actions": [], "reply": "ok"})),
        (three, False, json.dumps({"reply": "ok", "actions": [], "extra": 1})),
        (json.dumps(reply_schema([])), True, reply(add)),
        (json.dumps(reply_schema([])), False, reply({"op": "complete", "id": "t1"})),
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
    three, many = reply_schema(["t1", "t2", "t3"]), reply_schema([f"t{n}" for n in range(1, 501)])
    schemas = {
        "app schema, 3 ids": json.dumps(three),
        "app schema, 500 ids": json.dumps(many),
        "titles maxLength 100": json.dumps(bounded_titles(three, 100)),
        "titles maxLength 2000": json.dumps(bounded_titles(three, 2000)),
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
        job = {"checks": checks(json.dumps(three)), "vocab": vocab, "eos": eos,
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
    app = median["app schema, 3 ids"]
    for name, ms in median.items():
        print(f"{name:<24}{ms:>9.0f}{ms / app:>9.1f}× the app schema")
    print(f"{'PASS' if median['app schema, 500 ids'] <= 200 else 'MISS'}  app schema with 500 ids compiles in "
          f"≤ 200 ms: {median['app schema, 500 ids']:.0f} ms")
    if failed:
        raise SystemExit(f"{failed} check(s) failed")


if __name__ == "__main__":
    main()
