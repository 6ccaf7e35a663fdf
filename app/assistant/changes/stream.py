"""JSON read as it arrives: whether its top-level object has ended, and the text of its `"reply"`.

Pure Python. `ReplyStream.feed(chunk)` returns the text of a top-level "reply" string that the
chunk completes (keys in any order), and `closed` says whether the object has ended. The app uses
it in one place: when a change request's whole answer is not valid JSON,
app.assistant.changes.reading.decode feeds it that text to tell an answer cut off (`closed` false)
from a malformed one, keeping any "reply" text that arrived. Reading the reply text while it
streams is what the judgement benchmark's JSON designs need (bench/judgement_designs.py: what the
person would see), and what the app did when every answer was one JSON object,
`{"reply": "...", "actions": [...]}`.

Work per chunk is proportional to the chunk, never to what came before: a small state machine
remembers only where it is (nesting depth, inside a string or not, a half-read escape), and regular
expressions jump from one quote, backslash or bracket to the next, so plain text is copied in one
slice. Escapes are decoded, including a \\uXXXX split across chunks and surrogate pairs (a lone
half becomes U+FFFD, which JS strings and storage accept). Only a top-level "reply" counts, and
only its first value, as app.assistant.changes.reading reads it. Text that does not start with "{" is not JSON (an
engine that ignored the format): it is the answer as it is.
"""

import re

_STRING_STOP = re.compile(r'["\\]')
_STRUCTURE = re.compile(r'["{}\[\]:,]')
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")
_KEY_LIMIT = 8  # a key longer than this is not "reply"; longer keys are not kept
_REPLACEMENT = "\ufffd"

_START, _JSON, _PLAIN = "start", "json", "plain"
_SKIP, _KEY, _REPLY = "skip", "key", "reply"


class ReplyStream:
    """Feed it the chunks of one answer in order; it hands back the reply text as it arrives."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._mode = _START
        self._depth = 0
        self._in_string = False
        self._role = _SKIP
        self._expect_key = False  # at the top level, the next string is a key
        self._after_colon = False  # at the top level, between a key's ":" and its value
        self._key = ""
        self._last_key: str | None = None
        self._escape: str | None = None  # while inside an escape: the text after the backslash so far
        self._high: int | None = None  # a high surrogate waiting for its low half
        self._reply_done = False
        self.closed = False  # the top-level object has ended

    @property
    def text(self) -> str:
        """All the reply text so far."""
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def feed(self, chunk: str) -> str:
        """Read the next chunk; return the reply text it adds (often "")."""
        out: list[str] = []
        i, n = 0, len(chunk)
        if self._mode == _START:
            rest = chunk.lstrip()
            if not rest:
                return ""
            i = n - len(rest)
            self._mode = _JSON if rest[0] == "{" else _PLAIN
        if self._mode == _PLAIN:
            out.append(chunk[i:])
            i = n
        while i < n and not self.closed:
            if self._escape is not None:
                i = self._read_escape(chunk, i, out)
            elif self._in_string:
                stop = _STRING_STOP.search(chunk, i)
                end = n if stop is None else stop.start()
                if end > i:
                    self._text(chunk[i:end], out)
                if stop is None:
                    break
                i = end + 1
                if chunk[end] == '"':
                    self._end_string(out)
                else:
                    self._escape = ""
            else:
                mark = _STRUCTURE.search(chunk, i)
                if mark is None:
                    break
                i = mark.end()
                self._structure(mark.group())
        added = "".join(out)
        if added:
            self._parts.append(added)
        return added

    def _structure(self, char: str) -> None:
        top = self._depth == 1
        if char == '"':
            self._in_string = True
            if top and self._expect_key:
                self._role, self._key = _KEY, ""
            elif top and self._after_colon and self._last_key == "reply" and not self._reply_done:
                self._role = _REPLY
            else:
                self._role = _SKIP
            self._after_colon = False
        elif char in "{[":
            self._depth += 1
            self._expect_key = self._depth == 1
            self._after_colon = False
        elif char in "}]":
            self._depth -= 1
            self.closed = self._depth <= 0
        elif top and char == ":":
            self._expect_key, self._after_colon = False, True
        elif top and char == ",":
            self._expect_key, self._after_colon, self._last_key = True, False, None

    def _end_string(self, out: list[str]) -> None:
        if self._high is not None:
            self._high = None
            if self._role == _REPLY:
                out.append(_REPLACEMENT)
        if self._role == _KEY:
            self._last_key = self._key if len(self._key) <= _KEY_LIMIT else None
            self._expect_key = False
        elif self._role == _REPLY:
            self._reply_done = True
        self._in_string, self._role = False, _SKIP

    def _read_escape(self, chunk: str, i: int, out: list[str]) -> int:
        """Continue an escape at chunk[i]; return the index after what it used."""
        assert self._escape is not None  # feed() calls it only inside an escape
        if self._escape == "":
            char = chunk[i]
            if char == "u":
                self._escape = "u"
            else:
                self._escape = None
                self._text(_SIMPLE_ESCAPES.get(char, char), out)
            return i + 1
        digits = chunk[i : i + 5 - len(self._escape)]
        self._escape += digits
        i += len(digits)
        if len(self._escape) == 5:
            hex_digits, self._escape = self._escape[1:], None
            if all(c in _HEX for c in hex_digits):
                self._code_point(int(hex_digits, 16), out)
            else:
                self._text(_REPLACEMENT, out)
        return i

    def _code_point(self, code: int, out: list[str]) -> None:
        if 0xD800 <= code <= 0xDBFF:
            if self._high is not None:
                self._high = None
                self._text(_REPLACEMENT, out)  # the earlier high half had no low half
            self._high = code
        elif 0xDC00 <= code <= 0xDFFF:
            if self._high is None:
                self._text(_REPLACEMENT, out)
            else:
                pair = 0x10000 + ((self._high - 0xD800) << 10) + (code - 0xDC00)
                self._high = None
                self._text(chr(pair), out)
        else:
            self._text(chr(code), out)

    def _text(self, text: str, out: list[str]) -> None:
        if self._high is not None:
            self._high = None
            text = _REPLACEMENT + text
        if self._role == _REPLY:
            out.append(text)
        elif self._role == _KEY and len(self._key) <= _KEY_LIMIT:
            self._key += text[: _KEY_LIMIT + 1]
