"""Commands that change the list, batches of them as one step, and undo, including the two-tab cases.

"Another tab" is simulated the way the controller sees it: the list a batch is applied to (or an
undo) is the newest stored one, which may differ from the list the proposal was made from.
"""

from app.assistant.changes.commands import Add, Batch, Complete, Delete, Rename, Reopen, Restore
from app.todos.model import Todo, Todos

MILK = Todo("a", "Milk", False, 1)
DENTIST = Todo("b", "Call the dentist", False, 2)
GARAGE = Todo("c", "Clean the garage", True, 3)
LIST = Todos([MILK, DENTIST, GARAGE])


def titles(todos):
    return [(t.title, t.completed) for t in todos]


# --- descriptions ------------------------------------------------------------


def test_descriptions_are_in_the_persons_words():
    batch = Batch((
        Add("n", "Buy bread", 5),
        Complete("b", "Call the dentist"),
        Reopen("c", "Clean the garage"),
        Rename("a", "Milk", "Oat milk"),
        Delete("c", "Clean the garage"),
    ))
    assert batch.describe() == [
        "Add “Buy bread”",
        "Mark “Call the dentist” as done",
        "Mark “Clean the garage” as not done",
        "Rename “Milk” to “Oat milk”",
        "Delete “Clean the garage”",
    ]


def test_hostile_titles_are_described_literally():
    title = '<script>alert("x")</script>'
    assert Add("n", title).describe() == "Add “<script>alert(\"x\")</script>”"
    assert Batch((Add("n", title, 5),)).apply(Todos()).todos.get("n").title == title


# --- each command, applied and undone ---------------------------------------


def test_add_appends_with_the_proposed_id_and_time_and_undo_removes_it():
    step = Batch((Add("n", "Buy bread", 5),)).apply(LIST)
    assert list(step.todos) == [MILK, DENTIST, GARAGE, Todo("n", "Buy bread", False, 5)]
    assert step.notes == ()
    assert step.undo == Batch((Delete("n", "Buy bread"),))
    assert step.undo.apply(step.todos).todos == LIST


def test_complete_and_reopen_and_their_undo():
    step = Batch((Complete("b", "Call the dentist"), Reopen("c", "Clean the garage"))).apply(LIST)
    assert titles(step.todos) == [("Milk", False), ("Call the dentist", True), ("Clean the garage", False)]
    assert step.undo == Batch((Complete("c", "Clean the garage"), Reopen("b", "Call the dentist")))
    assert step.undo.apply(step.todos).todos == LIST


def test_rename_and_its_undo():
    step = Batch((Rename("a", "Milk", "Oat milk"),)).apply(LIST)
    assert titles(step.todos)[0] == ("Oat milk", False)
    assert step.undo == Batch((Rename("a", "Oat milk", "Milk"),))
    assert step.undo.apply(step.todos).todos == LIST


def test_delete_and_undo_restores_the_whole_todo_at_its_place():
    step = Batch((Delete("b", "Call the dentist"),)).apply(LIST)
    assert list(step.todos) == [MILK, GARAGE]
    assert step.undo == Batch((Restore(DENTIST, 1),))
    assert step.undo.apply(step.todos).todos == LIST  # same id, done state, creation time, place


def test_a_mixed_batch_is_one_step_with_one_undo():
    batch = Batch((
        Add("n", "Buy bread", 5),
        Complete("b", "Call the dentist"),
        Rename("a", "Milk", "Oat milk"),
        Delete("c", "Clean the garage"),
    ))
    step = batch.apply(LIST)
    assert list(step.todos) == [
        Todo("a", "Oat milk", False, 1),
        Todo("b", "Call the dentist", True, 2),
        Todo("n", "Buy bread", False, 5),
    ]
    assert step.applied == batch.commands and step.changed
    assert step.undo.commands == (
        Restore(GARAGE, 2),
        Rename("a", "Oat milk", "Milk"),
        Reopen("b", "Call the dentist"),
        Delete("n", "Buy bread"),
    )
    undone = step.undo.apply(step.todos)
    assert undone.todos == LIST and undone.notes == ()


def test_applying_the_same_batch_twice_changes_nothing_the_second_time():
    batch = Batch((Add("n", "Buy bread", 5), Complete("b", "Call the dentist"), Delete("c", "Clean the garage")))
    once = batch.apply(LIST)
    twice = batch.apply(once.todos)
    assert twice.todos == once.todos
    assert not twice.changed and twice.undo == Batch(())
    assert twice.notes == ("“Buy bread” is already on the list.", "“Clean the garage” was already deleted.")


def test_undo_of_undo_redoes():
    step = Batch((Delete("b", "Call the dentist"), Add("n", "Bread", 5))).apply(LIST)
    undone = step.undo.apply(step.todos)
    redone = undone.undo.apply(undone.todos)
    assert redone.todos == step.todos


