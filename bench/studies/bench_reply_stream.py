"""Benchmark: the cost per streamed chunk of reading the reply out of partial JSON (app/assistant/changes/stream.py).

A structured answer streams as JSON, and ReplyStream.feed() turns each chunk into the reply text it
adds. Today's plain answers pass each chunk on as it is; this measures what feed() adds per chunk,
side by side with that baseline, in the same run:

- baseline: `parts.append(chunk)` per chunk (what the plain path does with a chunk in Python);
- feed:     `parts.append(stream.feed(chunk))` per chunk.

Chunks are 4 characters (about one token; the app hands Python one batch per frame, so real calls
are fewer and larger and cost less per character). Answers of N = 400 and 4,000 chunks, with the
reply first and with the actions first (the reply then arrives after 20 actions' worth of JSON).
Chunks are timed in blocks of 50 and each run reports its median block, so the moments another
process held the CPU (common on this 2-core machine) drop out; the figure is the median of --reps
runs. Flatness is checked twice: N=4000 against N=400, and, within the long answer, the last tenth
of the reply text against its first tenth (work that grew with the text so far would show there;
the actions' JSON costs more per chunk than plain text, so it is left out of that comparison). It runs in CPython and, when node and the vendored Pyodide are
there, in Pyodide 314 under node (the app's own runtime; V8 runs its wasm as Chromium does).

    .venv/bin/python -m bench.studies.bench_reply_stream [--reps 7] [--no-pyodide]

Targets: feed ≤ 0.1 ms per chunk (the streaming target in docs/benchmarks-streaming.md), and flat:
µs/chunk at N=4000 ÷ at N=400 ≤ 1.2. Prints PASS/MISS; exits non-zero only if a run goes wrong
(for example the streamed reply differs from the reply in the JSON).
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

from bench import ROOT

PYODIDE = ROOT / "vendor" / "pyodide" / "pyodide.mjs"

CORE = r'''
import json, time
from app.assistant.changes.stream import ReplyStream

def document(n_chunks, reply_first):
    actions = [{"op": "add", "title": f"Buy item {i} \"fresh\""} for i in range(20)]
    head = json.dumps({"actions": actions}, ensure_ascii=False)[:-1]
    room = n_chunks * 4 - len(head) - 30 if not reply_first else n_chunks * 4 - 30
    words = "- **Milk**: open\n- Call the dentist \"today\" ✓ é\n"
    reply = (words * (room // len(words) + 1))[: max(room, 10)]
    data = {"reply": reply, "actions": actions} if reply_first else {"actions": actions, "reply": reply}
    text = json.dumps(data, ensure_ascii=False)
    start = text.index('"reply": "') + len('"reply": "')
    end = start + len(json.dumps(reply, ensure_ascii=False)) - 2
    return text, reply, [text[i : i + 4] for i in range(0, len(text), 4)], (start // 4, end // 4)

BLOCK = 50  # chunks timed together; the median block ignores the moments another process ran

def blocks(chunks, step):
    """µs per chunk for each block of BLOCK chunks, running step(chunk) on every chunk."""
    clock, out = time.perf_counter, []
    for b in range(0, len(chunks), BLOCK):
        block = chunks[b : b + BLOCK]
        start = clock()
        for chunk in block:
            step(chunk)
        out.append((clock() - start) / len(block) * 1e6)
    return out

def run(n_chunks, reply_first, reps):
    text, reply, chunks, (lo, hi) = document(n_chunks, reply_first)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    base, feed, first, last = [], [], [], []
    inside = [b for b in range(len(chunks) // BLOCK) if b * BLOCK >= lo and (b + 1) * BLOCK <= hi]
    tenth = max(1, len(inside) // 10)
    for _ in range(reps):
        parts = []
        base.append(med(blocks(chunks, parts.append)))
        assert "".join(parts) == text
        stream, parts = ReplyStream(), []
        per_block = blocks(chunks, lambda chunk: parts.append(stream.feed(chunk)))
        feed.append(med(per_block))
        first.append(med([per_block[b] for b in inside[:tenth]]))
        last.append(med([per_block[b] for b in inside[-tenth:]]))
        if "".join(parts) != reply:
            raise SystemExit("the streamed reply differs from the reply in the JSON")
    return {"chunks": len(chunks), "base_us": med(base), "feed_us": med(feed),
            "feed_min": min(feed), "feed_max": max(feed), "first_us": med(first), "last_us": med(last)}

def all_runs(reps):
    out = {}
    for order in (True, False):
        for n in (400, 4000):
            out[f"{'reply' if order else 'actions'} first, N={n}"] = run(n, order, reps)
    return json.dumps(out)
'''

NODE_RUNNER = r'''
import { loadPyodide } from "%(pyodide)s";
import fs from "fs";
const py = await loadPyodide({ indexURL: "%(index)s" });
py.FS.mkdirTree("/home/pyodide/app/assistant/changes");
for (const pkg of ["app", "app/assistant", "app/assistant/changes"]) py.FS.writeFile(`/home/pyodide/${pkg}/__init__.py`, "");
py.FS.writeFile("/home/pyodide/app/assistant/changes/stream.py", fs.readFileSync("%(module)s", "utf8"));
py.runPython("import sys; sys.path.insert(0, '/home/pyodide')");
py.runPython(fs.readFileSync("%(core)s", "utf8"));
console.log(py.runPython("all_runs(%(reps)d)"));
'''


def cpython(reps):
    scope = {}
    exec(CORE, scope)
    return json.loads(scope["all_runs"](reps))


def pyodide(reps):
    node = shutil.which("node")
    if not node or not PYODIDE.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        core = pathlib.Path(tmp, "core.py")
        core.write_text(CORE)
        runner = pathlib.Path(tmp, "run.mjs")
        runner.write_text(NODE_RUNNER % {
            "pyodide": PYODIDE.as_uri(), "index": str(PYODIDE.parent) + "/",
            "module": ROOT / "app" / "assistant" / "changes" / "stream.py", "core": core, "reps": reps,
        })
        done = subprocess.run([node, str(runner)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"Pyodide run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name, results):
    print(f"\n{name}: µs per 4-character chunk (median block of {50} chunks; median of the runs)")
    print(f"{'case':<26}{'chunks':>7}{'baseline':>10}{'feed':>8}{'runs min–max':>15}"
          f"{'reply 1st/last 10%':>20}{'feed/baseline':>15}")
    for case, r in results.items():
        span = f"{r['feed_min']:.2f}–{r['feed_max']:.2f}"
        ends = f"{r['first_us']:.2f} / {r['last_us']:.2f}"
        print(f"{case:<26}{r['chunks']:>7}{r['base_us']:>10.3f}{r['feed_us']:>8.2f}{span:>15}"
              f"{ends:>20}{r['feed_us'] / r['base_us']:>14.1f}×")
    for order in ("reply", "actions"):
        small, large = results[f"{order} first, N=400"], results[f"{order} first, N=4000"]
        flat = large["feed_us"] / small["feed_us"]
        worst = max(small["feed_us"], large["feed_us"]) / 1000
        print(f"{'PASS' if worst <= 0.1 else 'MISS'}  {order} first: feed ≤ 0.1 ms/chunk: {worst:.4f} ms")
        within = large["last_us"] / large["first_us"]
        print(f"{'PASS' if flat <= 1.2 else 'MISS'}  {order} first: flat, N=4000 / N=400 = {flat:.2f} (≤ 1.2)")
        print(f"{'PASS' if within <= 1.2 else 'MISS'}  {order} first: flat along the reply text at "
              f"N=4000, its last 10% / its first 10% = {within:.2f} (≤ 1.2)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--no-pyodide", action="store_true")
    args = parser.parse_args()
    print(f"CPython {sys.version.split()[0]}; app/assistant/changes/stream.py; {args.reps} runs per case")
    report("CPython", cpython(args.reps))
    if not args.no_pyodide:
        results = pyodide(args.reps)
        if results is None:
            print("\nPyodide: skipped (no node or no vendor/pyodide; run `make build`)")
        else:
            report("Pyodide 314 under node", results)


if __name__ == "__main__":
    main()
