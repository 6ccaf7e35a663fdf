"""The assistant changing the list: a proposal that the person applies, discards or undoes.

Pure Python (no `js` imports). A change request (app/assistant/requests/plan.py) is read into an
app.assistant.changes.reading.Proposal; `ProposalFlow` is one proposal's life under its answer: proposed, then
applied (one step through the to-do controller, on the newest stored list) or discarded, and an
applied step can be undone once. Every transition happens at most once, so a double click or a
stale button can never apply a change twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, cast

from app.assistant.changes.commands import Batch, Step
from app.assistant.changes.reading import NOT_JSON, Proposal

PROPOSAL_INTRO = "I propose these changes:"
"""The text above proposed changes: the app writes it, the model writes only the changes."""

APPLIED = "Applied."
DISCARDED = "Discarded: nothing was changed."
NOTHING_APPLIED = "Nothing was changed."
UNDONE = "Undone."


def proposal_note(proposal: Proposal) -> str:
    """The short note under an answer: why proposed changes were left out, or "".

    An answer that is not JSON at all (an engine that ignored the format) is just an answer, so
    that is not worth a note; every other problem is said.
    """
    return " ".join(problem for problem in proposal.problems if problem != NOT_JSON)


def _status(head: str, notes: Iterable[str]) -> str:
    return " ".join((head, *notes))


class ProposalDisplay(Protocol):
    """A proposal's view under its answer, as ProposalFlow drives it: app/assistant/views/proposal.py's
    ProposalView in the page, a recording fake in the unit tests."""

    def show_proposed(self, changes: list[str]) -> None:
        """Show the proposed changes, in the person's words, with Apply and Discard."""

    def show_applied(self, status: str, can_undo: bool) -> None:
        """Applied: say `status`, and offer Undo when `can_undo`."""

    def show_discarded(self, status: str) -> None: ...

    def show_undone(self, status: str) -> None: ...

    def bind(self, flow: ProposalFlow) -> None:
        """Have the buttons call flow.apply(), flow.discard() and flow.undo(); called last, after
        show_proposed(), so the view may wait until now to be shown with buttons that answer."""


class ProposalFlow:
    """One proposal: Apply or Discard once; after Apply, Undo once.

    batch: app.assistant.changes.commands.Batch; apply_batch(batch) -> Step applies a batch as one change to
    the newest stored list (app.todos.controller.TodoController.apply_batch); view: the proposal's view
    (a ProposalDisplay).
    """

    def __init__(self, batch: Batch, apply_batch: Callable[[Batch], Step], view: ProposalDisplay) -> None:
        self.batch = batch
        self.apply_batch = apply_batch
        self.view = view
        self.state = "proposed"
        self.step: Step | None = None
        view.show_proposed(batch.describe())
        view.bind(self)

    def apply(self) -> bool:
        """Apply every proposed change as one step; False when it was no longer proposed."""
        if self.state != "proposed":
            return False
        self.state = "applied"
        self.step = self.apply_batch(self.batch)
        head = APPLIED if self.step.changed else NOTHING_APPLIED
        self.view.show_applied(_status(head, self.step.notes), can_undo=self.step.changed)
        return True

    def discard(self) -> bool:
        if self.state != "proposed":
            return False
        self.state = "discarded"
        self.view.show_discarded(DISCARDED)
        return True

    def undo(self) -> bool:
        """Reverse exactly what Apply did, on the newest stored list; what changed since is noted."""
        step = cast(Step, self.step)  # set by apply(), if the state is "applied"
        if self.state != "applied" or not step.changed:
            return False
        self.state = "undone"
        back = self.apply_batch(step.undo)
        self.view.show_undone(_status(UNDONE, back.notes))
        return True
