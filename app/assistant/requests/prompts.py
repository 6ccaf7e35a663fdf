"""Build the chat messages sent to the in-browser LLM: the system prompt, the chat so far, the question.

Pure Python (no `js` imports), so it runs unchanged in Pyodide and in CPython tests. The output is
the OpenAI-style list the engine port takes (app/assistant/engines/port.py `Engine.generate`):
``[{"role": "system" | "user" | "assistant", "content": str}, ...]``.

The system prompt (the rules and the to-do list, compacted to a budget) comes from
app/assistant/requests/list_prompt.py; this module shares the context window between it, the chat history and the
question. Sizes are measured with its ``estimate_tokens``, which errs on the high side, so the
prompt plus the answer always fit the model's context window.

These are the messages of an answer; a change request is shaped apart (app/assistant/requests/plan.py).
"""

from collections.abc import Iterable, Sequence
from typing import Literal, TypedDict

from app.assistant.requests.list_prompt import estimate_tokens, system_prompt
from app.todos.model import Todo


class Message(TypedDict):
    """One chat message, as every engine takes it (and as the chat's history keeps it)."""

    role: Literal["system", "user", "assistant"]
    content: str


MESSAGE_OVERHEAD_TOKENS = 8
"""Tokens the chat template adds around each message (role markers etc.)."""

DROPPED_NOTE = "Earlier messages in this chat were dropped to fit the model's memory."
"""Appended to the system prompt when old turns of the chat were left out."""


class PromptTooLong(ValueError):
    """The question cannot fit the model's context, even with no chat history."""


def build_messages(todos: Iterable[Todo], history: Sequence[Message], question: str, *, context_tokens: int,
                   answer_tokens: int) -> list[Message]:
    """Return ``[system, *kept_history, user question]`` for one chat request.

    The system prompt is rebuilt from ``todos`` on every call, so edits made
    between questions are seen. ``history`` holds earlier ``{"role",
    "content"}`` messages, alternating user/assistant. By the estimate the
    result fits ``context_tokens - answer_tokens``: the system prompt gets at
    most about half (compacting the list), then the newest whole turns (a user
    message with its reply) that fit are kept. Dropping turns adds a note to
    the system prompt. Raises ``PromptTooLong`` if the question itself does not
    fit.
    """
    todos = list(todos)  # may be read twice (the error path rebuilds it)
    available = context_tokens - answer_tokens
    question_cost = _message_tokens(question)
    # Room for the drop note is set aside up front, so adding it never overflows.
    reserve = estimate_tokens("\n\n" + DROPPED_NOTE) if history else 0
    system_budget = min(available // 2, available - question_cost)
    system = system_prompt(
        todos, budget_tokens=max(0, system_budget - MESSAGE_OVERHEAD_TOKENS - reserve)
    )
    left = available - _message_tokens(system) - question_cost
    if left < reserve:
        smallest = _message_tokens(system_prompt(todos, budget_tokens=0))
        room = available - smallest - reserve - MESSAGE_OVERHEAD_TOKENS
        raise PromptTooLong(
            "Your question is too long for the assistant to read. Please shorten "
            f"it to about {max(0, room) * 3} characters and try again."
        )

    turns = _turns(history)
    costs = [sum(_message_tokens(m["content"]) for m in turn) for turn in turns]
    kept = len(turns)
    if sum(costs) > left:
        left -= reserve
        kept = 0
        for cost in reversed(costs):
            if cost > left:
                break  # older turns stay out too: the kept chat stays contiguous
            left -= cost
            kept += 1
        system += "\n\n" + DROPPED_NOTE
    messages: list[Message] = [{"role": "system", "content": system}]
    for turn in turns[len(turns) - kept:]:
        messages.extend(turn)
    messages.append({"role": "user", "content": question})
    return messages


def _message_tokens(text: str) -> int:
    return estimate_tokens(text) + MESSAGE_OVERHEAD_TOKENS


def _turns(history: Iterable[Message]) -> list[list[Message]]:
    """Group messages into turns, each starting at a user message."""
    turns: list[list[Message]] = []
    for message in history:
        if message["role"] == "user" or not turns:
            turns.append([])
        turns[-1].append({"role": message["role"], "content": message["content"]})
    return turns
