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
import zlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from itertools import combinations
from operator import itemgetter

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from pydantic import JsonValue

from graph.schemas import FieldSpec, FieldType, TableSchema
from trust.compare import agrees_with_itself, cluster_values, value_similarity
from trust.truth import ClaimSet, Ints

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
    trust: float | None = None
    """The trust its last scoring stored (None if it was never scored)."""
    trust_current: bool = False
    """Whether that scoring used the scoring mode and model in force now."""
    violations: int = 0
    """How many policy rules the row breaks (its `VIOLATES` edges)."""
    node: str = ""
    """The row node's `elementId` when it was read ("" for a record built by hand): a full
    pass looks rows up by it to write their scores, without a seek of the id index."""
    features: tuple[float, ...] | None = None
    """Read by a full pass: its stored `trust_features` (`trust.features`)."""


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
    """Integer-coded claims for `trust.truth`, with the way back to rows, sources and values.

    An *assertion* is one row's value of one compared attribute; `assertion_rows[i]` is the
    row's position in the rows `build_claims` was given (`row_ids`), `assertion_claims[i]`
    the claim it joined. Assertions are in item order, then row-id order.
    """

    claims: ClaimSet
    sources: list[str]
    items: list[Item]
    attributes: list[str]
    """The attributes of the items as `table.field#half`, numbered as
    `claims.attribute_of_item` (`trust.attribute_trust`: the two halves of one attribute are
    numbered 2k and 2k + 1)."""
    representatives: list[JsonValue]
    row_ids: list[str]
    assertion_rows: Ints
    assertion_claims: Ints

    def rows_of_claims(self, claims: Ints) -> dict[int, list[str]]:
        """The ids of the rows that back each of `claims`, in assertion order (only the
        claims asked for: a full pass has millions, a conflict a few)."""
        wanted = np.zeros(len(self.claims.source), dtype=bool)
        wanted[claims] = True
        asked = wanted[self.assertion_claims]
        out: dict[int, list[str]] = {}
        for position, claim in zip(
            self.assertion_rows[asked].tolist(), self.assertion_claims[asked].tolist(), strict=True
        ):
            out.setdefault(claim, []).append(self.row_ids[position])
        return out

    @cached_property
    def row_claims(self) -> dict[str, list[int]]:
        """Row id -> the claims it backs (rows without claims are absent)."""
        out: dict[str, list[int]] = defaultdict(list)
        for position, claim in zip(
            self.assertion_rows.tolist(), self.assertion_claims.tolist(), strict=True
        ):
            out[self.row_ids[position]].append(claim)
        return dict(out)

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
    detection still sees them, so a resolved conflict stays recognisable. Within an item,
    rows are taken in id order, so the result does not depend on the order rows come in;
    sources and claims are numbered in order of first appearance (items in order, then rows
    in id order).
    """
    grouped, names = _assertions_by_item(rows, tables, include_rejected)
    items: list[Item] = []
    representatives: list[JsonValue] = []
    sources: list[int] = []
    clusters: list[int] = []  # per assertion, its value's number within its item
    positions: list[int] = []
    forms: list[int] = []  # per assertion, its written form's number within its item
    values_per_item: list[int] = []
    forms_per_item: list[int] = []
    claims_per_item: list[int] = []
    similar: list[tuple[int, int, float]] = []
    for key in sorted(grouped):
        assertions = grouped[key]
        if len(assertions) > 1:
            assertions.sort(key=_ROW_ID)  # row-id order, whatever order rows came in
        table, entity_key, attribute = key
        spec = tables[table].fields[attribute]
        _, item_sources, item_values, item_positions = zip(*assertions, strict=True)
        item_clusters, shown, distinct_of = _clustered(spec, item_values)
        if len(shown) > 1:
            similar += similar_values(spec, shown, len(representatives))
        representatives += shown
        values_per_item.append(len(shown))
        forms_per_item.append(max(distinct_of) + 1)
        claims_per_item.append(len(assertions))
        sources += item_sources
        clusters += item_clusters
        positions += item_positions
        forms += distinct_of
        items.append(Item(table, entity_key, attribute))
    per_item = np.array(claims_per_item, dtype=np.int64)
    value_of_assertion = np.array(clusters, dtype=np.int64) + np.repeat(
        _starts(values_per_item), per_item
    )
    form_of_assertion = np.array(forms, dtype=np.int64) + np.repeat(
        _starts(forms_per_item), per_item
    )
    source_of_assertion, first_source = _number_by_appearance(np.array(sources, dtype=np.int64))
    pair = source_of_assertion * max(len(representatives), 1) + value_of_assertion
    claim_of_assertion, first_claim = _number_by_appearance(pair)
    attributes, attribute_of_item = _attributes(items)
    claims = ClaimSet(
        source=source_of_assertion[first_claim],
        value=value_of_assertion[first_claim],
        item_of_value=np.repeat(np.arange(len(items), dtype=np.int64), values_per_item),
        n_sources=len(first_source),
        form=form_of_assertion[first_claim],
        similar=similarity_matrix(similar, len(representatives)),
        attribute_of_item=np.array(attribute_of_item, dtype=np.int64),
    )
    return ClaimIndex(
        claims=claims,
        sources=[names[sources[i]] for i in first_source.tolist()],
        items=items,
        attributes=attributes,
        representatives=representatives,
        row_ids=[row.id for row in rows],
        assertion_rows=np.array(positions, dtype=np.int64),
        assertion_claims=claim_of_assertion,
    )


Assertion = tuple[str, int, JsonValue, int]
"""(row id, source number, value, row position): one row's value of one item."""

