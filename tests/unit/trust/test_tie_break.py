from __future__ import annotations

import numpy as np
import pytest

from trust.truth import ClaimSet, discover, majority_vote, resolve

SOURCES = 4
BACKGROUND = 60


def claims_of(items: list[list[list[int]]]) -> ClaimSet:
    """Items as lists of values, each value the list of sources claiming it."""
    source: list[int] = []
    value: list[int] = []
    item_of_value: list[int] = []
    for item, values in enumerate(items):
        for claimers in values:
            source += claimers
            value += [len(item_of_value)] * len(claimers)
            item_of_value.append(item)
    return ClaimSet(
        np.array(source, dtype=np.int64),
        np.array(value, dtype=np.int64),
        np.array(item_of_value, dtype=np.int64),
        SOURCES,
    )


def background(dissents: list[int]) -> list[list[list[int]]]:
    """BACKGROUND items all four sources claim: three agree, and where a source is given
    `dissents[s]` times, it alone claims another value (a mistake)."""
    wrong = [s for s, times in enumerate(dissents) for _ in range(times)]
    items = []
    for item in range(BACKGROUND):
        lone = wrong[item] if item < len(wrong) else None
        agree = [s for s in range(SOURCES) if s != lone]
        items.append([agree] if lone is None else [agree, [lone]])
    return items


EQUAL = [8, 8, 6, 6]
"""Sources as good as each other: 2 and 3 look a little better by chance."""
APART = [20, 20, 2, 2]
"""Sources 0 and 1 err ten times as often as 2 and 3."""


def test_a_tie_between_equally_accurate_sources_goes_to_the_first_value() -> None:
    claims = claims_of([*background(EQUAL), [[0, 1], [2, 3]]])
    result = discover(claims, detect_copying=False)
    tie = BACKGROUND
    first, second = np.flatnonzero(claims.item_of_value == tie)
    assert result.source_trust[2] > result.source_trust[0]  # noise favours the second value
    assert result.winner[tie] == first == majority_vote(claims)[tie]
    assert result.value_confidence[first] == pytest.approx(result.value_confidence[second])
    assert result.fact_confidence[first] == pytest.approx(result.fact_confidence[second])


def test_a_tie_between_sources_that_differ_goes_to_the_more_accurate() -> None:
    claims = claims_of([*background(APART), [[0, 1], [2, 3]]])
    result = discover(claims, detect_copying=False)
    _, second = np.flatnonzero(claims.item_of_value == BACKGROUND)
    assert result.winner[BACKGROUND] == second
    assert result.value_confidence[second] > 0.9


def test_one_against_one_goes_to_the_more_trusted_source_even_by_chance() -> None:
    claims = claims_of([*background(EQUAL), [[0], [2]]])
    result = discover(claims, detect_copying=False)
    _, second = np.flatnonzero(claims.item_of_value == BACKGROUND)
    assert result.winner[BACKGROUND] == second


def test_an_incremental_pass_with_the_stored_evidence_decides_ties_as_the_full_pass() -> None:
    for dissents, expected in ((EQUAL, 0), (APART, 1)):
        claims = claims_of([*background(dissents), [[0, 1], [2, 3]]])
        full = discover(claims, detect_copying=False)
        again = resolve(claims, full.source_trust, claimed=full.evidence)
        assert np.array_equal(again.winner, full.winner)
        assert np.allclose(again.value_confidence, full.value_confidence, atol=1e-5)
        values = np.flatnonzero(claims.item_of_value == BACKGROUND)
        assert full.winner[BACKGROUND] == values[expected]
    assert full.evidence.tolist() == [BACKGROUND + 1] * SOURCES


def test_without_evidence_sources_are_not_shown_to_differ() -> None:
    claims = claims_of([*background(APART), [[0, 1], [2, 3]]])
    full = discover(claims, detect_copying=False)
    unproven = resolve(claims, full.source_trust)
    first, _ = np.flatnonzero(claims.item_of_value == BACKGROUND)
    assert unproven.winner[BACKGROUND] == first
