"""Ties of the count: who decides an item that counting leaves even.

Truth discovery (`trust.truth`) weighs each claim by its source's estimated accuracy. Where
the plain count, the *common vote* (every source's vote equal: the claims after the
dependence discount, with similar values' support), puts several values of an item first
together, those estimates alone pick the winner. When the sources are in truth equally
accurate the estimates still differ by sampling noise, and a tie of two sources against two
goes to whichever pair the noise favoured: a coin flip where majority vote keeps its own
rule, the first value. So the weighted vote breaks such a tie only where the claimers of the
tied values differ in accuracy beyond chance, by a chi-square test of homogeneity over their
voting accuracies `A` (by attribute where the engine votes so) and the claims each was
measured on, `n` (its claims on items another source also claims, `evidence`):

    X2 = sum over the claimers of n (A - p)^2 / (p (1 - p)),  p = sum A n / sum n,  df = k - 1

at the `LEVEL` significance. Where they do not, the tied values share their confidence evenly,
so the first of them wins as in majority vote (unless another value is more confident than
their share). One against one (each tied value claimed by a single source) the weighted vote
always decides. That is a choice, not the test's verdict: two sources' records rarely differ
at `LEVEL` with the claims they have, so the test would send nearly every such dispute to
whichever value came first (the demo's Tampere area, a registry against an open portal,
is one). An item whose common
vote has a single first value keeps the weighted winner; so does every tie a full pass
decides the same way, since the evidence is stored with the trust (`Source.trust_evidence`)
and incremental passes test with it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from numpy.typing import NDArray
from scipy import stats

from trust.arrays import ClaimSet, Floats, Ints
from trust.attribute_trust import Cells

LEVEL = 0.05
"""The significance at which a tie's claimers are taken to differ in accuracy."""
TIE = 1e-9
"""Scores this close are equal."""


def evidence(claims: ClaimSet, cells: Cells) -> Floats:
    """Per source, its claims on items another source also claims: what its accuracy was
    measured on (an item claimed once says nothing of its claimer)."""
    item = claims.item_of_value[cells.value_of_claim]
    claimers = np.bincount(item, minlength=claims.n_items)
    shared = (claimers[item] >= 2).astype(np.float64)
    counted = np.bincount(cells.source_of_claim, weights=shared, minlength=claims.n_sources)
    return np.asarray(counted, dtype=np.float64)


def even_ties(
    claims: ClaimSet,
    incidence: sp.csr_matrix,
    weights: sp.csr_matrix,
    winner: Ints,
    accuracy: Floats,
    claimed: Floats,
    cells: Cells,
) -> Ints:
    """The tied values of the items whose tie the weighted vote may not break (module
    docstring): `weights` (values x sources) are the vote weights, `winner` the weighted
    winner per item, `accuracy` and `claimed` each claim's voting accuracy and the claims it
    was measured on (in the order of `cells`)."""
    item_of_value = claims.item_of_value
    common = np.asarray(weights.sum(axis=1), dtype=np.float64).ravel()
    top = np.full(claims.n_items, -np.inf)
    np.maximum.at(top, item_of_value, common)
    tied = common >= top[item_of_value] - TIE
    ids = np.arange(len(common), dtype=np.int64)
    first = np.full(claims.n_items, len(common), dtype=np.int64)
    np.minimum.at(first, item_of_value, np.where(tied, ids, len(common)))
    single = np.asarray(incidence.sum(axis=1), dtype=np.float64).ravel() <= 1
    lone = np.ones(claims.n_items, dtype=bool)
    np.logical_and.at(lone, item_of_value[tied], single[tied])
    open_tie = np.zeros(claims.n_items, dtype=bool)
    items = np.flatnonzero((winner >= 0) & (winner != first) & ~lone & tied[np.maximum(winner, 0)])
    open_tie[items] = True
    fallen = open_tie & ~_differ(item_of_value, tied, open_tie, accuracy, claimed, cells)
    return np.flatnonzero(tied & fallen[item_of_value])


def _differ(
    item_of_value: Ints,
    tied: NDArray[np.bool_],
    open_tie: NDArray[np.bool_],
    accuracy: Floats,
    claimed: Floats,
    cells: Cells,
) -> NDArray[np.bool_]:
    """Per item, whether the claimers of its tied values differ in accuracy beyond chance: a
    chi-square test of homogeneity over their accuracies and evidence (module docstring)."""
    value = cells.value_of_claim
    mask = tied[value] & open_tie[item_of_value[value]]
    item = item_of_value[value[mask]]
    a, n = accuracy[mask], claimed[mask]
    size = len(open_tie)
    total = np.bincount(item, weights=n, minlength=size)
    pooled = np.bincount(item, weights=a * n, minlength=size) / np.maximum(total, 1e-12)
    spread = np.bincount(item, weights=n * (a - pooled[item]) ** 2, minlength=size)
    statistic = spread / np.maximum(pooled * (1.0 - pooled), 1e-12)
    voters = np.bincount(item, minlength=size)
    p = stats.chi2.sf(statistic, np.maximum(voters - 1, 1))
    return np.asarray((total > 0) & (p < LEVEL))


def even(confidence: Floats, values: Ints, item_of_value: Ints) -> Floats:
    """`confidence` with the `values` of each item sharing their total evenly."""
    if not len(values):
        return confidence
    item = item_of_value[values]
    total = np.bincount(item, weights=confidence[values])
    count = np.bincount(item)
    out = confidence.copy()
    out[values] = total[item] / count[item]
    return out
