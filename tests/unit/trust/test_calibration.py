"""Calibrated confidence (`trust.calibration`): fitted from the run's own claims, applied to
the confidence facts carry, never to the winners."""

from __future__ import annotations

import numpy as np

from bench.truth_data import expected_calibration_error
from trust.calibration import Calibration, fit, stored
from trust.scenarios import encode, generate
from trust.truth import ClaimSet, discover, resolve


def claim_set(stated: list[dict[int, int]], n_sources: int) -> ClaimSet:
    """Items in order; each maps source -> value number within the item (0, 1, ...)."""
    source: list[int] = []
    value: list[int] = []
    item_of_value: list[int] = []
    for item, claims in enumerate(stated):
        base = len(item_of_value)
        item_of_value += [item] * (max(claims.values()) + 1)
        for s, v in claims.items():
            source.append(s)
            value.append(base + v)
    return ClaimSet(
        np.array(source, dtype=np.int64),
        np.array(value, dtype=np.int64),
        np.array(item_of_value, dtype=np.int64),
        n_sources,
    )


def test_a_lone_claim_is_believed_as_far_as_its_source() -> None:
    calibration = Calibration(9.0, (8.0, 2.0), np.array([0.8]))
    confidence = calibration.confidence(calibration.votes(), np.array([0]), 1)
    assert np.allclose(confidence, [0.8])  # the closed-world posterior says 1.0


def test_mistakes_that_coincide_make_agreement_prove_less() -> None:
    scores = {n: Calibration(n, (1.0, 1.0), np.full(2, 0.8)).votes().sum() for n in (2.0, 10.0)}
    agreeing = {
        n: Calibration(n, (1.0, 1.0), np.full(2, 0.8)).confidence(
            np.array([score]), np.array([0]), 1
        )[0]
        for n, score in scores.items()
    }
    assert agreeing[2.0] < agreeing[10.0] < 1.0


def test_sources_with_little_evidence_are_shrunk_toward_the_common_prior() -> None:
    # sources 0-3 claim 40 shared items each, right on 36; source 4 claims one and wins it
    stated = [{s: 0 for s in range(4)} for _ in range(36)]
    stated += [{0: 1, 1: 1, 2: 0, 3: 0} for _ in range(4)]
    stated += [{4: 0, 0: 0}]
    claims = claim_set(stated, 5)
    result = discover(claims, detect_copying=False)
    assert result.source_trust[4] > 0.95
    calibration = result.calibration
    assert calibration.fitted
    assert calibration.accuracy[4] < result.source_trust[4]
    assert abs(calibration.accuracy[4] - calibration.prior_mean) < abs(
        result.source_trust[4] - calibration.prior_mean
    )


def test_nothing_shared_means_nothing_to_calibrate() -> None:
    claims = claim_set([{0: 0}, {1: 0}], 2)
    result = discover(claims)
    assert not result.calibration.fitted
    assert np.array_equal(result.fact_confidence, result.value_confidence)
    assert not fit(claims, result.value_confidence, 0.1).fitted


def test_calibration_keeps_the_winners_and_lowers_overconfidence() -> None:
    scenario = generate("tolerance_noise", seed=0)
    claims, truth = encode(scenario)
    result = discover(claims)
    groups = result.winner
    best = np.array(
        [
            np.flatnonzero(claims.item_of_value == item)[
                np.argmax(result.fact_confidence[claims.item_of_value == item])
            ]
            for item in range(claims.n_items)
        ]
    )
    assert np.mean(best == groups) > 0.95  # the calibrated vote mostly agrees on winners
    hits = (result.winner == truth).astype(np.float64)
    raw = expected_calibration_error(result.value_confidence[result.winner], hits)
    calibrated = expected_calibration_error(result.fact_confidence[result.winner], hits)
    assert calibrated < raw


def test_an_incremental_pass_calibrates_as_the_full_pass_stored() -> None:
    scenario = generate("copiers", seed=1)
    claims, _ = encode(scenario)
    full = discover(claims)
    records = [full.calibration.record(s) for s in range(claims.n_sources)]
    again = resolve(
        claims, full.source_trust, full.dependence, full.attribute_trust, stored(records)
    )
    assert np.allclose(again.fact_confidence, full.fact_confidence, atol=1e-3)
    uncalibrated = resolve(claims, full.source_trust, full.dependence, full.attribute_trust)
    assert np.array_equal(uncalibrated.fact_confidence, uncalibrated.value_confidence)


def test_a_source_stored_without_calibration_votes_with_the_prior_mean() -> None:
    fitted = Calibration(4.0, (6.0, 2.0), np.array([0.9]))
    calibration = stored([fitted.record(0), None])
    assert np.allclose(calibration.accuracy, [0.9, 0.75])
    assert calibration.alternatives == 4.0
    assert not stored([None, None]).fitted
