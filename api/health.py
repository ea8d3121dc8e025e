"""Liveness and readiness: is the process up, and can it reach Neo4j and Redis."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from api.services import Services


class HealthReport(BaseModel):
    """What `/readyz` and the GraphQL `health` query answer."""

    status: str
    neo4j: bool
    redis: bool
    version: str
    profile: str


async def check_health(services: Services) -> HealthReport:
    """Probe Neo4j and Redis concurrently."""
    neo4j_ok, redis_ok = await asyncio.gather(services.graph.ready(), services.bus.ping())
    return HealthReport(
        status="ok" if neo4j_ok and redis_ok else "degraded",
        neo4j=neo4j_ok,
        redis=redis_ok,
        version=version("grace"),
        profile=services.settings.profile.value,
    )


router = APIRouter(tags=["health"])


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readiness(request: Request, response: Response) -> HealthReport:
    """Neo4j and Redis both answer; 503 otherwise."""
    report = await check_health(request.app.state.services)
    if report.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return report
