"""A source's accuracy per attribute: exact on departure times, wrong on gates.

The items of each attribute fall in two halves by a hash of the item (`trust.claims`), so
attributes are numbered in pairs: 2k and 2k + 1 are the halves of one. Each (source, half)
pair a source claims is a *cell*. A claim votes with its source's accuracy measured on the
*other* half (cross-fitting): the evidence for how far to believe a source on an item never
includes that item, so a wrong value that wins an item cannot make its backers look
accurate on it and win it more surely; and a full pass and an incremental one vote with the
same stored number.

From the value confidences P(v), the other half's n claims (each counted as the share of its
vote the dependence discount keeps, so copied claims are little evidence) of which r are
right give the posterior Beta(r + 1, n - r + 1) for the accuracy. The cell votes with that
posterior's mean where its central 95 % interval excludes the source's overall accuracy
A(s), and with A(s) otherwise: a source keeps one accuracy until the data shows with
statistical support that it differs by attribute, so an attribute claimed a few times keeps
the overall one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy import stats

from trust.arrays import ClaimSet, Floats, Ints

TAIL = 0.025
"""Probability in each tail of the posterior's central 95 % interval (module docstring)."""


@dataclass(frozen=True)
class AttributeTrust:
    """Accuracy per cell: `source[i]` on attribute `attribute[i]` is `trust[i]` accurate."""

    source: Ints
    attribute: Ints
    trust: Floats

    @classmethod
    def none(cls) -> AttributeTrust:
        """No cell at all."""
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))

    def by_source(self, names: list[str], attributes: list[str]) -> list[dict[str, float]]:
        """Per source (in the order of `names`), its accuracy by attribute name."""
        out: list[dict[str, float]] = [{} for _ in names]
        for s, a, t in zip(
            self.source.tolist(), self.attribute.tolist(), self.trust.tolist(), strict=True
        ):
            out[s][attributes[a]] = t
        return out


