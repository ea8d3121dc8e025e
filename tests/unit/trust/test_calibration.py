from __future__ import annotations

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.calibration import Calibration, HeldOut, fit, held_out
from trust.truth import ClaimSet, calibrate, discover


def test_held_out_resolves_each_contested_item_without_the_claim() -> None:
    # one item, values 0 and 1: sources 0 and 1 say 0, source 2 says 1; votes 1, 2, 4
    weights = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    votes = np.array([1.0, 2.0, 4.0])
    scores = weights @ votes  # value 0: 3, value 1: 4
    evidence = held_out(
        scores,
        weights,
        votes,
        item_of_value=np.array([0, 0]),
        claim_source=np.array([0, 1, 2]),
        claim_value=np.array([0, 0, 1]),
        accuracy=np.array([0.9, 0.8, 0.7]),
    )
    # without source 0: 2 against 4, value 1 wins; without 1: 1 against 4; without 2: 3 to 0
    expected = [1 / (1 + np.exp(-2.0)), 1 / (1 + np.exp(-3.0)), 1 / (1 + np.exp(-3.0))]
    assert np.allclose(evidence.posterior, expected)
    assert evidence.agrees.tolist() == [0.0, 0.0, 0.0]
    assert evidence.accuracy.tolist() == [0.9, 0.8, 0.7]


def test_items_of_one_value_give_no_evidence() -> None:
    weights = sp.csr_matrix(np.array([[1.0, 1.0]]))
    evidence = held_out(
        weights @ np.ones(2),
        weights,
        np.ones(2),
        np.array([0]),
        np.array([0, 1]),
        np.array([0, 0]),
        np.array([0.8, 0.8]),
    )
    assert len(evidence.posterior) == 0
    assert fit(evidence, 0.1) == Calibration()


def test_fit_recovers_the_map_that_made_the_agreements() -> None:
    rng = np.random.default_rng(7)
    n = 40_000
    posterior = rng.uniform(0.3, 0.999, n)
    accuracy = rng.uniform(0.6, 0.95, n)
    logit = np.log(posterior / (1 - posterior))
    true = 1 / (1 + np.exp(-(0.5 * logit - 0.4)))
    chance = true * accuracy + (1 - true) * (1 - accuracy) * 0.1
    agrees = (rng.uniform(size=n) < chance).astype(np.float64)
    found = fit(HeldOut(posterior, agrees, accuracy), 0.1)
    assert found.held_out == n
    assert abs(found.slope - 0.5) < 0.1
    assert abs(found.intercept + 0.4) < 0.15
    mapped = found.apply(np.array([0.5, 0.9, 0.99]))
    assert np.all(np.diff(mapped) > 0)
    assert np.allclose(mapped, 1 / (1 + np.exp(-(0.5 * np.log([1.0, 9.0, 99.0]) - 0.4))), atol=0.05)


def test_the_identity_leaves_posteriors_alone() -> None:
    posterior = np.array([0.2, 0.7, 1.0])
    assert np.array_equal(Calibration().apply(posterior), posterior)


def test_overconfident_agreement_is_shrunk() -> None:
    # 300 items, 4 sources of accuracy about 0.6 that err on one shared wrong value: the
    # posterior of a 3-to-1 item is near 1, but held-out claims often disagree with it
    rng = np.random.default_rng(3)
    source: list[int] = []
    value: list[int] = []
    item_of_value: list[int] = []
    for item in range(300):
        base = len(item_of_value)
        item_of_value += [item, item]
        for s in range(4):
            source.append(s)
            value.append(base + int(rng.uniform() > 0.6))
    claims = ClaimSet(
        np.array(source, dtype=np.int64),
        np.array(value, dtype=np.int64),
        np.array(item_of_value, dtype=np.int64),
        4,
    )
    result = discover(claims, detect_copying=False)
    calibration = calibrate(claims, result)
    assert calibration.held_out > 0
    confident = result.value_confidence[result.winner]
    assert calibration.apply(confident).mean() < confident.mean()
