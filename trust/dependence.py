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

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats, Ints

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
MIN_SHARED = 3
"""Pairs sharing fewer items than this are not assessed: there is no evidence either way."""
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


@dataclass(frozen=True)
class Overlap:
    """What pairs of sources share, whatever the values' confidence: computed once per claim
    set, from the pairs of claims on one item (never from all pairs of sources).

    `a < b` are the pairs sharing at least MIN_SHARED items (`shared` of them); each
    co-claim of a value, or of a written form, is listed by its pair and value (or form).
    """

    a: Ints
    b: Ints
    shared: Floats
    value_pair: Ints
    value: Ints
    form_pair: Ints
    form_value: Ints
    coincide: Floats  # per pair: summed chance that a shared value's claimers write it alike

    @classmethod
    def of(cls, claims: ClaimSet, incidence: sp.csr_matrix) -> Overlap:
        """The overlap of the sources of `claims` (`incidence`: values x sources)."""
        n_values, n_sources = incidence.shape
        to_item = sp.csr_matrix(
            (np.ones(n_values), (claims.item_of_value, np.arange(n_values))),
            shape=(claims.n_items, n_values),
        )
        covers = sp.csr_matrix((to_item @ incidence).sign())
        a, b, _ = _pairs_in_rows(covers)
        keys, shared = np.unique(a * n_sources + b, return_counts=True)
        keys = keys[shared >= MIN_SHARED]
        forms, form_value = _form_incidence(claims, incidence)
        value_pair, value = _pairs_of(incidence, keys, n_sources)
        form_pair, form = _pairs_of(forms, keys, n_sources)
        coincide = _coincidence(forms, form_value, n_values)
        return cls(
            a=keys // n_sources,
            b=keys % n_sources,
            shared=shared[shared >= MIN_SHARED].astype(np.float64),
            value_pair=value_pair,
            value=value,
            form_pair=form_pair,
            form_value=form_value[form],
            coincide=_count(value_pair, len(keys), coincide[value]),
        )


def _pairs_in_rows(matrix: sp.csr_matrix) -> tuple[Ints, Ints, Ints]:
    """Every pair of columns `a < b` set in one row of `matrix`, with that row."""
    matrix.sort_indices()
    lengths = np.diff(matrix.indptr)
    parts: list[tuple[Ints, Ints, Ints]] = []
    for k in np.unique(lengths[lengths >= 2]).tolist():
        rows = np.flatnonzero(lengths == k)
        members = matrix.indices[matrix.indptr[rows][:, None] + np.arange(k)]
        first, second = np.triu_indices(k, 1)
        parts.append(
            (
                members[:, first].ravel(),
                members[:, second].ravel(),
                np.repeat(rows, len(first)),
            )
        )
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    a, b, row = (np.concatenate(column).astype(np.int64) for column in zip(*parts, strict=True))
    return a, b, row


def _pairs_of(matrix: sp.csr_matrix, keys: Ints, n_sources: int) -> tuple[Ints, Ints]:
    """The co-claims of the rows of `matrix` by the pairs `keys`: (pair index, row)."""
    a, b, row = _pairs_in_rows(matrix)
    position = np.searchsorted(keys, a * n_sources + b)
    found = position < len(keys)
    found[found] = keys[position[found]] == (a * n_sources + b)[found]
    return position[found], row[found]


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
    same = _count(overlap.value_pair, n_pairs)
    same_true = _count(overlap.value_pair, n_pairs, confidence[overlap.value])
    pair = (
        _Pair(
            same=same,
            same_true=same_true,
            same_form=_count(overlap.form_pair, n_pairs),
            same_form_true=_count(overlap.form_pair, n_pairs, confidence[overlap.form_value]),
            coincide=overlap.coincide,
            shared=overlap.shared,
        )
        if forms
        else _Pair(same, same_true, same, same_true, same, overlap.shared)  # q = 1
    )
    counts = np.asarray(incidence.sum(axis=0), dtype=np.float64).ravel()
    sums = np.asarray(incidence.T @ confidence, dtype=np.float64).ravel()
    overall = np.clip(sums / np.maximum(counts, 1), eps, 1 - eps)
    coincide_wrong = wrong_coincidence(claims, incidence, confidence, false_values)
    prior = min(PRIOR, claims.n_sources / n_pairs)
    probability = _posterior(overall[a], overall[b], pair, coincide_wrong, prior)
    rest_a = _rest(sums[a] - pair.same_true, counts[a] - pair.same, overall[a])
    rest_b = _rest(sums[b] - pair.same_true, counts[b] - pair.same, overall[b])
    a_first = rest_a >= rest_b
    kept = probability >= REPORTED
    return Dependence(
        original=np.where(a_first, a, b)[kept].astype(np.int64),
        copier=np.where(a_first, b, a)[kept].astype(np.int64),
        probability=probability[kept],
        shared_true=pair.same_true[kept],
        shared_false=np.maximum(pair.same - pair.same_true, 0.0)[kept],
    )


