"""From rows to claims: what each source asserts about each attribute of each entity.

An *item* is one attribute of one entity (`cities:lyon-fr` / `population`). Every active row
that carries the attribute makes a claim about it for its source; values that agree within
the field's tolerance (`trust.compare.cluster_values`) are one *value*. A source that asserts
the same value in several rows makes one claim, backed by all of them.

Compared: scalar fields and whole lists. Not compared: the entity key, the row's own source
column, free text (semantic conflicts are a separate detector) and multi-valued lists, whose
elements can all be true at once.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from pydantic import JsonValue

from graph.schemas import FieldSpec, FieldType, TableSchema
from trust.compare import cluster_values
from trust.truth import ClaimSet

NAMED_SOURCE_PREFIX = "named:"


@dataclass(frozen=True)
class RowRecord:
    """An active row as the trust engine reads it."""

    id: str
    table: str
    key: str
    values: dict[str, JsonValue]
    source: str
    document: str
    ingested_at: datetime | None = None
    reads: int = 0
    rejected: frozenset[str] = frozenset()
    """Attributes whose value a reconciliation rejected: they count for nothing in resolution."""


@dataclass(frozen=True)
class Item:
    """One attribute of one entity."""

    table: str
    key: str
    attribute: str

    @property
    def entity(self) -> str:
        """The entity id (`table:key`)."""
        return f"{self.table}:{self.key}"


@dataclass
class ClaimIndex:
    """Integer-coded claims for `trust.truth`, with the way back to rows, sources and values."""

    claims: ClaimSet
    sources: list[str]
    items: list[Item]
    representatives: list[JsonValue]
    claim_rows: list[list[str]]
    row_claims: dict[str, list[int]] = field(default_factory=dict)

    def source_index(self) -> dict[str, int]:
        """Source id -> its index."""
        return {source: index for index, source in enumerate(self.sources)}


def compared(spec: FieldSpec) -> bool:
    """Whether values of this field are compared across sources."""
    return not spec.multi_valued and spec.type is not FieldType.TEXT


def source_of(row: RowRecord, table: TableSchema) -> str:
    """The row's own source when its table names a source column and the row fills it."""
    if table.source_field:
        named = row.values.get(table.source_field)
        if isinstance(named, str) and named.strip():
            return NAMED_SOURCE_PREFIX + named.strip()
    return row.source


def build_claims(
    rows: Sequence[RowRecord],
    tables: Mapping[str, TableSchema],
    *,
    include_rejected: bool = False,
) -> ClaimIndex:
    """Encode the claims of `rows` (rows of unknown tables are ignored).

    Values a reconciliation rejected are left out unless `include_rejected`: conflict
    detection still sees them, so a resolved conflict stays recognisable.
    """
    grouped: dict[Item, list[tuple[str, JsonValue, str]]] = defaultdict(list)
    for row in rows:
        table = tables.get(row.table)
        if table is None:
            continue
        source = source_of(row, table)
        skip = {*table.entity_key, table.source_field}
        for attribute, value in row.values.items():
            spec = table.fields.get(attribute)
            if spec is None or attribute in skip or not compared(spec):
                continue
            if attribute in row.rejected and not include_rejected:
                continue
            grouped[Item(row.table, row.key, attribute)].append((source, value, row.id))
    sources: dict[str, int] = {}
    items: list[Item] = []
    representatives: list[JsonValue] = []
    item_of_value: list[int] = []
    claim_of: dict[tuple[int, int], int] = {}
    claim_rows: list[list[str]] = []
    row_claims: dict[str, list[int]] = defaultdict(list)
    for item, assertions in sorted(grouped.items(), key=lambda pair: _order(pair[0])):
        spec = tables[item.table].fields[item.attribute]
        clusters = cluster_values(spec, [value for _, value, _ in assertions])
        offset = len(representatives)
        for cluster in range(max(clusters) + 1):
            members = [
                value for (_, value, _), c in zip(assertions, clusters, strict=True) if c == cluster
            ]
            representatives.append(_most_common(members))
            item_of_value.append(len(items))
        for (source, _, row_id), cluster in zip(assertions, clusters, strict=True):
            key = (sources.setdefault(source, len(sources)), offset + cluster)
            if key not in claim_of:
                claim_of[key] = len(claim_rows)
                claim_rows.append([])
            claim_rows[claim_of[key]].append(row_id)
            row_claims[row_id].append(claim_of[key])
        items.append(item)
    pairs = sorted(claim_of, key=claim_of.__getitem__)
    claims = ClaimSet(
        source=np.array([source for source, _ in pairs], dtype=np.int64),
        value=np.array([value for _, value in pairs], dtype=np.int64),
        item_of_value=np.array(item_of_value, dtype=np.int64),
        n_sources=len(sources),
    )
    return ClaimIndex(
        claims=claims,
        sources=list(sources),
        items=items,
        representatives=representatives,
        claim_rows=claim_rows,
        row_claims=dict(row_claims),
    )


def _most_common(values: Sequence[JsonValue]) -> JsonValue:
    """The exact value asserted most often within a cluster (the first of equals): the
    value a fact shows when several agreeing variants (10,100 and 10,150 at 1 %) exist."""
    counts = Counter(json.dumps(value, sort_keys=True) for value in values)
    best = max(counts.values())
    return next(v for v in values if counts[json.dumps(v, sort_keys=True)] == best)


def _order(item: Item) -> tuple[str, str, str]:
    return item.table, item.key, item.attribute
