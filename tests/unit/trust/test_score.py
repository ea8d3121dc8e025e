from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from trust.score import DEFAULT_WEIGHTS, EvidencePath, TrustScore, combine, explain
from trust.signals import Signal, Signals


def _signals(**values: float) -> Signals:
    return Signals(**{signal.value: values.get(signal.value, 0.0) for signal in Signal})


def _random_signals(rng: np.random.Generator) -> Signals:
    return Signals(**{signal.value: float(rng.uniform()) for signal in Signal})


def test_default_weights_cover_every_signal_and_sum_to_one() -> None:
    assert set(DEFAULT_WEIGHTS) == set(Signal)
    assert math.fsum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0, abs=1e-12)


def test_contributions_add_up_to_the_value() -> None:
    rng = np.random.default_rng(42)
    for _ in range(1_000):
        weights = {signal: float(rng.exponential()) for signal in Signal}
        if rng.uniform() < 0.3:
            weights = dict(DEFAULT_WEIGHTS)
        score = combine(
            _random_signals(rng),
            float(rng.uniform()),
            weights,
            propagated_weight=float(rng.uniform()),
        )
        assert 0.0 <= score.value <= 1.0
        assert set(score.contributions) == {"propagated", *(s.value for s in Signal)}
        assert abs(math.fsum(score.contributions.values()) - score.value) <= 1e-9


def test_combine_is_a_blend_of_propagated_and_the_weighted_mean() -> None:
    score = combine(_signals(consistency=1.0), 0.8)
    assert score.contributions["propagated"] == pytest.approx(0.4)
    assert score.contributions["consistency"] == pytest.approx(0.15)
    assert score.value == pytest.approx(0.55)


def test_combine_extremes() -> None:
    ones = Signals(**{signal.value: 1.0 for signal in Signal})
    assert combine(ones, 1.0).value == pytest.approx(1.0)
    assert combine(_signals(), 0.0).value == 0.0
    assert combine(_signals(), 0.3, propagated_weight=1.0).value == pytest.approx(0.3)


def test_weights_are_normalised_and_missing_signals_weigh_nothing() -> None:
    score = combine(_signals(usage=0.6, freshness=1.0), 0.0, {Signal.USAGE: 2.0})
    assert score.contributions["freshness"] == 0.0
    assert score.value == pytest.approx(0.3)


@pytest.mark.parametrize(
    "weights",
    [{Signal.USAGE: -1.0}, {Signal.USAGE: 0.0}, {Signal.USAGE: math.inf}, {}],
)
def test_combine_refuses_bad_weights(weights: dict[Signal, float]) -> None:
    with pytest.raises(ValueError, match="weights"):
        combine(_signals(), 0.5, weights)


def test_combine_refuses_out_of_range_scores() -> None:
    with pytest.raises(ValueError, match="propagated must"):
        combine(_signals(), 1.5)
    with pytest.raises(ValueError, match="propagated_weight"):
        combine(_signals(), 0.5, propagated_weight=-0.1)


def test_explain_sorts_contributions_by_magnitude() -> None:
    score = combine(_signals(freshness=1.0, consistency=0.5, usage=0.2), 0.9)
    explanation = explain(score, [])
    magnitudes = [abs(part) for _, part in explanation.contributions]
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert [name for name, _ in explanation.contributions[:3]] == [
        "propagated",
        "freshness",
        "consistency",
    ]
    assert explanation.value == score.value


def test_explain_keeps_the_top_k_evidence_paths_by_weight() -> None:
    paths = [
        EvidencePath(description=f"path {w}", weight=w, node_ids=(f"row-{w}",))
        for w in (0.2, 0.9, 0.5, 0.9, 0.1)
    ]
    explanation = explain(combine(_signals(), 0.5), paths, top_k=3)
    assert [path.weight for path in explanation.evidence] == [0.9, 0.9, 0.5]
    assert explanation.evidence[0] is paths[1]  # ties keep their given order
    assert explain(combine(_signals(), 0.5), paths[:2], top_k=5).evidence == [paths[1], paths[0]]
    assert explain(combine(_signals(), 0.5), paths, top_k=0).evidence == []


def test_explain_summary_reads_as_a_sum() -> None:
    explanation = explain(combine(_signals(consistency=1.0), 0.8), [])
    assert explanation.summary == (
        "0.55 = 0.40 propagated + 0.15 consistency + 0.00 freshness + 0.00 governance"
        " + 0.00 usage + 0.00 extraction_quality + 0.00 source_reputation"
    )


def test_explain_refuses_a_negative_k() -> None:
    with pytest.raises(ValueError, match="top_k"):
        explain(TrustScore(value=0.5, contributions={"propagated": 0.5}), [], top_k=-1)


def test_evidence_paths_refuse_negative_weights() -> None:
    with pytest.raises(ValidationError):
        EvidencePath(description="x", weight=-0.1)
