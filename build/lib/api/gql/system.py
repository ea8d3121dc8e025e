"""Fields about Grace itself, open to anyone: whether it and its stores answer."""

from __future__ import annotations

import strawberry

from api.gql.context import GraceInfo
from api.gql.permissions import public
from api.health import check_health


@strawberry.type
class Health:
    """Whether Grace and its stores answer."""

    status: str
    neo4j: bool
    redis: bool
    version: str
    profile: str


@strawberry.type
class SystemQuery:
    """Health, for probes and dashboards (no credentials needed)."""

    @strawberry.field(description="Whether the API, Neo4j and Redis answer.", extensions=public())
    async def health(self, info: GraceInfo) -> Health:
        report = await check_health(info.context.services)
        return Health(**report.model_dump())
