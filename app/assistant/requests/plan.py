"""One message's request to the model, shaped by what the message asks (app/assistant/requests/intent.py).

Pure Python. The judgement benchmark (bench/judgement.py, docs/benchmarks-judgement.md) chose this
design over one JSON request that both answers and proposes: small models answer better in plain
text than inside a JSON string, and they propose changes nobody asked for whenever the schema lets
them. So each message gets the one request that suits it:

- a question (or anything with no change word): a plain-text answer about the list
  (app/assistant/requests/prompts.py `build_messages`), with the chat so far; no change can be proposed;
- a change: a short JSON request whose schema allows only the kinds of change the message names,
  on only the to-dos it names, by their exact titles (the grammar then cannot name another), at
  most one change unless the message asks for several; the app writes the answer's text;
- a to-do named ambiguously, or not on the list, or already as asked, or a request that is not
  about the list at all: no model at all; the app asks which, says so, or declines.

    plan = plan_request(todos, history, message, context_tokens=4096, answer_tokens=512)
    plan.messages, plan.schema      # the request (messages None: nothing to ask the model)
    plan.read(whole_text)           # the answer read into an app.assistant.changes.reading.Proposal
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.assistant.changes.reading import ACTIONS_NOT_A_LIST, Proposal, clean_text, decode, read_data
from app.assistant.changes.commands import Batch, quoted
from app.assistant.requests.intent import (ANSWER, ASK, CHANGE, MISSING, OFF_LIST, Intent, new_titles, pick,
                                           read_intent)
from app.assistant.requests.prompts import Message, build_messages
from app.assistant.changes.schema import MAX_ACTIONS, change_schema
from app.todos.model import Todo

CHANGE_RULES = (
    "You turn the user's message into changes to their to-do list, as JSON. Name to-dos by their "
    "titles exactly as listed. A new to-do's title is short and in the user's words."
)
ASK_WHICH = "Which one do you mean: {}?"
NOT_ON_LIST = "I couldn't find that to-do on your list, so I changed nothing."
ASK_CLOSE = "I couldn't find that to-do on your list. Do you mean {}?"
ALREADY_DONE = "{} is already done."
NOT_DONE = "{} is not done yet."
ONLY_THE_LIST = ("I can only help with your to-do list: ask me about it, or tell me what to add, "
                 "change or remove.")
ALREADY = "already"
CHANGE_TOKENS = 24 * MAX_ACTIONS
"""The answer budget of a change request: about 24 tokens per change ({"op": "rename", …})."""


@dataclass(frozen=True)
class RequestPlan:
    """What to send for one message, and how to read what comes back."""

    kind: str
    messages: list[Message] | None = None  # None: no request; `reply` is the whole answer
    schema: dict[str, Any] | None = None  # constrains a change request's JSON; None: a plain-text answer
    max_tokens: int = 0
    reply: str = ""
    todos: list[Todo] = field(default_factory=list)
    names: dict[str, Todo] = field(default_factory=dict)  # a title the schema allows -> its to-do

    def read(self, text: str) -> Proposal:
        """The whole answer read into a Proposal (never raises): the reply text, and the changes.

        A change names its to-do by a title the schema allowed; any other value (another title, a
        short id, a number) is left out with a note, as an engine without constrained decoding
        could write one.
        """
        if self.messages is None:
            return Proposal(self.reply, Batch(()), ())
        if self.schema is None:  # plain text stays plain, even if it looks like JSON: no changes
            return Proposal(clean_text(text.strip()), Batch(()), ())
        data, failed = decode(text)
        if failed is not None:
            return failed
        changes = data.get("changes") if isinstance(data, dict) else None
        if not isinstance(changes, list):
            return Proposal("", Batch(()), (ACTIONS_NOT_A_LIST,))
        actions = [_as_action(change) for change in changes]
        return read_data({"reply": "", "actions": actions}, _ByTitle(self.names))


class _ByTitle:
    """The to-dos a change request may name, by title (app.assistant.changes.reading's TodoNames)."""

    def __init__(self, names: dict[str, Todo]) -> None:
        self.names = names

    def get(self, title: object) -> Todo | None:
        return self.names.get(title) if isinstance(title, str) else None


def _as_action(change: object) -> object:
    """A change as app.assistant.changes.reading reads it: its "todo" (a title) under "id"."""
    if not isinstance(change, dict):
        return change
    action = {key: value for key, value in change.items() if key != "todo"}
    if "todo" in change:
        action["id"] = change["todo"]
    return action


def plan_request(todos: Iterable[Todo], history: Sequence[Message], message: str, *, context_tokens: int,
                 answer_tokens: int) -> RequestPlan:
    """The request for `message` about `todos` (app.todos.model.Todo objects), as the docstring says.

    history: the chat so far ({"role", "content"} messages); the person's last message there is
    what a bare "yes" refers to, and where the app last asked which to-do was meant, the answer
    ("the oat one") is read together with that message. Raises app.assistant.requests.prompts.PromptTooLong when a
    question cannot fit.
    """
    todos = list(todos)
    previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), None)
    intent: Intent | None = None
    if previous and history and history[-1]["role"] == "assistant" and _asked_which(history[-1]["content"]):
        asked = read_intent(previous, todos)
        intent = pick(asked, message, todos) if asked.kind == ASK else None
    intent = intent or read_intent(message, todos, previous)
    if intent.kind == ANSWER:
        messages = build_messages(todos, history, message, context_tokens=context_tokens,
                                  answer_tokens=answer_tokens)
        return RequestPlan(ANSWER, messages, None, answer_tokens, todos=todos)
    if intent.kind == ASK:
        names = _either([quoted(todos[n].title) for n in intent.todos[:5]])
        return RequestPlan(ASK, reply=(ASK_CLOSE if intent.loose else ASK_WHICH).format(names), todos=todos)
    if intent.kind == MISSING:
        return RequestPlan(MISSING, reply=NOT_ON_LIST, todos=todos)
    if intent.kind == OFF_LIST:
        return RequestPlan(OFF_LIST, reply=ONLY_THE_LIST, todos=todos)
    return _already(todos, intent) or _change_plan(todos, intent)


