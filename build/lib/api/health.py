"""Health probes: `/health/live` (the process is up), `/health/startup` (the app finished
opening its services), `/health/ready` (Neo4j and Redis answer and every migration in
`cypher/migrations/` is applied); each answers 503 with the failed checks otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from importlib.metadata import version
from typing import TypeVar

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from api.services import Services
from graph.errors import GraceError
from graph.migrations import pending_migrations

STARTED = "started"
"""The `app.state` flag the lifespan sets once the services are open."""
CHECK_TIMEOUT_SECONDS = 2.0
"""A store that has not answered by then counts as down (the driver would retry for 30 s)."""

T = TypeVar("T")


class HealthReport(BaseModel):
    """Whether Neo4j and Redis answer (the GraphQL `health` query)."""

    status: str
    neo4j: bool
    redis: bool
    version: str
    profile: str


class ReadinessReport(HealthReport):
    """What `/health/ready` answers: the stores, the migrations, and which checks failed."""

    migrations: bool
    pending_migrations: list[str]
    failed: list[str]


class ProbeReport(BaseModel):
    """What `/health/live` and `/health/startup` answer."""

    status: str


async def _within(check: Awaitable[T], fallback: T) -> T:
    try:
        return await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return fallback


async def check_health(services: Services) -> HealthReport:
    """Probe Neo4j and Redis concurrently, each for at most `CHECK_TIMEOUT_SECONDS`."""
    neo4j_ok, redis_ok = await asyncio.gather(
        _within(services.graph.ready(), False), _within(services.bus.ping(), False)
    )
    return HealthReport(
        status="ok" if neo4j_ok and redis_ok else "degraded",
        neo4j=neo4j_ok,
        redis=redis_ok,
        version=version("grace"),
        profile=services.settings.profile.value,
    )


async def _pending(services: Services) -> list[str] | None:
    """The migrations not applied yet; None when that cannot be told (Neo4j down, a
    migration edited after it was applied)."""
    try:
        return await pending_migrations(services.graph)
    except GraceError:
        return None


async def check_readiness(services: Services) -> ReadinessReport:
    """Probe the stores and the migrations concurrently."""
    health, pending = await asyncio.gather(
        check_health(services), _within(_pending(services), None)
    )
    migrations_ok = pending == []
    checks = {"neo4j": health.neo4j, "redis": health.redis, "migrations": migrations_ok}
    failed = [name for name, ok in checks.items() if not ok]
    return ReadinessReport(
        **{**health.model_dump(), "status": "ok" if not failed else "unavailable"},
        migrations=migrations_ok,
        pending_migrations=pending or [],
        failed=failed,
    )


def _started(request: Request) -> bool:
    return bool(getattr(request.app.state, STARTED, False))


router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def liveness() -> ProbeReport:
    """The process is up (no dependency is checked)."""
    return ProbeReport(status="ok")


@router.get("/startup")
async def startup(request: Request, response: Response) -> ProbeReport:
    """The app opened its services; 503 before (and after shutdown)."""
    if _started(request):
        return ProbeReport(status="ok")
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return ProbeReport(status="starting")


@router.get("/ready", response_model=ReadinessReport | ProbeReport)
async def readiness(request: Request, response: Response) -> ReadinessReport | ProbeReport:
    """Neo4j and Redis answer and no migration is pending; 503 with the failed checks otherwise."""
    if not _started(request):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return ProbeReport(status="starting")
    report = await check_readiness(request.app.state.services)
    if report.failed:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return report
