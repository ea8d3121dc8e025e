"""Source dependence: which sources copy which (Dong, Berti-Equille & Srivastava, VLDB 2009).

For every pair of sources that claim some common item, the items they share fall in three
kinds, counted softly with the current value confidences `P(v)`: both claim the same value
and it is true (`k_t`, the sum of `P(v)`), both claim the same value and it is false (`k_f`,
the sum of `1 - P(v)`), or they differ (`k_d`). With accuracies `A1`, `A2`, independent
sources share a true value with probability `Pt = A1 A2`, a false one with
`Pf = (1 - A1)(1 - A2) e`, and differ with `Pd = 1 - Pt - Pf`; `e` is the chance that two
wrong claims on an item coincide, measured on the data (pairs of claims of values below
even odds that name the same value, over all such pairs; 1 / N with no such pairs): with
few plausible wrong values, independent mistakes coincide often and say little. If source 2
copies source 1 (each value with probability c, else on its own), the same events
have probability `A1 c + Pt (1 - c)`, `(1 - A1) c + Pf (1 - c)` and `Pd (1 - c)`. Bayes' rule
with a prior PRIOR of dependence, and the copy rate c averaged over COPY_RATES, gives the
probability that the pair is dependent: sharing a false value is strong evidence (`Pf` is
small), sharing a true one weak, and differing is evidence against.

Direction: a copier's own values (those it does not share with its original) are no better
than its accuracy; the original is the source more accurate on *the rest*, the values of
its own that the other does not claim.

The accuracies used are those on the rest too, the source's mean confidence over values
the partner does not claim: a bloc of copiers that outvotes the truth makes its shared
values look true, but on what they do not share the copiers stand alone, and honest sources
sharing a value the bloc outvoted do not look worse for what they share.

How a dependent source's vote is discounted (Dong et al.): on each value, its claimers are
taken in decreasing order of trust; each keeps its vote times the product, over the
claimers before it, of `1 - c * p` with `p` the pair's dependence probability. The first of
a copying bloc keeps its whole vote; the copies after it count for little.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.special import expit  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats, Ints
from trust.overlap import Overlap

COPY_RATE = 0.8
"""c: the share of its values a copier takes from its original (Dong et al. use 0.8), in
the discount of votes."""
COPY_RATES = (0.3, 0.55, 0.8)
"""The copy rates the evidence is weighed under, equally likely a priori: a source copying
only some attributes of another (c about 0.3-0.5) is found too."""
PRIOR = 0.2
"""alpha: the prior probability that two sources sharing items are dependent (Dong et al.),
at most: with many pairs it is `n_sources / n_pairs`, about one original per source, so
that the chance agreements of thousands of pairs sharing a few items do not pass for
copying (many tests, few copiers)."""
REPORTED = 0.5
"""Pairs at least this probably dependent are kept (and stored as `COPIES` edges); weaker
ones are taken as independent, so what a full pass stores is all an incremental one needs."""
_FLOOR = 1e-12


@dataclass(frozen=True)
class Dependence:
    """Dependent pairs of sources: `original[i]` is probably copied by `copier[i]`."""

    original: Ints
    copier: Ints
    probability: Floats
    shared_true: Floats
    shared_false: Floats

    @classmethod
    def none(cls) -> Dependence:
        """No dependence at all."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, np.zeros(0), np.zeros(0), np.zeros(0))

    def links(self) -> list[tuple[int, int]]:
        """(original, copier) per pair, sorted: who copies whom, whatever the evidence."""
        return sorted(zip(self.original.tolist(), self.copier.tolist(), strict=True))

    def pairs(self) -> list[tuple[int, int, float, float, float]]:
        """(original, copier, probability, shared true, shared false) per pair, sorted."""
        return sorted(
            zip(
                self.original.tolist(),
                self.copier.tolist(),
                self.probability.tolist(),
                self.shared_true.tolist(),
                self.shared_false.tolist(),
                strict=True,
            )
        )


def detect(
    overlap: Overlap,
    claims: ClaimSet,
    incidence: sp.csr_matrix,
    confidence: Floats,
    false_values: int,
    eps: float,
    *,
    forms: bool = True,
) -> Dependence:
    """The dependence of every pair of `overlap` at value confidences `confidence` (module);
    without `forms`, from the values alone (how they are written says nothing)."""
    n_pairs = len(overlap.a)
    if not n_pairs:
        return Dependence.none()
    a, b = overlap.a, overlap.b
    evidence = overlap if forms else overlap.values_only()
    same_true, same_form_true = evidence.summed(confidence)
    counts = np.asarray(incidence.sum(axis=0), dtype=np.float64).ravel()
    sums = np.asarray(incidence.T @ confidence, dtype=np.float64).ravel()
    overall = np.clip(sums / np.maximum(counts, 1), eps, 1 - eps)
    coincide_wrong = wrong_coincidence(claims, incidence, confidence, false_values)
    prior = min(PRIOR, claims.n_sources / n_pairs)
    probability = _posterior(
        overall[a], overall[b], evidence, same_true, same_form_true, coincide_wrong, prior
    )
    rest_a = _rest(sums[a] - same_true, counts[a] - overlap.same, overall[a])
    rest_b = _rest(sums[b] - same_true, counts[b] - overlap.same, overall[b])
    a_first = rest_a >= rest_b
    kept = probability >= REPORTED
    return Dependence(
        original=np.where(a_first, a, b)[kept].astype(np.int64),
        copier=np.where(a_first, b, a)[kept].astype(np.int64),
        probability=probability[kept],
        shared_true=same_true[kept],
        shared_false=np.maximum(overlap.same - same_true, 0.0)[kept],
    )


