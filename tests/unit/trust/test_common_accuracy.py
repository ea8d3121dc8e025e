from __future__ import annotations

import numpy as np
import pytest

from trust.common_accuracy import voting_accuracy
from trust.scenarios import encode, generate
from trust.truth import ClaimSet, discover, majority_vote


def test_sources_whose_accuracies_differ_only_by_chance_vote_with_the_pooled_one() -> None:
    right = np.array([170.0, 160.0, 175.0, 165.0])
    claimed = np.full(4, 240.0)
    accuracy = right / claimed
    voting = voting_accuracy(accuracy, right, claimed)
    assert voting == pytest.approx(np.full(4, right.sum() / claimed.sum()))


def test_sources_whose_accuracies_differ_keep_their_own() -> None:
    right = np.array([228.0, 216.0, 120.0, 108.0])
    claimed = np.full(4, 240.0)
    accuracy = right / claimed
    assert voting_accuracy(accuracy, right, claimed) == pytest.approx(accuracy)


def test_sources_without_claims_keep_their_accuracy_and_are_not_tested() -> None:
    right = np.array([170.0, 160.0, 0.0])
    claimed = np.array([240.0, 240.0, 0.0])
    accuracy = np.array([170 / 240, 160 / 240, 0.8])
    voting = voting_accuracy(accuracy, right, claimed)
    assert voting[:2] == pytest.approx(np.full(2, 330 / 480))
    assert voting[2] == 0.8


def test_one_source_or_a_pool_all_right_is_left_alone() -> None:
    one = np.array([0.9])
    assert voting_accuracy(one, np.array([9.0]), np.array([10.0])) is one
    perfect = np.array([0.999, 0.999])
    assert voting_accuracy(perfect, np.array([5.0, 5.0]), np.array([5.0, 5.0])) is perfect


def test_equally_accurate_sources_break_a_tie_as_majority_vote_does() -> None:
    # four sources split two against two on item 1, a tie by count (majority vote takes the
    # lowest value id, 2); source 0 is alone on item 2, so its estimated accuracy is a little
    # lower, but three claims each show no difference between the sources: its vote on the
    # tie must count as much as the others'
    claims = ClaimSet(
        source=np.array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]),
        value=np.array([0, 0, 0, 0, 2, 2, 3, 3, 5, 4, 4, 4]),
        item_of_value=np.array([0, 0, 1, 1, 2, 2]),
        n_sources=4,
    )
    result = discover(claims, detect_copying=False)
    assert result.source_trust[0] < result.source_trust[1]
    assert result.winner.tolist() == majority_vote(claims).tolist() == [0, 2, 4]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uniform_sources_are_not_resolved_worse_than_by_majority(seed: int) -> None:
    claims, truth = encode(generate("uniform", seed=seed))
    grace = np.mean(discover(claims).winner == truth)
    assert grace >= np.mean(majority_vote(claims) == truth)
