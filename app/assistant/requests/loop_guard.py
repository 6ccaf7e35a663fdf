"""The guard that cuts off a reply that has started to loop.

Pure Python. Small models sometimes repeat a line until `max_tokens`; the sampling
(app/assistant/engines/sampling.py) makes that rare, and this guard stops the engine when it still
happens, so the person sees one copy and a note (app/assistant/turn.py). The answer checks
(app/assistant/requests/checks.py) use it too, to call a finished answer repeated.
"""

import re

# A unit ends at a line break, or at a sentence end followed by white space.
_UNIT_END = re.compile(r"\n|(?<=[.!?…])[ \t]+")
_LIST_MARK = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")
_WORDS = re.compile(r"\w")
_LIST_NUMBER = re.compile(r"\s*\d+[.)]\Z")

BLOCK_REPEATS = 3  # the same line, sentence or block of them, this many times in a row
MAX_BLOCK_UNITS = 4
MIN_UNIT_CHARS = 8  # shorter units ("Yes.", "---") repeat in normal answers
RUN_MIN_REPEATS = 4  # a short run of characters repeated this often…
RUN_MIN_CHARS = 60  # …covering at least this much text
RUN_MAX_PERIOD = 50


def _normal(unit: str) -> str:
    return " ".join(_LIST_MARK.sub("", unit.strip()).lower().split())


class LoopGuard:
    """Fed the streamed text piece by piece; says when the reply has started to loop.

    A loop is (1) the same line or sentence, or the same block of up to four of them, three times
    in a row (lines and sentences too short to judge, such as "Yes." or "---", are passed over,
    so "You have 3 to-dos. Buy milk. You have 3 to-dos. Call mum. …" counts); or (2) a short run of
    characters repeated back to back (at least 4 times over 60 characters, e.g. "the the the…").
    Lists whose lines share a prefix ("- ", or "Status: open" after each title) do not count: whole
    lines and sentences are compared, and a sentence recurring between different items is not a
    loop. `cut` is then where the repeated tail starts: text[:cut] keeps one copy.
    """

    def __init__(self) -> None:
        self.text = ""
        self.cut: int | None = None
        self._units: list[tuple[str, int]] = []  # (normalized, end) of each complete unit, in order
        self._scanned = 0  # where the next unit starts

    @property
    def looping(self) -> bool:
        return self.cut is not None

    def feed(self, piece: str) -> bool:
        """Add streamed text; True once the reply loops (and from then on)."""
        if self.cut is not None:
            return True
        self.text += piece
        for match in _UNIT_END.finditer(self.text, self._scanned):
            if self._add_unit(self._scanned, match.start()):
                self._scanned = match.end()
            if self.cut is not None:
                return True
        self.cut = self._repeated_run()
        return self.cut is not None

    def _add_unit(self, start: int, end: int) -> bool:
        """Count text[start:end] as a unit; False for a list number ("2." before "Buy milk"), which
        the next unit takes in. Units too short to judge ("Yes.", "---") are passed over."""
        raw = self.text[start:end]
        if _LIST_NUMBER.match(raw):
            return False
        normal = _normal(raw)
        if len(normal) < MIN_UNIT_CHARS or len(_WORDS.findall(normal)) < 2:
            return True
        self._units.append((normal, end))
        self.cut = self._repeated_block()
        return True

    def _repeated_block(self) -> int | None:
        units = self._units
        for size in range(1, MAX_BLOCK_UNITS + 1):
            if len(units) < size * BLOCK_REPEATS:
                break
            last = [u for u, _ in units[-size:]]
            if all([u for u, _ in units[-size * (k + 1):len(units) - size * k]] == last
                   for k in range(1, BLOCK_REPEATS)):
                return units[-size * (BLOCK_REPEATS - 1) - 1][1]  # the end of the first copy
        return None

    def _repeated_run(self) -> int | None:
        text, end = self.text, len(self.text)
        for period in range(1, RUN_MAX_PERIOD + 1):
            chunk = text[end - period:end]
            if len(chunk) < period:
                break
            if not chunk.strip():
                continue
            repeats = 1
            while text[end - (repeats + 1) * period:end - repeats * period] == chunk:
                repeats += 1
            if repeats >= RUN_MIN_REPEATS and repeats * period >= RUN_MIN_CHARS:
                start = end - repeats * period
                while start > 0 and text[start - 1] == text[start - 1 + period]:
                    start -= 1  # the run began before the copies counted from the end
                return start + period
        return None
