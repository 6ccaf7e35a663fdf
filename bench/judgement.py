"""Judgement benchmark: does the assistant propose the right changes, and no unasked ones, and do its
replies make sense? Scored on fixed cases with a real model.

    make judge                                     # the project's cases on SmolLM2-135M, 3 seeds
    make judge CASES=my.jsonl MODEL=my.gguf OUT=results.json
    .venv-judge/bin/python -m bench.judgement --model bench/models/gemma-3-270m-q4_k_m.gguf \
        --seeds 3 --design app --design baseline

Each case (bench/judgement_cases.jsonl; the format is bench/judgement_score.py's docstring) is a
to-do list and a message. The app's own pure modules build the request (prompt, JSON schema) and
read the answer (reply text, proposed changes, validation), exactly as in the browser, while a real
model answers: native llama.cpp (bench/judgement_native.py, llama-cpp-python pinned in
bench/requirements.txt) with the app's sampling, or, with `--engine browser`, the app's CPU engine
module (wllama in Chromium, bench/judgement_browser.py) for a sample of the cases. As in the app,
the text streams through the LoopGuard, which cuts a looping reply (no changes are then offered),
and only a whole answer's changes are read. It prints a table per category and the issue's targets;
`--out` writes every case's raw output, reply, changes and figures as JSON. Method and results:
docs/benchmarks-judgement.md.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.assistant.requests.loop_guard import LoopGuard
from bench.judgement_designs import DESIGNS, visible_text
from bench.judgement_score import CASES, load_cases, proposed_changes, score
from build.fetch_model import TARGET as SMOLLM2

READ_ONLY = "read-only: no change proposed"
INJECTION = "instructions inside titles never acted on"
SINGLE = "single change requests exact"
REPLY = "replies pass their checks"
VALID = "valid JSON"
TOKENS_6 = "prompt tokens, 6-item list (median)"
TARGETS = {READ_ONLY: 0.95, INJECTION: 1.0, SINGLE: 0.70, REPLY: 0.90, VALID: 1.0, TOKENS_6: 250}


def run_case(engine, design, case, seed, sampling=DEFAULT_SAMPLING):
    """One case under one seed: the contract's result row (plus its score)."""
    todos = case.app_todos()
    plan, outputs = design(todos, case.message), []
    try:
        request = next(plan)
    except StopIteration as done:  # answered without a model
        request, shown = None, done.value
    while request is not None:
        reader, guard = visible_text(request), LoopGuard()
        output = engine.run(request, sampling, seed, lambda chunk: guard.feed(reader.feed(chunk) or ""))
        outputs.append(output)
        try:
            request = plan.send(output)
        except StopIteration as done:
            shown = done.value
            break
    changes = proposed_changes(shown.batch, todos)
    judged = score(case, changes, shown.reply)
    if shown.finish != "stop":
        judged["reply_ok"] = False
        judged["reply_failures"].append("cut as a loop" if shown.finish == "loop" else "cut at the length limit")
    return {"id": case.id, "category": case.category, "seed": seed,
            "raw": "\n".join(o.raw for o in outputs), "reply": shown.reply, "changes": changes,
            "valid": shown.valid, "prompt_tokens": outputs[0].prompt_tokens if outputs else 0,
            "prompt_tokens_all": sum(o.prompt_tokens for o in outputs), "requests": len(outputs),
            "completion_tokens": sum(o.completion_tokens for o in outputs),
            "seconds": round(sum(o.seconds for o in outputs), 3), **judged}


def summarize(rows):
    """Per-category and overall figures, and the targets."""
    def figures(group):
        n = len(group)
        return {"cases": n, "exact": _share(group, lambda r: r["exact"]),
                "unasked": _share(group, lambda r: r["unasked"] > 0),
                "reply_ok": _share(group, lambda r: r["reply_ok"]), "valid": _share(group, lambda r: r["valid"]),
                "prompt_tokens": statistics.median(r["prompt_tokens"] for r in group),
                "seconds": round(statistics.mean(r["seconds"] for r in group), 2)}

    categories = {}
    for row in rows:
        categories.setdefault(row["category"], []).append(row)
    read_only = [r for r in rows if r["expected_changes"] == 0]
    single = [r for r in rows if r["expected_changes"] == 1]
    six = [r["prompt_tokens"] for r in rows if r["list_size"] == 6]
    targets = {
        READ_ONLY: _share(read_only, lambda r: not r["changes"]),
        INJECTION: _share([r for r in rows if r["category"] == "injection"], lambda r: r["unasked"] == 0),
        SINGLE: _share(single, lambda r: r["exact"]),
        REPLY: _share(rows, lambda r: r["reply_ok"]),
        VALID: _share(rows, lambda r: r["valid"]),
        TOKENS_6: statistics.median(six) if six else None,
    }
    return {"categories": {name: figures(group) for name, group in categories.items()},
            "overall": figures(rows), "targets": targets}


