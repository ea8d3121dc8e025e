from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

import trust
from trust.learning import (
    FEATURE_NAMES,
    INTERCEPT,
    MIN_DECISIONS,
    Decision,
    Features,
    ScoringMode,
    TrainedModel,
    explain_prediction,
    predict,
    scoring_mode,
    train,
)
from trust.signals import Signal, Signals


def _features(rng: np.random.Generator) -> Features:
    signals = Signals(**{signal.value: float(rng.uniform()) for signal in Signal})
    return Features(signals=signals, propagated=float(rng.uniform()))


def _planted(n: int, seed: int) -> list[Decision]:
    """People confirm fresh, consistent rows; the other five inputs are noise.

    Default weights give freshness and consistency only 22.5 % of the combined score (the
    propagated score has 50 %), so the combined score ranks these decisions poorly.
    """
    rng = np.random.default_rng(seed)
    decisions = []
    for _ in range(n):
        features = _features(rng)
        signals = features.signals
        confirmed = signals.freshness + signals.consistency + rng.normal(0.0, 0.1) > 1.0
        decisions.append(Decision(features=features, label=1 if confirmed else 0))
    return decisions


def _alternating(n: int) -> list[Decision]:
    rng = np.random.default_rng(3)
    return [Decision(features=_features(rng), label=i % 2) for i in range(n)]


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    trained = train(_planted(200, seed=1), version=3)
    assert trained is not None
    return trained


def test_too_few_decisions_train_nothing() -> None:
    assert train(_alternating(MIN_DECISIONS - 1), version=1) is None
    assert train(_alternating(MIN_DECISIONS), version=1) is not None


def test_one_sided_decisions_train_nothing() -> None:
    rng = np.random.default_rng(5)
    confirmed = [Decision(features=_features(rng), label=1) for _ in range(100)]
    rejected = [Decision(features=_features(rng), label=0) for _ in range(4)]
    assert train(confirmed, version=1) is None
    assert train(confirmed + rejected, version=1) is None


def test_learns_a_planted_rule_and_beats_the_combined_score(model: TrainedModel) -> None:
    held_out = _planted(500, seed=2)
    labels = [d.label for d in held_out]
    model_auc = roc_auc_score(labels, [predict(model, d.features) for d in held_out])
    baseline_auc = roc_auc_score(labels, [d.features.combined() for d in held_out])
    assert model_auc > 0.8
    assert model_auc > baseline_auc + 0.1
    assert model.metrics.roc_auc > 0.8
    assert model.metrics.roc_auc > model.metrics.baseline_roc_auc
    assert scoring_mode(model) is ScoringMode.LEARNED


def test_metrics_describe_the_validation(model: TrainedModel) -> None:
    metrics = model.metrics
    assert (metrics.n_train, metrics.n_validation) == (150, 50)
    assert 0.0 < metrics.positive_rate < 1.0
    assert 0.0 <= metrics.brier < 0.25
    assert metrics.accuracy > 0.7
    assert model.version == 3
    assert model.feature_names == FEATURE_NAMES


def test_the_planted_features_weigh_most(model: TrainedModel) -> None:
    weights = dict(zip(model.feature_names, model.coefficients, strict=True))
    strongest = sorted(weights, key=lambda name: -abs(weights[name]))[:2]
    assert set(strongest) == {"freshness", "consistency"}


def test_training_is_reproducible_with_a_seed() -> None:
    first = train(_planted(80, seed=4), version=1, seed=9)
    second = train(_planted(80, seed=4), version=1, seed=9)
    assert first is not None
    assert second is not None
    assert first.coefficients == second.coefficients
    assert first.metrics == second.metrics


def test_json_round_trip_predicts_identically(model: TrainedModel) -> None:
    text = model.to_json()
    assert json.loads(text)["feature_names"] == list(FEATURE_NAMES)
    restored = TrainedModel.from_json(text)
    assert restored == model
    rng = np.random.default_rng(11)
    for _ in range(200):
        features = _features(rng)
        assert predict(restored, features) == predict(model, features)


def test_explanation_sums_to_the_logit_of_the_prediction(model: TrainedModel) -> None:
    rng = np.random.default_rng(12)
    for _ in range(200):
        features = _features(rng)
        parts = explain_prediction(model, features)
        assert list(parts) == [*FEATURE_NAMES, INTERCEPT]
        probability = predict(model, features)
        assert math.fsum(parts.values()) == pytest.approx(
            math.log(probability / (1.0 - probability)), abs=1e-9
        )


def test_the_combined_score_stays_in_force_without_a_better_model(model: TrainedModel) -> None:
    assert scoring_mode(None) is ScoringMode.PROPAGATED
    worse = model.metrics.model_copy(update={"baseline_roc_auc": model.metrics.roc_auc + 0.01})
    assert scoring_mode(model.model_copy(update={"metrics": worse})) is ScoringMode.PROPAGATED


def test_a_model_needs_one_coefficient_per_feature(model: TrainedModel) -> None:
    data = model.model_dump()
    data["coefficients"] = data["coefficients"][:-1]
    with pytest.raises(ValidationError, match="one per feature"):
        TrainedModel.model_validate(data)


def test_a_model_refuses_features_it_cannot_compute(model: TrainedModel) -> None:
    data = model.model_dump()
    data["feature_names"] = [*data["feature_names"][:-1], "popularity"]
    with pytest.raises(ValidationError, match="unknown features"):
        TrainedModel.model_validate(data)


def test_decisions_are_confirmations_or_rejections() -> None:
    rng = np.random.default_rng(13)
    with pytest.raises(ValidationError):
        Decision.model_validate({"features": _features(rng), "label": 2})


def test_no_trust_module_imports_a_pickle_serialiser() -> None:
    forbidden = {"pickle", "cPickle", "joblib", "dill", "cloudpickle", "shelve", "marshal"}
    sources = sorted(Path(trust.__file__).parent.glob("*.py"))
    assert sources
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & forbidden, f"{source.name} imports {names & forbidden}"
