"""The assistant changing the list, in CPython: a message read, its request sent, the answer read,
its changes offered, applied through the real to-do controller on an in-memory store, discarded,
undone, also with a second tab writing the same store in between. Exact expectations throughout.
"""

import asyncio
import json

from engine_fakes import FakeDevice, FakeEngine
from fakes import (
    CPU,
    NO,
    MemorySettings,
    MemoryStore,
    ProposingAssistantView,
    RecordingListView,
    RecordingProposalView,
    run,
)

from app.todos import codec
from app.assistant.changes.reading import MALFORMED, TRUNCATED
from app.assistant.turn import NO_CHANGE_TEXT, NONSENSE_TEXT
from app.assistant.controller import AssistantController
from app.assistant.text import LENGTH_NOTE, STOPPED_NOTE
from app.todos.controller import TodoController
from app.assistant.engines.port import Availability
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.models.shelf import ModelShelf
from app.assistant.requests.prompts import build_messages
from app.assistant.changes.proposals import APPLIED, DISCARDED, NOTHING_APPLIED, PROPOSAL_INTRO, UNDONE, ProposalFlow, proposal_note
from app.assistant.changes.schema import MAX_ACTIONS, change_schema
from app.assistant.requests.plan import ASK_WHICH, CHANGE_RULES, plan_request
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.todos.model import Todo, Todos

LIST = Todos([Todo("a", "Buy milk", False, 1), Todo("b", "Call the dentist", False, 2),
              Todo("c", "Clean the garage", True, 3)])


def changes_json(*changes):
    return json.dumps({"changes": list(changes)}, ensure_ascii=False)


def chunks_of(text, size=7):
    return [text[i:i + size] for i in range(0, len(text), size)]


class Tab:
    """One tab's to-do controller over the shared store."""

    def __init__(self, store):
        self.view = RecordingListView()
        self.todos = TodoController(store, self.view, clock=lambda: 42)
        self.todos.start("#/")


class Rig:
    """The assistant on the CPU engine, over a real to-do controller and an in-memory store."""

    def __init__(self, todos=LIST):
        self.store = MemoryStore(codec.encode(todos))
        self.tab = Tab(self.store)
        self.engine = FakeEngine(WLLAMA, CPU)
        engines = [FakeEngine(WEBLLM, Availability(False)), self.engine, FakeEngine(PROMPT_API, NO)]
        self.view = ProposingAssistantView()
        self.controller = AssistantController(engines, None, self.view, MemorySettings(), lambda: self.tab.todos.todos,
                                              ModelShelf(engines), apply_batch=self.tab.todos.apply_batch)

    async def ready(self):
        self.controller.device = FakeDevice()
        await self.controller.open()
        await self.controller.load()
        assert self.controller.state == "ready"
        return self

    async def ask(self, raw, question="Add buy bread"):
        self.engine.chunks = chunks_of(raw) if isinstance(raw, str) else raw
        assert await self.controller.ask(question) is True
        return self.view.answers[-1]

    def stored(self):
        return [(t.id, t.title, t.completed) for t in codec.decode(self.store.text).todos]


async def a_change_is_proposed(rig):
    """The positive case, on the same rig, of a test's `answer.proposals == []`: a change it can make
    is proposed (and nothing changes until Apply)."""
    stored = rig.stored()
    answer = await rig.ask(changes_json({"op": "add", "title": "Buy bread"}), "Add buy bread")
    assert [proposal.shown for proposal in answer.proposals] == [[("proposed", ["Add “Buy bread”"])]]
    assert rig.stored() == stored


BEFORE = [("a", "Buy milk", False), ("b", "Call the dentist", False), ("c", "Clean the garage", True)]
ASK = "Add buy bread, mark the dentist as done, rename 'Buy milk' to 'Buy oat milk' and delete the garage one"
ASKED = changes_json({"op": "add", "title": "Buy bread"}, {"op": "complete", "todo": "Call the dentist"},
                     {"op": "rename", "todo": "Buy milk", "title": "Buy oat milk"},
                     {"op": "delete", "todo": "Clean the garage"})
WORDS = ["Add “Buy bread”", "Mark “Call the dentist” as done", "Rename “Buy milk” to “Buy oat milk”",
         "Delete “Clean the garage”"]


