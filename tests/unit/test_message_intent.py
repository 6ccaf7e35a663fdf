"""Tests for app.assistant.requests.intent: what a message asks of the list, read from its words alone."""

from app.assistant.requests.intent import (
    ANSWER, ASK, CHANGE, MISSING, OFF_LIST, Intent, about_list, new_titles, read_intent,
)
from app.todos.model import Todo


def todos(*titles, done=()):
    """App to-dos with ids "id0", "id1"… in order; `done` holds the positions that are done."""
    return [Todo(f"id{n}", title, n in done, n) for n, title in enumerate(titles)]


# The judgement benchmark's usual list: 2 and 4 are done.
LIST = todos("Buy milk and eggs", "Call the dentist", "File the tax return", "Water the plants",
             "Book train tickets to Lyon", "Finish the quarterly report", done=(2, 4))
MILK, DENTIST, TAX, PLANTS, TRAIN, REPORT = range(6)


def read(message, items=LIST, previous=None):
    return read_intent(message, items, previous)


# --- questions are answers, whatever words they use ---------------------------------------


def test_a_question_about_done_todos_proposes_nothing():
    assert read("Which to-dos are done?") == Intent(ANSWER, message="Which to-dos are done?")


def test_a_question_with_a_change_word_and_a_title_word_is_still_a_question():
    for message in ("Did I file my taxes?", "Have I called the dentist yet?", "Is the dentist done?",
                    "Should I delete the report?"):
        intent = read(message)
        assert (intent.kind, intent.ops, intent.todos) == (ANSWER, (), ()), message


def test_a_question_without_a_question_mark_or_spelling_is_still_a_question():
    for message in ("how many todos r open", "How many to-dos are open", "Show me my list",
                    "list everything that is done", "what's left"):
        assert read(message).kind == ANSWER, message


def test_a_remark_with_no_change_word_is_answered():
    assert read("I'm feeling busy this week").kind == ANSWER


# --- polite and plain change requests --------------------------------------------------------


def test_a_polite_request_is_a_change_not_a_question():
    assert read("Can you add milk?") == Intent(CHANGE, ("add",), message="Can you add milk?")
    intent = read("Could you mark the dentist as done?")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("complete",), (DENTIST,))
    assert read("Please delete the report").todos == (REPORT,)


def test_an_add_names_no_todo_on_the_list():
    assert read("Add buy bread") == Intent(CHANGE, ("add",), message="Add buy bread")
    for message in ("Remind me to book the vet", "Don't let me forget to pay rent", "Put eggs on my list"):
        intent = read(message)
        assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("add",), ()), message


def test_an_add_of_something_already_on_the_list_is_still_an_add():
    # A title word in an add request does not make it a change to that to-do.
    intent = read("Add water the plants again")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("add",), ())


def test_a_plain_complete_names_the_todo():
    assert read("Mark the dentist as done") == Intent(CHANGE, ("complete",), (DENTIST,),
                                                      message="Mark the dentist as done")
    assert read("Mark 'Call the dentist' as done").todos == (DENTIST,)
    assert read("I finished the report").todos == (REPORT,)


def test_saying_a_thing_was_done_is_a_complete():
    for message, position in (("I called the dentist", DENTIST), ("I watered the plants", PLANTS),
                              ("I bought the milk", MILK), ("Water the plants is done", PLANTS)):
        intent = read(message)
        assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("complete",), (position,)), message


def test_got_the_thing_completes_the_buy_todo():
    items = todos("Buy dog food", "Call mum")
    intent = read("Got the dog food", items)
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("complete",), (0,))


def test_saying_a_thing_was_not_done_after_all_is_a_reopen_not_a_complete():
    intent = read("I haven't actually filed the tax return")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("reopen",), (TAX,))
    for message in ("Mark the tax return as not done", "Reopen the train tickets", "Uncheck the train tickets"):
        assert read(message).ops == ("reopen",), message


def test_deletes_in_plain_and_other_words():
    for message, position in (("Delete the report", REPORT), ("Get rid of the plants", PLANTS),
                              ("Remove the train tickets", TRAIN), ("Scrap the train tickets", TRAIN),
                              ("I don't need the tax return any more", TAX)):
        intent = read(message)
        assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("delete",), (position,)), message


