"""Cheap checks that a finished answer reads as an answer at all: not empty, not symbols or code,
not the same thing over and over.

Pure Python. A small model sometimes streams `);*/10; */*25; …`, JSON instead of words, or one
line again and again. The app does not show such text as if it were an answer: the person is
told the answer made no sense and offered a retry or a larger model (app/assistant/turn.py). The
judgement benchmark (bench/judgement.py) counts the same checks among a reply's, so the app and the
benchmark agree on what "made no sense" means. These checks say nothing of truth: "You have 3
to-dos" for a list of two passes.
"""

import re

from app.assistant.requests.loop_guard import LoopGuard

EMPTY = "empty"
SYMBOLS = "symbols"
CODE = "code"
REPEATED = "repeated"

MIN_WORD_SHARE = 0.6
"""Below this share of letters and digits among the visible characters, a reply is symbols."""

_CODE_LINE = re.compile(
    r"""^\s*(?:[{}\];]|\[(?![^\]\n]*\]\()|//|/\*|\*/|def\s|function\b|return\b|import\s|const\s|let\s|var\s)"""
    r"""|[;{]\s*$|=>|</?\w+[^>]*>|"\w+"\s*:""")
_JSON_START = re.compile(r'^\s*[{\[]\s*"')
_MARKDOWN = re.compile(r"[*_`#>|-]")  # markdown's own marks are not counted as symbols


def nonsense(text: str) -> str | None:
    """Why `text` does not read as an answer (EMPTY, SYMBOLS, CODE or REPEATED), or None.

    Symbols: fewer than 60% of its visible characters (markdown marks aside) are letters or digits.
    Code: it starts like JSON, or at least half of its non-blank lines look like code (a line
    opening or closing a block, ending in ";" or "{", a tag, a JSON key). Repeated: the app's
    LoopGuard finds the same line, sentence or block three times in a row, or a short run repeated.
    """
    visible = "".join(text.split())
    if not visible:
        return EMPTY
    counted = _MARKDOWN.sub("", visible)
    if counted and sum(ch.isalnum() for ch in counted) < MIN_WORD_SHARE * len(counted):
        return SYMBOLS
    lines = [line for line in text.splitlines() if line.strip()]
    if _JSON_START.match(text) or sum(bool(_CODE_LINE.search(line)) for line in lines) * 2 >= len(lines):
        return CODE
    guard = LoopGuard()
    if guard.feed(text) or guard.feed("\n"):  # a run repeated at the end, then the last line as a unit
        return REPEATED
    return None
