"""What the contradiction rules read from one text: words with polarity, values in context.

Words and negation come from `trust.text_words`, values from `trust.text_values`. Here
quantities keep their neighbouring content words ("population of 522,250" -> {"population"});
dates keep the content word that names their event ("founded on 14 March 2009" -> "found"),
the following word only after a preposition ("In 2025 Acme grew" -> "acme", but "the 2024
report" has no event); numbers after an identifier noun are name words ("Version 2",
"ISO 9001"), not amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from trust.text_values import UNIT_WORDS, DateValue, Kind, Lexeme, Quantity, lex
from trust.text_words import Word, read_words

_IDENTIFIER_TEXT = """
    version release v line route gate room section chapter article model series phase
    level tier floor building platform track terminal iso din step stage grade ward no
"""
_IDENTIFIER_NOUNS = frozenset(_IDENTIFIER_TEXT.split())
_PRESENT = frozenset(["today", "now", "currently", "nowadays", "presently"])
_DATE_PREPOSITIONS = frozenset(["in", "on", "since", "by", "until", "till", "from", "during"])


@dataclass(frozen=True)
class QuantityMention:
    """A quantity as it appears in a text."""

    quantity: Quantity
    text: str
    neighbours: frozenset[str]  # stems of the nearest content words before and after
    context: tuple[str, ...]  # those words as written


@dataclass(frozen=True)
class DateMention:
    """A date as it appears in a text, with the event it dates."""

    date: DateValue
    text: str
    event: str | None  # stem of the content word the date is attached to
    event_text: str = ""  # that word as written


@dataclass(frozen=True)
class TextFeatures:
    """Everything the rules read from one text."""

    text: str
    words: tuple[Word, ...]
    quantities: tuple[QuantityMention, ...]
    dates: tuple[DateMention, ...]
    times: frozenset[str]
    present: bool  # says "today", "now", "currently": the present, not a dated past

    @property
    def negated(self) -> tuple[Word, ...]:
        """The heads that are negated."""
        return tuple(w for w in self.words if w.negated_by)


@lru_cache(maxsize=8192)
def features(text: str) -> TextFeatures:
    """Read a text once (cached: candidate pairs share texts)."""
    lexemes = lex(text)
    words, clause_of = read_words(lexemes)
    words = sorted(words + _identifiers(lexemes), key=lambda w: w.position)
    by_position = {w.position: w for w in words if w.content and w.lower not in UNIT_WORDS}
    quantities, dates = [], []
    for i, lexeme in enumerate(lexemes):
        if lexeme.quantity is not None and i not in by_position:
            around = (_nearest(by_position, clause_of, i, step) for step in (-1, 1))
            near = [w for w in around if w is not None]
            quantities.append(
                QuantityMention(
                    lexeme.quantity,
                    lexeme.text,
                    frozenset(w.stem for w in near),
                    tuple(w.text for w in near),
                )
            )
        elif lexeme.date is not None:
            event = _nearest(by_position, clause_of, i, -1)
            if event is None and i and lexemes[i - 1].text.lower() in _DATE_PREPOSITIONS:
                event = _nearest(by_position, clause_of, i, 1)
            dates.append(
                DateMention(
                    lexeme.date,
                    lexeme.text,
                    event.stem if event else None,
                    event.text if event else "",
                )
            )
    times = frozenset(
        lexeme.text.lower().replace(" ", "") for lexeme in lexemes if lexeme.kind is Kind.TIME
    )
    present = any(w.lower in _PRESENT for w in words)
    return TextFeatures(text, tuple(words), tuple(quantities), tuple(dates), times, present)


def _identifiers(lexemes: list[Lexeme]) -> list[Word]:
    """Plain numbers right after an identifier noun, as one word ("version 2")."""
    words = []
    for i, lexeme in enumerate(lexemes):
        if lexeme.quantity is None or lexeme.quantity.unit or not i:
            continue
        noun = lexemes[i - 1].text.lower().rstrip(".")
        if lexemes[i - 1].kind is Kind.WORD and noun in _IDENTIFIER_NOUNS:
            name = f"{noun} {lexeme.text}"
            words.append(Word(name, name, name, i))
    return words


def _nearest(
    by_position: dict[int, Word], clause_of: list[int], start: int, step: int
) -> Word | None:
    """The nearest content word from `start` in direction `step`, inside its clause."""
    k = start + step
    while 0 <= k < len(clause_of) and clause_of[k] == clause_of[start]:
        if k in by_position:
            return by_position[k]
        k += step
    return None
