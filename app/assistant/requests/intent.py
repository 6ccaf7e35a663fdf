"""What a message asks of the list, read from its words before any model sees it.

Pure Python (standard library only). The judgement benchmark showed that a small model cannot tell
a question from a change request: SmolLM2-135M's own odds of "change" over "answer" rank change
requests above questions no better than chance (docs/benchmarks-judgement.md). So the app reads
that much itself, and asks the model only what it can do: write an answer, or fill in changes whose
kinds and to-dos the message already names. `read_intent` returns:

- ANSWER: a question, or a message with no change word; the model writes a plain answer and no
  change can be proposed (a question about "done" to-dos never marks anything done).
- CHANGE: change words (`ops`) and the to-dos the message names (`todos`, list positions); the
  model fills in the changes, constrained to exactly those kinds and those to-dos.
- ASK: it names a to-do but two or more fit equally (or only loosely); the app asks which.
- MISSING: a change to a to-do that nothing on the list fits; the app says so.
- OFF_LIST: the first message of a chat, with nothing in it about the list or the person (no "I"
  or "my", no list word, no word of a title): "Write me a poem", "What is the capital of France?";
  the app declines. A small model answers these anyway (it declined 1 in 8 in the benchmark).

To-dos are matched by their words (case, common endings and small typos aside); the words that
only say what to do ("mark", "done", "delete"…) and the most common verbs of titles ("buy",
"call"…) do not name a to-do by themselves.
"""

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.todos.model import Todo

ANSWER, CHANGE, ASK, MISSING, OFF_LIST = "answer", "change", "ask", "missing", "off-list"
TODO_OPS = ("complete", "reopen", "rename", "delete")  # the ops that name an existing to-do

_CUES = {
    "add": r"add|ad|put|remind me|don'?t let me forget|do not let me forget|remember to|new (?:to-?do|task)"
           r"|note down|create|append|include",
    "reopen": r"reopen|re-open|not (?:yet |actually )?(?:done|finished|completed)|undo|haven'?t|have not"
              r"|hasn'?t|unmark|uncheck|untick|still (?:need|have) to|isn'?t done",
    "complete": r"done|finished|finish|complete|completed|check(?:ed)? off|tick(?:ed)? off|did"
                r"|cross(?:ed)? off|i (?!need\b)\w+ed|got|bought|paid|sent|made|went|took|wrote|met|sold|found|gave|fed|brought",
    "delete": r"delete|remove|drop|get rid|got rid|cancel|scrap|forget about|don'?t need|do not need"
              r"|no longer need|erase|clear|take off|bin",
    "rename": r"rename|change .+ to|call it|retitle|reword|should say|should read",
}
_CUE = {op: re.compile(rf"(?<![\w-])(?:{words})(?![\w-])") for op, words in _CUES.items()}
# Single words that also count when slightly misspelt ("delte", "cald").
_CUE_WORDS = {"add": ["remind"], "complete": ["finished", "completed", "called"],
              "reopen": ["reopen"], "delete": ["delete", "remove", "cancel"], "rename": ["rename"]}
_QUESTION = re.compile(r"^(?:how|what|what's|which|who|when|where|why|is|are|am|do|does|did|have|has"
                       r"|should|shall|was|were|any|anything|list|show|tell|give|summari[sz]e)\b")
_REQUEST = re.compile(r"^(?:can|could|would|will) you\b|^please\b")
_MANY = re.compile(r"\b(?:and|both|all|everything|every|each)\b|,|;")
_DESCRIBED = re.compile(r"\b(?:(?:that|which|what)(?:'s| is| are| was| were)|already) (?:done|completed|finished)\b"
                        r"|\b(?:done|completed|finished) ones\b")
_ALL = re.compile(r"\b(?:all|everything|every|each)\b")
_ABOUT_LIST = re.compile(
    r"(?<![\w-])(?:i|i'm|i've|i'd|my|mine|we|our|list|to-?dos?|tasks?|items?|done|open|left|finished"
    r"|completed|remaining|pending|first|next|urgent|important|priority|due|overdue|plan|to do"
    r"|ones|how many|how much|summar\w*|overview|anything|everything)(?![\w-])")
_AFFIRM = re.compile(r"^(?:yes|yeah|yep|ok|okay|sure|do it|please do|go ahead|please)\W*$")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FUNCTION_WORDS = set(
    "a an the to of for and or in on at by with from my me i it its it's this that these those one ones "
    "thing things stuff to-do todo todos to-dos task tasks item items list is are was were be been as "
    "about up off out again now today yet already just please can could would will you your we our "
    "have has had do does did not no don't can't i'm i've mark marked done finished complete completed "
    "delete deleted remove removed add added rename renamed reopen reopened change changed drop get rid "
    "cancel new all everything every each".split())
