"""Which sampling settings keep the small test model's answers short, on topic and out of loops?

Runs SmolLM2-135M-Instruct (the GGUF `make test` fetches) in native llama.cpp through
llama-cpp-python, pinned in bench/requirements.txt and installed in its own venv (not part of
`make test`):

    python3 -m venv /work/bench-venv
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF" /work/bench-venv/bin/pip install --require-hashes -r bench/requirements.txt
    /work/bench-venv/bin/python bench/bench_sampling.py

Every setting answers the same fixed questions about the same fixed to-do list, with the app's real
prompt (app.prompts.build_messages) in the GGUF's own chat template, under several seeds. For each
it reports how often a reply loops (by this script's detector and, where it exists, by the app's
LoopGuard in app/sampling.py), how often it runs to max_tokens, its length, and how often it stays
on topic (names a listed to-do or one of the list's counts). Method and results:
docs/benchmarks-sampling.md.
"""

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.prompts import build_messages  # noqa: E402
from app.todos import Todo  # noqa: E402

MODEL = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
CONTEXT_TOKENS = 2048
ANSWER_TOKENS = 512  # the budget build_messages keeps free; each setting's max_tokens caps the reply

TODOS = [
    Todo("t1", "Buy milk and eggs", False, 1),
    Todo("t2", "Call the dentist", False, 2),
    Todo("t3", "File the tax return", True, 3),
    Todo("t4", "Water the plants", False, 4),
    Todo("t5", "Book train tickets to Lyon", True, 5),
    Todo("t6", "Finish the quarterly report", False, 6),
]
# A reply is on topic when it names a listed to-do (one of these words) or one of the list's
# counts (6 in all, 4 open, 2 done), in digits or words.
TOPIC_WORDS = ["milk", "eggs", "dentist", "tax", "plants", "water", "train", "lyon", "report",
               "quarterly"]
COUNT_WORDS = ["6", "six", "4", "four", "2", "two"]

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
    max_tokens: int = 256
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


def app_loop_guard():
    """The app's LoopGuard (app/sampling.py), or None while it does not exist yet."""
    try:
        from app import sampling
    except ImportError:
        return None
    return getattr(sampling, "LoopGuard", None)


def guard_trips(guard_class, deltas):
    """Feed the deltas to a fresh LoopGuard as the app would; True if it cut the reply."""
    guard = guard_class()
    for delta in deltas:
        if guard.feed(delta):
            return True
    return False


def on_topic(text):
    low = text.lower()
    if any(word in low for word in TOPIC_WORDS):
        return True
    return any(re.search(rf"\b{re.escape(word)}\b", low) for word in COUNT_WORDS)


def generate(llm, setting, messages, seed):
    """One reply, streamed: (deltas, finish_reason, completion tokens)."""
    deltas, finish, tokens = [], None, 0
    stream = llm.create_chat_completion(
        messages=messages, stream=True, seed=seed, max_tokens=setting.max_tokens,
        temperature=setting.temperature, top_p=setting.top_p, top_k=setting.top_k,
        min_p=setting.min_p, repeat_penalty=setting.repetition_penalty,
        frequency_penalty=setting.frequency_penalty, presence_penalty=0.0)
    for chunk in stream:
        choice = chunk["choices"][0]
        text = choice["delta"].get("content")
        if text:
            deltas.append(text)
            tokens += 1
        finish = choice.get("finish_reason") or finish
    return deltas, finish, tokens


def run(llm, setting, seeds, guard_class):
    rows = []
    for seed in ([0] if setting.greedy else seeds):
        for question in QUESTIONS:
            messages = build_messages(TODOS, [], question, context_tokens=CONTEXT_TOKENS,
                                      answer_tokens=ANSWER_TOKENS)
            deltas, finish, tokens = generate(llm, setting, messages, seed)
            text = "".join(deltas)
            rows.append({
                "setting": setting.name, "seed": seed, "question": question, "reply": text,
                "finish": finish, "tokens": tokens, "loops": loops(text),
                "guard": guard_trips(guard_class, deltas) if guard_class else None,
                "on_topic": on_topic(text),
            })
    return rows


def summary(setting, rows):
    n = len(rows)
    tokens = [r["tokens"] for r in rows]
    clean = [r["tokens"] for r in rows if not r["loops"]]
    guard = [r["guard"] for r in rows if r["guard"] is not None]
    return {
        "setting": setting.name, "replies": n,
        "loops": sum(r["loops"] for r in rows) / n,
        "guard": sum(guard) / len(guard) if guard else None,
        "max_tokens_hit": sum(r["finish"] == "length" for r in rows) / n,
        "on_topic": sum(r["on_topic"] for r in rows) / n,
        "median_tokens": statistics.median(tokens),
        "p90_clean_tokens": sorted(clean)[int(0.9 * (len(clean) - 1))] if clean else None,
    }


def print_table(summaries):
    print("| setting | replies | loops (script) | loops (LoopGuard) | hit max_tokens "
          "| on topic | median tokens | p90 tokens, no loop |")
    print("|---|---|---|---|---|---|---|---|")
    for s in summaries:
        guard = "—" if s["guard"] is None else f"{s['guard']:.0%}"
        print(f"| {s['setting']} | {s['replies']} | {s['loops']:.0%} | {guard} "
              f"| {s['max_tokens_hit']:.0%} | {s['on_topic']:.0%} | {s['median_tokens']:.0f} "
              f"| {s['p90_clean_tokens']} |")


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
    guard_class = app_loop_guard()
    settings = [s for s in SETTINGS if not args.only or s.name in args.only]
    seeds = list(range(1, args.seeds + 1))
    print(f"{MODEL.name}, {len(QUESTIONS)} questions, seeds {seeds} (greedy: one run), "
          f"{args.threads} threads, LoopGuard: {'app/sampling.py' if guard_class else 'not yet'}")
    all_rows, summaries = [], []
    for setting in settings:
        started = time.perf_counter()
        rows = run(llm, setting, seeds, guard_class)
        all_rows += rows
        summaries.append(summary(setting, rows))
        print(f"  {setting.name}: {len(rows)} replies in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    print_table(summaries)
    if args.replies:
        args.replies.write_text(json.dumps(all_rows, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
