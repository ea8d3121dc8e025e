"""Value conflicts: items whose claims fall into more than one value cluster.

The guard against false invalidation lives in what is compared, not in a threshold: only
claims about the same entity and attribute are ever set against each other (items come from
`Entity <- DESCRIBES - Row`), values that agree within the field's tolerance are one cluster,
and multi-valued fields and free text are never value-compared (`trust.claims.compared`).

A finding carries the resolution the trust engine would make: the winning value with its
confidence, the rows and sources behind every value, and, for each losing row, the row of the
winning value it contradicts. Whether anything is applied is decided elsewhere (healing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from pydantic import JsonValue

from trust.claims import ClaimIndex, Item
from trust.truth import TruthResult


@dataclass(frozen=True)
class ClaimedValue:
    """One value cluster of an item: what it says, how confident Grace is, who says it."""

    value: JsonValue
    confidence: float
    rows: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ValueConflict:
    """An entity attribute on which active rows disagree beyond tolerance."""

    item: Item
    winner: ClaimedValue
    losers: tuple[ClaimedValue, ...]

    @property
    def id(self) -> str:
        """Stable id: one conflict per entity and attribute."""
        return f"conflict:value:{self.item.entity}:{self.item.attribute}"

    @property
    def confidence(self) -> float:
        """How sure the resolution is that the winning value is the true one."""
        return self.winner.confidence

    @property
    def fingerprint(self) -> str:
        """Digest of which rows assert which value: a new row or value changes it."""
        groups = sorted(
            [json.dumps(v.value, sort_keys=True), *sorted(v.rows)]
            for v in (self.winner, *self.losers)
        )
        return hashlib.sha256(json.dumps(groups).encode("utf-8")).hexdigest()

    def kept(self, chosen_row: str | None = None) -> ClaimedValue:
        """The value a resolution keeps: `chosen_row`'s, or the suggested one."""
        row = chosen_row or self.winner.rows[0]
        return next(v for v in (self.winner, *self.losers) if row in v.rows)

    @property
    def losing_rows(self) -> tuple[str, ...]:
        """Rows whose value for the attribute would be rejected by the suggested resolution."""
        return tuple(sorted({row for value in self.losers for row in value.rows}))

    def edges(self) -> list[tuple[str, str]]:
        """(losing row, winning row) pairs: each losing row contradicts one row of the winner,
        so k disagreeing rows make k edges, not k * (k - 1) / 2."""
        anchor = self.winner.rows[0]
        return [(row, anchor) for row in self.losing_rows]


def find_value_conflicts(
    index: ClaimIndex,
    result: TruthResult,
    among: Collection[tuple[str, str]] | None = None,
) -> list[ValueConflict]:
    """Every item of `index` with at least two value clusters, with `result`'s resolution;
    with `among`, only the items whose (entity, attribute) it holds."""
    item_of_value = index.claims.item_of_value
    counts = np.bincount(item_of_value, minlength=len(index.items))
    if among is not None:
        wanted = [(item.entity, item.attribute) in among for item in index.items]
        counts = np.where(np.array(wanted, dtype=bool), counts, 0)
    disputed = counts[item_of_value] >= 2
    values_of_item: dict[int, list[int]] = {}
    for value in np.flatnonzero(disputed).tolist():
        values_of_item.setdefault(int(item_of_value[value]), []).append(value)
    claims = np.flatnonzero(disputed[index.claims.value])
    claims_of_value: dict[int, list[int]] = {}
    for claim, value in zip(claims.tolist(), index.claims.value[claims].tolist(), strict=True):
        claims_of_value.setdefault(value, []).append(claim)
    rows = index.rows_of_claims(claims)
    conflicts = []
    for item_id, values in values_of_item.items():
        winner = int(result.winner[item_id])
        described = {
            value: _claimed(index, result, value, claims_of_value.get(value, []), rows)
            for value in values
        }
        conflicts.append(
            ValueConflict(
                item=index.items[item_id],
                winner=described[winner],
                losers=tuple(described[v] for v in values if v != winner),
            )
        )
    return conflicts


def _claimed(
    index: ClaimIndex,
    result: TruthResult,
    value: int,
    claims: list[int],
    rows_of_claims: dict[int, list[str]],
) -> ClaimedValue:
    rows = sorted({row for claim in claims for row in rows_of_claims.get(claim, [])})
    sources = sorted({index.sources[int(index.claims.source[claim])] for claim in claims})
    return ClaimedValue(
        value=index.representatives[value],
        confidence=float(result.fact_confidence[value]),
        rows=tuple(rows),
        sources=tuple(sources),
    )