_WEAK = set("buy get call make do go pay book send write read take bring pick check see".split())
_IRREGULAR = {"bought": "buy", "got": "get", "paid": "pay", "sent": "send", "made": "make", "went": "go",
              "took": "take", "wrote": "write", "met": "meet", "sold": "sell", "found": "find",
              "gave": "give", "fed": "feed", "brought": "bring", "did": "do", "ran": "run"}


@dataclass(frozen=True)
class Intent:
    kind: str
    ops: tuple[str, ...] = ()
    todos: tuple[int, ...] = ()  # list positions of the to-dos the message names (CHANGE), or the close ones (ASK)
    loose: bool = False  # ASK: the close ones share only a common verb ("buy", "pay") with the message
    many: bool = False  # the message may ask for several changes ("and", a list, "all")
    message: str = ""  # the message read (the one before, for a bare "yes")


def read_intent(message: str, todos: Sequence[Todo], previous: str | None = None) -> Intent:
    """Read `message` (about `todos`, objects with `title` and `completed`) as the docstring says.

    previous: the person's message before this one; a bare "yes" or "do it" is read as that one.
    """
    if previous and _AFFIRM.match(_normal(message)):
        message = previous
    text = _normal(message)
    many = bool(_MANY.search(text))
    if _QUESTION.match(text) and not _REQUEST.match(text) or not (ops := _ops(text)):
        about = previous is not None or about_list(text, todos)  # in a chat, "And now?" follows on
        return Intent(ANSWER if about else OFF_LIST, message=message)
    if not set(ops) & set(TODO_OPS):
        return Intent(CHANGE, ops, many=many, message=message)
    if _ALL.search(text):
        return Intent(CHANGE, ops, tuple(range(len(todos))), many=True, message=message)
    strong, weak = _scores(text, todos)
    if not strong:
        if weak and "add" not in ops:
            return Intent(ASK, ops, tuple(weak), loose=True, message=message)
        if "add" in ops:
            return Intent(CHANGE, ("add",), many=many, message=message)
        return Intent(MISSING, ops, message=message)
    top = max(strong.values())
    best = tuple(n for n, score in strong.items() if score == top)
    if many:
        return Intent(CHANGE, ops, tuple(sorted(strong)), many=True, message=message)
    if len(best) > 1:
        return Intent(ASK, ops, best, message=message)
    return Intent(CHANGE, ops, best, message=message)


_ORDINALS = {"first": 0, "1st": 0, "1": 0, "one": 0, "second": 1, "2nd": 1, "2": 1, "two": 1, "third": 2,
             "3rd": 2, "3": 2, "three": 2, "fourth": 3, "4th": 3, "4": 3, "fifth": 4, "5th": 4, "5": 4, "last": -1}


def pick(asked: Intent, answer: str, todos: Sequence[Todo]) -> Intent | None:
    """The change `asked` (an ASK) meant, once the person says which ("the oat one", "the second",
    "Buy milk"), or None when the answer picks none of the to-dos offered."""
    offered = list(asked.todos)
    text = _normal(answer)
    chosen = [n for n in offered if str(todos[n].title).lower() in text]
    if len(chosen) != 1:
        words = {n: {_stem(w) for w in _WORD.findall(str(todos[n].title).lower())} for n in offered}
        said = {_stem(w) for w in _WORD.findall(text) if w not in _FUNCTION_WORDS}
        chosen = [n for n in offered
                  if any(_same(w, s) for w in words[n] - set().union(*(words[m] for m in offered if m != n))
                         for s in said)]
    if len(chosen) != 1:
        places = {_ORDINALS[w] for w in _WORD.findall(text) if w in _ORDINALS}
        place = next(iter(places)) if len(places) == 1 else len(offered)
        chosen = [offered[place]] if -len(offered) <= place < len(offered) else []
    if len(chosen) != 1:
        return None
    return Intent(CHANGE, asked.ops, tuple(chosen), message=asked.message)


def about_list(text: str, todos: Iterable[Todo]) -> bool:
    """Whether a question or remark is about the list or the person (not a poem, not trivia)."""
    return bool(_ABOUT_LIST.search(text)) or any(_scores(text, todos))


def _normal(message: str) -> str:
    return " ".join(message.lower().replace("’", "'").split())


def _ops(text: str) -> tuple[str, ...]:
    words = [w for w in _WORD.findall(text) if len(w) >= 4]
    found = [op for op, cue in _CUE.items()
             if cue.search(text) or any(_same(w, c, 0.85) for w in words for c in _CUE_WORDS.get(op, ()))]
    if "reopen" in found and "complete" in found:
        found.remove("complete")  # "not done", "haven't actually filed": a negated completion
    if "delete" in found and "complete" in found and not _CUE["complete"].search(_DESCRIBED.sub("", text)):
        found.remove("complete")  # "remove everything that is done": "done" describes, it does not ask
    if "rename" in found and "add" in found and not re.search(r"(?<![\w-])add(?![\w-])", text):
        found.remove("add")
    return tuple(found)


