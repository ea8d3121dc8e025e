"""Tables and their schema versions, documents with their provenance, rows and entities."""

from __future__ import annotations

import strawberry

from api.gql.context import GraceInfo
from api.gql.permissions import requires
from governance.rbac import Action
from graph.schema_store import active_versions


@strawberry.type
class Table:
    """The active version of a table definition from `schemas/`."""

    name: str
    owner: str
    description: str
    version: int
    entity_key: list[str]
    fields: list[str]


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
