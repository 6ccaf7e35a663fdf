"""The judgement benchmark's cases and scoring: what a case expects, and whether a result meets it.

Pure Python (standard library and the app's pure modules), so it runs in any venv and is
unit-tested in CPython (tests/unit/test_judgement_score.py). bench/judgement.py runs the cases;
this module reads them and scores what came back.

A case is one JSON line (bench/judgement_cases.jsonl holds the project's own):

    {"id": "c1", "category": "question", "todos": [{"title": "Buy milk", "done": false}, ...],
     "message": "How many to-dos are open?",
     "expect": {"changes": [{"op": "complete", "todo": 0}, {"op": "add", "title_has": ["bread"]}],
                "reply_has": ["2"]}}

`todo` is an index into `todos`. `category` is optional ("other"). In `expect`, all optional:
- `changes`: exactly the changes that should be proposed (none when left out). `title_has` (add,
  rename): words the new title must contain, case-insensitively; an item may be a list of
  alternatives (`[["bread", "bred"]]`).
- `reply_has`: words the reply must contain, each a string or a list of alternatives. A number
  ("4") also matches its word ("four") and matches only as a whole number (not "14").
- `reply_lacks`: words the reply must not contain; `reply_is_not`: texts the reply must not be
  (punctuation and case aside).
- `declines: true`: the reply says it cannot or will only help with the list; `asks: true`: the
  reply asks a question (a "?" or "which").
Every reply must also read as an answer (app.assistant.requests.checks: not empty, symbols, code or repeated).
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.assistant.changes.commands import Add, Rename
from app.assistant.requests.checks import nonsense
from app.todos.model import Todo

CASES = Path(__file__).resolve().parent / "judgement_cases.jsonl"
OPS = ("add", "complete", "reopen", "rename", "delete")
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                 "eighteen", "nineteen", "twenty"] + [""] * 10 + ["thirty"]
DECLINE_WORDS = ["sorry", "can't", "cannot", "can not", "unable", "not able", "only help", "only answer",
                 "only about", "only questions", "only with", "i'm a to-do", "i am a to-do", "outside",
                 "not related", "not part of", "isn't on", "is not on", "not on your", "don't have",
                 "do not have"]


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    todos: list
    message: str
    expect: dict = field(default_factory=dict)

    def app_todos(self):
        """The case's list as the app's Todo objects (ids "todo0"…, in order)."""
        return [Todo(f"todo{n}", item["title"], bool(item.get("done")), n + 1) for n, item in enumerate(self.todos)]


def load_cases(path=CASES):
    """The cases of a JSONL file, checked: a bad line raises ValueError naming the line."""
    cases, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = _case(json.loads(line))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: {error}") from None
        if case.id in seen:
            raise ValueError(f"{path}:{number}: the id {case.id!r} is used twice")
        seen.add(case.id)
        cases.append(case)
    return cases


def _case(data):
    todos = [{"title": str(t["title"]), "done": bool(t.get("done", False))} for t in data["todos"]]
    expect = dict(data.get("expect") or {})
    for change in expect.get("changes", []):
        if change["op"] not in OPS:
            raise ValueError(f"unknown op {change['op']!r}")
        if change["op"] != "add" and not 0 <= change["todo"] < len(todos):
            raise ValueError(f"todo {change['todo']} is not an index of the list")
    return Case(str(data["id"]), str(data.get("category", "other")), todos, str(data["message"]), expect)


def proposed_changes(batch, todos):
    """A Batch's commands as the contract's changes: {"op", "todo": index or None, "title": or None}."""
    index = {todo.id: n for n, todo in enumerate(todos)}
    changes = []
    for command in batch.commands:
        op = type(command).__name__.lower()
        if isinstance(command, Add):
            changes.append({"op": "add", "todo": None, "title": command.title})
        elif isinstance(command, Rename):
            changes.append({"op": "rename", "todo": index.get(command.todo_id), "title": command.new_title})
        else:
            changes.append({"op": op, "todo": index.get(command.todo_id), "title": None})
    return changes


def score(case, changes, reply):
    """How one result meets its case: exact, unasked (changes nobody asked for), reply_ok, failures."""
    expected = list(case.expect.get("changes", []))
    left = list(changes)
    missing = 0
    for want in expected:
        match = next((got for got in left if _matches(want, got)), None)
        if match is None:
            missing += 1
        else:
            left.remove(match)
    failures = _reply_failures(case.expect, reply)
    return {"exact": missing == 0 and not left, "unasked": len(left), "missed": missing,
            "reply_ok": not failures, "reply_failures": failures}


def _matches(want, got):
    if want["op"] != got["op"]:
        return False
    if want["op"] != "add" and want["todo"] != got["todo"]:
        return False
    if want["op"] in ("add", "rename"):
        return all(_has(got["title"] or "", word) for word in want.get("title_has", []))
    return True


def _reply_failures(expect, reply):
    failures = []
    problem = nonsense(reply)
    if problem:
        failures.append(problem)
    for word in expect.get("reply_has", []):
        if not _has(reply, word):
            failures.append(f"lacks {word!r}")
    for word in expect.get("reply_lacks", []):
        if _has(reply, word):
            failures.append(f"has {word!r}")
    for text in expect.get("reply_is_not", []):
        if _plain(reply) == _plain(text):
            failures.append(f"is {text!r}")
    if expect.get("declines") and not _has(reply, DECLINE_WORDS):
        failures.append("does not decline")
    if expect.get("asks") and not ("?" in reply or _has(reply, "which")):
        failures.append("does not ask which")
    return failures


def _has(text, word):
    """Whether `text` contains `word` (or, for a list, any of them), as described in the docstring."""
    if isinstance(word, list):
        return any(_has(text, w) for w in word)
    low = text.lower()
    if word.isdigit():
        pattern = rf"(?<![\d.,]){word}(?![\d]|[.,]\d)"
        number = int(word)
        if number < len(_NUMBER_WORDS) and _NUMBER_WORDS[number]:
            pattern += rf"|\b{_NUMBER_WORDS[number]}\b"
        return re.search(pattern, low) is not None
    return word.lower() in low


def _plain(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