_ROW_ID = itemgetter(0)


def _assertions_by_item(
    rows: Sequence[RowRecord], tables: Mapping[str, TableSchema], include_rejected: bool
) -> tuple[dict[tuple[str, str, str], list[Assertion]], list[str]]:
    """The assertions of `rows` by item (table, key, attribute), their sources numbered in
    order of first appearance among the rows of known tables, and those sources' names."""
    compared_fields = {name: _compared_fields(table) for name, table in tables.items()}
    source_numbers: dict[str, int] = {}
    grouped: dict[tuple[str, str, str], list[Assertion]] = {}
    for position, row in enumerate(rows):
        table = row.table
        fields = compared_fields.get(table)
        if fields is None:
            continue
        name = source_of(row, tables[table])
        source = source_numbers.get(name)
        if source is None:
            source = source_numbers[name] = len(source_numbers)
        rejected = () if include_rejected else row.rejected
        for attribute, value in row.values.items():
            if attribute in fields and attribute not in rejected:
                key = (table, row.key, attribute)
                assertions = grouped.get(key)
                if assertions is None:
                    grouped[key] = [(row.id, source, value, position)]
                else:
                    assertions.append((row.id, source, value, position))
    return grouped, list(source_numbers)


def _starts(sizes: Sequence[int]) -> Ints:
    """Where each of consecutive groups of `sizes` starts."""
    counts = np.array(sizes, dtype=np.int64)
    return np.cumsum(counts) - counts


def _attributes(items: Sequence[Item]) -> tuple[list[str], list[int]]:
    """The attributes of `items` as `table.field#half`, numbered so that the halves of the
    k-th attribute (in order of first appearance) are 2k and 2k + 1, and each item's."""
    first = dict.fromkeys((item.table, item.attribute) for item in items)
    base = {pair: k * HALVES for k, pair in enumerate(first)}
    names = [f"{table}.{attribute}#{half}" for table, attribute in first for half in range(HALVES)]
    return names, [base[item.table, item.attribute] + _half(item) for item in items]


def similar_values(
    spec: FieldSpec, shown: Sequence[JsonValue], offset: int
) -> list[tuple[int, int, float]]:
    """(value, value, similarity) for every ordered pair of an item's similar values, the
    values numbered from `offset` in the order of `shown`."""
    out: list[tuple[int, int, float]] = []
    for i, j in combinations(range(len(shown)), 2):
        similarity = value_similarity(spec, shown[i], shown[j])
        if similarity > 0:
            out += [(offset + i, offset + j, similarity), (offset + j, offset + i, similarity)]
    return out


def similarity_matrix(pairs: list[tuple[int, int, float]], n_values: int) -> sp.csr_matrix:
    """The values x values matrix of `similar_values` pairs."""
    rows, cols, weights = zip(*pairs, strict=True) if pairs else ((), (), ())
    return sp.csr_matrix((weights, (rows, cols)), shape=(n_values, n_values), dtype=np.float64)


def written_forms(values: Sequence[JsonValue], offset: int) -> list[int]:
    """Per value, its written form: a number (from `offset`) shared by exactly equal values."""
    return [offset + form for form in _distinct(values)]