def test_a_rename_names_the_todo_it_renames():
    intent = read("Rename the dentist to Call Dr Smith")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("rename",), (DENTIST,))


def test_removing_everything_that_is_done_is_a_delete_only():
    intent = read("Remove everything that is done")
    assert intent.kind == CHANGE
    assert intent.ops == ("delete",)


def test_all_or_everything_names_every_todo():
    for message in ("Mark everything as done", "Delete all my to-dos", "Remove everything that is done"):
        intent = read(message)
        assert intent.kind == CHANGE, message
        assert intent.todos == tuple(range(len(LIST))), message
        assert intent.many, message


# --- several changes ------------------------------------------------------------------------------


def test_several_changes_joined_by_and_set_many_and_name_each_todo():
    intent = read("Mark the dentist as done and water the plants")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("complete",), (DENTIST, PLANTS))
    assert intent.many


def test_a_list_of_todos_names_them_all_in_list_order():
    intent = read("Complete the report, the plants and the dentist")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("complete",), (DENTIST, PLANTS, REPORT))
    assert intent.many


def test_different_kinds_of_change_in_one_message_keep_each_kind():
    intent = read("Delete milk and add bread", todos("Buy milk", "Call the dentist"))
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("add", "delete"), (0,))
    assert intent.many


def test_several_adds_set_many_and_one_add_does_not():
    assert read("Add bread and eggs").many
    assert read("Add bread, eggs, butter").many
    assert not read("Add bread").many


def test_one_change_to_one_todo_is_not_many():
    assert not read("Delete the report").many


# --- which to-do: ambiguous, loose, missing --------------------------------------------------------


def test_two_equally_good_matches_ask_which_with_both_positions():
    items = todos("Buy milk", "Buy oat milk", "Call mum")
    assert read("Delete the milk", items) == Intent(ASK, ("delete",), (0, 1), message="Delete the milk")


def test_three_equally_good_matches_ask_with_all_three():
    items = todos("Buy milk", "Buy oat milk", "Buy soy milk")
    intent = read("Mark the milk done", items)
    assert (intent.kind, intent.todos, intent.loose) == (ASK, (0, 1, 2), False)


def test_the_better_match_wins_over_a_partial_one():
    items = todos("Buy milk", "Buy oat milk")
    intent = read("Delete the oat milk", items)
    assert (intent.kind, intent.todos) == (CHANGE, (1,))


def test_a_match_on_a_common_verb_only_asks_loosely():
    items = todos("Buy bread", "Call mum")
    assert read("Delete 'Buy cat food'", items) == Intent(
        ASK, ("delete",), (0,), loose=True, message="Delete 'Buy cat food'")


def test_several_loose_matches_are_all_offered():
    intent = read("I paid it", todos("Pay rent", "Pay the gas bill", "Buy milk"))
    assert (intent.kind, intent.ops, intent.todos, intent.loose) == (ASK, ("complete",), (0, 1), True)


def test_a_change_to_a_todo_nothing_fits_is_missing():
    assert read("Delete the gym membership") == Intent(MISSING, ("delete",), message="Delete the gym membership")
    assert read("Mark the car wash as done").kind == MISSING


def test_an_exact_title_on_the_list_is_not_asked_about():
    intent = read("Delete 'Buy cat food'", todos("Buy cat food", "Buy bread"))
    assert (intent.kind, intent.todos) == (CHANGE, (0,))


# --- off the list --------------------------------------------------------------------------------


def test_requests_about_nothing_on_the_list_are_off_list():
    for message in ("Write me a poem about the sea", "What is the capital of France?", "Tell me a joke",
                    "Who won the world cup in 2018?", "Translate hello into French"):
        assert read(message) == Intent(OFF_LIST, message=message), message


def test_a_question_about_what_to_do_is_about_the_list():
    assert read("What should I do first?") == Intent(ANSWER, message="What should I do first?")


def test_a_question_naming_a_title_word_is_about_the_list():
    # No "I", "my" or list word, but a word of a title: "dentist".
    assert read("When is the dentist?").kind == ANSWER