def wrong_coincidence(
    claims: ClaimSet, incidence: sp.csr_matrix, confidence: Floats, false_values: int
) -> float:
    """The chance that two wrong claims on one item name the same value (module docstring)."""
    per_value = np.asarray(incidence.sum(axis=1), dtype=np.float64).ravel()
    wrong = np.where(confidence < 0.5, per_value, 0.0)
    per_item = np.bincount(claims.item_of_value, weights=wrong, minlength=claims.n_items)
    pairs = float(np.sum(per_item * (per_item - 1)))
    same = float(np.sum(wrong * (wrong - 1)))
    return same / pairs if pairs > 0 else 1 / false_values


def _rest(confidence: Floats, count: Floats, overall: Floats) -> Floats:
    """Accuracy on the values not shared; a source with none left keeps its overall one."""
    return np.where(count > 0.5, confidence / np.maximum(count, 1.0), overall)


def _posterior(
    a1: Floats,
    a2: Floats,
    overlap: Overlap,
    same_true: Floats,
    same_form_true: Floats,
    coincide_wrong: float,
    prior: float,
) -> Floats:
    """P(dependent | what the pair shares): either direction, `prior` split evenly.

    Shared values count by form: the same form where a copier would have copied it, a
    different form where it would not (the chance `q` of the same form by coincidence is
    the pair's mean over its shared values; with canonical forms `q = 1` and the form says
    nothing). What a copier answers alone (values shared in another form, differing items)
    has the same likelihood under both hypotheses but for the factor `1 - c`, so only the
    ratio of each copying hypothesis to independence is computed.
    """
    q = np.clip(overlap.coincide / np.maximum(overlap.same, _FLOOR), _FLOOR, 1.0)
    kept_true = same_form_true
    kept_false = np.maximum(overlap.same_form - same_form_true, 0.0)
    other_true = np.maximum(same_true - same_form_true, 0.0)
    other_false = np.maximum(overlap.same - overlap.same_form - other_true, 0.0)
    alone = other_true + other_false + np.maximum(overlap.shared - overlap.same, 0.0)
    pt_q = a1 * a2 * q
    pf_q = (1 - a1) * (1 - a2) * coincide_wrong * q
    independent = _log(kept_true, pt_q) + _log(kept_false, pf_q)
    odds = np.log(prior / 2 / len(COPY_RATES)) - np.log(1 - prior)
    ratios = [
        odds
        + alone * np.log(1 - c)
        + _log(kept_true, accuracy * c + pt_q * (1 - c))
        + _log(kept_false, (1 - accuracy) * c + pf_q * (1 - c))
        - independent
        for c in COPY_RATES
        for accuracy in (a1, a2)
    ]
    top = reduce(np.maximum, ratios)
    total = reduce(np.add, (np.exp(ratio - top) for ratio in ratios))
    return np.asarray(expit(top + np.log(total)), dtype=np.float64)


def _log(count: Floats, probability: Floats) -> Floats:
    """`count * ln(probability)` (probability floored: a zero count gives zero)."""
    return np.asarray(count * np.log(np.maximum(probability, _FLOOR)))


def discount(incidence: sp.csr_matrix, trust: Floats, found: Dependence) -> sp.csr_matrix:
    """Vote weights per claim: each claimer of a value, in decreasing trust, keeps its vote
    times the product of `1 - c p` over the dependent claimers before it (module)."""
    if not len(found.probability):
        return incidence
    n_sources = incidence.shape[1]
    rank = np.empty(n_sources, dtype=np.int64)
    rank[np.lexsort((np.arange(n_sources), -trust))] = np.arange(n_sources)
    a, b = found.original, found.copier
    later = np.where(rank[a] > rank[b], a, b)
    earlier = np.where(rank[a] > rank[b], b, a)
    log_keep = np.log(np.maximum(1 - COPY_RATE * found.probability, _FLOOR))
    penalty = sp.csr_matrix((log_keep, (earlier, later)), shape=(n_sources, n_sources))
    factor = sp.csr_matrix(incidence @ penalty)
    factor.data = np.expm1(factor.data)
    return sp.csr_matrix(incidence + incidence.multiply(factor))
