"""The provenance explorer's hand-over to Neo4j Browser: a link that opens one node's
neighbourhood there, the node's id passed as a parameter to its kind's named statement
(`graph.browser_links.NODE_STATEMENTS`).

The link is given only for a node the caller may see, by the same rules as the fields that
show it (`row`, `document`, `conflict`, `fact`, `entity`; a source through its readable
documents); any other id is `not_found`, naming nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import strawberry

from api.gql import loaders
from api.gql.arguments import checked_id
from api.gql.context import GraceContext, GraceInfo
from api.gql.nodes import load_rows
from api.gql.permissions import Target, requires
from api.gql.review import conflict_arg, conflict_loader, fact_arg, load_facts, visible_conflict
from api.gql.trust_views import node_table
from governance.errors import NotFoundError
from governance.rbac import Action
from graph.browser_links import node_link


@strawberry.enum(description="The kinds of node the provenance explorer walks from.")
class ProvenanceKind(StrEnum):
    """A row, the entity rows describe, a document version, a source, a conflict or a fact."""

    ROW = "row"
    ENTITY = "entity"
    DOCUMENT = "document"
    SOURCE = "source"
    CONFLICT = "conflict"
    FACT = "fact"


async def provenance_target(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
    """The resource of the node `kind` and `id` name: a row's, a conflict's, a fact's or an
    entity's table (found from the node, so a refusal names nothing); anywhere for documents
    and sources, which the resolver filters by the tables of their rows."""
    kind, node = ProvenanceKind(arguments["kind"]), checked_id("id", str(arguments["id"]))
    if kind is ProvenanceKind.ROW:
        return await node_table("id")(context, {"id": node})
    if kind is ProvenanceKind.CONFLICT:
        return await conflict_arg("id")(context, {"id": node})
    if kind is ProvenanceKind.FACT:
        return await fact_arg("id")(context, {"id": node})
    if kind is ProvenanceKind.ENTITY:
        table, _, key = node.partition(":")
        return Target(table=table if key else None, by_node=True)
    return Target(anywhere=True)


async def visible(context: GraceContext, kind: ProvenanceKind, node: str) -> bool:
    """Whether the node exists and the caller may see it where the API shows it."""
    if kind is ProvenanceKind.ROW:
        return bool(await load_rows(context, [node]))
    if kind is ProvenanceKind.DOCUMENT:
        return await context.loader(loaders.documents_loader).load(node) is not None
    if kind is ProvenanceKind.CONFLICT:
        return await visible_conflict(context, await context.loader(conflict_loader).load(node))
    if kind is ProvenanceKind.FACT:
        return bool(await load_facts(context, [node]))
    if kind is ProvenanceKind.ENTITY:
        table, _, key = node.partition(":")
        found = await context.services.graph.read(
            "api/catalog_entity", {"table": table, "key": key}
        )
        return bool(found) and table in await context.access.tables()
    found = await context.services.graph.read(
        "api/catalog_documents",
        {
            "after": "",
            "source": node,
            "status": None,
            "path_contains": None,
            "limit": 1,
            **await loaders.readable(context),
        },
    )
    return bool(found)


@strawberry.type
class ProvenanceQuery:
    """Handing a node's neighbourhood over to Neo4j Browser."""

    @strawberry.field(
        description="A Neo4j Browser link whose editor holds the named statement of the node's "
        "kind (`cypher/browser/`) with its id as a parameter: the node, its documents, "
        "sources, rows, entity, conflicts and facts drawn as a graph.",
        extensions=requires(Action.READ, on=provenance_target),
    )
    async def browser_link(self, info: GraceInfo, kind: ProvenanceKind, id: strawberry.ID) -> str:
        context, node = info.context, checked_id("id", str(id))
        if not await visible(context, kind, node):
            raise NotFoundError(kind.value, node)
        services = context.services
        return node_link(services.settings, services.graph.registry, kind.value, node)