def test_about_list_needs_the_person_the_list_or_a_title_word():
    assert about_list("what is the capital of france?", LIST) is False
    assert about_list("what should i do first?", LIST) is True
    assert about_list("tell me about the plants", LIST) is True
    assert about_list("tell me about the plants", []) is False


def test_an_empty_list_still_answers_questions_about_it():
    assert read("How many to-dos do I have?", []).kind == ANSWER
    assert read("Delete the report", []).kind == MISSING


# --- a bare "yes" ------------------------------------------------------------------------------------


def test_a_bare_yes_after_a_change_request_is_read_as_that_request():
    previous = "Mark the dentist as done"
    for message in ("yes", "Yes!", "ok", "do it", "Go ahead."):
        assert read(message, previous=previous) == Intent(CHANGE, ("complete",), (DENTIST,), message=previous), message


def test_a_yes_with_nothing_before_it_changes_nothing():
    assert read("yes").kind not in (CHANGE, ASK, MISSING)


def test_a_yes_after_a_question_is_still_a_question():
    assert read("yes", previous="What's left?").kind == ANSWER


def test_a_longer_message_starting_with_yes_is_read_on_its_own():
    intent = read("yes, and delete the report", previous="Mark the dentist as done")
    assert (intent.ops, intent.todos) == (("delete",), (REPORT,))


# --- typos -------------------------------------------------------------------------------------------


def test_a_misspelt_title_word_still_names_the_todo():
    intent = read("mark the dentsit as done")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("complete",), (DENTIST,))


def test_a_misspelt_change_word_and_title_still_read():
    intent = read("delte water the plnts")
    assert (intent.kind, intent.ops, intent.todos) == (CHANGE, ("delete",), (PLANTS,))


def test_case_and_curly_apostrophes_do_not_matter():
    intent = read("I HAVEN’T ACTUALLY FILED THE TAX RETURN")
    assert (intent.ops, intent.todos) == (("reopen",), (TAX,))


# --- new_titles --------------------------------------------------------------------------------------


def test_new_titles_offers_quoted_text():
    for message in ("Add 'Call mum'", 'Add "Call mum"', "Add “Call mum”", "Add ‘Call mum’"):
        assert new_titles(message, LIST) == ["Call mum"], message


def test_new_titles_leaves_out_quoted_text_that_is_already_a_title():
    assert new_titles("Rename 'Milk' to 'Oat milk'", todos("Milk")) == ["Oat milk"]
    assert new_titles("Rename 'Buy milk' to 'Buy oat milk'", todos("Buy milk")) == ["Buy oat milk"]
    assert new_titles("Delete 'Buy milk'", todos("Buy milk")) == []


def test_new_titles_of_a_rename_is_the_text_after_to():
    assert new_titles("Rename the dentist to Call Dr Smith", LIST) == ["Call Dr Smith"]


def test_new_titles_splits_a_list_and_offers_the_whole_phrase_last():
    assert new_titles("Add buy bread and call mum") == ["Buy bread", "Call mum", "Buy bread and call mum"]
    assert new_titles("Add bread, eggs and butter to my list.") == [
        "Bread", "Eggs", "Butter", "Bread, eggs and butter"]


def test_new_titles_of_one_thing_is_just_that_thing_capitalised():
    assert new_titles("Add bread.") == ["Bread"]
    assert new_titles("add bread to my to-do list") == ["Bread"]
    assert new_titles("Put eggs on my list") == ["Eggs"]


def test_new_titles_removes_the_lead_of_a_reminder():
    assert new_titles("Remind me to call mum") == ["Call mum"]
    assert new_titles("Don't let me forget to water the plants.") == ["Water the plants"]
    assert new_titles("Can you add milk?") == ["Milk"]


def test_new_titles_leaves_out_a_count_of_things():
    assert new_titles("Add three things: bread, eggs and butter") == ["Bread", "Eggs", "Butter"]


def test_new_titles_leaves_out_titles_already_on_the_list():
    assert new_titles("Add buy milk and call mum", todos("Buy milk")) == ["Call mum", "Buy milk and call mum"]


def test_new_titles_of_a_message_that_adds_nothing_is_empty():
    assert new_titles("How many are open?", LIST) == []
    assert new_titles("Delete the report", LIST) == []
