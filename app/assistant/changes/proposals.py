"""The assistant changing the list: a proposal that the person applies, discards or undoes.

Pure Python (no `js` imports). A change request (app/assistant/requests/plan.py) is read into an
app.assistant.changes.reading.Proposal; `ProposalFlow` is one proposal's life under its answer: proposed, then
applied (one step through the to-do controller, on the newest stored list) or discarded, and an
applied step can be undone once. Every transition happens at most once, so a double click or a
stale button can never apply a change twice.
"""

from app.assistant.changes.reading import NOT_JSON

PROPOSAL_INTRO = "I propose these changes:"
"""The text above proposed changes: the app writes it, the model writes only the changes."""

APPLIED = "Applied."
DISCARDED = "Discarded: nothing was changed."
NOTHING_APPLIED = "Nothing was changed."
UNDONE = "Undone."


def proposal_note(proposal):
    """The short note under an answer: why proposed changes were left out, or "".

    An answer that is not JSON at all (an engine that ignored the format) is just an answer, so
    that is not worth a note; every other problem is said.
    """
    return " ".join(problem for problem in proposal.problems if problem != NOT_JSON)


def _status(head, notes):
    return " ".join((head, *notes))


class ProposalFlow:
    """One proposal: Apply or Discard once; after Apply, Undo once.

    batch: app.assistant.changes.commands.Batch; apply_batch(batch) -> Step applies a batch as one change to
    the newest stored list (app.todos.controller.TodoController.apply_batch); view: the proposal's view,
    with show_proposed(changes), show_applied(status, can_undo), show_discarded(status),
    show_undone(status) and bind(flow).
    """

    def __init__(self, batch, apply_batch, view):
        self.batch = batch
        self.apply_batch = apply_batch
        self.view = view
        self.state = "proposed"
        self.step = None
        view.show_proposed(batch.describe())
        view.bind(self)

    def apply(self):
        """Apply every proposed change as one step; False when it was no longer proposed."""
        if self.state != "proposed":
            return False
        self.state = "applied"
        self.step = self.apply_batch(self.batch)
        head = APPLIED if self.step.changed else NOTHING_APPLIED
        self.view.show_applied(_status(head, self.step.notes), can_undo=self.step.changed)
        return True

    def discard(self):
        if self.state != "proposed":
            return False
        self.state = "discarded"
        self.view.show_discarded(DISCARDED)
        return True

    def undo(self):
        """Reverse exactly what Apply did, on the newest stored list; what changed since is noted."""
        if self.state != "applied" or not self.step.changed:
            return False
        self.state = "undone"
        back = self.apply_batch(self.step.undo)
        self.view.show_undone(_status(UNDONE, back.notes))
        return True
