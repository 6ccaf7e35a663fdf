"""Can a model tell a question from a change request by itself? Its own odds, on the judgement cases.

    .venv-judge/bin/python -m bench.judgement_probe [--model GGUF]

For every case of bench/judgement_cases.jsonl, the list and the message go in as a system and a user
message (the model's chat template), and the answer is started as `{"do": "`. The probe reads the
model's log-probability of each way to go on: "answer" or one of the five kinds of change (whole
words, token by token). A model that can decide "decide first, then write" by itself ranks change
requests above questions by the odds of its best change over "answer"; the probe prints that
ranking's AUC (0.5 is chance) and how often the likeliest word is right. The app's design rests on
this figure (app/assistant/requests/intent.py, docs/benchmarks-judgement.md).
"""

import argparse

from bench.judgement_native import NativeEngine
from bench.judgement_score import load_cases
from build.fetch_model import TARGET as SMOLLM2

RULES = ('You are the assistant of a to-do app. Reply with JSON: "do" is what the user asks you to do: '
         "answer a question, or add, complete, delete, rename or reopen to-dos.")
WORDS = ["answer", "add", "complete", "delete", "rename", "reopen"]


def log_odds(engine, prompt, words):
    """log P(word, then a closing quote | prompt) for each word."""
    import numpy as np

    llm = engine.llm
    start = llm.tokenize(prompt.encode(), add_bos=True, special=True)
    llm.reset()
    llm.eval(start)
    scores = {}
    for word in words:
        whole = llm.tokenize((prompt + word + '"').encode(), add_bos=True, special=True)
        assert whole[:len(start)] == start, word
        extra = whole[len(start):]
        llm.n_tokens = len(start)
        llm.eval(extra)
        total = 0.0
        for k, token in enumerate(extra):
            logits = np.array(llm.scores[len(start) - 1 + k])
            total += float(logits[token] - np.logaddexp.reduce(logits))
        scores[word] = total
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SMOLLM2)
    args = parser.parse_args()
    engine = NativeEngine(args.model, logits_all=True)
    rows = []
    for case in load_cases():
        todos = case.app_todos()
        listing = "\n".join(f"- {t.title} ({'done' if t.completed else 'open'})" for t in todos) or "(empty)"
        messages = [{"role": "system", "content": f"To-do list:\n{listing}\n\n{RULES}"},
                    {"role": "user", "content": case.message}]
        prompt = engine.template(messages) + '{"do": "'
        scores = log_odds(engine, prompt, WORDS)
        expected = case.expect.get("changes", [])
        want = expected[0]["op"] if expected else "answer"
        change = max(WORDS[1:], key=scores.get)
        rows.append((want, max(scores, key=scores.get), scores[change] - scores["answer"]))
    changes = [odds for want, _, odds in rows if want != "answer"]
    others = [odds for want, _, odds in rows if want == "answer"]
    auc = sum((c > o) + 0.5 * (c == o) for c in changes for o in others) / (len(changes) * len(others))
    right = sum(want == best for want, best, _ in rows)
    picked = sum(best != "answer" for _, best, _ in rows)
    print(f"{args.model}: {len(rows)} cases ({len(changes)} change requests)")
    print(f"AUC of 'best change' over 'answer' odds, change requests vs the rest: {auc:.2f} (0.5 = chance)")
    print(f"likeliest word right: {right} of {len(rows)}; a change word likeliest in {picked} of {len(rows)}")


if __name__ == "__main__":
    main()
