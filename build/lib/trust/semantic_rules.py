"""The word rules behind `trust.semantic`: same subject first, then one clash per rule.

Same subject: the texts' content words (stems, without stop words, negation cues, antonym
words, units, numbers and dates) must overlap, and at most one text may add words the other
lacks. When both add their own ("Bob loves pizza" / "Alice hates pizza", "speaks French" /
"speaks German"), they may well be about different things, and the rules stay silent.

Scope guards: statements at different times ("in 2019" / "in 2023") do not clash through
negation or antonyms; dates next to amounts mark periods, not events; a qualifier antonym
split between texts that carry values names two things ("first version ... 2012" / "last
version ... 2019").

Scores are the rule's base confidence times the strength of the subject overlap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from trust.antonyms import opposites
from trust.text_features import QuantityMention, TextFeatures
from trust.text_values import UNIT_WORDS
from trust.text_words import Word, stem

_NEGATION_BASE = 0.9
_ANTONYM_BASE = 0.85
_DATE_BASE = 0.9
_NUMBER_BASE = 0.8
_TOLERANCE = 0.01  # numbers within 1 % of the larger agree


@dataclass(frozen=True)
class Finding:
    """A clash one rule found."""

    rule: str
    score: float
    reason: str


@dataclass(frozen=True)
class Subject:
    """How far two texts are about the same thing."""

    same: bool
    shared: frozenset[str]  # content words as written (one form per stem)
    only_a: frozenset[str]
    only_b: frozenset[str]

    @property
    def strength(self) -> float:
        """0.8 to 1.0, growing with the Jaccard overlap of content words."""
        union = len(self.shared) + len(self.only_a) + len(self.only_b)
        return 0.8 + 0.2 * (len(self.shared) / union if union else 0.0)

    def explain(self) -> str:
        """Why the texts are (not) taken to be about the same thing."""
        if not self.shared:
            return "no content word in common"
        if not self.same:
            return (
                f"different subjects: only A has {_listed(self.only_a)}, "
                f"only B has {_listed(self.only_b)}"
            )
        return f"same subject ({_listed(self.shared)}), no clash found"


def subject(a: TextFeatures, b: TextFeatures) -> Subject:
    """Compare the content words of two texts (see the module docstring)."""
    words_a, words_b = _content(a), _content(b)
    shared = words_a.keys() & words_b.keys()
    only_a, only_b = words_a.keys() - shared, words_b.keys() - shared
    return Subject(
        same=bool(shared) and not (only_a and only_b),
        shared=frozenset(words_a[s] for s in shared),
        only_a=frozenset(words_a[s] for s in only_a),
        only_b=frozenset(words_b[s] for s in only_b),
    )


def different_times(a: TextFeatures, b: TextFeatures) -> str | None:
    """Why the texts speak of different times, if they do."""
    if a.dates and b.dates and not any(x.date.compatible(y.date) for x in a.dates for y in b.dates):
        dates_a, dates_b = (_quoted(d.text for d in t.dates) for t in (a, b))
        return f"different times: {dates_a} vs {dates_b}"
    if a.times and b.times and not a.times & b.times:
        return f"different times of day: {_quoted(a.times)} vs {_quoted(b.times)}"
    for x, y in ((a, b), (b, a)):
        if x.dates and y.present and not y.dates:
            return f"different times: {_quoted(d.text for d in x.dates)} vs the present"
    return None


def split_qualifier(a: TextFeatures, b: TextFeatures) -> str | None:
    """Why the texts name two different things through a qualifier antonym, if they do."""
    if not (_has_values(a) and _has_values(b)):
        return None
    for word_a, word_b, qualifier in _split_pairs(a, b):
        if qualifier:
            return f'different things: "{word_a.text}" in A, "{word_b.text}" in B'
    return None


def negation(a: TextFeatures, b: TextFeatures, strength: float) -> Finding | None:
    """One text negates a word the other asserts."""
    for x, y, first, second in ((a, b, "A", "B"), (b, a, "B", "A")):
        for head in x.negated:
            asserted = [w for w in y.words if w.stem == head.stem and not (w.negated_by or w.cue)]
            if asserted:
                reason = (
                    f'{first} says "{head.negated_by} {head.text}", '
                    f'{second} says "{asserted[0].text}"'
                )
                return Finding("negation", _NEGATION_BASE * strength, reason)
    return None


def antonym(a: TextFeatures, b: TextFeatures, strength: float) -> Finding | None:
    """The texts say opposite words of the same thing (after their own negations)."""
    for word_a, word_b, _ in _split_pairs(a, b):
        if bool(word_a.negated_by) == bool(word_b.negated_by):
            reason = f'"{_said(word_a)}" in A vs "{_said(word_b)}" in B'
            return Finding("antonym", _ANTONYM_BASE * strength, reason)
    return None


def numbers(a: TextFeatures, b: TextFeatures, strength: float) -> Finding | None:
    """The same quantity (same unit, same neighbouring word) with values more than 1 % apart."""
    if different_times(a, b):
        return None  # amounts of different periods
    for x in a.quantities:
        if any(x.quantity.agrees(y.quantity, _TOLERANCE) for y in b.quantities):
            continue
        for y in b.quantities:
            if not _same_quantity(a, b, x, y) or any(
                y.quantity.agrees(z.quantity, _TOLERANCE) for z in a.quantities
            ):
                continue
            low, high = sorted((abs(x.quantity.value), abs(y.quantity.value)))
            apart = (high - low) / high
            about = [w for w in x.context if stem(w) in y.neighbours]
            detail = f"{', '.join(about)}; " if about else ""
            reason = f'"{x.text}" in A vs "{y.text}" in B ({detail}{apart:.1%} apart)'
            score = (_NUMBER_BASE + 0.2 * min(1.0, apart / 0.25)) * strength
            return Finding("number", score, reason)
    return None


def dates(a: TextFeatures, b: TextFeatures, strength: float) -> Finding | None:
    """The same event dated differently in the two texts."""
    if (a.quantities and b.quantities) or a.negated or b.negated:
        return None  # dates of amounts are periods; a negated event has no date
    for x in a.dates:
        for y in b.dates:
            if x.event is None or x.event != y.event or x.date.compatible(y.date):
                continue
            if any(x.date.compatible(z.date) for z in b.dates if z.event == x.event):
                continue
            if any(y.date.compatible(z.date) for z in a.dates if z.event == y.event):
                continue
            reason = f'"{x.text}" in A vs "{y.text}" in B ("{x.event_text}")'
            return Finding("date", _DATE_BASE * strength, reason)
    return None


def _content(text: TextFeatures) -> dict[str, str]:
    """Stem -> the first form written, for the words that say what a text is about."""
    found: dict[str, str] = {}
    for w in text.words:
        if w.content and len(w.lower) > 1 and w.lower not in UNIT_WORDS and not opposites(w.lower):
            found.setdefault(w.stem, w.lower)
    return found


def _split_pairs(a: TextFeatures, b: TextFeatures) -> Iterator[tuple[Word, Word, bool]]:
    """Words of one lexicon pair on opposite sides, each text holding only its side, and
    whether the pair is a qualifier."""
    sides_a, sides_b = _sides(a), _sides(b)
    for pair in sorted(sides_a.keys() & sides_b.keys()):
        (side_a, word_a, qualifier), (side_b, word_b, _) = sides_a[pair], sides_b[pair]
        if side_a is not None and side_b is not None and side_a != side_b:
            yield word_a, word_b, qualifier


def _sides(text: TextFeatures) -> dict[int, tuple[int | None, Word, bool]]:
    """Per lexicon pair: the side the text uses (None if it uses both), one word, and
    whether the pair is a qualifier."""
    sides: dict[int, tuple[int | None, Word, bool]] = {}
    for word in text.words:
        if word.cue:
            continue
        for entry in opposites(word.lower):
            known = sides.get(entry.pair)
            if known is None:
                sides[entry.pair] = (entry.side, word, entry.qualifier)
            elif known[0] != entry.side:
                sides[entry.pair] = (None, word, entry.qualifier)
    return sides


def _same_quantity(
    a: TextFeatures, b: TextFeatures, x: QuantityMention, y: QuantityMention
) -> bool:
    """Same unit, and a shared neighbouring word or the only amount of that unit in each
    (a number with no word in its clause, like a table cell, says nothing of what it counts)."""
    if x.quantity.unit != y.quantity.unit or not (x.neighbours and y.neighbours):
        return False
    if x.neighbours & y.neighbours:
        return True
    alone_a = sum(q.quantity.unit == x.quantity.unit for q in a.quantities) == 1
    alone_b = sum(q.quantity.unit == y.quantity.unit for q in b.quantities) == 1
    return alone_a and alone_b


def _has_values(text: TextFeatures) -> bool:
    return bool(text.quantities or text.dates or text.times)


def _said(word: Word) -> str:
    return f"{word.negated_by} {word.text}" if word.negated_by else word.text


def _listed(stems: frozenset[str] | set[str]) -> str:
    return ", ".join(sorted(stems))


def _quoted(texts: Iterator[str] | frozenset[str]) -> str:
    return ", ".join(f'"{t}"' for t in sorted(texts))
