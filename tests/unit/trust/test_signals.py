from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from trust.signals import (
    Signal,
    Signals,
    consistency,
    extraction_quality,
    freshness,
    governance,
    governance_array,
    source_reputation,
    usage,
)


def test_freshness_halves_at_each_half_life() -> None:
    assert freshness(0.0, 30.0) == 1.0
    assert freshness(30.0, 30.0) == 0.5
    assert freshness(60.0, 30.0) == 0.25


def test_freshness_is_one_without_a_half_life() -> None:
    assert freshness(10_000.0, None) == 1.0


def test_freshness_counts_a_future_date_as_age_zero() -> None:
    assert freshness(-5.0, 30.0) == 1.0


@pytest.mark.parametrize("half_life", [0.0, -1.0, math.nan])
def test_freshness_refuses_a_half_life_that_is_not_positive(half_life: float) -> None:
    with pytest.raises(ValueError, match="half_life_days"):
        freshness(1.0, half_life)


def test_governance_is_neutral_without_reviews() -> None:
    assert governance(True, 0, 0, 0) == 0.5


def test_governance_halves_for_an_unapproved_schema_and_per_violation() -> None:
    assert governance(False, 0, 0, 0) == 0.25
    assert governance(True, 1, 0, 0) == 0.25
    assert governance(True, 2, 0, 0) == 0.125


def test_governance_follows_approvals_and_rejections() -> None:
    assert governance(True, 0, 2, 0) == 0.75
    assert governance(True, 0, 0, 2) == 0.25
    assert governance(True, 0, 1_000, 0) > 0.99
    assert governance(True, 1, 1_000, 0) < 0.5


def test_governance_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="approvals"):
        governance(True, 0, -1, 0)


def test_usage_saturates() -> None:
    assert usage(0) == 0.0
    assert usage(10) == 0.5
    assert usage(30) == 0.75
    assert usage(5, half_saturation=5.0) == 0.5
    assert 0.999 < usage(100_000) < 1.0


def test_usage_refuses_a_half_saturation_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="half_saturation"):
        usage(1, half_saturation=0.0)


def test_consistency_is_laplace_smoothed() -> None:
    assert consistency(0.0, 0.0) == 0.5
    assert consistency(3.0, 1.0) == pytest.approx(4 / 6)
    assert consistency(0.0, 2.0) == 0.25


def test_consistency_takes_trust_weighted_counts() -> None:
    assert consistency(0.5, 0.5) == 0.5
    assert consistency(1.5, 0.25) == pytest.approx(2.5 / 3.75)


def test_consistency_refuses_negative_weights() -> None:
    with pytest.raises(ValueError, match="contradicting"):
        consistency(1.0, -0.1)


def test_extraction_quality_is_completeness_times_a_warning_penalty() -> None:
    assert extraction_quality(4, 4, 0) == 1.0
    assert extraction_quality(2, 4, 0) == 0.5
    assert extraction_quality(4, 4, 1) == pytest.approx(0.9)
    assert extraction_quality(2, 4, 2) == pytest.approx(0.5 * 0.81)


def test_extraction_quality_edges() -> None:
    assert extraction_quality(0, 0, 0) == 1.0
    assert extraction_quality(6, 4, 0) == 1.0
    assert extraction_quality(0, 4, 0) == 0.0


def test_source_reputation_passes_through_clamped() -> None:
    assert source_reputation(0.7) == 0.7
    assert source_reputation(1.3) == 1.0
    assert source_reputation(-0.2) == 0.0
    with pytest.raises(ValueError, match="NaN"):
        source_reputation(math.nan)


def test_every_signal_stays_in_the_unit_interval() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        counts = rng.integers(0, 50, size=6)
        weights = rng.exponential(5.0, size=2)
        values = [
            freshness(float(rng.normal(100.0, 300.0)), float(rng.uniform(0.1, 1000.0))),
            governance(bool(rng.integers(0, 2)), *(int(c) for c in counts[:3])),
            usage(int(counts[3])),
            consistency(float(weights[0]), float(weights[1])),
            extraction_quality(int(counts[4]), int(counts[5]), int(counts[0])),
            source_reputation(float(rng.normal(0.5, 1.0))),
        ]
        assert all(0.0 <= value <= 1.0 for value in values)


def test_signals_are_named_by_the_enum() -> None:
    signals = Signals(
        freshness=0.1,
        governance=0.2,
        usage=0.3,
        consistency=0.4,
        extraction_quality=0.5,
        source_reputation=0.6,
    )
    assert signals.by_name() == {
        Signal.FRESHNESS: 0.1,
        Signal.GOVERNANCE: 0.2,
        Signal.USAGE: 0.3,
        Signal.CONSISTENCY: 0.4,
        Signal.EXTRACTION_QUALITY: 0.5,
        Signal.SOURCE_REPUTATION: 0.6,
    }


def test_signals_refuse_values_outside_the_unit_interval() -> None:
    with pytest.raises(ValidationError):
        Signals(
            freshness=1.1,
            governance=0.5,
            usage=0.5,
            consistency=0.5,
            extraction_quality=0.5,
            source_reputation=0.5,
        )


def test_governance_array_halves_per_violation_like_the_scalar_form() -> None:
    violations = np.array([0.0, 1.0, 3.0])
    expected = [governance(True, int(v), 0, 0) for v in violations]
    assert governance_array(violations).tolist() == pytest.approx(expected)