# --- another tab changed the list in between ---------------------------------


def test_apply_goes_onto_the_newest_list_and_keeps_the_other_tabs_edits():
    # The proposal was made from LIST; meanwhile another tab added a to-do and completed Milk.
    newest = LIST.add("From the other tab", todo_id="o", created=9).set_completed("a", True)
    step = Batch((Add("n", "Buy bread", 5), Complete("b", "Call the dentist"))).apply(newest)
    assert titles(step.todos) == [
        ("Milk", True),
        ("Call the dentist", True),
        ("Clean the garage", True),
        ("From the other tab", False),
        ("Buy bread", False),
    ]


def test_a_todo_deleted_in_another_tab_is_skipped_with_a_note():
    newest = LIST.remove("a").remove("b").remove("c")
    batch = Batch((
        Complete("b", "Call the dentist"),
        Reopen("c", "Clean the garage"),
        Rename("a", "Milk", "Oat milk"),
        Delete("c", "Clean the garage"),
    ))
    step = batch.apply(newest)
    assert step.todos == newest and not step.changed
    assert step.notes == (
        "“Call the dentist” is no longer on the list, so it was not marked as done.",
        "“Clean the garage” is no longer on the list, so it was not marked as not done.",
        "“Milk” is no longer on the list, so it was not renamed.",
        "“Clean the garage” was already deleted.",
    )


def test_a_todo_renamed_in_another_tab_is_neither_renamed_nor_deleted():
    newest = LIST.edit("a", "Whole milk").edit("c", "Tidy the garage")
    step = Batch((Rename("a", "Milk", "Oat milk"), Delete("c", "Clean the garage"))).apply(newest)
    assert step.todos == newest
    assert step.notes == (
        "“Milk” was changed in the meantime, so it was not renamed.",
        "“Clean the garage” was changed in the meantime, so it was not deleted.",
    )


def test_completing_what_another_tab_completed_is_a_silent_no_op_and_is_not_undone():
    newest = LIST.set_completed("b", True)
    step = Batch((Complete("b", "Call the dentist"), Add("n", "Bread", 5))).apply(newest)
    assert step.notes == ()
    assert step.applied == (Add("n", "Bread", 5),)
    # Undo reverses only what this step did: the dentist stays done, as the other tab made it.
    assert step.undo.apply(step.todos).todos == newest


def test_undo_skips_a_todo_another_tab_deleted_since_and_does_not_resurrect_it():
    step = Batch((Complete("b", "Call the dentist"), Rename("a", "Milk", "Oat milk"), Add("n", "Bread", 5))).apply(LIST)
    other_tab = step.todos.remove("b").remove("a").remove("n")
    undone = step.undo.apply(other_tab)
    assert undone.todos == other_tab  # nothing came back
    assert undone.notes == (
        "“Bread” was already deleted.",
        "“Oat milk” is no longer on the list, so it was not renamed.",
        "“Call the dentist” is no longer on the list, so it was not marked as not done.",
    )


def test_undo_leaves_a_title_another_tab_changed_since():
    step = Batch((Rename("a", "Milk", "Oat milk"), Add("n", "Bread", 5))).apply(LIST)
    other_tab = step.todos.edit("a", "Soy milk").edit("n", "Rye bread")
    undone = step.undo.apply(other_tab)
    assert undone.todos == other_tab
    assert undone.notes == (
        "“Bread” was changed in the meantime, so it was not deleted.",
        "“Oat milk” was changed in the meantime, so it was not renamed.",
    )


def test_undo_of_a_delete_does_not_add_a_second_copy():
    step = Batch((Delete("b", "Call the dentist"),)).apply(LIST)
    other_tab = Todos(list(step.todos) + [DENTIST])  # the other tab put it back already
    undone = step.undo.apply(other_tab)
    assert undone.todos == other_tab
    assert undone.notes == ("“Call the dentist” is already on the list.",)


def test_undo_of_a_delete_on_a_shorter_list_puts_it_at_the_end():
    step = Batch((Delete("c", "Clean the garage"),)).apply(LIST)
    other_tab = step.todos.remove("a").remove("b")
    assert list(step.undo.apply(other_tab).todos) == [GARAGE]


def test_undo_keeps_the_other_tabs_unrelated_changes():
    step = Batch((Add("n", "Bread", 5), Delete("a", "Milk"))).apply(LIST)
    other_tab = step.todos.add("Other", todo_id="o", created=8).set_completed("c", False)
    undone = step.undo.apply(other_tab).todos
    assert list(undone) == [MILK, DENTIST, GARAGE.with_changes(completed=False), Todo("o", "Other", False, 8)]
