"""Source dependence (`trust.dependence`) on small hand-built claim sets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trust import truth
from trust.arrays import ClaimSet
from trust.dependence import Dependence, detect
from trust.truth import COPY_ROUNDS, discover, resolve

WRONG = 3  # false values per item; value 0 of every item is the truth


class Builder:
    """Claims item by item: each claim names its source, value (0 true) and written form."""

    def __init__(self, n_sources: int) -> None:
        self.n_sources = n_sources
        self.rows: list[tuple[int, int, int]] = []  # (source, value id, form id)
        self.items = 0

    def item(self, stated: dict[int, tuple[int, int]]) -> None:
        """`stated`: source -> (value within the item, form within the value)."""
        base = self.items * (WRONG + 1)
        for source, (value, form) in stated.items():
            self.rows.append((source, base + value, (base + value) * 100 + form))
        self.items += 1

    def claims(self) -> ClaimSet:
        source, value, form = (
            np.array(column, dtype=np.int64) for column in zip(*self.rows, strict=False)
        )
        _, form = np.unique(form, return_inverse=True)
        item_of_value = np.repeat(np.arange(self.items), WRONG + 1)
        return ClaimSet(source, value, item_of_value, self.n_sources, form.astype(np.int64))


def honest(rng: np.random.Generator, source: int, accuracy: float) -> tuple[int, int]:
    """An independent claim: right with `accuracy`, written in one of several ways."""
    value = 0 if rng.random() < accuracy else int(rng.integers(1, WRONG + 1))
    return value, int(rng.integers(0, 4)) + 10 * source


def copier_bloc(seed: int) -> ClaimSet:
    """Sources 0-2 independent and accurate (0.9); source 3 weak (0.5) and copied, errors
    and spelling included, by sources 4-7: the bloc of 5 is the majority on every item."""
    rng = np.random.default_rng(seed)
    built = Builder(8)
    for _ in range(200):
        stated = {s: honest(rng, s, 0.9) for s in range(3)}
        stated[3] = honest(rng, 3, 0.5)
        for copier in range(4, 8):
            stated[copier] = stated[3] if rng.random() < 0.95 else honest(rng, copier, 0.5)
        built.item(stated)
    return built.claims()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_majority_bloc_of_copiers_is_found_and_outvoted(seed: int) -> None:
    claims = copier_bloc(seed)
    result = discover(claims)
    truth = np.arange(claims.n_items) * (WRONG + 1)
    plain = discover(claims, detect_copying=False)
    assert np.mean(plain.winner == truth) < 0.75  # without it the bloc wins its errors
    assert np.mean(result.winner == truth) > 0.95
    pairs = {frozenset((a, b)) for a, b, _ in result.copying}
    assert all(pair <= set(range(3, 8)) for pair in pairs)  # only inside the bloc
    assert len(pairs) >= 4
    assert result.source_trust[:3].min() > result.source_trust[3:].max()


def test_honest_sources_agreeing_on_everything_true_are_independent() -> None:
    rng = np.random.default_rng(7)
    built = Builder(4)
    for _ in range(200):
        stated = {0: (0, int(rng.integers(0, 4))), 1: (0, int(rng.integers(0, 4)) + 10)}
        stated.update({s: honest(rng, s, 0.6) for s in (2, 3)})
        built.item(stated)
    result = discover(built.claims())
    assert result.copying == []
    assert result.source_trust[0] > 0.95
    assert result.source_trust[1] > 0.95


def test_honest_sources_writing_alike_and_always_right_are_not_copiers() -> None:
    """Sources 0 and 1 share a house style (one written form each value) and are always
    right; the others write variously: the same spelling everywhere is no copying of values."""
    rng = np.random.default_rng(7)
    built = Builder(4)
    for _ in range(200):
        stated = {0: (0, 0), 1: (0, 0)}
        stated.update({s: honest(rng, s, 0.6) for s in (2, 3)})
        built.item(stated)
    result = discover(built.claims())
    assert result.copying == []
    assert result.source_trust[:2].min() > 0.95


def test_same_spelling_of_canonical_values_is_no_evidence() -> None:
    """Two accurate sources writing numbers (one form per value) are not copiers."""
    rng = np.random.default_rng(3)
    built = Builder(5)
    for _ in range(200):
        stated = {s: (honest(rng, s, a)[0], 0) for s, a in enumerate((0.95, 0.95, 0.7, 0.6, 0.6))}
        built.item(stated)
    assert discover(built.claims()).copying == []


def test_a_partial_copier_is_found() -> None:
    """Source 4 copies weak source 3 on 60 % of the items and answers alone on the rest."""
    rng = np.random.default_rng(11)
    built = Builder(5)
    for _ in range(300):
        stated = {s: honest(rng, s, a) for s, a in enumerate((0.9, 0.85, 0.8, 0.5))}
        stated[4] = stated[3] if rng.random() < 0.6 else honest(rng, 4, 0.5)
        built.item(stated)
    [(original, copier, probability)] = discover(built.claims()).copying
    assert {original, copier} == {3, 4}
    assert probability > 0.9


def test_resolve_with_the_dependence_found_gives_the_full_pass_confidences() -> None:
    claims = copier_bloc(0)
    full = discover(claims)
    again = resolve(claims, full.source_trust, full.dependence, claimed=full.evidence)
    assert np.allclose(again.value_confidence, full.value_confidence, atol=1e-4)
    without = resolve(claims, full.source_trust)
    assert not np.allclose(without.value_confidence, full.value_confidence, atol=1e-4)


def test_no_dependence_leaves_votes_whole() -> None:
    claims = copier_bloc(1)
    assert np.array_equal(
        resolve(claims, np.full(8, 0.7)).value_confidence,
        resolve(claims, np.full(8, 0.7), Dependence.none()).value_confidence,
    )


def test_rounds_stop_once_the_same_sources_copy_the_same_sources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Detection is repeated until the pairs found settle: which source copies which, not
    their probabilities, which move a little with every round."""
    rounds: list[Dependence] = []

    def recorded(*args: Any, **options: Any) -> Dependence:
        found = detect(*args, **options)
        if options.get("forms", True):  # a round, not the values-only check after them
            rounds.append(found)
        return found

    monkeypatch.setattr(truth, "detect", recorded)
    discover(copier_bloc(0))
    assert len(rounds) < COPY_ROUNDS
    assert rounds[-1].links() == rounds[-2].links()
    assert rounds[-1].pairs() != rounds[-2].pairs()
