"""What the API shows of a source beyond its node: the tables through which a caller sees
it, its claims and accuracy by table and attribute, and the copying the last full trust pass
found (`COPIES` edges). Read by `api.gql.nodes.Source`'s fields, one query per batch.

Visibility: a source's tables are the keys of its trust parts (`Source.trust_parts`, written
by every trust pass). A caller sees a source through the tables of it they may read, its
claims and accuracy only in those tables, and a copying edge only when the two sources share
a table the caller may read. Sources no trust pass reached have no tables.

Accuracy is measured against the facts: of a source's claims on items whose fact is active,
the share where the source supports the fact's value (the fact's evidence names the sources
for and against its value). It is how often the source agrees with what Grace resolved, not
a comparison with ground truth. Beside it, by attribute, the accuracy the trust engine votes
with (`Source.trust_attributes`, `trust.attribute_trust`), the number a fact's explanation
shows for the source's vote (`trust.votes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import strawberry
from pydantic import BaseModel, ConfigDict, Field
from strawberry.dataloader import DataLoader

from api.gql.context import GraceContext
from api.gql.loaders import by_id
from graph.model import Timestamp
from trust.attribute_trust import stored_votes


class CopyEdgeRecord(BaseModel):
    """One `COPIES` edge seen from one end (`api/source_views`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    partner: str
    tables: list[str]
    probability: float
    shared_true: float
    shared_false: float
    since: Timestamp | None = None


class SourceViewRecord(BaseModel):
    """A source as `api/source_views` reads it, before the caller's rights are applied."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    kind: str
    location: str
    trust: float
    estimated: bool
    tables: list[str]
    attributes: str | None = None
    """The accuracy by attribute the last full pass stored (JSON, `table.field#half`)."""
    copies: list[CopyEdgeRecord] = Field(default_factory=list)
    copied_by: list[CopyEdgeRecord] = Field(default_factory=list)


class ClaimCount(BaseModel):
    """One source's claims on the resolved items of one table and attribute
    (`api/source_accuracy`)."""

    model_config = ConfigDict(frozen=True)

    table: str
    attribute: str
    claims: int
    checked: int
    agreeing: int


def source_view_loader(context: GraceContext) -> DataLoader[str, SourceViewRecord | None]:
    """Sources by id with their tables and copying edges (None: unknown or never scored)."""

    async def load(ids: list[str]) -> list[SourceViewRecord | None]:
        records = await context.services.graph.read("api/source_views", {"ids": ids})
        return by_id(records, ids, SourceViewRecord.model_validate, None)

    return DataLoader(load_fn=load)


def claim_count_loader(context: GraceContext) -> DataLoader[str, list[ClaimCount]]:
    """Sources' claims by table and attribute, over the tables of them the caller may read."""

    async def load(ids: list[str]) -> list[list[ClaimCount]]:
        views = await context.loader(source_view_loader).load_many(ids)
        readable = await context.access.tables()
        tables = {t for view in views if view is not None for t in view.tables} & readable
        records = await context.services.graph.read(
            "api/source_accuracy", {"ids": ids, "tables": sorted(tables)}
        )
        found: dict[str, list[ClaimCount]] = defaultdict(list)
        for record in records:
            found[record["source"]].append(ClaimCount.model_validate(dict(record)))
        return [found.get(source, []) for source in ids]

    return DataLoader(load_fn=load)


@strawberry.type(description="How often a source's claims agree with the active facts.")
class SourceAccuracy:
    """A source's claims in one table (and attribute, when given) on resolved items: how
    many, how many of their facts are active, and how many of those it supports."""

    table: str
    attribute: str | None
    claims: int = strawberry.field(description="Claims on items with a fact (any status).")
    checked: int = strawberry.field(description="Claims on items whose fact is active.")
    agreeing: int = strawberry.field(description="Checked claims that support the fact's value.")
    votes_with: list[float] = strawberry.field(
        description="The accuracy the trust engine votes with on this attribute, one per half "
        "of its items (each measured on the other half), as the last full pass stored it: "
        "the accuracy behind this source's vote in a fact's explanation. Empty by table, and "
        "before a full pass."
    )

    @strawberry.field(description="agreeing / checked; null when no claim could be checked.")
    def accuracy(self) -> float | None:
        return self.agreeing / self.checked if self.checked else None


@strawberry.type(description="A suspected copying between two sources (a COPIES edge).")
class SourceCopy:
    """The other source of a `COPIES` edge and what the last full trust pass found."""

    source: strawberry.ID = strawberry.field(description="The other source's id.")
    probability: float = strawberry.field(description="The probability that the copying is real.")
    shared_true: float = strawberry.field(description="Values both claim that are true (soft).")
    shared_false: float = strawberry.field(description="Values both claim that are false (soft).")
    since: datetime | None = strawberry.field(description="When a full pass first found it.")


def accuracy_by_table(counts: Iterable[ClaimCount]) -> list[SourceAccuracy]:
    """The counts of each table summed over its attributes, by table name."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for count in counts:
        summed = sums[count.table]
        summed[0] += count.claims
        summed[1] += count.checked
        summed[2] += count.agreeing
    return [
        SourceAccuracy(
            table=table,
            attribute=None,
            claims=n,
            checked=checked,
            agreeing=agreeing,
            votes_with=[],
        )
        for table, (n, checked, agreeing) in sorted(sums.items())
    ]


async def visible_tables(
    context: GraceContext, source_id: str
) -> tuple[SourceViewRecord | None, list[str]]:
    """The source (None: unknown or never scored) and the tables of it the caller may read."""
    record = await context.loader(source_view_loader).load(source_id)
    if record is None:
        return None, []
    return record, sorted(set(record.tables) & await context.access.tables())


async def claim_counts(context: GraceContext, source_id: str) -> list[ClaimCount]:
    """The source's claims by table and attribute in the tables of it the caller may read."""
    result: list[ClaimCount] = await context.loader(claim_count_loader).load(source_id)
    return result


def accuracy_by_attribute(counts: Iterable[ClaimCount], stored: str | None) -> list[SourceAccuracy]:
    """One accuracy per table and attribute, with the accuracy the engine votes with there
    (from the `stored` accuracy by attribute, `Source.trust_attributes`)."""
    votes = stored_votes(stored)
    return [
        SourceAccuracy(
            table=c.table,
            attribute=c.attribute,
            claims=c.claims,
            checked=c.checked,
            agreeing=c.agreeing,
            votes_with=votes.get(f"{c.table}.{c.attribute}", []),
        )
        for c in counts
    ]


def shared_copies(edges: Iterable[CopyEdgeRecord], tables: Sequence[str]) -> list[SourceCopy]:
    """The edges whose partner shares one of `tables` (those the caller may read of this
    source), most probable first."""
    seen = set(tables)
    return [
        SourceCopy(
            source=strawberry.ID(edge.partner),
            probability=edge.probability,
            shared_true=edge.shared_true,
            shared_false=edge.shared_false,
            since=edge.since,
        )
        for edge in sorted(edges, key=lambda edge: (-edge.probability, edge.partner))
        if seen.intersection(edge.tables)
    ]
