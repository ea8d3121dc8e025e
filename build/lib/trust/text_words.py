"""Words of a text: stems, stop words, and which words a negation cue negates.

- Stems come from a light suffix stripper with a table of irregular past forms ("loves",
  "loved", "loving" -> "lov"; "met" -> "meet").
- Negation: a cue ("not", "no", "never", "no longer", "none", "without", "fails to",
  "lacks", ...) negates the first content word after it in its clause, its *head*
  ("does not support charging" -> "support"). Stacked cues cancel ("not without").
  "It is not true that X" negates X as a whole, or cancels the one cue inside X ("not true
  that Acme never exported" asserts that it exported). Contractions were already expanded
  by `trust.text_values.lex`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trust.text_values import Kind, Lexeme

_STOP_TEXT = """
    a an the this that these those it its it's he she they them his her their our we us you
    your i me my who whom whose which what when where why how there here
    be is are was were been being am has have had having do does did doing done get gets got
    will would shall should can could may might must ought
    of in on at to for from by with into onto over under about as than then so such
    per via up down out off through during within across along among around near upon
    and or but if while because since until also too very just only still already even
    yet again always often usually currently now today some any all each every both either
    more most less few many much several other another same own one
    approximately roughly nearly almost exactly least according compared year years
"""
_CUE_TEXT = "not no never none nobody nothing neither nor without lack lacks lacked lacking"
_TO_CUE_TEXT = "fail fails failed failing refuse refuses refused refusing unable"  # "fails to X"
_TIME_TEXT = "end mid beginning start middle early late spring summer autumn winter"
STOP_WORDS = frozenset(_STOP_TEXT.split())
TIME_WORDS = frozenset(_TIME_TEXT.split())  # modify a date; neither content nor event
_CUES = frozenset(_CUE_TEXT.split())
_TO_CUES = frozenset(_TO_CUE_TEXT.split())
_IRREGULAR = {
    "met": "meet", "left": "leave", "sold": "sell", "bought": "buy", "made": "make",
    "took": "take", "taken": "take", "kept": "keep", "held": "hold", "paid": "pay",
    "sent": "send", "spent": "spend", "built": "build", "began": "begin", "begun": "begin",
    "brought": "bring", "became": "become", "came": "come", "chose": "choose",
    "chosen": "choose", "gave": "give", "given": "give", "went": "go", "gone": "go",
    "ran": "run", "wrote": "write", "written": "write", "told": "tell", "taught": "teach",
    "knew": "know", "known": "know", "grew": "grow", "grown": "grow", "rose": "rise",
    "risen": "rise", "fell": "fall", "fallen": "fall", "won": "win", "lost": "lose",
    "led": "lead", "thought": "think", "found": "find", "saw": "see", "seen": "see",
    "shown": "show", "stood": "stand", "felt": "feel", "meant": "mean", "sought": "seek",
    "drove": "drive", "driven": "drive", "shrank": "shrink", "shrunk": "shrink",
}  # fmt: skip
_SENTENTIAL = (("not", "true", "that"), ("not", "the", "case", "that"), ("untrue", "that"))
_SENTENCE_END = frozenset(".!?;")


def stem(word: str) -> str:
    """A crude English stem: plural, "-ed", "-ing" and a final "e" removed."""
    w = word.lower()
    w = _IRREGULAR.get(w, w)
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses") or w.endswith(("xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = _undouble(w[:-3])
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ed") and len(w) > 4:
        w = _undouble(w[:-2])
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def _undouble(w: str) -> str:
    if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "aeioulsz":
        return w[:-1]
    return w


@dataclass(frozen=True)
class Word:
    """A word of a text, with where it stands and whether it is negated."""

    text: str
    lower: str
    stem: str
    position: int  # index among the text's lexemes
    cue: str = ""  # the negation cue this word belongs to (empty if none)
    negated_by: str = ""  # for a negated head: the cue that negates it

    @property
    def content(self) -> bool:
        """Not a stop word, a time word or part of a negation cue."""
        return not self.cue and self.lower not in STOP_WORDS and self.lower not in TIME_WORDS


def read_words(lexemes: list[Lexeme]) -> tuple[list[Word], list[int]]:
    """The words of a lexed text with their negation marks, and each lexeme's clause."""
    words = [
        Word(x.text, x.text.lower(), stem(x.text), i)
        for i, x in enumerate(lexemes)
        if x.kind is Kind.WORD
    ]
    return _negate(words, lexemes), _clauses(lexemes)


