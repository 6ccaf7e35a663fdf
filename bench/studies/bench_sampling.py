"""Which sampling settings keep the small test model's answers short, on topic and out of loops?

Runs SmolLM2-135M-Instruct (the GGUF `make test` fetches) in native llama.cpp through
llama-cpp-python, pinned in bench/requirements.txt and installed in its own venv (not part of
`make test`):

    make .venv-judge/.installed   # llama-cpp-python, pinned in bench/requirements.txt
    .venv-judge/bin/python -m bench.studies.bench_sampling

Every setting answers the same fixed questions about the same fixed to-do list in the GGUF's own
chat template, under several seeds. It sends what the app sends for a question (app.assistant.requests.plan:
a plain-text answer, app.assistant.requests.prompts.build_messages, no schema) and, as in the app, the answer is cut
when app.assistant.engines.sampling's LoopGuard trips. The figures in docs/benchmarks-sampling.md were measured on the
app's earlier structured request (one JSON reply with the answer and the changes), at commit
9603add, where this script sent that request.
For each setting it reports how often the LoopGuard cut a reply, how often this script's own loop
detector still finds a loop in what is left (a loop shown to the person), how often a reply runs to
max_tokens, its length, and whether it stays on topic (names a listed to-do or one of the list's
counts). Method and results: docs/benchmarks-sampling.md.
"""

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.assistant.requests.plan import plan_request
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.assistant.requests.loop_guard import LoopGuard
from bench.sample_todos import COUNT_WORDS, TODOS, TOPIC_WORDS
from build.fetch_model import TARGET as MODEL

CONTEXT_TOKENS = 2048

QUESTIONS = [
    "What do I still have to do?",
    "How many to-dos are open?",
    "How many to-dos have I finished?",
    "Which to-dos are done?",
    "What should I do first?",
    "Is there any shopping on my list?",
    "Did I file my taxes?",
    "Summarize my list in one sentence.",
    "Which of my to-dos are about travel?",
    "Do I have anything to do for work?",
    "What is left to do at home?",
    "Give me my open to-dos as a bullet list.",
]


@dataclass(frozen=True)
class Setting:
    """One sampling setting. top_k/min_p are what llama.cpp adds on its own (0 = off)."""

    name: str
    temperature: float
    top_p: float
    repetition_penalty: float = 1.0
    frequency_penalty: float = 0.0
    max_tokens: int = DEFAULT_SAMPLING.max_tokens
    top_k: int = 0
    min_p: float = 0.0

    @property
    def greedy(self):
        return self.temperature == 0


SETTINGS = [
    # What a model's own config gives an app that sends nothing (WebLLM with some MLC configs).
    Setting("model defaults 1.0/1.0", 1.0, 1.0),
    # What llama.cpp's server (and so wllama) samples with when nothing is sent.
    Setting("llama.cpp defaults", 0.8, 0.95, top_k=40, min_p=0.05),
    Setting("greedy", 0.0, 1.0),
    Setting("greedy rep1.1", 0.0, 1.0, repetition_penalty=1.1),
    Setting("t0.2 p0.9 rep1.1", 0.2, 0.9, repetition_penalty=1.1),
    Setting("t0.3 p0.9 rep1.1", 0.3, 0.9, repetition_penalty=1.1),
    # The same as wllama runs it: llama.cpp adds its own top_k 40 and min_p 0.05.
    Setting("t0.3 p0.9 rep1.1 +k40 minp0.05", 0.3, 0.9, repetition_penalty=1.1, top_k=40, min_p=0.05),
    Setting("t0.3 p0.9 rep1.1 freq0.3", 0.3, 0.9, repetition_penalty=1.1, frequency_penalty=0.3),
    Setting("t0.2 p0.9 rep1.1 freq0.3", 0.2, 0.9, repetition_penalty=1.1, frequency_penalty=0.3),
    Setting("t0.3 p0.9 freq0.5", 0.3, 0.9, frequency_penalty=0.5),
    Setting("t0.5 p0.9 rep1.1", 0.5, 0.9, repetition_penalty=1.1),
    Setting("t0.7 p0.9 rep1.1", 0.7, 0.9, repetition_penalty=1.1),
]

_UNIT = re.compile(r"[\n]+|(?<=[.!?])\s+")


def loops(text):
    """This script's own loop test: a sentence or line said 3+ times, or a tail that repeats.

    Units are lines and sentences of at least three words, compared without case, markdown marks
    and numbers (so "1. Buy milk" and "2. Buy milk" count as one). The tail test catches loops
    without sentence ends: the last 3*p characters are one p-character piece three times over.
    """
    seen = {}
    for unit in _UNIT.split(text):
        key = re.sub(r"[\W\d_]+", " ", unit.lower()).strip()
        if len(key.split()) >= 3:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] >= 3:
                return True
    tail = text.rstrip()
    for period in range(4, 121):
        if len(tail) < 3 * period:
            break
        piece = tail[-period:]
        if tail[-3 * period:] == piece * 3:
            return True
    return False


