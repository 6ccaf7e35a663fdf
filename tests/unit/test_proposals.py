"""The assistant changing the list, in CPython: a structured answer streamed and read, its changes
offered, applied through the real to-do controller on an in-memory store, discarded, undone, also
with a second tab writing the same store in between. Exact expectations throughout.
"""

import asyncio
import json

from engine_fakes import FakeEngine
from test_assistant_controller import CPU, NO, RecordingView, Settings, run
from test_controller import MemoryStore
from test_controller import RecordingView as ListView

from app import codec
from app.actions import MALFORMED, TRUNCATED
from app.assistant import AssistantController
from app.assistant_text import LENGTH_NOTE, STOPPED_NOTE
from app.controller import TodoController
from app.engine import PROMPT_API, WEBLLM, WLLAMA, Availability
from app.model_storage import ModelShelf
from app.proposals import (
    APPLIED,
    DISCARDED,
    NOTHING_APPLIED,
    PROPOSAL_INTRO,
    UNDONE,
    ProposalFlow,
    StructuredReply,
    proposal_note,
)
from app.reply_schema import MAX_ACTIONS, reply_schema
from app.todos import Todo, Todos

LIST = Todos([Todo("a", "Buy milk", False, 1), Todo("b", "Call the dentist", False, 2),
              Todo("c", "Clean the garage", True, 3)])


def reply_json(reply, actions):
    return json.dumps({"reply": reply, "actions": actions}, ensure_ascii=False)


def chunks_of(text, size=7):
    return [text[i:i + size] for i in range(0, len(text), size)]


class ProposalView:
    """Records what the flow shows; `flow` is what its buttons would call."""

    def __init__(self):
        self.shown = []
        self.flow = None

    def show_proposed(self, changes):
        self.shown.append(("proposed", changes))

    def show_applied(self, status, can_undo):
        self.shown.append(("applied", status, can_undo))

    def show_discarded(self, status):
        self.shown.append(("discarded", status))

    def show_undone(self, status):
        self.shown.append(("undone", status))

    def bind(self, flow):
        self.flow = flow


class View(RecordingView):
    def start_answer(self, question):
        answer = super().start_answer(question)
        answer.proposals = []

        def propose():
            assert answer.finished is not None, "offered before the answer finished"
            answer.proposals.append(ProposalView())
            return answer.proposals[-1]

        answer.propose = propose
        return answer


class Tab:
    """One tab's to-do controller over the shared store."""

    def __init__(self, store):
        self.view = ListView()
        self.todos = TodoController(store, self.view, clock=lambda: 42)
        self.todos.start("#/")


class Rig:
    """The assistant on the CPU engine, over a real to-do controller and an in-memory store."""

    def __init__(self, todos=LIST):
        self.store = MemoryStore(codec.encode(todos))
        self.tab = Tab(self.store)
        self.engine = FakeEngine(WLLAMA, CPU)
        engines = [FakeEngine(WEBLLM, Availability(False)), self.engine, FakeEngine(PROMPT_API, NO)]
        self.view = View()
        self.controller = AssistantController(engines, None, self.view, Settings(), lambda: self.tab.todos.todos,
                                              ModelShelf(engines), apply_batch=self.tab.todos.apply_batch)

    async def ready(self):
        self.controller.device = _Device()
        await self.controller.open()
        await self.controller.load()
        assert self.controller.state == "ready"
        return self

    async def ask(self, raw, question="Do it"):
        self.engine.chunks = chunks_of(raw) if isinstance(raw, str) else raw
        assert await self.controller.ask(question) is True
        return self.view.answers[-1]

    def stored(self):
        return [(t.id, t.title, t.completed) for t in codec.decode(self.store.text).todos]


class _Device:
    def online(self):
        return True

    async def storage_estimate(self):
        return None

    async def persist(self):
        return True

    async def custom_models_text(self):
        return None


BEFORE = [("a", "Buy milk", False), ("b", "Call the dentist", False), ("c", "Clean the garage", True)]
ASKED = reply_json("I can do that: add **bread**, tick off the dentist.",
                   [{"op": "add", "title": "Buy bread"}, {"op": "complete", "id": "t2"},
                    {"op": "rename", "id": "t1", "title": "Buy oat milk"}, {"op": "delete", "id": "t3"}])
