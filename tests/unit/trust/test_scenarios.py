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
