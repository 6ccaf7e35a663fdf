"""Tests for app.assistant.requests.checks: whether a finished answer reads as an answer at all."""

from app.assistant.requests.checks import CODE, EMPTY, REPEATED, SYMBOLS, nonsense


def test_an_empty_reply_is_empty():
    assert nonsense("") == EMPTY


def test_a_reply_of_only_white_space_is_empty():
    for text in (" ", "   \n\t", "\n\n", "\u00a0 \u2003"):
        assert nonsense(text) == EMPTY, repr(text)


def test_a_run_of_symbols_is_symbols():
    assert nonsense(");*/10; */*25; */*48;") == SYMBOLS
    assert nonsense("!!!???") == SYMBOLS
    assert nonsense("...") == SYMBOLS


def test_a_json_reply_is_code():
    assert nonsense('{"reply": "You have two open to-dos and one that is done.", "actions": []}') == CODE
    assert nonsense('{"op": "add", "title": "Buy milk and eggs for the weekend"}') == CODE
    assert nonsense('[{"op": "complete", "todo": "Call the dentist"}]') == CODE


def test_a_short_json_reply_is_never_taken_for_an_answer():
    # Mostly punctuation, so it may be caught as symbols before it is caught as code.
    assert nonsense('{"op": "add", "title": "Buy milk"}') in (SYMBOLS, CODE)


def test_a_sentence_ending_in_a_json_key_is_code():
    assert nonsense('Sure! Here is what I did: {"op": "add"}') == CODE


def test_a_code_block_is_code():
    assert nonsense("```python\ndef f():\n    return 1\n```") == CODE
    assert nonsense("```js\nconst x = 1;\nlet y = 2;\n```") == CODE
    assert nonsense("```\nfunction f() {\n  return 1;\n}\n```") == CODE


def test_an_answer_with_a_little_code_in_it_is_still_an_answer():
    # Two code lines out of five: under half.
    assert nonsense("Here is the code:\n```python\ndef f():\n    return 1\n```") is None
    assert nonsense("```python\ndef f():\n    return 1\n```") == CODE  # the code alone is code


def test_html_tags_are_code():
    assert nonsense("<b>Buy milk</b>") == CODE


def test_the_same_sentence_three_times_in_a_row_is_repeated():
    sentence = "You have 2 open to-dos: Buy milk and Call mum."
    assert nonsense(" ".join([sentence] * 3)) == REPEATED
    assert nonsense("\n".join([sentence] * 3)) == REPEATED


def test_the_same_line_three_times_in_a_list_is_repeated():
    assert nonsense("- Buy milk today\n- Buy milk today\n- Buy milk today") == REPEATED


def test_the_same_sentence_twice_is_not_repeated():
    sentence = "You have 2 open to-dos."
    assert nonsense(f"{sentence} {sentence}") is None
    assert nonsense(f"{sentence} {sentence} {sentence}") == REPEATED  # three times is


def test_a_markdown_list_is_an_answer():
    assert nonsense("- **Buy milk**\n- Call mum") is None
    assert nonsense("1. Buy milk\n2. Call mum\n3. Water the plants") is None
    assert nonsense("# Open\n- Buy milk\n- Call mum") is None
    assert nonsense("Your list:\n- Buy milk (open)\n- Call the dentist (done)") is None
    assert nonsense("- Buy milk today\n- Buy milk today\n- Buy milk today") == REPEATED  # one line thrice is not


def test_a_short_yes_or_no_is_an_answer():
    for text in ("Yes.", "No.", "**Yes.**", "Done!"):
        assert nonsense(text) is None, text
    assert nonsense("!!!???") == SYMBOLS  # as short, without a word


def test_numbers_in_an_answer_are_not_symbols():
    assert nonsense("You have 4 open to-dos.") is None
    assert nonsense("4") is None
    assert nonsense("2 of your 6 to-dos (33%) are done.") is None
    assert nonsense(");*/10; */*25; */*48;") == SYMBOLS  # numbers among symbols alone are


def test_an_answer_with_markdown_marks_is_an_answer():
    assert nonsense("You have **2** open to-dos: *Buy milk* and `Call mum`.") is None
    assert nonsense("The tax return is done; the dentist is not.") is None
    assert nonsense("Your open to-dos are Buy milk (due Monday) and Call mum.") is None
    assert nonsense("<b>Buy milk</b>") == CODE  # HTML's marks are code
