"""Calibrated confidence: a fact at confidence 0.9 is right about 9 times in 10.

The posterior of truth discovery (`trust.truth`) assumes that sources err independently;
on real data they do not quite (editors keep the last revision's value, bookstores copy
listings the dependence model does not catch), so agreeing sources make it close to 1 far
more often than it is right. It is calibrated from the engine's own agreement structure,
never from gold: Platt scaling, `f(p) = sigmoid(slope * logit(p) + intercept)`, fitted on
held-out claims.

Each claim is held out in turn (one source's vote on one item, from the item's scores with
the source's weight taken away, similar values' share included): the item is resolved
without it, giving a winner at a posterior `p`. Whether the held-out claim names that
winner is observed. If the winner is true (probability `f(p)`), a source of accuracy `A`
names it with probability `A`; if it is false, only by naming the same wrong value, `(1 - A)
e`, with `e` the chance that two wrong claims on an item coincide (`trust.dependence`). The
slope and intercept maximise the likelihood of the observed agreements under
`f(p) A + (1 - f(p)) (1 - A) e`. Items claimed by one source only give no held-out evidence.

Not applied to facts yet: `bench/truth_data.py` measures the calibration error before and
after it on the public data, and on the book data it over-corrects (0.060 before, 0.080
after), so facts and the policy thresholds still read the posterior.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.optimize import minimize  # type: ignore[import-untyped]

from trust.arrays import Floats, Ints

HELD_OUT = 200_000
"""At most this many claims are held out (a fixed random sample beyond): the fit has two
parameters, and a million rows' claims would cost seconds for nothing."""
CLIP = 1e-6
"""Posteriors are read within [CLIP, 1 - CLIP] (a logit of 13.8 at most)."""
SLOPE_BOUNDS = (0.02, 4.0)
INTERCEPT_BOUNDS = (-8.0, 8.0)
MIN_HELD_OUT = 20
"""With fewer held-out claims than this nothing is fitted (the posterior stays as it is)."""


@dataclass(frozen=True)
class Calibration:
    """The map from the model's posterior to a calibrated confidence."""

    slope: float = 1.0
    intercept: float = 0.0
    held_out: int = 0
    """How many held-out claims it was fitted on (0: the identity, nothing fitted)."""

    def apply(self, posterior: Floats) -> Floats:
        """`sigmoid(slope * logit(p) + intercept)` of each posterior `p`."""
        if not self.held_out:
            return posterior
        return np.asarray(_sigmoid(self.slope * _logit(posterior) + self.intercept))


@dataclass(frozen=True)
class HeldOut:
    """Per held-out claim: the posterior of the winner without it, whether the claim names
    that winner, and its source's accuracy."""

    posterior: Floats
    agrees: Floats
    accuracy: Floats


def held_out(
    scores: Floats,
    weights: sp.csr_matrix,
    votes: Floats,
    item_of_value: Ints,
    claim_source: Ints,
    claim_value: Ints,
    accuracy: Floats,
) -> HeldOut:
    """Resolve each contested item without each of its claims in turn (module docstring).

    `scores` are the values' summed votes with every claim, `weights` the values x sources
    vote weights that made them (discount and similarity included), `votes` each source's
    vote; the posterior is a softmax of the scores over the values of an item.
    """
    n_values = len(item_of_value)
    order = np.argsort(item_of_value, kind="stable")
    per_item = np.bincount(item_of_value, minlength=int(item_of_value.max(initial=-1)) + 1)
    starts = np.concatenate(([0], np.cumsum(per_item)))
    claim_item = item_of_value[claim_value]
    chosen = np.flatnonzero(per_item[claim_item] >= 2)
    if len(chosen) > HELD_OUT:
        chosen = np.sort(np.random.default_rng(0).choice(chosen, HELD_OUT, replace=False))
    if not len(chosen) or not n_values:
        empty = np.zeros(0)
        return HeldOut(empty, empty, empty)
    width = per_item[claim_item[chosen]]
    owner = np.repeat(np.arange(len(chosen)), width)  # expanded row -> held-out claim
    first = np.repeat(starts[claim_item[chosen]], width)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(width) - width, width)
    value = order[first + offset]
    source = claim_source[chosen][owner]
    own = np.asarray(weights[value, source], dtype=np.float64).ravel() * votes[source]
    without = scores[value] - own
    top = np.full(len(chosen), -np.inf)
    np.maximum.at(top, owner, without)
    exp = np.exp(without - top[owner])
    total = np.bincount(owner, weights=exp, minlength=len(chosen))
    best = np.full(len(chosen), len(owner))
    at_top = np.flatnonzero(without >= top[owner] - 1e-9)
    np.minimum.at(best, owner[at_top], at_top)
    winner = value[best]
    return HeldOut(
        posterior=1.0 / total,
        agrees=(winner == claim_value[chosen]).astype(np.float64),
        accuracy=accuracy[claim_source[chosen]],
    )


def fit(evidence: HeldOut, coincide: float) -> Calibration:
    """The Platt map that best explains the held-out agreements (module docstring)."""
    n = len(evidence.posterior)
    if n < MIN_HELD_OUT:
        return Calibration()
    logit = _logit(evidence.posterior)
    right, wrong = evidence.accuracy, (1 - evidence.accuracy) * coincide
    agrees = evidence.agrees

    def loss(params: Floats) -> float:
        f = _sigmoid(params[0] * logit + params[1])
        chance = np.clip(f * right + (1 - f) * wrong, 1e-12, 1 - 1e-12)
        return -float(np.mean(agrees * np.log(chance) + (1 - agrees) * np.log(1 - chance)))

    found = minimize(
        loss, np.array([1.0, 0.0]), method="L-BFGS-B", bounds=[SLOPE_BOUNDS, INTERCEPT_BOUNDS]
    )
    return Calibration(float(found.x[0]), float(found.x[1]), n)


def _logit(p: Floats) -> Floats:
    clipped = np.clip(p, CLIP, 1 - CLIP)
    return np.asarray(np.log(clipped / (1 - clipped)))


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(0.5 * (1 + np.tanh(0.5 * x)))