def _number_by_appearance(keys: Ints) -> tuple[Ints, Ints]:
    """Number the distinct `keys` 0, 1, ... in order of first appearance: per key its number,
    and per number the position where it first appears."""
    if not len(keys):
        return keys, keys
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse].astype(np.int64), first[order].astype(np.int64)


def _compared_fields(table: TableSchema) -> frozenset[str]:
    """The fields of `table` whose values are compared across sources."""
    skip = {*table.entity_key, table.source_field}
    return frozenset(
        name for name, spec in table.fields.items() if name not in skip and compared(spec)
    )


def value_clusters(
    spec: FieldSpec, values: Sequence[JsonValue]
) -> tuple[list[int], list[JsonValue]]:
    """`cluster_values(spec, values)`, and per cluster the exact value asserted most often in
    it (the first of equals): what a fact shows when agreeing variants exist (10,100 and
    10,150 at 1 %).

    Exactly equal values are clustered once: most items repeat a few values many times (all
    sources agree), and comparing each distinct value once is what makes a million rows
    cheap. It gives the same clusters as long as a repeated value agrees with itself
    (`agrees_with_itself`: every value but a NaN or one of the wrong type); otherwise every
    value is clustered on its own.
    """
    clusters, shown, _ = _clustered(spec, values)
    return clusters, shown


def _clustered(
    spec: FieldSpec, values: Sequence[JsonValue]
) -> tuple[list[int], list[JsonValue], list[int]]:
    """`value_clusters`, and per value its written form (`written_forms` from 0)."""
    distinct_of = _distinct(values)
    if max(distinct_of) == 0:  # one written form: the usual item, where all sources agree
        if len(values) > 1 and not agrees_with_itself(spec, values[0]):
            clusters = cluster_values(spec, values)
            return clusters, _shown(values, distinct_of, clusters), distinct_of
        return [0] * len(values), [values[0]], distinct_of
    first = [-1] * (max(distinct_of) + 1)  # distinct value -> its first position
    counts = [0] * len(first)
    for position, d in enumerate(distinct_of):
        if first[d] < 0:
            first[d] = position
        counts[d] += 1
    if any(n > 1 and not agrees_with_itself(spec, values[first[d]]) for d, n in enumerate(counts)):
        clusters = cluster_values(spec, values)
        return clusters, _shown(values, distinct_of, clusters), distinct_of
    by_distinct = cluster_values(spec, [values[p] for p in first])
    best: dict[int, int] = {}  # cluster -> its most common distinct value (the first of equals)
    for d, cluster in enumerate(by_distinct):
        if cluster not in best or counts[d] > counts[best[cluster]]:
            best[cluster] = d
    return (
        [by_distinct[d] for d in distinct_of],
        [values[first[best[cluster]]] for cluster in range(len(best))],
        distinct_of,
    )


def _shown(
    values: Sequence[JsonValue], distinct_of: Sequence[int], clusters: Sequence[int]
) -> list[JsonValue]:
    """Per cluster, the exact value asserted most often in it (the first of equals)."""
    counts = Counter(zip(clusters, distinct_of, strict=True))
    best: dict[int, tuple[int, int]] = {}  # cluster -> (count, first position)
    for position, pair in enumerate(zip(clusters, distinct_of, strict=True)):
        cluster = pair[0]
        if cluster not in best or counts[pair] > best[cluster][0]:
            best[cluster] = (counts[pair], position)
    return [values[best[cluster][1]] for cluster in range(len(best))]


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _distinct(values: Sequence[JsonValue]) -> list[int]:
    """Per value, a number shared by exactly equal values (`_identity`), 0, 1, ... in order
    of first appearance."""
    kinds = set(map(type, values))
    # values of one scalar type are their own keys: `_identity` would only add that type
    keys = values if len(kinds) == 1 and kinds <= _SCALARS else list(map(_identity, values))
    number = {key: n for n, key in enumerate(dict.fromkeys(keys))}
    return list(map(number.__getitem__, keys))


def _identity(value: JsonValue) -> object:
    """A hashable key equal for exactly equal JSON values (1, 1.0 and true differ)."""
    if value is None or isinstance(value, str | int | float):
        return (type(value), value)
    return json.dumps(value, sort_keys=True)


HALVES = 2
"""Items of one attribute fall in two halves, by a hash of the item (`trust.attribute_trust`)."""


def _half(item: Item) -> int:
    """The item's half of its attribute: stable across passes, as its names are."""
    return zlib.crc32(f"{item.table}/{item.key}/{item.attribute}".encode()) % HALVES