WORDS = ["Add “Buy bread”", "Mark “Call the dentist” as done", "Rename “Buy milk” to “Buy oat milk”",
         "Delete “Clean the garage”"]


# The request and the streamed reply


def test_every_question_is_one_structured_request_with_the_lists_short_ids():
    async def scenario():
        rig = await Rig().ready()
        await rig.ask(reply_json("Two open.", []), "How many are open?")
        assert rig.engine.schemas == [reply_schema(["t1", "t2", "t3"])]
        system = rig.engine.sent[0][0][0]["content"]
        assert '{"id": "t2", "title": "Call the dentist", "done": false}' in system
        assert '"actions"' in system  # JSON is asked for in the prompt too

    run(scenario)


def test_the_reply_streams_out_of_the_partial_json_and_the_answer_is_only_the_reply():
    async def scenario():
        rig = await Rig().ready()
        raw = reply_json("Say \"hi\" \u2014 done.\nBye", [])
        answer = await rig.ask(chunks_of(raw, 3))
        assert "".join(answer.parts) == "Say \"hi\" \u2014 done.\nBye"
        assert all('"reply"' not in part and "{" not in part for part in answer.parts)
        assert answer.finished == ("Say \"hi\" \u2014 done.\nBye", "", "12.3 tokens/s")
        assert answer.proposals == []  # no changes: just an answer

    run(scenario)


def test_history_keeps_the_reply_text_not_the_json():
    async def scenario():
        rig = await Rig().ready()
        await rig.ask(ASKED, "Add bread")
        await rig.ask(reply_json("Sure.", []), "Thanks")
        assert rig.engine.sent[1][0][1:] == [
            {"role": "user", "content": "Add bread"},
            {"role": "assistant", "content": "I can do that: add **bread**, tick off the dentist."},
            {"role": "user", "content": "Thanks"},
        ]

    run(scenario)


def test_a_plain_text_answer_from_an_engine_that_ignored_the_format_is_just_an_answer():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(["You have ", "two open to-dos."])
        assert answer.finished == ("You have two open to-dos.", "", "12.3 tokens/s")
        assert answer.proposals == []

    run(scenario)


# Proposals: shown, nothing changed until Apply


def test_proposed_changes_are_shown_in_the_persons_words_and_nothing_changes_before_apply():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(ASKED)
        assert answer.finished == ("I can do that: add **bread**, tick off the dentist.", "", "12.3 tokens/s")
        (proposal,) = answer.proposals
        assert proposal.shown == [("proposed", WORDS)]
        assert rig.stored() == BEFORE and rig.tab.todos.todos == LIST

    run(scenario)


def test_apply_changes_the_stored_list_once_and_undo_restores_it():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(ASKED)).proposals
        added_id = proposal.flow.batch.commands[0].todo_id
        assert proposal.flow.apply() is True
        after = [("a", "Buy oat milk", False), ("b", "Call the dentist", True), (added_id, "Buy bread", False)]
        assert rig.stored() == after
        assert rig.tab.view.rendered == rig.tab.todos.todos  # rendered by the to-do controller
        assert proposal.shown[-1] == ("applied", APPLIED, True)
        assert proposal.flow.apply() is False and proposal.flow.discard() is False  # nothing twice
        assert rig.stored() == after

        assert proposal.flow.undo() is True
        assert rig.stored() == BEFORE
        assert proposal.shown[-1] == ("undone", UNDONE)
        assert proposal.flow.undo() is False and proposal.flow.apply() is False
        assert rig.stored() == BEFORE

    run(scenario)


def test_discard_changes_nothing_and_closes_the_proposal():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(ASKED)).proposals
        assert proposal.flow.discard() is True
        assert proposal.shown[-1] == ("discarded", DISCARDED)
        assert proposal.flow.apply() is False and proposal.flow.undo() is False
        assert rig.stored() == BEFORE

    run(scenario)