# The request and the streamed answer


def test_a_question_is_one_plain_request_with_no_schema_and_streams_as_it_comes():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(["You have ", "two open to-dos."], "How many are open?")
        assert rig.engine.schemas == [None]
        assert rig.engine.sent[0][0] == build_messages(list(LIST), [], "How many are open?", context_tokens=4096,
                                                       answer_tokens=DEFAULT_SAMPLING.max_tokens)
        assert answer.parts == ["You have ", "two open to-dos."]
        assert answer.finished == ("You have two open to-dos.", "", "12.3 tokens/s")
        assert answer.proposals == []
        await a_change_is_proposed(rig)

    run(scenario)


def test_a_question_answered_with_json_changes_proposes_nothing():
    async def scenario():
        rig = await Rig().ready()
        raw = json.dumps({"reply": "Done.", "actions": [{"op": "delete", "id": "t1"}], "changes": []})
        answer = await rig.ask(raw, "Which to-dos are done?")
        assert answer.proposals == [] and rig.stored() == BEFORE
        await a_change_is_proposed(rig)

    run(scenario)


def test_a_change_is_one_json_request_limited_to_the_kinds_and_todos_it_names():
    async def scenario():
        rig = await Rig().ready()
        await rig.ask(changes_json({"op": "complete", "todo": "Call the dentist"}), "I called the dentist")
        assert rig.engine.schemas == [change_schema(("complete",), ["Call the dentist"])]
        assert rig.engine.sent[0][0] == [
            {"role": "system", "content": CHANGE_RULES + '\n\nTo-dos:\n- "Call the dentist" (open)'},
            {"role": "user", "content": "I called the dentist"}]
        assert rig.engine.sent[0][0] == plan_request(list(LIST), [], "I called the dentist", context_tokens=4096,
                                                     answer_tokens=512).messages

    run(scenario)


def test_a_question_shows_how_far_its_prompt_has_been_read_until_the_first_words():
    async def scenario():
        rig = await Rig().ready()
        rig.engine.reading = [0.25, 1.0]
        answer = await rig.ask(["Two ", "are open."], "How many are open?")
        assert answer.read == [0.25, 1.0] and answer.parts == ["Two ", "are open."]
        assert answer.worked is False

    run(scenario)


def test_a_change_says_it_is_working_out_the_changes_once_its_json_starts():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(chunks_of(ASKED, 3), ASK)
        assert answer.worked is True and answer.parts == []

    run(scenario)


def test_the_json_of_a_change_is_not_shown_and_the_app_writes_the_answer():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(chunks_of(ASKED, 3), ASK)
        assert answer.parts == []
        assert answer.finished == (PROPOSAL_INTRO, "", "12.3 tokens/s")
        assert answer.proposals[0].shown == [("proposed", WORDS)]
        question = await rig.ask(["Two ", "are open."], "How many are open?")  # a question's text is shown
        assert question.parts == ["Two ", "are open."]

    run(scenario)


def test_history_keeps_what_the_person_saw():
    async def scenario():
        rig = await Rig().ready()
        await rig.ask(ASKED, ASK)
        await rig.ask("Sure.", "What is left on my list?")
        assert rig.engine.sent[1][0][1:] == [
            {"role": "user", "content": ASK},
            {"role": "assistant", "content": PROPOSAL_INTRO + " " + "; ".join(WORDS) + "."},
            {"role": "user", "content": "What is left on my list?"},
        ]

    run(scenario)


def test_an_ambiguous_change_asks_which_without_asking_the_model():
    async def scenario():
        rig = await Rig(Todos([Todo("a", "Buy milk"), Todo("b", "Buy oat milk")])).ready()
        answer = await rig.ask("unused", "The milk one is done")
        assert rig.engine.sent == [] and answer.parts == []
        assert answer.finished == (ASK_WHICH.format("“Buy milk” or “Buy oat milk”"), "", "")
        assert answer.proposals == []
        await a_change_is_proposed(rig)  # a change that names no milk asks the model
        assert len(rig.engine.sent) == 1

    run(scenario)


