"""What pairs of sources share: the evidence `trust.dependence` weighs, computed once per
claim set.

Only pairs of sources that claim a common item are ever formed: every pair of claims on one
item is listed (an item claimed by k sources gives k (k - 1) / 2 co-claims), and a pair is
assessed when it shares at least MIN_SHARED items. Pairs are keyed `a * n + b` (a < b, n
sources) and numbered in key order by a `PairIndex`: a table over the whole key space
where that space is no larger than the co-claims (a few thousand sources sharing many
items: counting is then a histogram), sorted keys otherwise (many sources sharing little).
Each co-claim of one value (and of one written form) is listed once by its pair, so what
changes from round to round, the summed confidence of the values a pair shares, is a
weighted count over that list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats, Ints

MIN_SHARED = 3
"""Pairs sharing fewer items than this are not assessed: there is no evidence either way."""


class PairIndex:
    """The pairs `a < b` of `n_sources` sources with at least MIN_SHARED of `keys` (one key
    `a * n_sources + b` per item the pair shares), numbered in key order."""

    def __init__(self, keys: Ints, n_sources: int) -> None:
        self.n_sources = n_sources
        space = n_sources * n_sources
        self.dense = space <= len(keys)
        """Whether pairs are found through a table over the key space (module docstring)."""
        if self.dense:
            counts = np.bincount(keys, minlength=space)
            kept = counts >= MIN_SHARED
            self.keys: Ints = np.flatnonzero(kept)
            self.shared: Ints = counts[self.keys]
            self._table: Ints = np.where(kept, np.cumsum(kept) - 1, -1)
        else:
            unique, counts = np.unique(keys, return_counts=True)
            self.keys = unique[counts >= MIN_SHARED]
            self.shared = counts[counts >= MIN_SHARED]
            self._table = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, keys: Ints) -> tuple[Ints, npt.NDArray[np.bool_]]:
        """Each key's pair number, and whether it is one of the pairs (else the number is
        meaningless)."""
        if self.dense:
            position = self._table[keys]
            return position, position >= 0
        position = np.searchsorted(self.keys, keys)
        found = position < len(self.keys)
        found[found] = self.keys[position[found]] == keys[found]
        return position, found


@dataclass(frozen=True)
class Overlap:
    """What the pairs `a < b` sharing at least MIN_SHARED items share, whatever the values'
    confidence: `shared` items, `same` values, `same_form` written forms, and `coincide`,
    the summed chance that two independent claimers of a shared value write it alike.

    Each co-claim of a value is listed by its pair and value (`value_pair`, `value`), each
    co-claim of a form by its pair and the form's value (`form_pair`, `form_value`); without
    written forms (`forms_are_values`) the two lists are the same.
    """

    a: Ints
    b: Ints
    shared: Floats
    same: Floats
    same_form: Floats
    coincide: Floats
    value_pair: Ints
    value: Ints
    form_pair: Ints
    form_value: Ints
    forms_are_values: bool

    @classmethod
    def of(cls, claims: ClaimSet, incidence: sp.csr_matrix) -> Overlap:
        """The overlap of the sources of `claims` (`incidence`: values x sources)."""
        n_values, n_sources = incidence.shape
        to_item = sp.csr_matrix(
            (np.ones(n_values), (claims.item_of_value, np.arange(n_values))),
            shape=(claims.n_items, n_values),
        )
        covers = sp.csr_matrix((to_item @ incidence).sign())
        index = PairIndex(_co_claims(covers)[0], n_sources)
        value_pair, value = _listed(incidence, index)
        same = _count(value_pair, len(index))
        form = claims.form if claims.form is not None and len(claims.form) else None
        form_pair, form_value, same_form, coincide = (
            (value_pair, value, same, same)
            if form is None
            else _form_overlap(claims, form, index, value_pair, value)
        )
        return cls(
            a=index.keys // n_sources,
            b=index.keys % n_sources,
            shared=index.shared.astype(np.float64),
            same=same,
            same_form=same_form,
            coincide=coincide,
            value_pair=value_pair,
            value=value,
            form_pair=form_pair,
            form_value=form_value,
            forms_are_values=form is None,
        )

    def values_only(self) -> Overlap:
        """The same overlap with written forms left out: each shared value counts as written
        alike by chance (`q = 1`: how values are written says nothing)."""
        return replace(
            self,
            same_form=self.same,
            coincide=self.same,
            form_pair=self.value_pair,
            form_value=self.value,
            forms_are_values=True,
        )

    def summed(self, confidence: Floats) -> tuple[Floats, Floats]:
        """Per pair, the summed `confidence` of the values it shares, and of the values it
        shares in the same written form."""
        n_pairs = len(self.a)
        same_true = _count(self.value_pair, n_pairs, confidence[self.value])
        if self.forms_are_values:
            return same_true, same_true
        return same_true, _count(self.form_pair, n_pairs, confidence[self.form_value])


def _co_claims(matrix: sp.csr_matrix) -> tuple[Ints, Ints]:
    """Every pair of columns `a < b` set in one row of `matrix`, keyed `a * n_columns + b`,
    with that row (rows of k columns at a time, written into arrays made once)."""
    matrix.sort_indices()
    n_columns = matrix.shape[1]
    lengths = np.diff(matrix.indptr)
    groups = [(k, np.flatnonzero(lengths == k)) for k in np.unique(lengths[lengths >= 2]).tolist()]
    ends = np.cumsum([0] + [len(at) * k * (k - 1) // 2 for k, at in groups])
    keys = np.empty(ends[-1], dtype=np.int64)
    rows = np.empty(ends[-1], dtype=np.int64)
    for (k, at), start, end in zip(groups, ends[:-1], ends[1:], strict=True):
        members = matrix.indices[matrix.indptr[at][:, None] + np.arange(k)].astype(np.int64)
        first, second = np.triu_indices(k, 1)
        paired = keys[start:end].reshape(len(at), len(first))
        np.add((members * n_columns)[:, first], members[:, second], out=paired)
        rows[start:end] = np.repeat(at, len(first))
    return keys, rows


def _listed(matrix: sp.csr_matrix, index: PairIndex) -> tuple[Ints, Ints]:
    """The co-claims of the rows of `matrix` by the pairs of `index`: (pair, row)."""
    keys, rows = _co_claims(matrix)
    position, found = index.find(keys)
    return position[found], rows[found]


def _form_overlap(
    claims: ClaimSet, form: Ints, index: PairIndex, value_pair: Ints, value: Ints
) -> tuple[Ints, Ints, Floats, Floats]:
    """The co-claims of written forms by the pairs of `index` (pair, the form's value), the
    count of them per pair, and per pair the summed chance that the claimers of the values
    it shares (`value_pair`, `value`) write them alike."""
    n_forms = int(form.max()) + 1
    forms = sp.csr_matrix(
        (np.ones(len(form)), (form, claims.source)), shape=(n_forms, claims.n_sources)
    )
    forms.sum_duplicates()
    forms.data[:] = 1.0
    value_of_form = np.zeros(n_forms, dtype=np.int64)
    value_of_form[form] = claims.value
    form_pair, form_row = _listed(forms, index)
    coincide = _coincidence(forms, value_of_form, len(claims.item_of_value))
    return (
        form_pair,
        value_of_form[form_row],
        _count(form_pair, len(index)),
        _count(value_pair, len(index), coincide[value]),
    )


def _coincidence(forms: sp.csr_matrix, form_value: Ints, n_values: int) -> Floats:
    """Per value, the chance that two of its claimers write it the same way: the sum over
    its forms of (share of its claimers using the form) squared."""
    per_form = np.asarray(forms.sum(axis=1), dtype=np.float64).ravel()
    per_value = np.bincount(form_value, weights=per_form, minlength=n_values)
    share = per_form / np.maximum(per_value[form_value], 1.0)
    return np.bincount(form_value, weights=share**2, minlength=n_values).astype(np.float64)


def _count(pair: Ints, n_pairs: int, weights: Floats | None = None) -> Floats:
    """Per pair, how many co-claims it has (or their summed `weights`)."""
    return np.bincount(pair, weights=weights, minlength=n_pairs).astype(np.float64)
