"""Decide whether two texts contradict each other, and say why.

Candidate pairs come from embedding similarity (`trust.embedding`), but similar is not
contradicting: "Bob loves pizza" and "Bob hates pizza" are close, and so are two true
paraphrases. `ContradictionClassifier` makes the decision with explainable word rules
(`trust.semantic_rules`), all of which first require both texts to be about the same subject:

- negation: one text negates what the other asserts ("is not published" / "is published");
- antonym: opposite words from a curated lexicon (`trust.antonyms`), after negation
  ("did not fail" agrees with "succeeded");
- number: the same quantity with values more than 1 % apart ("population of 513,000" /
  "population of 522,000");
- date: the same event on different dates ("founded on 14 March 2009" / "... 2011").

An optional NLI model (`NliModel`) is asked only when no rule fires; it is not bound by the
same-subject guard ("the CEO is Helena Marsh" / "the CEO is Tobias Wren" is beyond word
rules). Its contradiction probability, the larger of both directions, decides when it
reaches `nli_threshold`; below that, the rules' "no" stands.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from graph.errors import GraceError
from trust import semantic_rules as rules
from trust.text_features import features

NLI_LABELS = ("contradiction", "entailment", "neutral")


@dataclass(frozen=True)
class Judgement:
    """Whether two texts contradict, how sure the classifier is, and which rule said so.

    `score` is the confidence that the texts contradict, in [0, 1] (0 when no rule fired
    and no NLI model was asked). `rule` is "negation", "antonym", "number", "date", "nli"
    or "none"; `reason` quotes the clashing words or values.
    """

    contradicts: bool
    score: float
    rule: str
    reason: str


class NliModel(Protocol):
    """A natural-language-inference model: label probabilities for premise -> hypothesis."""

    def scores(self, premise: str, hypothesis: str) -> Mapping[str, float]:
        """Probabilities under the keys "contradiction", "entailment" and "neutral"."""
        ...


class NliResponseError(GraceError):
    """An NLI model answered without a probability in [0, 1] for every label."""

    code = "nli_response"

    def __init__(self, label: str, value: object) -> None:
        self.label = label
        self.value = value
        super().__init__(f"NLI model gave {label!r} = {value!r}; expected a number in [0, 1]")


class ContradictionClassifier:
    """Word rules first, then (optionally) an NLI model; see the module docstring."""

    def __init__(self, nli: NliModel | None = None, nli_threshold: float = 0.8) -> None:
        if not 0.0 <= nli_threshold <= 1.0:
            raise ValueError(f"nli_threshold must be in [0, 1], not {nli_threshold}")
        self._nli = nli
        self._threshold = nli_threshold

    def judge(self, a: str, b: str) -> Judgement:
        """Whether `a` and `b` contradict each other."""
        verdict = self._rules(a, b)
        if isinstance(verdict, rules.Finding):
            return Judgement(True, round(verdict.score, 4), verdict.rule, verdict.reason)
        if self._nli is None:
            return Judgement(False, 0.0, "none", verdict)
        probability, detail = self._ask_nli(a, b)
        if probability >= self._threshold:
            return Judgement(True, probability, "nli", f"NLI {detail} >= {self._threshold:.2f}")
        return Judgement(False, probability, "none", f"{verdict}; NLI {detail}")

    def _rules(self, a: str, b: str) -> rules.Finding | str:
        """The strongest finding, or why there is none."""
        fa, fb = features(a), features(b)
        subject = rules.subject(fa, fb)
        if not subject.same:
            return subject.explain()
        qualified = rules.split_qualifier(fa, fb)
        if qualified:
            return qualified
        findings = [
            rules.numbers(fa, fb, subject.strength),
            rules.dates(fa, fb, subject.strength),
        ]
        other_time = rules.different_times(fa, fb)
        if not other_time:
            findings.append(rules.antonym(fa, fb, subject.strength))
            findings.append(rules.negation(fa, fb, subject.strength))
        found = [f for f in findings if f is not None]
        if found:
            return max(found, key=lambda f: f.score)
        return other_time or subject.explain()

    def _ask_nli(self, a: str, b: str) -> tuple[float, str]:
        """The larger contradiction probability of both directions, and how it was found."""
        assert self._nli is not None
        forward = _checked(self._nli.scores(a, b))
        backward = _checked(self._nli.scores(b, a))
        probability = max(forward["contradiction"], backward["contradiction"])
        detail = (
            f"contradiction {probability:.2f} (A->B {forward['contradiction']:.2f}, "
            f"B->A {backward['contradiction']:.2f})"
        )
        return probability, detail


def _checked(scores: Mapping[str, float]) -> dict[str, float]:
    """The label probabilities, refused unless each is a number in [0, 1]."""
    checked = {}
    for label in NLI_LABELS:
        value = scores.get(label)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0.0 <= value <= 1.0
        ):
            raise NliResponseError(label, value)
        checked[label] = float(value)
    return checked
