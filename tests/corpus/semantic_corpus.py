"""The labelled semantic-contradiction corpus (`semantic_pairs.yaml`) and scoring against it.

Used by the unit test (floors on precision and recall) and `bench/semantic_quality.py`
(the figures, next to a similarity baseline).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).parent / "semantic_pairs.yaml"
CONTRADICTION_KINDS = ("negation", "antonym", "number", "date")
AGREEMENT_KINDS = ("paraphrase", "near_miss", "unrelated_lookalike", "different_subject")
KINDS = CONTRADICTION_KINDS + AGREEMENT_KINDS
_TOKENS = re.compile(r"\w+")


@dataclass(frozen=True)
class Pair:
    """Two texts, whether they contradict, and what the pair exercises."""

    a: str
    b: str
    contradicts: bool
    kind: str


@dataclass
class Counts:
    """A confusion matrix, with the pairs that went wrong."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    wrong: list[Pair] = field(default_factory=list)

    def add(self, pair: Pair, predicted: bool) -> None:
        """Count one prediction."""
        if predicted and pair.contradicts:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.wrong.append(pair)
        elif pair.contradicts:
            self.fn += 1
            self.wrong.append(pair)
        else:
            self.tn += 1

    @property
    def total(self) -> int:
        """Pairs counted."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        """Share of flagged pairs that contradict (None when nothing was flagged)."""
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """Share of contradictions flagged (None when there are none)."""
        actual = self.tp + self.fn
        return self.tp / actual if actual else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (None when either is undefined)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        """Share of pairs judged right."""
        return (self.tp + self.tn) / self.total if self.total else 0.0


@dataclass
class Report:
    """Counts over the whole corpus and per kind."""

    overall: Counts
    by_kind: dict[str, Counts]

    def table(self, title: str) -> list[str]:
        """One line per kind and one overall, for people to read."""
        lines = [
            f"{title:22} {'pairs':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4} "
            f"{'prec':>6} {'recall':>6} {'f1':>6} {'acc':>6}"
        ]
        for kind, counts in [*self.by_kind.items(), ("overall", self.overall)]:
            lines.append(
                f"{kind:22} {counts.total:5} {counts.tp:4} {counts.fp:4} {counts.fn:4} "
                f"{counts.tn:4} {_figure(counts.precision):>6} {_figure(counts.recall):>6} "
                f"{_figure(counts.f1):>6} {counts.accuracy:6.3f}"
            )
        return lines


def load_pairs(path: Path = CORPUS) -> list[Pair]:
    """Every labelled pair, checked for shape."""
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for entry in data["pairs"]:
        pair = Pair(str(entry["a"]), str(entry["b"]), entry["contradicts"], entry["kind"])
        if pair.kind not in KINDS or not isinstance(pair.contradicts, bool):
            raise ValueError(f"malformed corpus pair: {entry}")
        if pair.contradicts != (pair.kind in CONTRADICTION_KINDS):
            raise ValueError(f"kind {pair.kind!r} does not match contradicts: {entry}")
        pairs.append(pair)
    return pairs


def evaluate(predict: Callable[[str, str], bool], pairs: Iterable[Pair]) -> Report:
    """Score a contradiction predictor on labelled pairs."""
    overall = Counts()
    by_kind = {kind: Counts() for kind in KINDS}
    for pair in pairs:
        predicted = predict(pair.a, pair.b)
        overall.add(pair, predicted)
        by_kind[pair.kind].add(pair, predicted)
    return Report(overall, {kind: c for kind, c in by_kind.items() if c.total})


def jaccard(a: str, b: str) -> float:
    """Lexical similarity: Jaccard overlap of lower-cased word tokens."""
    tokens_a, tokens_b = set(_TOKENS.findall(a.lower())), set(_TOKENS.findall(b.lower()))
    union = tokens_a | tokens_b
    return len(tokens_a & tokens_b) / len(union) if union else 0.0


def similarity_baseline(threshold: float = 0.5) -> Callable[[str, str], bool]:
    """ "Similar means contradicting": flag a pair when its token Jaccard reaches `threshold`."""
    return lambda a, b: jaccard(a, b) >= threshold


def describe(wrong: Sequence[Pair]) -> list[str]:
    """The misjudged pairs, one line each."""
    return [
        f"  [{p.kind}, labelled {'contradicts' if p.contradicts else 'agrees'}] {p.a} | {p.b}"
        for p in wrong
    ]


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
