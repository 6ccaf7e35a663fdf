r"""A change request's answer read into proposed commands, each checked.

Pure Python. A message that asks for a change gets a JSON request (app/assistant/requests/plan.py)
whose schema (app/assistant/changes/schema.py) lets the model name only the to-dos the message
names, by their titles. What comes back is checked again here, in Python, as an answer may be cut
off, not be JSON at all, or come from an engine without constrained decoding: `decode` reads the
whole text (an answer that is truncated, malformed or not JSON proposes nothing, and says why), and
`read_data` turns the valid changes into app.assistant.changes.commands commands, naming the to-dos
through a `TodoNames` (plan.py's titles) and holding their real ids, so a list changed later does
not retarget a change. Each invalid change is left out with a message saying why.

`read_data` reads `{"reply": "<text>", "actions": [...]}`: plan.py puts a change request's changes
there (the app writes that answer's text itself), and the judgement benchmark's other designs
(bench/judgement_designs.py) their whole replies.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from app.assistant.changes.commands import Add, Batch, Complete, Delete, Rename, Reopen, quoted
from app.assistant.changes.schema import MAX_ACTIONS
from app.assistant.changes.stream import ReplyStream
from app.todos.model import MAX_TITLE_LENGTH, Todo, new_id

OPS = ("add", "complete", "reopen", "rename", "delete")
_BY_ID: dict[str, type[Complete | Reopen | Delete]] = {"complete": Complete, "reopen": Reopen, "delete": Delete}
Proposed = Add | Complete | Reopen | Rename | Delete
"""A command a reply can propose."""

NOT_JSON = "The answer was not in the expected format, so it proposes no changes."
MALFORMED = "The answer was not valid JSON, so it proposes no changes."
NOT_AN_OBJECT = "The answer was not a JSON object, so it proposes no changes."
TRUNCATED = "The answer was cut off before it was complete, so it proposes no changes."
ACTIONS_NOT_A_LIST = "The proposed changes were not a list, so none are proposed."
REPLY_NOT_TEXT = "The answer's text was not a string, so it is left out."


class TodoNames(Protocol):
    """How changes name their to-dos: by the titles a change request allows (app/assistant/requests/
    plan.py), or, in the judgement benchmark's older designs, by short ids (bench/judgement_designs.py)."""

    def get(self, name: object, /) -> Todo | None:
        """The to-do `name` stands for, or None (also for a name that is not a string)."""


@dataclass(frozen=True)
class Proposal:
    """A read reply: the text for the person, the proposed changes, and why any were left out."""

    reply: str
    batch: Batch
    problems: tuple[str, ...]

    @property
    def changes(self) -> list[str]:
        """The proposed changes in the person's words, in order."""
        return self.batch.describe()


