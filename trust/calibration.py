"""Calibrated confidence: a fact at confidence 0.9 is right about 9 times in 10.

The posterior of truth discovery (`trust.truth`) is overconfident for three reasons, each
corrected here from the run's own data, never from gold:

- *Extreme source accuracies.* A source's trust is the mean confidence of its claims, so a
  source with one or two claims that won is 0.999 accurate and one that lost is 0.001. Its
  accuracy for the confidence is instead a posterior mean shrunk toward the sources'
  common prior by how much evidence it has: `(r + a) / (n + a + b)`, with `n` its claims on
  items some other source also claims (an item claimed once says nothing of its claimer),
  `r` their summed confidence, and `Beta(a, b)` the prior of accuracy that maximises the
  beta-binomial likelihood of all sources' `(r, n)` (empirical Bayes).
- *Coinciding mistakes.* The vote assumes a wrong claim picks one of `FALSE_VALUES` wrong
  values at random; where wrong claims coincide more often (stale values, a common wrong
  edition), agreement proves less. The number of alternatives is `1 / e`, with `e` the
  measured chance that two wrong claims on an item coincide (`trust.dependence`).
- *A closed world.* The softmax over the claimed values makes an item one source speaks for
  certain. Here the true value may be one nobody claimed: each of the `alternatives + 1 - k`
  unclaimed values (`k` claimed) scores 0, so a lone claim is believed as far as its source.

The confidence of a value is then `exp C(v) / (sum exp C(v') + max(N + 1 - k, 0))`, `C` its
claimers' votes `ln(N A / (1 - A))` with these accuracies and `N = alternatives`, after the
dependence discount and with similar values' support as in the engine. Only the confidence
changes: winners stay the engine's (its argmax), so accuracy is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize  # type: ignore[import-untyped]
from scipy.special import betaln  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats, Ints

PRIOR_BOUNDS = (1e-2, 1e4)
"""Bounds of each Beta prior parameter: from nearly no pull to a near-certain common accuracy."""
EPS = 1e-3
"""Accuracies are read within [EPS, 1 - EPS], as the engine's."""


@dataclass(frozen=True)
class Calibration:
    """What the calibrated confidence of one run is computed with (module docstring)."""

    alternatives: float
    """N: the wrong values a mistaken claim picks among, `1 / e`."""
    prior: tuple[float, float]
    """(a, b): the Beta prior of a source's accuracy."""
    accuracy: Floats
    """Per source (in the claim set's order), its shrunk accuracy."""

    @property
    def fitted(self) -> bool:
        """Whether there is anything to calibrate with (else facts read the posterior)."""
        return len(self.accuracy) > 0

    @classmethod
    def none(cls) -> Calibration:
        """No calibration: facts read the engine's posterior."""
        return cls(0.0, (1.0, 1.0), np.zeros(0))

    @property
    def prior_mean(self) -> float:
        """The accuracy of a source with no evidence."""
        a, b = self.prior
        return a / (a + b)

    def record(self, source: int) -> str:
        """What a full pass stores of one source (`Source.trust_calibration`, JSON)."""
        return json.dumps(
            {
                "accuracy": float(self.accuracy[source]),
                "alternatives": self.alternatives,
                "prior": list(self.prior),
            }
        )

    def confidence(self, scores: Floats, item_of_value: Ints, n_items: int) -> Floats:
        """Per value, its calibrated confidence from its votes' `scores` (module docstring)."""
        claimed = np.bincount(item_of_value, minlength=n_items)
        top = np.zeros(n_items)
        if len(scores):
            np.maximum.at(top, item_of_value, scores)
        exp = np.exp(scores - top[item_of_value])
        unclaimed = np.maximum(self.alternatives + 1 - claimed, 0.0) * np.exp(-top)
        total = np.bincount(item_of_value, weights=exp, minlength=n_items) + unclaimed
        return np.asarray(exp / total[item_of_value])

    def votes(self) -> Floats:
        """Each source's calibrated vote, `ln(N A / (1 - A))`."""
        return np.asarray(np.log(self.alternatives * self.accuracy / (1 - self.accuracy)))


def fit(claims: ClaimSet, confidence: Floats, coincide: float) -> Calibration:
    """The calibration of a run that reached value `confidence` and measured `coincide`, the
    chance that two wrong claims on an item coincide (module docstring)."""
    item_of_claim = claims.item_of_value[claims.value]
    shared = (np.bincount(item_of_claim, minlength=claims.n_items) >= 2)[item_of_claim]
    weight = shared.astype(np.float64)
    n = np.bincount(claims.source, weights=weight, minlength=claims.n_sources).astype(np.float64)
    right = weight * confidence[claims.value]
    r = np.bincount(claims.source, weights=right, minlength=claims.n_sources).astype(np.float64)
    if not np.any(n > 0):
        return Calibration.none()
    prior = _prior(r[n > 0], n[n > 0])
    a, b = prior
    accuracy = np.clip((r + a) / (n + a + b), EPS, 1 - EPS)
    return Calibration(max(1.0 / max(coincide, 1e-9), 1.0), prior, accuracy)


def _prior(right: Floats, claimed: Floats) -> tuple[float, float]:
    """The Beta(a, b) maximising the beta-binomial likelihood of `right` of `claimed`."""

    def loss(log_ab: Floats) -> float:
        a, b = np.exp(log_ab)
        return -float(np.sum(betaln(right + a, claimed - right + b) - betaln(a, b)))

    bounds = [tuple(np.log(PRIOR_BOUNDS))] * 2
    found = minimize(loss, np.log([2.0, 1.0]), method="L-BFGS-B", bounds=bounds)
    a, b = np.exp(found.x)
    return float(a), float(b)


def stored(records: Sequence[str | None]) -> Calibration:
    """The calibration a full pass stored, from each source's `Source.trust_calibration`
    (None where a source has none: it takes the prior's mean); with none stored at all, no
    calibration."""
    parsed = [_parse(record) if record else None for record in records]
    known = [p for p in parsed if p is not None]
    if not known:
        return Calibration.none()
    _, alternatives, prior = known[0]
    mean = prior[0] / (prior[0] + prior[1])
    accuracy = np.array([p[0] if p is not None else mean for p in parsed], dtype=np.float64)
    return Calibration(alternatives, prior, np.clip(accuracy, EPS, 1 - EPS))


def _parse(record: str) -> tuple[float, float, tuple[float, float]]:
    """(accuracy, alternatives, prior) of one stored `Calibration.record`."""
    data = json.loads(record)
    a, b = (float(x) for x in data["prior"])
    return float(data["accuracy"]), float(data["alternatives"]), (a, b)