def test_after_asking_which_the_answer_picks_the_todo_and_the_change_goes_ahead():
    async def scenario():
        rig = await Rig(Todos([Todo("a", "Buy milk"), Todo("b", "Buy oat milk"), Todo("c", "Walk the dog")])).ready()
        await rig.ask("unused", "The milk one is done")
        answer = await rig.ask(changes_json({"op": "complete", "todo": "Buy oat milk"}), "the oat one")
        assert rig.engine.schemas == [change_schema(("complete",), ["Buy oat milk"])]
        assert rig.engine.sent[0][0][-1] == {"role": "user", "content": "The milk one is done"}
        assert answer.proposals[0].shown == [("proposed", ["Mark “Buy oat milk” as done"])]

    run(scenario)


def test_an_answer_that_makes_no_sense_is_not_shown_and_a_retry_is_offered():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(");*/10; */*25; */*48; */*72;", "How many to-dos are open?")
        assert answer.finished == (NONSENSE_TEXT, "", "12.3 tokens/s")
        assert rig.controller.history == []  # nonsense is not sent back as context
        (retry,) = answer.retries
        rig.engine.chunks = ["Two are open."]
        assert await retry() is True
        assert rig.view.answers[-1].question == "How many to-dos are open?"
        assert rig.view.answers[-1].finished == ("Two are open.", "", "12.3 tokens/s")
        assert rig.controller.history == [{"role": "user", "content": "How many to-dos are open?"},
                                          {"role": "assistant", "content": "Two are open."}]  # an answer is

    run(scenario)


def test_a_change_request_that_yields_no_valid_change_says_so():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(changes_json({"op": "complete", "todo": "Walk the dog"}), "I called the dentist")
        assert answer.finished == (
            NO_CHANGE_TEXT, "Change 1 was left out: it names a to-do (“Walk the dog”) that is not on the list.",
            "12.3 tokens/s")
        assert answer.proposals == []
        await a_change_is_proposed(rig)

    run(scenario)


# Proposals: shown, nothing changed until Apply


def test_proposed_changes_are_shown_in_the_persons_words_and_nothing_changes_before_apply():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(ASKED, ASK)
        assert answer.finished == (PROPOSAL_INTRO, "", "12.3 tokens/s")
        (proposal,) = answer.proposals
        assert proposal.shown == [("proposed", WORDS)]
        assert rig.stored() == BEFORE and rig.tab.todos.todos == LIST

    run(scenario)


def test_apply_changes_the_stored_list_once_and_undo_restores_it():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(ASKED, ASK)).proposals
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
        (proposal,) = (await rig.ask(ASKED, ASK)).proposals
        assert proposal.flow.discard() is True
        assert proposal.shown[-1] == ("discarded", DISCARDED)
        assert proposal.flow.apply() is False and proposal.flow.undo() is False
        assert rig.stored() == BEFORE

    run(scenario)


def test_another_tabs_edit_between_proposal_and_apply_survives():
    async def scenario():
        rig = await Rig().ready()
        (proposal,) = (await rig.ask(ASKED, ASK)).proposals
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
        (proposal,) = (await rig.ask(ASKED, ASK)).proposals
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
        raw = changes_json({"op": "complete", "todo": "Buy milk"}, {"op": "complete", "todo": "Call the dentist"})
        (proposal,) = (await rig.ask(raw, "Mark the milk and the dentist as done")).proposals
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
        (proposal,) = (await rig.ask(changes_json({"op": "delete", "todo": "Buy milk"}), "Delete the milk")).proposals
        Tab(rig.store).todos.remove("a")
        assert proposal.flow.apply() is True
        assert proposal.shown[-1] == ("applied", f"{NOTHING_APPLIED} “Buy milk” was already deleted.", False)
        assert proposal.flow.undo() is False

    run(scenario)


# Bad answers: a note, and the list untouched


def test_invalid_changes_are_left_out_with_a_note_and_the_valid_ones_offered():
    async def scenario():
        rig = await Rig().ready()
        raw = changes_json({"op": "delete", "todo": "t1"}, {"op": "add", "title": "  "},
                           {"op": "explode", "todo": "Buy milk"}, {"op": "add", "title": "<script>x</script>"})
        answer = await rig.ask(raw, "Add this and delete the milk")
        assert answer.finished[1] == (
            "Change 1 was left out: it names a to-do (“t1”) that is not on the list. "
            "Change 2 was left out: its title is empty. "
            "Change 3 was left out: “explode” is not a change the assistant can make.")
        assert answer.proposals[0].shown == [("proposed", ["Add “<script>x</script>”"])]
        assert rig.stored() == BEFORE

    run(scenario)