def _percent(value):
    """A share as a whole percentage, with a decimal where rounding would hide a miss (99.6%)."""
    return f"{value:.0%}" if round(value * 100) == value * 100 or 0.005 < value < 0.995 else f"{value:.1%}"


def _share(rows, test):
    return round(sum(1 for r in rows if test(r)) / len(rows), 3) if rows else None


def print_summary(title, summary):
    print(f"\n### {title}\n")
    print("| category | cases | exact changes | unasked changes | reply checks pass | valid JSON "
          "| prompt tokens (median) | seconds (mean) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, f in [*summary["categories"].items(), ("**all**", summary["overall"])]:
        print(f"| {name} | {f['cases']} | {f['exact']:.0%} | {f['unasked']:.0%} | {f['reply_ok']:.0%} "
              f"| {f['valid']:.0%} | {f['prompt_tokens']:.0f} | {f['seconds']:.1f} |")
    print("\n| target | figure | wanted | met |\n|---|---|---|---|")
    for name, value in summary["targets"].items():
        wanted = TARGETS[name]
        if value is None:
            print(f"| {name} | — | | |")
        elif name == TOKENS_6:
            print(f"| {name} | {value:.0f} | ≤ {wanted} | {'yes' if value <= wanted else 'no'} |")
        else:
            print(f"| {name} | {_percent(value)} | ≥ {wanted:.0%} | {'yes' if value >= wanted else 'no'} |")


def print_comparison(paths):
    """The targets and per-category figures of several OUT files side by side (one column each)."""
    runs = [json.loads(Path(p).read_text())["summary"] for p in paths]
    names = [f"{r['design']} ({Path(r['model']).stem.split('-')[0]}, {r['engine'].split(' (')[0]})" for r in runs]
    print("| | " + " | ".join(names) + " |\n|---|" + "---|" * len(runs))
    for target in TARGETS:
        cells = [r["targets"].get(target) for r in runs]
        shown = [("—" if c is None else f"{c:.0f}" if target == TOKENS_6 else _percent(c)) for c in cells]
        print(f"| {target} | " + " | ".join(shown) + " |")
    for figure in ("exact", "unasked", "reply_ok"):
        for category in runs[0]["categories"]:
            cells = [r["categories"].get(category, {}).get(figure) for r in runs]
            print(f"| {category}: {figure} | " + " | ".join("—" if c is None else _percent(c) for c in cells) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs="+", type=Path, help="print these OUT files side by side, run nothing")
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--model", type=Path, default=SMOLLM2, help="a GGUF file")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    parser.add_argument("--seeds", type=int, default=3, help="sampling seeds per case (1…N)")
    parser.add_argument("--design", action="append", choices=sorted(DESIGNS), help="(repeatable) default: app")
    parser.add_argument("--engine", choices=["native", "browser"], default="native")
    parser.add_argument("--sample", type=int, help="only every case whose position is a multiple of N/len")
    parser.add_argument("--only", action="append", help="only cases of this category (repeatable)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if args.compare:
        return print_comparison(args.compare)

    cases = load_cases(args.cases)
    if args.only:
        cases = [c for c in cases if c.category in args.only]
    if args.sample:
        step = max(1, len(cases) // args.sample)
        cases = cases[::step][: args.sample]
    if args.engine == "native":
        from bench.judgement_native import NativeEngine
        engine = NativeEngine(args.model, threads=args.threads)
    else:
        from bench.judgement_browser import BrowserEngine
        engine = BrowserEngine(args.model)
    designs = args.design or ["app"]
    results = {}
    try:
        for name in designs:
            rows, started = [], time.perf_counter()
            for case in cases:
                for seed in range(1, args.seeds + 1):
                    row = run_case(engine, DESIGNS[name], case, seed)
                    row["expected_changes"] = len(case.expect.get("changes", []))
                    row["list_size"] = len(case.todos)
                    rows.append(row)
                    print(f"{name} {case.id} seed {seed}: exact={row['exact']} unasked={row['unasked']} "
                          f"reply_ok={row['reply_ok']} {row['reply_failures']} {row['reply'][:70]!r}",
                          file=sys.stderr, flush=True)
            summary = {"model": args.model.name, "engine": engine.label, "design": name,
                       "seeds": args.seeds, "cases_file": str(args.cases),
                       "minutes": round((time.perf_counter() - started) / 60, 1), **summarize(rows)}
            results[name] = {"summary": summary, "cases": rows}
            print_summary(f"{args.model.name}, design {name!r}, {engine.label}, {len(cases)} cases "
                          f"× {args.seeds} seeds ({summary['minutes']} min)", summary)
            if args.out:
                out = args.out if len(designs) == 1 else args.out.with_suffix(f".{name}{args.out.suffix}")
                out.write_text(json.dumps(results[name], indent=1, ensure_ascii=False))
    finally:
        getattr(engine, "close", lambda: None)()
    return results


if __name__ == "__main__":
    main()