def _already(todos: list[Todo], intent: Intent) -> RequestPlan | None:
    """A plan that says so when every named to-do is already as a lone complete/reopen would leave it."""
    if intent.ops not in (("complete",), ("reopen",)) or not intent.todos:
        return None
    done = intent.ops == ("complete",)
    if any(todos[n].completed != done for n in intent.todos):
        return None
    names = _either([quoted(todos[n].title) for n in intent.todos[:5]])
    return RequestPlan(ALREADY, reply=(ALREADY_DONE if done else NOT_DONE).format(names), todos=todos)


def _asked_which(text: str) -> bool:
    return any(text.startswith(ask.split("{")[0]) for ask in (ASK_WHICH, ASK_CLOSE))


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _change_plan(todos: list[Todo], intent: Intent) -> RequestPlan:
    named = list(intent.todos)[:MAX_ACTIONS]
    names: dict[str, Todo] = {}
    for n in named:
        names.setdefault(todos[n].title, todos[n])  # the first of two equal titles
    lines = [f"- {json.dumps(todos[n].title, ensure_ascii=False)} ({'done' if todos[n].completed else 'open'})"
             for n in named]
    system = CHANGE_RULES + ("\n\nTo-dos:\n" + "\n".join(lines) if lines else "")
    messages: list[Message] = [{"role": "system", "content": system}, {"role": "user", "content": intent.message}]
    if not names and "add" not in intent.ops:
        return RequestPlan(MISSING, reply=NOT_ON_LIST, todos=todos)
    schema = change_schema(intent.ops, list(names), intent.many, new_titles(intent.message, todos))
    return RequestPlan(CHANGE, messages, schema, CHANGE_TOKENS, todos=todos, names=names)


def answer_prefix(todos: Iterable[Todo], history: Sequence[Message], *, context_tokens: int,
                  answer_tokens: int) -> list[Message]:
    """What every question's request starts with, the question aside: the answer's system prompt
    and the chat so far (app/assistant/warmer.py has the engine read it ahead). For a question of usual
    length it is exactly the start of `plan_request(...).messages`; a long question may leave less
    room for the list or the chat, and the request then reads its prompt itself."""
    return build_messages(list(todos), history, "", context_tokens=context_tokens, answer_tokens=answer_tokens)[:-1]