def on_topic(text):
    """Does the reply name a listed to-do (one of TOPIC_WORDS) or one of the list's counts?"""
    low = text.lower()
    if any(word in low for word in TOPIC_WORDS):
        return True
    return any(re.search(rf"\b{re.escape(word)}\b", low) for word in COUNT_WORDS)


def generate(llm, setting, messages, seed):
    """One reply, streamed and cut where the app's LoopGuard trips: a result row's fields."""
    guard = LoopGuard()
    text, finish, tokens, raw = "", None, 0, []
    max_tokens = setting.max_tokens
    stream = llm.create_chat_completion(
        messages=messages, stream=True, seed=seed, max_tokens=max_tokens,
        temperature=setting.temperature, top_p=setting.top_p, top_k=setting.top_k,
        min_p=setting.min_p, repeat_penalty=setting.repetition_penalty,
        frequency_penalty=setting.frequency_penalty, presence_penalty=0.0)
    for chunk in stream:
        choice = chunk["choices"][0]
        delta = choice["delta"].get("content")
        if delta:
            tokens += 1
            raw.append(delta)
            piece = delta
            text += piece
            if piece and guard.feed(piece):
                finish = "loop"
                break
        finish = choice.get("finish_reason") or finish
    stream.close()
    shown = text[:guard.cut].rstrip() if guard.looping else text
    return {"reply": shown, "raw": "".join(raw), "finish": finish, "tokens": tokens,
            "guard": guard.looping, "loops": loops(shown), "on_topic": on_topic(shown)}


def run(llm, setting, seeds):
    rows = []
    for seed in ([0] if setting.greedy else seeds):
        for question in QUESTIONS:
            plan = plan_request(TODOS, [], question, context_tokens=CONTEXT_TOKENS, answer_tokens=setting.max_tokens)
            assert plan.schema is None, f"{question!r} is not read as a question"
            row = generate(llm, setting, plan.messages, seed)
            rows.append({"setting": setting.name, "seed": seed, "question": question, **row})
    return rows


def summary(setting, rows):
    n = len(rows)
    ended = [r for r in rows if r["finish"] == "stop"]
    structured = [r for r in ended if "spurious" in r]
    return {
        "setting": setting.name, "replies": n,
        "guard": sum(r["guard"] for r in rows) / n,
        "loops": sum(r["loops"] for r in rows) / n,
        "max_tokens_hit": sum(r["finish"] == "length" for r in rows) / n,
        "on_topic": sum(r["on_topic"] for r in rows) / n,
        "median_tokens": statistics.median(r["tokens"] for r in rows),
        "p90_ended_tokens": sorted(r["tokens"] for r in ended)[int(0.9 * (len(ended) - 1))] if ended else None,
        "spurious": sum(r["spurious"] for r in structured) / len(structured) if structured else None,
        "empty": sum(not r["reply"].strip() for r in rows) / n,
    }


def print_table(summaries):
    print("| setting | replies | cut by LoopGuard | loop shown | hit max_tokens | on topic "
          "| empty reply | changes nobody asked for | median tokens | p90 tokens, ended |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        spurious = "—" if s["spurious"] is None else f"{s['spurious']:.0%}"
        print(f"| {s['setting']} | {s['replies']} | {s['guard']:.0%} | {s['loops']:.0%} "
              f"| {s['max_tokens_hit']:.0%} | {s['on_topic']:.0%} | {s['empty']:.0%} | {spurious} "
              f"| {s['median_tokens']:.0f} | {s['p90_ended_tokens']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds per sampled setting")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", action="append", help="run only the setting of this name (repeatable)")
    parser.add_argument("--replies", type=Path, help="write every reply here as JSON")
    args = parser.parse_args()

    from llama_cpp import Llama

    llm = Llama(model_path=str(MODEL), n_ctx=CONTEXT_TOKENS, n_threads=args.threads,
                n_threads_batch=args.threads, verbose=False)
    by_name = {s.name: s for s in SETTINGS}
    settings = [by_name[name] for name in args.only] if args.only else SETTINGS
    seeds = list(range(1, args.seeds + 1))
    print(f"{MODEL.name}, {len(QUESTIONS)} questions, seeds {seeds} (greedy: one run), "
          f"{args.threads} thread(s), the app's requests")
    all_rows, summaries = [], []
    for setting in settings:
        started = time.perf_counter()
        rows = run(llm, setting, seeds)
        all_rows += rows
        summaries.append(summary(setting, rows))
        print(f"  {setting.name}: {len(rows)} replies in {time.perf_counter() - started:.0f} s: "
              f"{summaries[-1]}", file=sys.stderr, flush=True)
        if args.replies:  # after each setting, so a long run that is stopped keeps what it did
            args.replies.write_text(json.dumps(all_rows, indent=1, ensure_ascii=False))
    print_table(summaries)


if __name__ == "__main__":
    main()