@dataclass(frozen=True)
class _Pair:
    """What pairs of sources share: values, the summed confidence of those values, the
    same written forms (and their confidence), the summed chance that two independent
    claimers of a shared value write it the same way, and items."""

    same: Floats
    same_true: Floats
    same_form: Floats
    same_form_true: Floats
    coincide: Floats
    shared: Floats


def _form_incidence(claims: ClaimSet, incidence: sp.csr_matrix) -> tuple[sp.csr_matrix, Ints]:
    """The forms x sources 0/1 matrix of claims and each form's value; without forms, each
    value is its own single form."""
    if claims.form is None or not len(claims.form):
        return incidence, np.arange(incidence.shape[0], dtype=np.int64)
    n_forms = int(claims.form.max()) + 1
    matrix = sp.csr_matrix(
        (np.ones(len(claims.form)), (claims.form, claims.source)),
        shape=(n_forms, incidence.shape[1]),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    form_value = np.zeros(n_forms, dtype=np.int64)
    form_value[claims.form] = claims.value
    return matrix, form_value


def _coincidence(forms: sp.csr_matrix, form_value: Ints, n_values: int) -> Floats:
    """Per value, the chance that two of its claimers write it the same way: the sum over
    its forms of (share of its claimers using the form) squared."""
    per_form = np.asarray(forms.sum(axis=1), dtype=np.float64).ravel()
    per_value = np.bincount(form_value, weights=per_form, minlength=n_values)
    share = per_form / np.maximum(per_value[form_value], 1.0)
    return np.bincount(form_value, weights=share**2, minlength=n_values).astype(np.float64)


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


def _count(pair: Ints, n_pairs: int, weights: Floats | None = None) -> Floats:
    """Per pair, how many co-claims it has (or their summed `weights`)."""
    return np.bincount(pair, weights=weights, minlength=n_pairs).astype(np.float64)


def _rest(confidence: Floats, count: Floats, overall: Floats) -> Floats:
    """Accuracy on the values not shared; a source with none left keeps its overall one."""
    return np.where(count > 0.5, confidence / np.maximum(count, 1.0), overall)


def _posterior(a1: Floats, a2: Floats, pair: _Pair, coincide_wrong: float, prior: float) -> Floats:
    """P(dependent | what the pair shares): either direction, `prior` split evenly.

    Shared values count by form: the same form where a copier would have copied it, a
    different form where it would not (the chance `q` of the same form by coincidence is
    the pair's mean over its shared values; with canonical forms `q = 1` and the form says
    nothing).
    """
    q = np.clip(pair.coincide / np.maximum(pair.same, _FLOOR), _FLOOR, 1.0)
    same_true = pair.same_form_true
    same_false = np.maximum(pair.same_form - pair.same_form_true, 0.0)
    other_true = np.maximum(pair.same_true - pair.same_form_true, 0.0)
    other_false = np.maximum(pair.same - pair.same_form - other_true, 0.0)
    differ = np.maximum(pair.shared - pair.same, 0.0)
    pt = a1 * a2
    pf = (1 - a1) * (1 - a2) * coincide_wrong
    pd = np.maximum(1 - pt - pf, _FLOOR)
    apart = _log(other_true, pt * (1 - q)) + _log(other_false, pf * (1 - q)) + _log(differ, pd)
    independent = _log(same_true, pt * q) + _log(same_false, pf * q) + apart
    terms = [np.log(1 - prior) + independent]
    for c in COPY_RATES:
        copying = apart + (other_true + other_false + differ) * np.log(1 - c)
        for accuracy in (a1, a2):
            terms.append(
                np.log(prior / 2 / len(COPY_RATES))
                + copying
                + _log(same_true, accuracy * c + pt * q * (1 - c))
                + _log(same_false, (1 - accuracy) * c + pf * q * (1 - c))
            )
    stacked = np.stack(terms)
    weights = np.exp(stacked - stacked.max(axis=0))
    return np.asarray(1 - weights[0] / weights.sum(axis=0), dtype=np.float64)


def _log(count: Floats, probability: Floats) -> Floats:
    """`count * ln(probability)`, zero where the count is."""
    return np.where(count > 0, count * np.log(np.maximum(probability, _FLOOR)), 0.0)


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
