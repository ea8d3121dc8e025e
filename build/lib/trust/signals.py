"""Trust signals: six pure functions, each scoring one kind of evidence about a row in [0, 1].

0.5 is the neutral value where a signal has no evidence either way (no approvals yet, no
supporting or contradicting rows); 1 is the strongest evidence for trust, 0 against.
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from graph.model import Score

WARNING_PENALTY = 0.9
"""`extraction_quality` keeps 90 % per warning (a value that did not fit its declared type)."""

VIOLATION_PENALTY = 0.5
"""`governance` halves per policy violation: one broken rule outweighs any number of approvals."""

UNAPPROVED_SCHEMA_FACTOR = 0.5
"""`governance` halves for a row whose table definition still waits for approval."""

Array = npt.NDArray[np.float64]


class Signal(StrEnum):
    """The names of the six signals (also the field names of `Signals`)."""

    FRESHNESS = "freshness"
    GOVERNANCE = "governance"
    USAGE = "usage"
    CONSISTENCY = "consistency"
    EXTRACTION_QUALITY = "extraction_quality"
    SOURCE_REPUTATION = "source_reputation"


class Signals(BaseModel):
    """All six signals of one row, each in [0, 1]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    freshness: Score
    governance: Score
    usage: Score
    consistency: Score
    extraction_quality: Score
    source_reputation: Score

    def by_name(self) -> dict[Signal, float]:
        """The signals keyed by `Signal`, in declaration order."""
        return {signal: float(getattr(self, signal.value)) for signal in Signal}


def _finite(name: str, value: float) -> float:
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, not NaN")
    return value


def _count(name: str, value: float) -> float:
    if _finite(name, value) < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def freshness(age_days: float, half_life_days: float | None) -> float:
    """Exponential decay with age: `0.5 ** (max(age, 0) / half_life)`.

    1.0 when the table declares no half-life (its values do not age); a future date (negative
    age, clock skew) counts as age 0.
    """
    age = max(_finite("age_days", age_days), 0.0)
    if half_life_days is None:
        return 1.0
    if not _finite("half_life_days", half_life_days) > 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days}")
    return float(0.5 ** (age / half_life_days))


def governance(
    schema_approved: bool, policy_violations: int, approvals: int, rejections: int
) -> float:
    """Review evidence: `(a + 1) / (a + r + 2) * 0.5 ** v * (1 if schema approved else 0.5)`.

    `a`, `r` are the approvals and rejections of changes targeting the row (Laplace-smoothed,
    so no reviews gives 0.5), `v` its policy violations. Each factor is in [0, 1], so is the
    product.
    """
    a = _count("approvals", approvals)
    r = _count("rejections", rejections)
    v = _count("policy_violations", policy_violations)
    reviews = (a + 1) / (a + r + 2)
    schema = 1.0 if schema_approved else UNAPPROVED_SCHEMA_FACTOR
    return float(reviews * VIOLATION_PENALTY**v * schema)


def governance_array(violations: Array) -> Array:
    """`governance` for rows of approved tables with no reviews, by policy violations."""
    return governance(True, 0, 0, 0) * np.power(VIOLATION_PENALTY, violations)


def usage(reads: int, half_saturation: float = 10.0) -> float:
    """Saturating read count: `reads / (reads + half_saturation)`.

    0 unread, 0.5 at `half_saturation` reads, approaching 1 as reads grow.
    """
    n = _count("reads", reads)
    if not _finite("half_saturation", half_saturation) > 0:
        raise ValueError(f"half_saturation must be positive, got {half_saturation}")
    return float(n / (n + half_saturation))


def consistency(supporting: float, contradicting: float) -> float:
    """Laplace-smoothed agreement: `(s + 1) / (s + c + 2)`; 0.5 with no evidence.

    `s` and `c` may be fractional: rows that agree or contradict, each weighted by its trust.
    """
    s = _count("supporting", supporting)
    c = _count("contradicting", contradicting)
    return float((s + 1) / (s + c + 2))


def extraction_quality(fields_present: int, fields_declared: int, warnings: int) -> float:
    """Completeness times a warning penalty: `min(p, d) / d * 0.9 ** w`.

    `p` fields present of `d` declared (completeness 1 when none are declared), `w` warnings.
    """
    present = _count("fields_present", fields_present)
    declared = _count("fields_declared", fields_declared)
    w = _count("warnings", warnings)
    completeness = min(present, declared) / declared if declared else 1.0
    return float(completeness * WARNING_PENALTY**w)


def source_reputation(source_trust: float) -> float:
    """The source's propagated trust, clamped to [0, 1]: `min(max(t, 0), 1)`."""
    return min(max(_finite("source_trust", source_trust), 0.0), 1.0)


# Element-wise forms for scoring many rows at once: the same formulas as above, on arrays
# the caller has already checked (finite, in range); `tests/unit/trust/test_signals.py`
# holds them equal to the scalar functions.


def freshness_array(age_days: Array, half_life_days: Array) -> Array:
    """`freshness` per row; a half-life of `inf` stands for none (1.0)."""
    return np.power(0.5, np.maximum(age_days, 0.0) / half_life_days)


def usage_array(reads: Array, half_saturation: float = 10.0) -> Array:
    """`usage` per row."""
    return reads / (reads + half_saturation)


def consistency_array(supporting: Array, contradicting: Array) -> Array:
    """`consistency` per row."""
    return (supporting + 1) / (supporting + contradicting + 2)


def extraction_quality_array(fields_present: Array, fields_declared: Array) -> Array:
    """`extraction_quality` per row, without warnings."""
    some = fields_declared > 0
    declared = np.where(some, fields_declared, 1.0)
    return np.where(some, np.minimum(fields_present, fields_declared) / declared, 1.0)


def source_reputation_array(source_trust: Array) -> Array:
    """`source_reputation` per row."""
    return np.clip(source_trust, 0.0, 1.0)