def test_another_tabs_edit_between_proposal_and_apply_survives():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(ASKED)).proposals
        other = Tab(rig.store)
        other.todos.add("Water the plants")
        other.todos.edit("a", "Buy soy milk")  # the rename's to-do changed meanwhile
        proposal.flow.apply()
        titles = [title for _, title, _ in rig.stored()]
        assert titles == ["Buy soy milk", "Call the dentist", "Water the plants", "Buy bread"]
        assert proposal.shown[-1] == (
            "applied", f"{APPLIED} “Buy milk” was changed in the meantime, so it was not renamed.", True)

    run(scenario)


def test_undo_across_tabs_skips_what_the_other_tab_deleted_and_keeps_its_edits():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(ASKED)).proposals
        added_id = proposal.flow.batch.commands[0].todo_id
        proposal.flow.apply()
        other = Tab(rig.store)
        other.todos.remove(added_id)  # the other tab deletes the added to-do…
        other.todos.add("Water the plants")  # …and adds one of its own
        proposal.flow.undo()
        assert proposal.shown[-1] == ("undone", f"{UNDONE} “Buy bread” was already deleted.")
        stored = rig.stored()
        assert stored[:3] == BEFORE and [t for _, t, _ in stored[3:]] == ["Water the plants"]

    run(scenario)


def test_undo_with_a_change_the_other_tab_already_made_is_still_one_step():
    async def scenario():
        rig = await Rig().ready()
        raw = reply_json("Done?", [{"op": "complete", "id": "t1"}, {"op": "complete", "id": "t2"}])
        (proposal,) = (await rig.ask(raw)).proposals
        other = Tab(rig.store)
        other.todos.set_completed("a", True)  # already done elsewhere: applying it changes nothing
        proposal.flow.apply()
        assert [c.title for c in proposal.flow.step.applied] == ["Call the dentist"]
        proposal.flow.undo()
        assert rig.stored() == [("a", "Buy milk", True), ("b", "Call the dentist", False), BEFORE[2]]

    run(scenario)


def test_apply_that_changes_nothing_offers_no_undo():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(reply_json("Gone.", [{"op": "delete", "id": "t1"}]))).proposals
        Tab(rig.store).todos.remove("a")
        assert proposal.flow.apply() is True
        assert proposal.shown[-1] == ("applied", f"{NOTHING_APPLIED} “Buy milk” was already deleted.", False)
        assert proposal.flow.undo() is False

    run(scenario)


def test_a_reply_with_changes_but_no_text_gets_an_introduction():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(reply_json("", [{"op": "add", "title": "Buy bread"}]))
        assert answer.finished[0] == PROPOSAL_INTRO
        assert answer.proposals[0].shown == [("proposed", ["Add “Buy bread”"])]

    run(scenario)


# Bad answers: a note, and the list untouched


def test_invalid_actions_are_left_out_with_a_note_and_the_valid_ones_offered():
    async def scenario():
        rig = await Rig().ready()
        raw = reply_json("Here.", [{"op": "delete", "id": "t9"}, {"op": "add", "title": "  "},
                                   {"op": "explode", "id": "t1"}, {"op": "add", "title": "<script>x</script>"}])
        answer = await rig.ask(raw)
        assert answer.finished[1] == (
            "Change 1 was left out: it names a to-do (“t9”) that is not on the list. "
            "Change 2 was left out: its title is empty. "
            "Change 3 was left out: “explode” is not a change the assistant can make.")
        assert answer.proposals[0].shown == [("proposed", ["Add “<script>x</script>”"])]
        assert rig.stored() == BEFORE

    run(scenario)


def test_five_hundred_actions_propose_nothing():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(reply_json("Lots.", [{"op": "add", "title": f"n{i}"} for i in range(500)]))
        assert answer.finished == ("Lots.", f"The answer proposed 500 changes; at most {MAX_ACTIONS} can be "
                                            "proposed at once, so none are proposed.", "12.3 tokens/s")
        assert answer.proposals == [] and rig.stored() == BEFORE

    run(scenario)


