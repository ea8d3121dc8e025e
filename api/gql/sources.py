"""The sources of the schema: `sources` (a page, most trusted first or by id) and
`source(id)`; what a source shows and who sees it is `api.gql.source_views`."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

import strawberry

from api.gql.context import GraceContext, GraceInfo
from api.gql.nodes import Source
from api.gql.pagination import (
    Connection,
    after_id,
    connection,
    page_size,
    trust_or_id_position,
    trust_page,
)
from api.gql.permissions import requires, table_arg
from api.gql.review import known_table
from api.gql.source_views import source_view_loader, visible_tables
from governance.rbac import Action


async def load_sources(context: GraceContext, ids: Sequence[str]) -> list[Source]:
    """The sources of `ids` the caller may see (through a table they may read), in order."""
    await context.loader(source_view_loader).load_many(list(ids))  # one query for the page
    sources = []
    for source_id in ids:
        record, tables = await visible_tables(context, source_id)
        if record is not None and tables:
            sources.append(
                Source(id=record.id, kind=record.kind, location=record.location, trust=record.trust)
            )
    return sources


@strawberry.enum(description="The order of a list of sources.")
class SourceOrder(Enum):
    """Most trusted first, or by id."""

    TRUST = "trust"
    ID = "id"


@strawberry.type
class SourceQuery:
    """Reading sources: their trust, accuracy and copying."""

    @strawberry.field(
        description="The sources the caller may see (through the tables they may read), most "
        "trusted first (`orderBy: TRUST`) or by id; `table` and `minTrust` optional.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def sources(
        self,
        info: GraceInfo,
        table: str | None = None,
        min_trust: float | None = None,
        order_by: SourceOrder = SourceOrder.TRUST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Source]:
        context = info.context
        size = page_size(first)
        if table is not None:
            await known_table(context, table)
        graph = context.services.graph
        filters: dict[str, Any] = {
            "table": table,
            "min_trust": min_trust,
            "tables": sorted(await context.access.tables()),
        }
        if order_by is SourceOrder.TRUST:
            page = {**filters, **trust_page(after), "limit": size + 1}
            records = await graph.read("api/sources_by_trust", page)
        else:
            page = {**filters, "after": after_id(after), "limit": size + 1}
            records = await graph.read("api/sources_by_id", page)
        found = await load_sources(context, [r["id"] for r in records])

        async def count() -> int:
            [record] = await graph.read("api/sources_count", filters)
            return int(record["total"])

        by_trust = order_by is SourceOrder.TRUST
        return connection(found, size, trust_or_id_position(by_trust), count)

    @strawberry.field(
        description="One source; null if unknown, never scored, or of no table the caller "
        "may read.",
        extensions=requires(Action.READ),
    )
    async def source(self, info: GraceInfo, id: strawberry.ID) -> Source | None:
        found = await load_sources(info.context, [str(id)])
        return found[0] if found else None
