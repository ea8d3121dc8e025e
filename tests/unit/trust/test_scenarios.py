from __future__ import annotations

import numpy as np
import pytest

from trust.scenarios import SCENARIOS, encode, generate
from trust.truth import discover, majority_vote


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenarios_are_deterministic_and_labelled(name: str) -> None:
    first, second = generate(name, seed=3, n_items=60), generate(name, seed=3, n_items=60)
    assert first.claims == second.claims
    assert first.truth == second.truth
    claims, truth = encode(first)
    assert len(truth) == 60
    assert claims.n_sources == len(first.accuracy)
    assert np.all((first.accuracy >= 0) & (first.accuracy <= 1))
    assert np.all(claims.item_of_value[truth[truth >= 0]] == np.flatnonzero(truth >= 0))


def test_correct_variants_cluster_with_the_truth() -> None:
    scenario = generate("tolerance_noise", seed=0, n_items=90)
    claims, truth = encode(scenario)
    # the best source (0.9) lands in the truth's cluster as often as it is right
    mine = claims.source == 0
    hits = np.mean(truth[claims.item_of_value[claims.value[mine]]] == claims.value[mine])
    assert hits == pytest.approx(scenario.accuracy[0])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_grace_beats_majority_where_sources_differ(seed: int) -> None:
    scenario = generate("one_expert_many_noisy", seed=seed)
    claims, truth = encode(scenario)
    grace = np.mean(discover(claims).winner == truth)
    majority = np.mean(majority_vote(claims) == truth)
    assert grace >= majority + 0.03


def test_a_source_can_be_exact_on_one_kind_and_wrong_on_another() -> None:
    scenario = generate("exact_on_one_attribute", seed=0)
    claims, truth = encode(scenario)
    right = truth[claims.item_of_value[claims.value]] == claims.value
    kind = np.array(scenario.specs)[claims.item_of_value[claims.value]]
    times = np.array([spec.type == "datetime" for spec in kind])
    names = np.array([spec.type == "string" for spec in kind])
    exact = claims.source < 4  # by_kind: 0.97 on times, 0.3 on names
    assert np.mean(right[exact & times]) > 0.9 > 0.45 > np.mean(right[exact & names])
    assert 0.5 < np.mean(right[~exact & names]) < 0.8  # the others: 0.65 everywhere