class Cells:
    """The cells of one claim set, and the vote of each claim by its cell."""

    def __init__(
        self, claims: ClaimSet, incidence: sp.csr_matrix, *, by_attribute: bool = True
    ) -> None:
        n_values = incidence.shape[0]
        of_item = claims.attribute_of_item if by_attribute else None
        self.by_attribute = of_item is not None
        self.n_attributes = (
            int(of_item.max()) // 2 * 2 + 2 if of_item is not None and len(of_item) else 2
        )
        attribute_of_value: Ints = (
            of_item[claims.item_of_value]
            if of_item is not None
            else np.zeros(n_values, dtype=np.int64)
        )
        claim = incidence.tocoo()
        self.value_of_claim: Ints = claim.row
        self.source_of_claim: Ints = claim.col
        key = claim.col * self.n_attributes + attribute_of_value[claim.row]
        present = np.bincount(key, minlength=claims.n_sources * self.n_attributes) > 0
        self.keys: Ints = np.flatnonzero(present)
        self.cell_of_claim: Ints = (np.cumsum(present) - 1)[key]
        self.source = self.keys // self.n_attributes
        self.n_values = n_values
        self._item_of_value = claims.item_of_value
        self._n_items = claims.n_items

    @cached_property
    def _claims_by_item(self) -> tuple[Ints, Ints]:
        """The claims' (source, item) keys sorted, and the claim of each sorted key."""
        claimed = self.source_of_claim * self._n_items + self._item_of_value[self.value_of_claim]
        order = np.argsort(claimed, kind="stable")
        return claimed[order], order

    @property
    def split(self) -> bool:
        """Whether the claims name their attributes (else one accuracy per source)."""
        return self.by_attribute

    def kept(self, votes: sp.csr_matrix) -> Floats:
        """Per claim, the share of its vote `votes` (values x sources) keeps: below 1 where
        the source is discounted as a copier of that value (`trust.dependence.discount`)."""
        if not len(self.value_of_claim):
            return np.zeros(0)
        picked = votes[self.value_of_claim, self.source_of_claim]
        return np.asarray(picked, dtype=np.float64).ravel()

    def accuracy(self, overall: Floats, confidence: Floats, eps: float, kept: Floats) -> Floats:
        """Each cell's vote accuracy, measured on its other half (module docstring)."""
        right, claimed = self._evidence(confidence, kept)
        partner = np.searchsorted(self.keys, self.keys ^ 1)
        found = partner < len(self.keys)
        found[found] = self.keys[partner[found]] == (self.keys ^ 1)[found]
        picked = np.where(found, partner, 0)
        return _supported(
            np.where(found, right[picked], 0.0),
            np.where(found, claimed[picked], 0.0),
            overall[self.source],
            eps,
        )

    def _evidence(self, confidence: Floats, kept: Floats) -> tuple[Floats, Floats]:
        """Per cell, the claims right (kept share times confidence) and claimed (kept)."""
        size = len(self.keys)
        right = np.bincount(
            self.cell_of_claim, weights=kept * confidence[self.value_of_claim], minlength=size
        ).astype(np.float64)
        return right, np.bincount(self.cell_of_claim, weights=kept, minlength=size).astype(
            np.float64
        )

    def held(self, overall: Floats, known: AttributeTrust | None) -> Floats:
        """Each cell's accuracy as `known` gives it, else its source's `overall`."""
        out: Floats = overall[self.source].copy()
        if known is not None and len(known.trust):
            key = known.source * self.n_attributes + known.attribute
            position = np.searchsorted(self.keys, key)
            inside = position < len(self.keys)
            inside[inside] = self.keys[position[inside]] == key[inside]
            out[position[inside]] = known.trust[inside]
        return out

    def scores(self, weights: sp.csr_matrix, claim_votes: Floats) -> Floats:
        """Per value, the vote weights (values x sources) times the vote of the weighing
        source's claim on the value's item."""
        entry = weights.tocoo()
        key = entry.col * self._n_items + self._item_of_value[entry.row]
        claimed, order = self._claims_by_item
        position = np.minimum(np.searchsorted(claimed, key), len(claimed) - 1)
        votes = claim_votes[order[position]]
        scores = np.bincount(entry.row, weights=entry.data * votes, minlength=self.n_values)
        return scores.astype(np.float64)

    def result(self, accuracy: Floats) -> AttributeTrust:
        """The cells' accuracy as an `AttributeTrust`."""
        return AttributeTrust(self.source, self.keys % self.n_attributes, accuracy)


def _supported(right: Floats, claimed: Floats, overall: Floats, eps: float) -> Floats:
    """The posterior mean of accuracy from `right` of `claimed`, where its central interval
    excludes `overall`; `overall` elsewhere (module docstring)."""
    wrong = np.maximum(claimed - right, 0.0)
    tail = TAIL / max(len(right), 1)  # Bonferroni: every cell is a test
    low = stats.beta.ppf(tail, right + 1.0, wrong + 1.0)
    high = stats.beta.ppf(1.0 - tail, right + 1.0, wrong + 1.0)
    apart = (overall < low) | (overall > high)
    own = (right + 1.0) / (claimed + 2.0)
    return np.asarray(np.clip(np.where(apart, own, overall), eps, 1 - eps))


def numbered(
    names: Mapping[str, int], index: Mapping[str, Mapping[str, float]], sources: list[str]
) -> AttributeTrust:
    """Stored accuracies by source and attribute name (`index`: source -> attribute ->
    trust) in the numbering of `sources` and `names` (attribute -> number); names the claim
    set does not hold are left out."""
    rows = [
        (s, names[attribute], trust)
        for s, source in enumerate(sources)
        for attribute, trust in index.get(source, {}).items()
        if attribute in names
    ]
    return AttributeTrust(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.float64),
    )


def stored_votes(stored: str | None) -> dict[str, list[float]]:
    """`table.field` -> the accuracy a source votes with on each half of the attribute's items
    (in half order), from the `trust_attributes` JSON (`table.field#half` -> trust) a full
    pass stored; empty when none was."""
    halves: dict[str, dict[int, float]] = {}
    for name, trust in (json.loads(stored) if stored else {}).items():
        attribute, _, half = name.rpartition("#")
        halves.setdefault(attribute, {})[int(half)] = float(trust)
    return {attribute: [t for _, t in sorted(by.items())] for attribute, by in halves.items()}