def test_five_hundred_changes_propose_nothing():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(changes_json(*({"op": "add", "title": f"n{i}"} for i in range(500))), "Add these, all")
        assert answer.finished == (NO_CHANGE_TEXT, f"The answer proposed 500 changes; at most {MAX_ACTIONS} can be "
                                                   "proposed at once, so none are proposed.", "12.3 tokens/s")
        assert answer.proposals == [] and rig.stored() == BEFORE
        await a_change_is_proposed(rig)

    run(scenario)


def test_truncated_or_malformed_json_proposes_nothing():
    async def scenario():
        rig = await Rig().ready()
        answer = await rig.ask(ASKED[:-30], ASK)
        assert answer.finished == (NO_CHANGE_TEXT, TRUNCATED, "12.3 tokens/s")
        assert answer.proposals == []
        rig.engine.finish = "length"
        answer = await rig.ask(ASKED[:-30], ASK)
        assert answer.finished == ("", LENGTH_NOTE, "12.3 tokens/s") and answer.proposals == []
        rig.engine.finish = "stop"
        answer = await rig.ask('{"changes": [}]', ASK)
        assert answer.finished == (NO_CHANGE_TEXT, MALFORMED, "12.3 tokens/s") and rig.stored() == BEFORE
        answer = await rig.ask('{"changes": 5}', ASK)
        assert answer.finished[0] == NO_CHANGE_TEXT and answer.proposals == []
        await a_change_is_proposed(rig)

    run(scenario)


def test_a_stopped_change_request_proposes_nothing():
    async def scenario():
        rig = await Rig().ready()
        rig.engine.pause_at = 3
        asking = asyncio.ensure_future(rig.ask(ASKED, ASK))
        await rig.engine.paused.wait()
        rig.controller.stop()
        answer = await asking
        assert answer.finished == ("", STOPPED_NOTE, "12.3 tokens/s")
        assert answer.proposals == [] and rig.stored() == BEFORE
        rig.engine.pause_at = None
        await a_change_is_proposed(rig)  # not stopped

    run(scenario)


def test_without_a_list_to_change_nothing_is_offered():
    async def scenario():
        rig = await Rig().ready()
        rig.controller.apply_batch = None
        answer = await rig.ask(changes_json({"op": "add", "title": "Buy bread"}))
        assert answer.finished[0] == PROPOSAL_INTRO and answer.proposals == []
        rig.controller.apply_batch = rig.tab.todos.apply_batch  # with one, the same change is offered
        await a_change_is_proposed(rig)

    run(scenario)


# The pure pieces


def read_asked():
    plan = plan_request(list(LIST), [], ASK, context_tokens=4096, answer_tokens=512)
    return plan.read(ASKED)


def test_a_change_request_reads_its_changes_in_the_persons_words():
    proposal = read_asked()
    assert proposal.changes == WORDS and proposal.problems == ()
    assert proposal_note(proposal) == ""


def test_flow_transitions_happen_once_whatever_the_order():
    class Steps:
        def __init__(self):
            self.batches = []

        def __call__(self, batch):
            self.batches.append(batch)
            return batch.apply(LIST)

    apply_batch, view = Steps(), RecordingProposalView()
    flow = ProposalFlow(read_asked().batch, apply_batch, view)
    assert view.flow is flow and flow.state == "proposed"
    assert [flow.undo(), flow.apply(), flow.apply(), flow.discard(), flow.undo(), flow.undo()] == [
        False, True, False, False, True, False]
    assert len(apply_batch.batches) == 2 and apply_batch.batches[1] == flow.step.undo
    assert [s[0] for s in view.shown] == ["proposed", "applied", "undone"]


def test_apply_batch_with_storage_full_keeps_the_step_and_saves_it_once_later():
    store = MemoryStore(codec.encode(LIST))
    tab = Tab(store)
    plan = plan_request(list(LIST), [], "Add buy bread and mark the milk as done", context_tokens=4096,
                        answer_tokens=512)
    batch = plan.read(changes_json({"op": "add", "title": "Buy bread"}, {"op": "complete", "todo": "Buy milk"})).batch
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
