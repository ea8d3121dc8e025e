"""The combined, explainable trust score of a row.

`combine` blends the propagated (truth-discovery) score with a weighted mean of the six
signals; every part of the result is an additive contribution, so the score explains itself:
`0.82 = 0.41 propagated + 0.20 consistency + ...`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from graph.model import Score
from trust.signals import Array, Signal, Signals

PROPAGATED = "propagated"
"""The contribution name of the propagated score."""

DEFAULT_WEIGHTS: Mapping[Signal, float] = MappingProxyType(
    {
        Signal.CONSISTENCY: 0.30,  # agreement with other rows: the most direct evidence of truth
        Signal.SOURCE_REPUTATION: 0.20,  # a source's track record carries over to its new rows
        Signal.FRESHNESS: 0.15,  # old values go stale, at the table's own half-life
        Signal.GOVERNANCE: 0.15,  # people's approvals and policy violations
        Signal.EXTRACTION_QUALITY: 0.10,  # incomplete or warned-about rows are parsed less surely
        Signal.USAGE: 0.10,  # being read is weak evidence: popular is not the same as right
    }
)
"""The weights of the signals in their mean; they sum to 1."""

CONTRIBUTIONS: tuple[str, ...] = (PROPAGATED, *(signal.value for signal in Signal))
"""The names of `combine`'s contributions, in order: propagated, then the signals."""


class TrustScore(BaseModel):
    """A score in [0, 1] and the additive parts it is made of (they sum to `value`)."""

    model_config = ConfigDict(frozen=True)

    value: Score
    contributions: dict[str, float]


class EvidencePath(BaseModel):
    """One path through the graph that supports (or undermines) a score."""

    model_config = ConfigDict(frozen=True)

    description: str
    weight: float = Field(ge=0.0)
    node_ids: tuple[str, ...] = ()


class Explanation(BaseModel):
    """A score with its contributions by magnitude, its strongest evidence and a summary line."""

    model_config = ConfigDict(frozen=True)

    value: Score
    contributions: list[tuple[str, float]]
    evidence: list[EvidencePath]
    summary: str


def _check_weights(weights: Mapping[Signal, float]) -> float:
    """The total of `weights`, after refusing negative, non-finite or all-zero weights."""
    if any(not math.isfinite(w) or w < 0 for w in weights.values()):
        raise ValueError("signal weights must be finite and non-negative")
    total = math.fsum(weights.values())
    if total <= 0:
        raise ValueError("signal weights must not all be zero")
    return total


def combine(
    signals: Signals,
    propagated: float,
    weights: Mapping[Signal, float] = DEFAULT_WEIGHTS,
    propagated_weight: float = 0.5,
) -> TrustScore:
    """`value = p * propagated + (1 - p) * sum(w_i * s_i) / sum(w_i)`, with `p = propagated_weight`.

    Each term is one contribution (signals missing from `weights` weigh 0), and `value` is
    their exact sum, clamped to [0, 1] against rounding.
    """
    if not 0.0 <= propagated <= 1.0:
        raise ValueError(f"propagated must be in [0, 1], got {propagated}")
    if not 0.0 <= propagated_weight <= 1.0:
        raise ValueError(f"propagated_weight must be in [0, 1], got {propagated_weight}")
    total = _check_weights(weights)
    share = (1.0 - propagated_weight) / total
    contributions = {PROPAGATED: propagated_weight * propagated}
    for signal, value in signals.by_name().items():
        contributions[signal.value] = share * weights.get(signal, 0.0) * value
    value = min(max(math.fsum(contributions.values()), 0.0), 1.0)
    return TrustScore(value=value, contributions=contributions)


def combine_array(
    signals: Array,
    propagated: Array,
    weights: Mapping[Signal, float] = DEFAULT_WEIGHTS,
    propagated_weight: float = 0.5,
) -> tuple[Array, Array]:
    """`combine` for many rows: `signals` has one column per `Signal` (in its order).

    Returns the values and the contributions (one column per name of `CONTRIBUTIONS`); each
    value is the sum of its row of contributions, clamped to [0, 1] against rounding.
    """
    if not 0.0 <= propagated_weight <= 1.0:
        raise ValueError(f"propagated_weight must be in [0, 1], got {propagated_weight}")
    share = (1.0 - propagated_weight) / _check_weights(weights)
    factors = np.array([share * weights.get(signal, 0.0) for signal in Signal])
    contributions = np.column_stack((propagated_weight * propagated, signals * factors))
    return np.clip(contributions.sum(axis=1), 0.0, 1.0), contributions


def _summary(value: float, contributions: Sequence[tuple[str, float]]) -> str:
    terms = " + ".join(f"{part:.2f} {name}" for name, part in contributions)
    return f"{value:.2f} = {terms}"


def explain(score: TrustScore, evidence: Sequence[EvidencePath], top_k: int = 3) -> Explanation:
    """The contributions by decreasing magnitude, the `top_k` heaviest evidence paths, a summary.

    Ties keep their given order (contributions: their order in the score; paths: as passed).
    """
    if top_k < 0:
        raise ValueError(f"top_k must not be negative, got {top_k}")
    ranked = sorted(score.contributions.items(), key=lambda item: -abs(item[1]))
    strongest = sorted(evidence, key=lambda path: -path.weight)[:top_k]
    return Explanation(
        value=score.value,
        contributions=ranked,
        evidence=strongest,
        summary=_summary(score.value, ranked),
    )