def test_truncated_json_shows_the_reply_so_far_and_proposes_nothing():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(ASKED[:-30])
        assert answer.finished == ("I can do that: add **bread**, tick off the dentist.", TRUNCATED, "12.3 tokens/s")
        assert answer.proposals == []
        rig.engine.finish = "length"
        answer = await rig.ask(ASKED[:-30])
        assert answer.finished[1:] == (LENGTH_NOTE, "12.3 tokens/s") and answer.proposals == []
        answer = await rig.ask('{"reply": "x"]]')
        assert answer.finished[1] == LENGTH_NOTE
        rig.engine.finish = "stop"
        answer = await rig.ask('{"reply": "Hm", "actions": [}]')
        assert answer.finished == ("Hm", MALFORMED, "12.3 tokens/s") and rig.stored() == BEFORE

    run(scenario)


def test_a_stopped_structured_answer_proposes_nothing():
    async def scenario():
        rig = await Rig().ready()
        rig.engine.pause_at = 3
        asking = asyncio.ensure_future(rig.ask(ASKED))
        await rig.engine.paused.wait()
        rig.controller.stop()
        answer = await asking
        assert answer.finished == ("I can do t", STOPPED_NOTE, "12.3 tokens/s")
        assert answer.proposals == [] and rig.stored() == BEFORE
        assert rig.controller.history[-1] == {"role": "assistant", "content": "I can do t"}

    run(scenario)


def test_without_a_list_to_change_the_reply_is_shown_and_nothing_offered():
    async def scenario():
        rig = await Rig().ready()
        rig.controller.apply_batch = None
        answer = await rig.ask(reply_json("", [{"op": "add", "title": "Buy bread"}]))
        assert answer.finished[0] == "" and answer.proposals == []

    run(scenario)


# The pure pieces


def test_structured_reply_reads_the_whole_answer_with_the_ids_it_gave():
    reading = StructuredReply(list(LIST))
    assert reading.schema == reply_schema(["t1", "t2", "t3"])
    parts = [reading.feed(c) for c in chunks_of(ASKED, 5)]
    assert "".join(parts) == reading.text == "I can do that: add **bread**, tick off the dentist."
    proposal = reading.read()
    assert proposal.changes == WORDS and proposal.problems == ()
    assert proposal_note(proposal) == ""


def test_flow_transitions_happen_once_whatever_the_order():
    class Steps:
        def __init__(self):
            self.batches = []

        def __call__(self, batch):
            self.batches.append(batch)
            return batch.apply(LIST)

    apply_batch, view = Steps(), ProposalView()
    batch = StructuredReply(list(LIST))
    batch.feed(ASKED)
    flow = ProposalFlow(batch.read().batch, apply_batch, view)
    assert view.flow is flow and flow.state == "proposed"
    assert [flow.undo(), flow.apply(), flow.apply(), flow.discard(), flow.undo(), flow.undo()] == [
        False, True, False, False, True, False]
    assert len(apply_batch.batches) == 2 and apply_batch.batches[1] == flow.step.undo
    assert [s[0] for s in view.shown] == ["proposed", "applied", "undone"]


def test_apply_batch_with_storage_full_keeps_the_step_and_saves_it_once_later():
    store = MemoryStore(codec.encode(LIST))
    tab = Tab(store)
    reading = StructuredReply(list(LIST))
    reading.feed(reply_json("", [{"op": "add", "title": "Buy bread"}, {"op": "complete", "id": "t1"}]))
    batch = reading.read().batch
    store.full = True
    step = tab.todos.apply_batch(batch)
    assert [c.describe() for c in step.applied] == ["Add “Buy bread”", "Mark “Buy milk” as done"]
    assert codec.decode(store.text).todos == LIST  # not saved yet…
    assert [t.title for t in tab.todos.todos] == ["Buy milk", "Call the dentist", "Clean the garage", "Buy bread"]
    store.full = False
    tab.todos.add("Water the plants")  # …saved with the next change, applied once
    assert [(t.title, t.completed) for t in codec.decode(store.text).todos] == [
        ("Buy milk", True), ("Call the dentist", False), ("Clean the garage", True), ("Buy bread", False),
        ("Water the plants", False)]
