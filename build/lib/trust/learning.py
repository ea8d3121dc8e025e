"""The trust model that learns from people's decisions.

Every time a person settles a question about a row (a conflict resolved in its favour or
against it, a quarantine released or confirmed, a change approved or rejected) Grace records a
`Decision`: the row's signals and propagated score then, and whether people confirmed it.
Once there are enough of them, `train` fits a standardised logistic regression that predicts
confirmation from the same features the combined score uses.

A `TrainedModel` is plain numbers in JSON (no serialised Python objects): `predict` and
`explain_prediction` recompute it with numpy alone, so scoring needs no scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal, Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.special import expit  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import (  # type: ignore[import-untyped]
    accuracy_score,
    brier_score_loss,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

from graph.model import Score
from trust.score import PROPAGATED, combine
from trust.signals import Signal, Signals

MIN_DECISIONS = 30
"""Fewest decisions to train on. Below it a quarter held out for validation is under eight
rows, too few for a meaningful AUC, and seven coefficients would fit noise; callers then use
the combined score alone."""

MIN_PER_OUTCOME = 5
"""Fewest confirmations, and fewest rejections, to train on: with fewer the held-out quarter
may lack one outcome, and the model could only learn the base rate."""

VALIDATION_FRACTION = 0.25
"""Share of decisions held out (stratified by outcome) to validate the trained model."""

FEATURE_NAMES: tuple[str, ...] = (*(signal.value for signal in Signal), PROPAGATED)
"""The model's inputs, in order: the six signals, then the propagated score."""

INTERCEPT = "intercept"
"""The name of the constant term in `explain_prediction`."""

Vector = npt.NDArray[np.float64]


class ScoringMode(StrEnum):
    """Which score is in force for rows: the combined score alone, or the learned model."""

    PROPAGATED = "propagated"
    LEARNED = "learned"


class Features(BaseModel):
    """What the model sees of a row: its signals and its propagated score."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    signals: Signals
    propagated: Score

    def by_name(self) -> dict[str, float]:
        """Every feature keyed by its name in `FEATURE_NAMES`."""
        values: dict[str, float] = {s.value: v for s, v in self.signals.by_name().items()}
        return {**values, PROPAGATED: float(self.propagated)}

    def combined(self) -> float:
        """The combined score with default weights: the baseline the model must beat."""
        return combine(self.signals, self.propagated).value


class Decision(BaseModel):
    """A person's verdict on a row: `label` 1 when people confirmed it, 0 when they rejected it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    features: Features
    label: Literal[0, 1]


class ModelMetrics(BaseModel):
    """Validation of a trained model on held-out decisions, next to the combined-score baseline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    roc_auc: float
    accuracy: float
    brier: float
    baseline_roc_auc: float = Field(description="AUC of the combined score on the same rows")
    baseline_accuracy: float = Field(description="accuracy of the combined score (>= 0.5)")
    baseline_brier: float = Field(description="Brier score of the combined score")
    n_train: int
    n_validation: int
    positive_rate: float = Field(description="share of confirmations among all decisions")


class TrainedModel(BaseModel):
    """A fitted model as plain numbers: standardisation, then a logistic regression."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    feature_names: tuple[str, ...]
    scaler_mean: tuple[float, ...]
    scaler_scale: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    metrics: ModelMetrics
    trained_at: datetime

    @model_validator(mode="after")
    def _same_lengths(self) -> Self:
        n = len(self.feature_names)
        if not len(self.scaler_mean) == len(self.scaler_scale) == len(self.coefficients) == n:
            raise ValueError("scaler_mean, scaler_scale and coefficients need one per feature")
        unknown = set(self.feature_names) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"unknown features: {sorted(unknown)}")
        if any(scale <= 0 for scale in self.scaler_scale):
            raise ValueError("scaler_scale must be positive")
        return self

    def to_json(self) -> str:
        """The model as JSON text."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Read a model written by `to_json`."""
        return cls.model_validate_json(text)


def _vector(features: Features, names: Sequence[str]) -> Vector:
    values = features.by_name()
    return np.array([values[name] for name in names], dtype=float)


def shortfall(labels: Sequence[int]) -> str | None:
    """Why decisions with these labels are too few to train on, or None when they suffice."""
    confirmed = sum(labels)
    rejected = len(labels) - confirmed
    if len(labels) < MIN_DECISIONS:
        return f"{len(labels)} decisions, {MIN_DECISIONS} needed"
    if min(confirmed, rejected) < MIN_PER_OUTCOME:
        return (
            f"{confirmed} confirmations and {rejected} rejections, "
            f"at least {MIN_PER_OUTCOME} of each needed"
        )
    return None


