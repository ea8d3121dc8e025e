"""A source's accuracy per attribute: exact on departure times, wrong on gates.

Each (source, attribute) pair a source claims is a *cell*. A cell's accuracy is the mean
confidence of the source's values of that attribute, shrunk toward the source's overall
accuracy by SHRINK pseudo-claims:

    A(s, a) = (sum of P(v) over s's values of a + SHRINK * A(s)) / (n(s, a) + SHRINK)

so an attribute a source claims a few times keeps about its overall accuracy, and one it
claims often earns its own. A claim votes with its cell's accuracy (`trust.truth`). With one
attribute, every cell's accuracy is its source's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats, Ints

SHRINK = 5.0
"""Pseudo-claims at the source's overall accuracy in each cell (see the module)."""


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

    def __init__(self, claims: ClaimSet, incidence: sp.csr_matrix) -> None:
        n_values = incidence.shape[0]
        of_item = claims.attribute_of_item
        self.n_attributes = int(of_item.max()) + 1 if of_item is not None and len(of_item) else 1
        self.attribute_of_value: Ints = (
            of_item[claims.item_of_value]
            if of_item is not None
            else np.zeros(n_values, dtype=np.int64)
        )
        claim = incidence.tocoo()
        self.keys, self.cell_of_claim = np.unique(
            claim.col * self.n_attributes + self.attribute_of_value[claim.row],
            return_inverse=True,
        )
        self.value_of_claim: Ints = claim.row
        self.counts = np.bincount(self.cell_of_claim, minlength=len(self.keys)).astype(np.float64)
        self.source = self.keys // self.n_attributes
        self.n_values = n_values

    @property
    def split(self) -> bool:
        """Whether there is more than one attribute (else cells are sources)."""
        return self.n_attributes > 1

    def accuracy(self, overall: Floats, confidence: Floats, eps: float) -> Floats:
        """Each cell's accuracy at value confidences `confidence` (module docstring)."""
        sums = np.bincount(
            self.cell_of_claim, weights=confidence[self.value_of_claim], minlength=len(self.keys)
        )
        shrunk = (sums + SHRINK * overall[self.source]) / (self.counts + SHRINK)
        return np.asarray(np.clip(shrunk, eps, 1 - eps))

    def held(self, overall: Floats, known: AttributeTrust | None) -> Floats:
        """Each cell's accuracy as `known` gives it, else its source's `overall`."""
        out: Floats = overall[self.source].copy()
        if known is not None and len(known.trust):
            position = np.searchsorted(
                self.keys, known.source * self.n_attributes + known.attribute
            )
            inside = position < len(self.keys)
            inside[inside] = (
                self.keys[position[inside]]
                == (known.source * self.n_attributes + known.attribute)[inside]
            )
            out[position[inside]] = known.trust[inside]
        return out

    def scores(self, weights: sp.csr_matrix, cell_votes: Floats) -> Floats:
        """Per value, the summed vote weights times the votes of their cells."""
        entry = weights.tocoo()
        key = entry.col * self.n_attributes + self.attribute_of_value[entry.row]
        position = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return np.bincount(
            entry.row, weights=entry.data * cell_votes[position], minlength=self.n_values
        ).astype(np.float64)

    def result(self, accuracy: Floats) -> AttributeTrust:
        """The cells' accuracy as an `AttributeTrust`."""
        return AttributeTrust(self.source, self.keys % self.n_attributes, accuracy)


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
