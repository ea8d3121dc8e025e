from __future__ import annotations

import numpy as np
import pytest

from trust import reference
from trust.truth import ClaimSet, discover, majority_vote


def claim_set(claims: list[tuple[int, int]], item_of_value: list[int], n_sources: int) -> ClaimSet:
    source, value = zip(*claims, strict=True)
    return ClaimSet(
        np.array(source, dtype=np.int64),
        np.array(value, dtype=np.int64),
        np.array(item_of_value, dtype=np.int64),
        n_sources,
    )


def experts_and_crowd() -> ClaimSet:
    """Sources 0, 1 are always right (value 0 of each item); weak 2, 3, 4 err.

    Items 0..14: each weak source states its own wrong value (values 1, 2, 3).
    Items 15..19: the three weak sources agree on one wrong value (value 1).
    """
    claims: list[tuple[int, int]] = []
    item_of_value: list[int] = []
    for item in range(20):
        base = len(item_of_value)
        item_of_value += [item] * 4
        claims += [(0, base), (1, base)]
        for weak in (2, 3, 4):
            claims.append((weak, base + (1 if item >= 15 else weak - 1)))
    return claim_set(claims, item_of_value, 5)


def test_accurate_pair_beats_weak_majority() -> None:
    claims = experts_and_crowd()
    result = discover(claims, detect_copying=False)
    truth = np.arange(20) * 4
    assert result.converged
    assert np.array_equal(result.winner, truth)
    assert not np.array_equal(majority_vote(claims)[15:], truth[15:])
    assert result.source_trust[:2].min() > 0.9 > 0.3 > result.source_trust[2:].max()
    sums = np.bincount(claims.item_of_value, weights=result.value_confidence)
    assert np.allclose(sums, 1.0)


def test_agreeing_with_winners_earns_trust() -> None:
    # Three sources on 10 items; source 2 agrees with the winners on half of them only.
    claims: list[tuple[int, int]] = []
    item_of_value: list[int] = []
    for item in range(10):
        base = len(item_of_value)
        item_of_value += [item, item]
        claims += [(0, base), (1, base), (2, base + item % 2)]
    result = discover(claim_set(claims, item_of_value, 3))
    assert result.source_trust[0] > result.source_trust[2]
    assert result.source_trust[1] > result.source_trust[2]


def test_ties_go_to_lowest_value_id() -> None:
    claims = claim_set([(0, 0), (1, 1), (0, 2), (1, 3)], [0, 0, 1, 1], 2)
    assert list(majority_vote(claims)) == [0, 2]
    result = discover(claims)
    assert list(result.winner) == [0, 2]
    assert np.allclose(result.value_confidence, 0.5)


def test_single_source_items_are_certain() -> None:
    result = discover(claim_set([(0, 0), (1, 1)], [0, 1], 3))
    assert list(result.winner) == [0, 1]
    assert np.allclose(result.value_confidence, 1.0)
    assert result.source_trust[2] == pytest.approx(0.8)  # no claims: keeps the prior


def test_prior_trust_is_used() -> None:
    claims = claim_set([(0, 0), (1, 1)], [0, 0], 2)
    result = discover(claims, prior_trust=np.array([0.9, 0.6]), max_iterations=1)
    assert result.winner[0] == 0


def planted_copier(seed: int) -> tuple[ClaimSet, int, int]:
    """Five independent sources (0.85 accurate); source 5 copies weak source 4 (0.5)."""
    rng = np.random.default_rng(seed)
    accuracy = [0.85, 0.85, 0.85, 0.85, 0.5]
    claims: list[tuple[int, int]] = []
    item_of_value: list[int] = []
    for item in range(200):
        base = len(item_of_value)
        item_of_value += [item] * 4
        stated = [base if rng.random() < a else base + int(rng.integers(1, 4)) for a in accuracy]
        stated.append(stated[4] if rng.random() < 0.95 else base)
        claims += list(enumerate(stated))
    return claim_set(claims, item_of_value, 6), 4, 5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_copy_detection_finds_planted_copier(seed: int) -> None:
    claims, original, copier = planted_copier(seed)
    result = discover(claims)
    assert {(a, b) for a, b, _ in result.copying} in ({(original, copier)}, {(copier, original)})
    assert discover(claims, detect_copying=False).copying == []


def random_claims(seed: int) -> ClaimSet:
    rng = np.random.default_rng(seed)
    n_items, per_item, n_sources = 150, 3, 10
    accuracy = rng.uniform(0.3, 0.95, n_sources)
    claims = [
        (s, i * per_item + (0 if rng.random() < accuracy[s] else int(rng.integers(per_item))))
        for i in range(n_items)
        for s in range(n_sources)
        if rng.random() < 0.6
    ]
    return claim_set(claims, list(np.repeat(np.arange(n_items), per_item)), n_sources)


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_matches_reference(seed: int) -> None:
    claims = random_claims(seed)
    fast, slow = discover(claims), reference.discover(claims)
    assert np.allclose(fast.source_trust, slow.source_trust, rtol=0, atol=1e-6)
    # the reference is ACCU alone: an item the count leaves tied may go to its first value
    # instead (`trust.tie_break`); every other item is the reference's
    counts = np.bincount(claims.value, minlength=len(claims.item_of_value)).astype(float)
    top = np.zeros(claims.n_items)
    np.maximum.at(top, claims.item_of_value, counts)
    level = counts == top[claims.item_of_value]
    tied = np.bincount(claims.item_of_value, weights=level, minlength=claims.n_items) > 1
    first = np.array([np.flatnonzero(level & (claims.item_of_value == i))[0] for i in range(150)])
    plain = ~tied[claims.item_of_value]
    assert np.allclose(fast.value_confidence[plain], slow.value_confidence[plain], atol=1e-6)
    assert np.array_equal(fast.winner[~tied], slow.winner[~tied])
    assert np.all((fast.winner == slow.winner) | (tied & (fast.winner == first)))
    assert fast.iterations == slow.iterations
    assert [(a, b) for a, b, _ in fast.copying] == [(a, b) for a, b, _ in slow.copying]