def _metrics(
    y_true: Vector, probabilities: Vector, baseline: Vector, n_train: int, positive_rate: float
) -> ModelMetrics:
    return ModelMetrics(
        roc_auc=float(roc_auc_score(y_true, probabilities)),
        accuracy=float(accuracy_score(y_true, probabilities >= 0.5)),
        brier=float(brier_score_loss(y_true, probabilities)),
        baseline_roc_auc=float(roc_auc_score(y_true, baseline)),
        baseline_accuracy=float(accuracy_score(y_true, baseline >= 0.5)),
        baseline_brier=float(brier_score_loss(y_true, baseline)),
        n_train=n_train,
        n_validation=len(y_true),
        positive_rate=positive_rate,
    )


def train(decisions: Sequence[Decision], *, version: int, seed: int = 0) -> TrainedModel | None:
    """Fit `StandardScaler` + balanced `LogisticRegression` on a stratified 75 % of `decisions`.

    The other 25 % validate it (`ModelMetrics`), against the combined score on the same rows.
    None when there are fewer than `MIN_DECISIONS` decisions or `MIN_PER_OUTCOME` of either
    outcome: callers then keep `ScoringMode.PROPAGATED`.
    """
    labels = [decision.label for decision in decisions]
    if shortfall(labels) is not None:
        return None
    x = np.array([_vector(decision.features, FEATURE_NAMES) for decision in decisions])
    baseline = np.array([decision.features.combined() for decision in decisions])
    y = np.array(labels, dtype=float)
    x_train, x_val, y_train, y_val, _, baseline_val = train_test_split(
        x, y, baseline, test_size=VALIDATION_FRACTION, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(x_train)
    regression = LogisticRegression(class_weight="balanced", max_iter=1000, random_state=seed)
    regression.fit(scaler.transform(x_train), y_train)
    probabilities = regression.predict_proba(scaler.transform(x_val))[:, 1]
    return TrainedModel(
        version=version,
        feature_names=FEATURE_NAMES,
        scaler_mean=tuple(float(v) for v in scaler.mean_),
        scaler_scale=tuple(float(v) for v in scaler.scale_),
        coefficients=tuple(float(v) for v in regression.coef_[0]),
        intercept=float(regression.intercept_[0]),
        metrics=_metrics(y_val, probabilities, baseline_val, len(y_train), float(y.mean())),
        trained_at=datetime.now(UTC),
    )


def explain_prediction(model: TrainedModel, features: Features) -> dict[str, float]:
    """Log-odds contributions: `coef_i * (x_i - mean_i) / scale_i` per feature, and `intercept`.

    They sum to `logit(predict(model, features))`.
    """
    x = _vector(features, model.feature_names)
    scaled = (x - np.array(model.scaler_mean)) / np.array(model.scaler_scale)
    parts = np.array(model.coefficients) * scaled
    return {
        **dict(zip(model.feature_names, parts.tolist(), strict=True)),
        INTERCEPT: model.intercept,
    }


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    odds = math.exp(logit)
    return odds / (1.0 + odds)


def predict(model: TrainedModel, features: Features) -> float:
    """The probability that people would confirm the row: `sigmoid(sum(explain_prediction))`."""
    return _sigmoid(math.fsum(explain_prediction(model, features).values()))


def predict_array(model: TrainedModel, features: Vector) -> tuple[Vector, Vector]:
    """`predict` and `explain_prediction` for many rows at once.

    `features` has one row per scored row and one column per name of `FEATURE_NAMES` (in
    that order). Returns the probabilities and the parts: one column per name of
    `model.feature_names`, then the intercept; each row of parts sums to the logit.
    """
    columns = [FEATURE_NAMES.index(name) for name in model.feature_names]
    scaled = (features[:, columns] - np.array(model.scaler_mean)) / np.array(model.scaler_scale)
    parts = np.column_stack(
        (scaled * np.array(model.coefficients), np.full(len(features), model.intercept))
    )
    return expit(parts.sum(axis=1)), parts


def scoring_mode(model: TrainedModel | None) -> ScoringMode:
    """`LEARNED` when a model exists and validated at least as well as the combined score."""
    if model is None or model.metrics.roc_auc < model.metrics.baseline_roc_auc:
        return ScoringMode.PROPAGATED
    return ScoringMode.LEARNED
