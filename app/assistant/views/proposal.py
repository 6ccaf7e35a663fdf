"""The changes an answer proposes, under that answer: the only module writing a proposal's DOM.

A proposal is a short list in the person's words ("Add “Buy bread”") with **Apply** and
**Discard**, and **Undo** once applied. Its buttons call an app.assistant.changes.proposals.ProposalFlow, which
decides what happens; this module only shows it. Every string here may come from the model (the
titles), so it all goes in as text, never HTML. Used buttons are hidden and disabled at once, and
focus moves to the next thing to press, so keyboard users are never left on a vanished button.
Listeners come off (and their proxies are destroyed) once nothing more can be pressed, or when the
transcript is cleared (close()).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pyscript import document  # the page's, also where Python runs in a worker

from app.dom import Listener, listen, remove_all

if TYPE_CHECKING:
    from app.assistant.changes.proposals import ProposalFlow

HEADING = "Proposed changes"


def _element(tag: str, class_name: str, text: str | None = None) -> Any:
    element = document.createElement(tag)
    element.className = class_name
    if text is not None:
        element.textContent = text
    return element


def _button(class_name: str, text: str, hidden: bool = False) -> Any:
    button = _element("button", class_name, text)
    button.type = "button"
    button.hidden = hidden
    return button


def _retire(*buttons: Any) -> None:
    for button in buttons:
        button.disabled = True
        button.hidden = True


class ProposalView:
    """One proposal's section, inserted before `anchor` (the answer's meta line) once bound; an
    app.assistant.changes.proposals.ProposalDisplay, which the flow drives."""

    def __init__(self, anchor: Any, focus_message: Callable[[], object]) -> None:
        self.section = _element("section", "proposal")
        self.section.setAttribute("aria-label", HEADING)
        self.changes = _element("ul", "proposal-changes")
        self.status = _element("p", "proposal-status")
        self.status.setAttribute("role", "status")
        self.apply_button = _button("apply", "Apply")
        self.discard_button = _button("discard", "Discard")
        self.undo_button = _button("undo", "Undo", hidden=True)
        buttons = _element("div", "proposal-buttons")
        buttons.append(self.apply_button, self.discard_button, self.undo_button)
        self.section.append(_element("p", "proposal-heading", HEADING), self.changes, buttons, self.status)
        self._anchor = anchor
        self._focus_message = focus_message
        self._listeners: list[Listener] = []

    def bind(self, flow: ProposalFlow) -> None:
        for button, action in ((self.apply_button, flow.apply), (self.discard_button, flow.discard),
                               (self.undo_button, flow.undo)):
            def press(event: Any, action: Callable[[], bool] = action) -> bool:
                return action()

            self._listeners.append(listen(button, "click", press))
        # Into the page only now that its buttons answer: where Python runs in a worker each call is
        # a task of its own, and a press in between would be lost.
        self._anchor.before(self.section)

    def show_proposed(self, changes: Iterable[str]) -> None:
        self.changes.replaceChildren(*(_element("li", "proposal-change", change) for change in changes))

    def show_applied(self, status: str, can_undo: bool) -> None:
        self.section.classList.add("applied")
        self.status.textContent = status
        _retire(self.apply_button, self.discard_button)
        if can_undo:
            self.undo_button.hidden = False
            self.undo_button.focus()
        else:
            self._finished()

    def show_discarded(self, status: str) -> None:
        self.section.classList.add("discarded")
        self.status.textContent = status
        _retire(self.apply_button, self.discard_button)
        self._finished()

    def show_undone(self, status: str) -> None:
        self.section.classList.replace("applied", "undone")
        self.status.textContent = status
        _retire(self.undo_button)
        self._finished()

    def _finished(self) -> None:
        """Nothing more can be pressed: listeners off, focus back to the message box."""
        # Not from inside the click handler that is running: its proxy is destroyed just after.
        asyncio.get_event_loop().call_soon(self.close)
        self._focus_message()

    def close(self) -> None:
        remove_all(self._listeners)
