"""The array types of truth discovery: integer ids, float scores, integer-coded claims."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClaimSet:
    """Integer-coded claims: claim i says source `source[i]` gives value `value[i]`.

    A value is a global (item, value-cluster) id; `item_of_value[v]` is its item. A source
    claiming the same value twice counts once. `form[i]`, when known, numbers the exact
    written form of claim i's value (equal numbers: equal text; variants inside a tolerance
    differ): copiers copy the form too (`trust.dependence`). `similar[v, w]`, when known, is
    how similar values v and w of one item are (`trust.compare.value_similarity`; values x
    values, zero on the diagonal and between items). `attribute_of_item[i]`, when known,
    numbers item i's attribute (its table and field) and half: 2k and 2k + 1 are the two
    halves of attribute k's items; sources' accuracy is then estimated per attribute too
    (`trust.attribute_trust`).
    """

    source: Ints
    value: Ints
    item_of_value: Ints
    n_sources: int
    form: Ints | None = None
    similar: sp.csr_matrix | None = None
    attribute_of_item: Ints | None = None

    @property
    def n_items(self) -> int:
        """Items are numbered 0 .. n_items - 1."""
        return int(self.item_of_value.max()) + 1 if len(self.item_of_value) else 0