def _scores(text: str, todos: Iterable[Todo]) -> tuple[dict[int, int], list[int]]:
    """(strong, weak): list position -> how many of the to-do's words the message has."""
    said = {_stem(w) for w in _WORD.findall(text) if w not in _FUNCTION_WORDS}
    strong: dict[int, int] = {}
    weak: list[int] = []
    for n, todo in enumerate(todos):
        words = {_stem(w) for w in _WORD.findall(str(todo.title).lower()) if w not in _FUNCTION_WORDS}
        matched = {w for w in words if any(_same(w, s) for s in said)}
        if matched - _weak_stems():
            strong[n] = len(matched)
        elif matched:
            weak.append(n)
    return strong, weak


def _weak_stems() -> set[str]:
    if not _WEAK_STEMS:
        _WEAK_STEMS.update(_stem(w) for w in _WEAK)
    return _WEAK_STEMS


_WEAK_STEMS: set[str] = set()


def _stem(word: str) -> str:
    word = _IRREGULAR.get(word, word)
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]  # "called" -> "call" -> "cal"; both sides are stemmed alike
    return word


def _same(a: str, b: str, close: float = 0.8) -> bool:
    if a == b:
        return True
    return min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= close


_QUOTED = re.compile(r"'([^']+)'(?!\w)|\"([^\"]+)\"|“([^”]+)”|‘([^’]+)’")
_SPLIT = re.compile(r"\s*(?:[,;:]|\band\b|\bthen\b|\balso\b)\s*", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:(?:please|ok|okay|oh|and|also|then|can you|could you|would you|will you)\s+)*"
    r"(?:add(?: a)?(?: new)?(?: (?:to-?do|task|item))?|ad|put|remind me to|remind me|don'?t let me forget to"
    r"|do not let me forget to|remember to|note down|create(?: a)?(?: (?:to-?do|task))?|i need to|i have to)\b\s*"
    r"(?:to\s+)?",
    re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:to|on|onto|in)\s+(?:my|the)\s+(?:to-?do\s+)?list\b.*$|[.!?]+$", re.IGNORECASE)
_OTHER_CHANGE = re.compile(r"^(?:mark|rename|change|delete|remove|drop|complete|reopen|get rid|cancel|tick|check"
                           r"|cross|un(?:mark|check|tick))\b", re.IGNORECASE)
_THINGS = re.compile(r"^(?:\w+\s+)?(?:things?|to-?dos?|tasks?|items?)$", re.IGNORECASE)


def new_titles(message: str, todos: Iterable[Todo] = ()) -> list[str]:
    """Titles a message may give new to-dos, in its own words: quoted text, or the phrases it lists.

    "Add buy bread and call mum" -> ["Buy bread", "Call mum", "Buy bread and call mum"];
    "Rename 'Milk' to 'Oat milk'" -> ["Oat milk"] (quoted text that is not already a title).
    The app lets a model choose among these rather than write a title of its own: a small model
    writes "bacheni," or "CALL THE DENTER" where it should copy the person's words.
    """
    titles = {t.title.lower() for t in todos}
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(message)]
    quoted = [q.strip() for q in quoted if q.strip() and q.strip().lower() not in titles]
    if quoted:
        return _unique(quoted)
    found: list[str] = []
    renamed = re.search(r"\b(?:rename|change)\b.*?\bto\s+(.+)$", message, re.IGNORECASE)
    if renamed:  # "rename milk to oat milk and delete …": the new title ends where the next change starts
        found.append(_tidy(_SPLIT.split(renamed.group(1))[0]))
    parts = [_tidy(part) for part in _SPLIT.split(message)]
    start = next((n for n, part in enumerate(_SPLIT.split(message)) if _LEAD.match(part.strip())), None)
    if start is not None:
        listed = [p for p in parts[start:] if p and not _THINGS.match(p) and not _OTHER_CHANGE.match(p)]
        lead = _LEAD.search(message.strip())
        whole = _tidy(message.strip()[lead.end():] if lead else "")
        found += listed + ([whole] if len(listed) > 1 and len(listed) == len(parts[start:]) else [])
    return _unique(t for t in found if t and t.lower() not in titles)


def _tidy(text: str) -> str:
    text = _TAIL.sub("", _LEAD.sub("", text.strip())).strip(" '\"“”‘’")
    return text[:1].upper() + text[1:]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
