"""Tables and their schema versions, documents with their provenance, rows and entities."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from api.gql import loaders
from api.gql.context import GraceInfo
from api.gql.governance_views import ReviewStatus
from api.gql.least_trusted import TrustWindow, least_trusted
from api.gql.nodes import (
    Document,
    DocumentStatus,
    Entity,
    Row,
    RowStatus,
    load_rows,
    to_rows,
)
from api.gql.pagination import (
    Connection,
    after_id,
    after_trust,
    connection,
    id_position,
    page_size,
    trust_or_id_position,
    trust_page,
)
from api.gql.permissions import requires, table_arg
from governance.rbac import Action
from graph import model
from graph.schema_store import active_versions, version_history

SchemaVersionStatus = strawberry.enum(
    model.SchemaVersionStatus,
    name="SchemaVersionStatus",
    description="A table version's lifecycle.",
)


@strawberry.enum(description="The order of a list of rows.")
class RowOrder(Enum):
    """By id (every row), or least trusted first (the rows already scored)."""

    ID = "id"
    TRUST = "trust"


@strawberry.type
class Table:
    """The active version of a table definition from `schemas/`."""

    name: str
    owner: str
    description: str
    version: int
    entity_key: list[str]
    fields: list[str]


@strawberry.type(description="The change request that puts a proposed table version in force.")
class SchemaApproval:
    """Where the approval of a table version stands."""

    request_id: str
    status: ReviewStatus
    required: int
    approvals: int


@strawberry.type(description="One version of a table definition.")
class SchemaVersion:
    """A table version: its fields, its status and, when proposed, its approval."""

    id: strawberry.ID
    table: str
    version: int
    status: SchemaVersionStatus  # type: ignore[valid-type]
    sha256: str
    entity_key: list[str]
    fields: JSON = strawberry.field(
        description="Each field's declaration by name: type, required, pii, tolerance..."
    )
    pii_fields: list[str] = strawberry.field(description="The fields holding personal data.")
    created_at: datetime | None
    previous_version: int | None
    approval: SchemaApproval | None


@strawberry.type
class CatalogQuery:
    """Reading the catalog: what tables exist and what was ingested into them."""

    @strawberry.field(
        description="Every table in force that the caller may read, with its active version.",
        extensions=requires(Action.READ),
    )
    async def tables(self, info: GraceInfo) -> list[Table]:
        readable = await info.context.access.tables()
        return [
            Table(
                name=schema.name,
                owner=schema.owner,
                description=schema.description,
                version=version.version,
                entity_key=version.entity_key,
                fields=sorted(version.fields),
            )
            for schema, version in await active_versions(info.context.services.graph)
            if schema.name in readable
        ]

    @strawberry.field(
        description="Every version of a table, newest first, with its approval state.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def schema_versions(self, info: GraceInfo, table: str) -> list[SchemaVersion]:
        graph = info.context.services.graph
        history = await version_history(graph, table)
        approvals = _approvals(await graph.read("api/catalog_schema_requests"), table)
        return [
            SchemaVersion(
                id=strawberry.ID(version.id),
                table=version.table,
                version=version.version,
                status=version.status,
                sha256=version.sha256,
                entity_key=version.entity_key,
                fields=cast(JSON, version.fields),
                pii_fields=sorted(name for name, spec in version.fields.items() if spec.get("pii")),
                created_at=version.created_at,
                previous_version=previous,
                approval=approvals.get(version.version),
            )
            for version, previous in history
        ]

    @strawberry.field(
        description="Documents the caller may read (a row of a readable table, or none), by "
        "id. A file that failed is no document: see `ingestionRuns(status: FAILED)`.",
        extensions=requires(Action.READ),
    )
    async def documents(
        self,
        info: GraceInfo,
        # not `source`: Strawberry's field extensions take a positional argument of that name
        source_id: Annotated[str | None, strawberry.argument(name="source")] = None,
        status: DocumentStatus | None = None,  # type: ignore[valid-type]
        path_contains: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Document]:
        size = page_size(first)
        records = await info.context.services.graph.read(
            "api/catalog_documents",
            {
                "after": after_id(after),
                "source": source_id,
                "status": status.value if status is not None else None,
                "path_contains": path_contains,
                "limit": size + 1,
                **await loaders.readable(info.context),
            },
        )
        found = [Document.of(loaders.DocumentRecord.parse(r["document"])) for r in records]
        return connection(found, size, id_position)

    @strawberry.field(
        description="One document with its provenance; null if unknown or not readable.",
        extensions=requires(Action.READ),
    )
    async def document(self, info: GraceInfo, id: strawberry.ID) -> Document | None:
        found = await info.context.loader(loaders.documents_loader).load(str(id))
        return Document.of(found) if found is not None else None

    @strawberry.field(
        description=(
            "The rows of a table by id, or least trusted first (`orderBy: TRUST`, rows not yet"
            " scored left out); each filter optional."
        ),
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def rows(
        self,
        info: GraceInfo,
        table: str,
        status: RowStatus | None = None,  # type: ignore[valid-type]
        key: str | None = None,
        quarantined: bool | None = None,
        min_trust: float | None = None,
        max_trust: float | None = None,
        order_by: RowOrder = RowOrder.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Row]:
        size = page_size(first)
        graph = info.context.services.graph
        filters: dict[str, Any] = {
            "table": table,
            "status": status.value if status is not None else None,
            "key": key,
            "quarantined": quarantined,
            "min_trust": min_trust,
            "max_trust": max_trust,
            "scored": order_by is RowOrder.TRUST,
        }
        active = status is model.RowStatus.ACTIVE and key is None and not quarantined
        if order_by is RowOrder.TRUST and active:
            window = TrustWindow(size + 1, after_trust(after), min_trust, max_trust)
            records = await least_trusted(graph, table, window)
        elif order_by is RowOrder.TRUST:
            records = await graph.read(
                "api/catalog_rows_by_trust", {**filters, **trust_page(after), "limit": size + 1}
            )
        else:
            records = await graph.read(
                "api/catalog_rows", {**filters, "after": after_id(after), "limit": size + 1}
            )
        found = await to_rows(info.context, [model.Row.from_node(r["row"]) for r in records])

        async def count() -> int:
            [record] = await graph.read("api/catalog_rows_count", filters)
            return int(record["total"])

        return connection(found, size, trust_or_id_position(order_by is RowOrder.TRUST), count)

    @strawberry.field(
        description="One row; null if unknown or of a table the caller may not read.",
        extensions=requires(Action.READ),
    )
    async def row(self, info: GraceInfo, id: strawberry.ID) -> Row | None:
        found = await load_rows(info.context, [str(id)])
        return found[0] if found else None

    @strawberry.field(
        description="One entity of a table with every row that describes it; null if unknown.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def entity(self, info: GraceInfo, table: str, key: str) -> Entity | None:
        records = await info.context.services.graph.read(
            "api/catalog_entity", {"table": table, "key": key}
        )
        return Entity.of(model.Entity.from_node(records[0]["entity"])) if records else None

    @strawberry.field(
        description="The entities of a table by id.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def entities(
        self, info: GraceInfo, table: str, first: int | None = None, after: str | None = None
    ) -> Connection[Entity]:
        size = page_size(first)
        graph = info.context.services.graph
        records = await graph.read(
            "api/catalog_entities", {"table": table, "after": after_id(after), "limit": size + 1}
        )
        found = [Entity.of(model.Entity.from_node(r["entity"])) for r in records]

        async def count() -> int:
            [record] = await graph.read("api/catalog_entities_count", {"table": table})
            return int(record["total"])

        return connection(found, size, id_position, count)


def _approvals(records: list[dict[str, Any]], table: str) -> dict[int, SchemaApproval]:
    """The latest change request for each version of `table`, by version."""
    found: dict[int, SchemaApproval] = {}
    for record in records:
        payload = json.loads(record["payload"] or "{}")
        if payload.get("table") != table or not isinstance(payload.get("version"), int):
            continue
        found[payload["version"]] = SchemaApproval(
            request_id=record["id"],
            status=ReviewStatus(record["status"]),
            required=int(record["required"] or 1),
            approvals=int(record["approvals"]),
        )
    return found
