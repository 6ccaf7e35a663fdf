"""The reply text read from partial JSON: every chunking of a document gives the same text."""

import json

import pytest

from app.assistant.changes.stream import ReplyStream


def stream_in(text, size):
    """Feed `text` in chunks of `size`; return (what each feed returned, the stream)."""
    stream = ReplyStream()
    pieces = [stream.feed(text[i : i + size]) for i in range(0, len(text), size)]
    return pieces, stream


def every_split(text):
    """(head, tail) for every split point, so each escape is cut at every offset."""
    return [(text[:i], text[i:]) for i in range(len(text) + 1)]


def test_the_reply_arrives_piece_by_piece_before_the_json_is_whole():
    pieces, stream = stream_in('{"reply": "Two open to-dos.", "actions": []}', 6)
    # Chunks: '{"repl', 'y": "T', 'wo ope', 'n to-d', 'os.", ', '"actio', 'ns": [', ']}'
    assert pieces == ["", "T", "wo ope", "n to-d", "os.", "", "", ""]
    assert stream.text == "Two open to-dos."
    assert stream.closed


def test_escapes_are_decoded_wherever_the_chunks_split_them():
    reply = 'Say "hi"\\back/slash\n\ttab \b\f\r é ü 日本 \u2028 😀 🎉 end'
    for ascii_only in (True, False):
        document = json.dumps({"reply": reply, "actions": []}, ensure_ascii=ascii_only)
        for head, tail in every_split(document):
            stream = ReplyStream()
            assert stream.feed(head) + stream.feed(tail) == reply, (head, tail)


def test_a_surrogate_pair_split_across_many_chunks():
    document = '{"reply": "a\\ud83d\\ude00b"}'
    for size in range(1, 8):
        pieces, stream = stream_in(document, size)
        assert "".join(pieces) == "a😀b" == stream.text


def test_lone_surrogate_halves_become_replacement_characters():
    cases = {
        '"\\ud83dx"': "\ufffdx",  # high half, then text
        '"\\ud83d\\u0041"': "\ufffdA",  # high half, then another escape
        '"\\ud83d\\ud83d\\ude00"': "\ufffd😀",  # two highs, one low
        '"\\ude00"': "\ufffd",  # low half alone
        '"x\\ud83d"': "x\ufffd",  # high half at the end of the string
    }
    for value, expected in cases.items():
        pieces, stream = stream_in('{"reply": ' + value + "}", 1)
        assert stream.text == expected, value


def test_keys_in_any_order_and_replies_inside_actions_do_not_count():
    document = json.dumps({
        "actions": [
            {"op": "add", "title": 'Fake {"reply": "no"} ] } \\"'},
            {"reply": "nested, not the answer"},
        ],
        "other": {"reply": "also nested"},
        "reply": "The real answer",
        "after": "ignored",
    })
    for size in (1, 3, 1000):
        pieces, stream = stream_in(document, size)
        assert "".join(pieces) == "The real answer"


def test_only_the_first_reply_counts_as_app_actions_reads_it():
    _, stream = stream_in('{"reply": "first", "reply": "second"}', 4)
    assert stream.text == "first"


def test_an_escaped_key_is_still_the_reply_key_and_a_long_key_is_not():
    _, stream = stream_in('{"repl\\u0079": "yes"}', 2)
    assert stream.text == "yes"
    _, stream = stream_in('{"' + "reply" * 2000 + '": "no", "reply": "yes"}', 7)
    assert stream.text == "yes"


def test_a_reply_that_is_not_a_string_gives_nothing():
    _, stream = stream_in('{"reply": 42, "actions": ["x"], "note": "not this"}', 3)
    assert stream.text == ""
    _, stream = stream_in('{"reply": {"text": "not this"}, "x": "nor this"}', 3)
    assert stream.text == ""


def test_a_key_named_like_a_value_is_not_confused_with_the_reply_value():
    _, stream = stream_in('{"title": "reply", "x": "no", "reply": "yes"}', 5)
    assert stream.text == "yes"


def test_truncated_json_gives_the_reply_so_far():
    pieces, stream = stream_in('{"actions": [], "reply": "Half an ans', 4)
    assert stream.text == "Half an ans" and not stream.closed


def test_whitespace_between_tokens_and_before_the_object():
    _, stream = stream_in('\n  {\n  "reply"\n  :\n  "ok"\n  ,\n  "actions" : [ ]\n}\n', 2)
    assert stream.text == "ok" and stream.closed


def test_nothing_is_read_after_the_object_ends():
    stream = ReplyStream()
    assert stream.feed('{"reply": "a"}') == "a"
    assert stream.feed(' {"reply": "b"}') == ""
    assert stream.text == "a"


def test_text_that_is_not_json_is_the_answer_itself():
    pieces, stream = stream_in("  You have two open to-dos.", 5)
    assert "".join(pieces) == "You have two open to-dos."
    assert stream.text == "You have two open to-dos."


def test_hostile_text_in_the_reply_stays_text():
    reply = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    _, stream = stream_in(json.dumps({"reply": reply}), 3)
    assert stream.text == reply


@pytest.mark.parametrize("size", [1, 4, 64])
def test_a_long_answer_streams_whole(size):
    reply = "word " * 2000
    actions = [{"op": "add", "title": f"item {i} \"quoted\""} for i in range(20)]
    document = json.dumps({"actions": actions, "reply": reply})
    pieces, stream = stream_in(document, size)
    assert "".join(pieces) == reply
