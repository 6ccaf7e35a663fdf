"""Tests for app.assistant.engines.sampling: the sampling every engine is given, and the guard against looping replies."""

import pytest

from app.assistant.engines.port import Sampling
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.assistant.requests.loop_guard import LoopGuard


def feed_all(pieces):
    guard = LoopGuard()
    results = [guard.feed(piece) for piece in pieces]
    return guard, results


def kept(guard):
    return guard.text[:guard.cut]


def chars(text, size=7):
    """The text in uneven stream-sized pieces, as frames batch it."""
    return [text[i:i + size] for i in range(0, len(text), size)]


def test_default_sampling_is_low_temperature_nucleus_with_a_mild_penalty():
    assert isinstance(DEFAULT_SAMPLING, Sampling)
    assert 0 < DEFAULT_SAMPLING.temperature <= 0.5
    assert 0 < DEFAULT_SAMPLING.top_p < 1
    assert 1 < DEFAULT_SAMPLING.repetition_penalty <= 1.2
    assert DEFAULT_SAMPLING.frequency_penalty >= 0
    assert DEFAULT_SAMPLING.max_tokens == 512


# Loops that must be caught


def test_the_same_line_three_times_in_a_row():
    text = "You have two open to-dos:\n- Buy milk\n" + "- Call mum about the party\n" * 3
    guard, results = feed_all(chars(text))
    assert results[-1] and guard.looping
    assert kept(guard) == "You have two open to-dos:\n- Buy milk\n- Call mum about the party"


def test_twice_is_not_yet_a_loop():
    guard, results = feed_all(chars("Buy milk is open.\n" * 2))
    assert not any(results) and guard.cut is None
    guard, results = feed_all(chars("Buy milk is open.\n" * 3))
    assert any(results) and guard.cut is not None  # three times is


def test_the_same_sentence_three_times_in_one_line():
    text = "Sure. You have one open to-do. You have one open to-do. You have one open to-do. You"
    guard, _ = feed_all(chars(text))
    assert kept(guard) == "Sure. You have one open to-do."


def test_a_block_of_two_lines_repeated_three_times():
    block = "Buy milk is still open.\nFile taxes is done.\n"
    guard, _ = feed_all(chars("Here is your list:\n" + block * 3))
    assert kept(guard) == "Here is your list:\n" + block.rstrip()


def test_numbered_lines_that_repeat_the_same_item_are_a_loop():
    guard, _ = feed_all(chars("1. Buy milk today\n2. Buy milk today\n3. Buy milk today\n"))
    assert kept(guard) == "1. Buy milk today"


def test_a_cycle_of_two_sentences_three_times():
    guard, _ = feed_all(chars("Okay! You have three open to-dos. Buy milk first. " * 3))
    assert kept(guard) == "Okay! You have three open to-dos. Buy milk first."


def test_short_sentences_between_the_repeats_are_passed_over():
    guard, _ = feed_all(chars("You have three open to-dos. Ok. " * 3))
    assert kept(guard) == "You have three open to-dos."


def test_a_short_run_of_words_repeated_many_times_without_punctuation():
    text = "The answer is " + "the the " * 20
    guard, _ = feed_all(chars(text, 5))
    assert guard.looping
    assert kept(guard) == "The answer is the"


def test_single_characters_repeated():
    guard, _ = feed_all(["Done" + "!" * 70])
    assert kept(guard) == "Done!"


def test_once_looping_it_stays_looping_and_ignores_more_text():
    guard, _ = feed_all(chars("Same line here\n" * 3))
    cut, text = guard.cut, guard.text
    assert guard.feed("more text\n") is True
    assert (guard.cut, guard.text) == (cut, text)


# Normal answers that must not be cut

NORMAL = [
    # a bullet list: every line shares the prefix
    "You have 3 open to-dos:\n- Buy milk\n- Call mum\n- File taxes\n\nAnd 1 done:\n- Water the plants\n",
    # each item followed by the same short status line
    "**Buy milk**\nStatus: open\n**Call mum**\nStatus: open\n**File taxes**\nStatus: open\n",
    # each item followed by the same long sentence
    "".join(f"- {t}\n  This to-do is still open and waiting for you.\n" for t in ("Buy milk", "Call mum", "Pay rent")),
    # a markdown table with a separator row
    "| To-do | Done |\n|---|---|\n| Buy milk | no |\n| Call mum | no |\n| File taxes | yes |\n",
    # short sentences repeated
    "Yes. Yes. Yes. That is all.",
    # blank lines and rules
    "First\n\n\n\n---\n\n---\n\n---\nLast\n",
    # the same to-do title in different sentences
    "Buy milk is open. You added Buy milk yesterday. Buy milk is your oldest to-do. Buy milk!",
    # code with indentation
    "```\n" + "        x = 1\n" + "        y = 2\n" + "        z = 3\n```\n",
    # a horizontal rule made of many dashes (under the run limit)
    "Summary\n" + "-" * 40 + "\nAll done.",
]


@pytest.mark.parametrize("text", NORMAL)
def test_normal_answers_are_not_cut(text):
    guard, results = feed_all(chars(text, 3))
    assert not any(results) and guard.cut is None and guard.text == text


def test_the_same_title_twice_in_a_list_is_fine():
    guard, _ = feed_all(chars("- Buy milk\n- Buy milk\n- Call mum\n- Buy milk\n"))
    assert not guard.looping