def _clauses(lexemes: list[Lexeme]) -> list[int]:
    """The clause number of each lexeme (clauses end at punctuation)."""
    clause, clause_of = 0, []
    for lexeme in lexemes:
        clause += lexeme.kind is Kind.BREAK
        clause_of.append(clause)
    return clause_of


def _negate(words: list[Word], lexemes: list[Lexeme]) -> list[Word]:
    """Mark cues and negated heads (see the module docstring)."""
    out = list(words)
    pending: list[str] = []  # cues waiting for their head
    sentential: tuple[str, int] | None = None  # ("not true that", index of first word after)
    local = False  # a cue met inside the sentential scope
    i = 0
    while i < len(out):
        word = out[i]
        if i and _boundary(lexemes, out[i - 1].position, word.position):
            pending = []
            if _sentence_ended(lexemes, out[i - 1].position, word.position):
                _close_sentential(out, sentential, local, i)
                sentential, local = None, False
        lowers = [w.lower for w in out[i : i + 4]]
        if lowers[:2] == ["not", "only"]:  # "not only X but also Y" asserts X
            out[i : i + 2] = [_as_cue(w, "not only") for w in out[i : i + 2]]
            i += 2
            continue
        span = _sentential_span(lowers)
        if span:
            out[i : i + span] = [_as_cue(w, "not true that") for w in out[i : i + span]]
            sentential, local = ("not true that", i + span), False
            i += span
            continue
        cue_length = _cue_length(lowers)
        if cue_length:
            text = " ".join(w.text for w in out[i : i + cue_length])
            out[i : i + cue_length] = [_as_cue(w, text) for w in out[i : i + cue_length]]
            pending.append(text)
            local = local or sentential is not None
            i += cue_length
            continue
        if pending and word.lower not in STOP_WORDS:
            flips = len(pending) + (1 if sentential else 0)
            if flips % 2:
                out[i] = _negated(word, " ".join(pending))
            pending = []
        i += 1
    _close_sentential(out, sentential, local, len(out))
    return out


def _cue_length(lowers: list[str]) -> int:
    if lowers[:2] == ["no", "longer"]:
        return 2
    if lowers[0] in _CUES:
        return 1
    if lowers[0] in _TO_CUES and lowers[1:2] == ["to"]:
        return 2
    return 0


def _sentential_span(lowers: list[str]) -> int:
    for phrase in _SENTENTIAL:
        if tuple(lowers[: len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _close_sentential(
    out: list[Word], sentential: tuple[str, int] | None, local: bool, end: int
) -> None:
    """With no cue inside its scope, "not true that X" negates every content word of X."""
    if sentential is None or local:
        return
    cue, start = sentential
    for j in range(start, end):
        if out[j].content:
            out[j] = _negated(out[j], cue)


def _as_cue(word: Word, cue: str) -> Word:
    return replace(word, cue=cue)


def _negated(word: Word, cue: str) -> Word:
    return replace(word, negated_by=cue)


def _boundary(lexemes: list[Lexeme], before: int, after: int) -> bool:
    return any(lexemes[k].kind is Kind.BREAK for k in range(before + 1, after))


def _sentence_ended(lexemes: list[Lexeme], before: int, after: int) -> bool:
    return any(lexemes[k].text in _SENTENCE_END for k in range(before + 1, after))
