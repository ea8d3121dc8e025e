"""The GraphQL schema (Strawberry). This foundation exposes health and the table registry."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.fastapi import BaseContext
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from api.health import check_health
from api.services import Services
from graph.schema_store import active_versions

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000


class Context(BaseContext):
    """Per-request GraphQL context."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services


GraceInfo = Info[Context, None]


@strawberry.type
class Health:
    """Whether Grace and its stores answer."""

    status: str
    neo4j: bool
    redis: bool
    version: str
    profile: str


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
class Query:
    """Read operations."""

    @strawberry.field(description="Whether the API, Neo4j and Redis answer.")
    async def health(self, info: GraceInfo) -> Health:
        report = await check_health(info.context.services)
        return Health(**report.model_dump())

    @strawberry.field(description="Every table definition in force, with its active version.")
    async def tables(self, info: GraceInfo) -> list[Table]:
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
        ]


schema = strawberry.Schema(
    query=Query,
    config=StrawberryConfig(batching_config={"max_operations": 10}),
    extensions=[
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
    ],
)