def decode(text: str) -> tuple[Any, Proposal | None]:
    """(the JSON value of a whole answer, None), or (None, the Proposal of one that is not whole JSON).

    A ```json fence is accepted, and text after the object (only an engine without constrained
    decoding writes any) is ignored. Text that is not JSON is kept as the Proposal's reply; of JSON
    that is cut off or malformed, the "reply" text that arrived (app.assistant.changes.stream).
    """
    body = _unfenced(text.strip())
    if not body.startswith("{"):
        return None, Proposal(clean_text(text.strip()), Batch(()), (NOT_JSON,) if body else ())
    try:
        data, _ = json.JSONDecoder(object_pairs_hook=_first_key_wins).raw_decode(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        stream = ReplyStream()
        stream.feed(body)
        return None, Proposal(clean_text(stream.text), Batch(()), (MALFORMED if stream.closed else TRUNCATED,))
    return data, None


def read_data(data: object, names: TodoNames, *, make_id: Callable[[], str] = new_id,
              clock: Callable[[], int] | None = None) -> Proposal:
    """An already parsed reply (any JSON value) read into a Proposal; never raises on bad input.

    A reply that is not an object proposes nothing; "reply" is its text and "actions" its changes, each
    naming its to-do under "id" by a name `names` knows.
    """
    clock = clock or (lambda: int(time.time() * 1000))
    if not isinstance(data, dict):
        return Proposal("", Batch(()), (NOT_AN_OBJECT,))
    problems: list[str] = []
    reply = data.get("reply", "")
    if not isinstance(reply, str):
        reply = ""
        problems.append(REPLY_NOT_TEXT)
    commands = _read_actions(data.get("actions", []), names, make_id, clock, problems)
    return Proposal(clean_text(reply), Batch(tuple(commands)), tuple(problems))


def _read_actions(actions: object, names: TodoNames, make_id: Callable[[], str], clock: Callable[[], int],
                  problems: list[str]) -> list[Proposed]:
    if not isinstance(actions, list):
        problems.append(ACTIONS_NOT_A_LIST)
        return []
    if len(actions) > MAX_ACTIONS:
        problems.append(
            f"The answer proposed {len(actions):,} changes; at most {MAX_ACTIONS} can be proposed "
            "at once, so none are proposed."
        )
        return []
    commands: list[Proposed] = []
    seen: dict[tuple[str, str], int] = {}
    for number, action in enumerate(actions, 1):
        command, problem = _read_action(action, names, make_id, clock)
        if command is not None:
            problem = _repeated(command, number, seen)
        if problem:
            problems.append(f"Change {number} was left out: {problem}.")
        elif command is not None:  # always, when there is no problem
            commands.append(command)
    return commands


def _repeated(command: Proposed, number: int, seen: dict[tuple[str, str], int]) -> str | None:
    """Why `command` repeats an earlier one (a second change to one to-do, the same add), or None."""
    key = ("add", command.title) if isinstance(command, Add) else ("todo", command.todo_id)
    if key in seen:
        if key[0] == "add":
            return f"it repeats change {seen[key]}"
        return f"it is a second change to {quoted(command.title)}"
    seen[key] = number
    return None


def _read_action(action: object, names: TodoNames, make_id: Callable[[], str],
                 clock: Callable[[], int]) -> tuple[Proposed | None, str | None]:
    """One action → (command, None) or (None, why it was left out)."""
    if not isinstance(action, dict):
        return None, "it is not a change the assistant can make"
    op = action.get("op")
    if op not in OPS:
        shown = quoted(_clip(op)) if isinstance(op, str) else "it"
        return None, f"{shown} is not a change the assistant can make"
    if op in ("add", "rename"):
        title, problem = _title(action.get("title"))
        if problem:
            return None, problem
    if op == "add":
        return Add(make_id(), title, clock()), None
    todo = names.get(action.get("id"))
    if todo is None:
        return None, _unknown_id(action.get("id"))
    if op == "rename":
        if title == todo.title:
            return None, f"{quoted(todo.title)} already has that title"
        return Rename(todo.id, todo.title, title), None
    if op == "complete" and todo.completed:
        return None, f"{quoted(todo.title)} is already done"
    if op == "reopen" and not todo.completed:
        return None, f"{quoted(todo.title)} is not done"
    return _BY_ID[op](todo.id, todo.title), None


def _title(value: object) -> tuple[str, str | None]:
    """(the title, None), or ("", why it cannot be one)."""
    if not isinstance(value, str):
        return "", "its title is not text"
    title = _CONTROLS.sub(" ", clean_text(value)).strip()  # a title is one line, as typed in the app
    if not title:
        return "", "its title is empty"
    if len(title) > MAX_TITLE_LENGTH:
        return "", f"its title is {len(title):,} characters long; the limit is {MAX_TITLE_LENGTH:,}"
    return title, None


_CONTROLS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]+")


def _unknown_id(value: object) -> str:
    if not isinstance(value, str):
        return "it does not say which to-do it is about"
    return f"it names a to-do ({quoted(_clip(value))}) that is not on the list"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_text(text: str) -> str:
    """Lone UTF-16 surrogates (from a split \\uD83D escape) become U+FFFD: JS and storage refuse them."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _first_key_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A repeated key keeps its first value, as the streamed reply text does."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def _unfenced(text: str) -> str:
    """Accept a reply wrapped in a ```json fence (an engine without constrained decoding)."""
    if text.startswith("```") and text.endswith("```") and "\n" in text:
        return text[text.index("\n") + 1 : -3].strip()
    return text
