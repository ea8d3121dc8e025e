"""What the graph holds at a glance: the open conflicts by attribute and the sources ranked
by trust (the summary `grace up` and `grace ingest` print), and each table's stored trust
aggregate, which the trust dashboard reads: a full trust pass refreshes it from the rows,
and every change to rows moves it in its own transaction (`trust.aggregate_shift`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from graph.graph import Graph, GraphTransaction, Record
from graph.model import TrustAggregate
from trust.aggregate_shift import AGGREGATE_BUCKETS
from trust.lowest_rows import ListEnd, keep_lowest


@dataclass(frozen=True)
class ConflictGroup:
    """Open conflicts of one kind on one attribute of a table (no table: between texts)."""

    table: str | None
    kind: str
    attribute: str | None
    conflicts: int
    example: str | None
    """One entity these conflicts are about (none for conflicts between documents)."""


@dataclass(frozen=True)
class SourceTrust:
    """A scored source and how many documents it holds."""

    id: str
    trust: float
    documents: int
    estimated: bool
    """Whether a full pass estimated the trust (else it is the starting trust)."""


@dataclass(frozen=True)
class Overview:
    """Open conflicts, most numerous first, and sources, least trusted first."""

    conflicts: list[ConflictGroup]
    sources: list[SourceTrust]

    @property
    def open_conflicts(self) -> int:
        """All open conflicts."""
        return sum(group.conflicts for group in self.conflicts)


async def read_overview(graph: Graph) -> Overview:
    """The open conflicts and the scored sources now."""
    groups = await graph.read("admin/open_conflicts_by_attribute")
    sources = await graph.read("admin/sources_by_trust")  # with documents only
    return Overview(
        conflicts=[
            ConflictGroup(g["table"], g["kind"], g["attribute"], g["conflicts"], g["example"])
            for g in groups
        ],
        sources=[SourceTrust(s["id"], s["trust"], s["documents"], s["estimated"]) for s in sources],
    )


class TableTrust(TrustAggregate):
    """A table's stored trust aggregate with the counts the dashboard asks of it; bucket b
    holds b / 100 <= trust < (b + 1) / 100, `top` the rows at 1.0 (the last bucket also
    holds 0.99 <= trust < 1.0)."""

    def under(self, threshold: float) -> int | None:
        """Rows with trust < `threshold`, or None when it is no multiple of 0.01."""
        index = _bucket_index(threshold)
        if index is None:
            return None
        return (
            sum(self.buckets) - self.top
            if index == AGGREGATE_BUCKETS
            else sum(self.buckets[:index])
        )

    def at_or_over(self, threshold: float) -> int | None:
        """Rows with trust >= `threshold`, or None when it is no multiple of 0.01."""
        index = _bucket_index(threshold)
        if index is None:
            return None
        return self.top if index == AGGREGATE_BUCKETS else sum(self.buckets[index:])

    def histogram(self, buckets: int) -> list[int]:
        """The counts in `buckets` equal buckets (a divisor of `AGGREGATE_BUCKETS`)."""
        width = AGGREGATE_BUCKETS // buckets
        return [sum(self.buckets[b * width : (b + 1) * width]) for b in range(buckets)]


def _bucket_index(threshold: float) -> int | None:
    """k when `threshold` is the double k / 100 (as a policy's `0.57` is), else None."""
    index = round(threshold * AGGREGATE_BUCKETS)
    exact = 0 <= index <= AGGREGATE_BUCKETS and index / AGGREGATE_BUCKETS == threshold
    return index if exact else None


async def refresh_table_trust(
    graph: Graph, tables: Collection[str], *, relist: bool = False
) -> list[Record]:
    """Store the trust aggregate of each of `tables` from its active rows now, and a list of
    its least trusted rows where it has none, or for every table with `relist` (after a full
    pass, which wrote its rows without keeping the lists: `trust.lowest_rows`); returns each
    table (`id`, `table`) with its mean trust `before` and `after` (None: no scored row)."""
    if not tables:
        return []

    async def refresh(tx: GraphTransaction) -> list[Record]:
        records = await tx.run("trust/refresh_table_trust", {"tables": sorted(tables)})
        unlisted = [ListEnd.unknown(r["table"]) for r in records if relist or not r["listed"]]
        await keep_lowest(tx, unlisted, ())
        return records

    return await graph.transaction(refresh)


async def read_table_trust(graph: Graph, table: str) -> TableTrust | None:
    """The stored trust aggregate of `table`, or None before any pass wrote one."""
    records = await graph.read("api/trust_aggregate", {"table": table})
    if not records:
        return None
    return TableTrust.from_node(records[0])
