r"""The assistant's structured reply read into proposed commands, and the short ids it names to-dos by.

Pure Python. Every message gets one structured request whose reply is
`{"reply": "<text for the person>", "actions": [...]}`, so questions and changes take the same path.
The model sees short ids ("t1", "t2"…, by position in the list) instead of the real ones; `IdMap`
maps them back. `read_reply` checks a reply (complete, truncated or not JSON at all) against the
schema in Python and turns the valid actions into app.assistant.changes.commands commands; each invalid action
is left out with a message saying why, and a reply with no valid actions is just an answer.

The reply's JSON schema, and why it has the shape it has, is app/assistant/changes/schema.py.
"""

import json
import re
import time
from collections.abc import Callable, Iterable
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


def short_id(position: int) -> str:
    """The id the model sees for the to-do at `position` (0-based) in the list."""
    return f"t{position + 1}"


class TodoNames(Protocol):
    """How the changes of a reply name their to-dos: IdMap's short ids, or the titles a change request
    allows (app/assistant/requests/plan.py)."""

    def get(self, name: object, /) -> Todo | None:
        """The to-do `name` stands for, or None (also for a name that is not a string)."""


class IdMap:
    """Short ids given to the model ↔ the to-dos they stand for (the list the prompt was built from)."""

    def __init__(self, todos: Iterable[Todo]) -> None:
        self.todos = {short_id(n): todo for n, todo in enumerate(todos)}

    @property
    def short_ids(self) -> list[str]:
        return list(self.todos)

    def get(self, short: object) -> Todo | None:
        return self.todos.get(short) if isinstance(short, str) else None


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


def read_reply(text: str, id_map: TodoNames, *, make_id: Callable[[], str] = new_id,
               clock: Callable[[], int] | None = None) -> Proposal:
    """Read a whole reply (as the engine produced it) into a Proposal; never raises on bad input.

    Not JSON at all: the text is the answer. Truncated or malformed JSON: whatever reply text
    arrived (as it was streamed), and no changes.
    """
    data, failed = decode(text)
    if failed is not None:
        return failed
    return read_data(data, id_map, make_id=make_id, clock=clock)


def decode(text: str) -> tuple[Any, Proposal | None]:
    """(the JSON value of a whole reply, None), or (None, the Proposal a reply that is not JSON makes).

    A ```json fence is accepted, and text after the object (only an engine without constrained
    decoding writes any) is ignored.
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


def read_data(data: object, id_map: TodoNames, *, make_id: Callable[[], str] = new_id,
              clock: Callable[[], int] | None = None) -> Proposal:
    """Check an already parsed reply (any JSON value) the same way; never raises on bad input."""
    clock = clock or (lambda: int(time.time() * 1000))
    if not isinstance(data, dict):
        return Proposal("", Batch(()), (NOT_AN_OBJECT,))
    problems: list[str] = []
    reply = data.get("reply", "")
    if not isinstance(reply, str):
        reply = ""
        problems.append(REPLY_NOT_TEXT)
    commands = _read_actions(data.get("actions", []), id_map, make_id, clock, problems)
    return Proposal(clean_text(reply), Batch(tuple(commands)), tuple(problems))


def _read_actions(actions: object, id_map: TodoNames, make_id: Callable[[], str], clock: Callable[[], int],
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
        command, problem = _read_action(action, id_map, make_id, clock)
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


def _read_action(action: object, id_map: TodoNames, make_id: Callable[[], str],
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
    todo = id_map.get(action.get("id"))
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
