"""The worker's recurring jobs run against the real graph and report what they did."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from governance.audit import AuditLog
from governance.checkpoint import drop_anchor
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.maintenance import MAINTENANCE_TASKS
from ingest.schedules import cron_jobs
from ingest.worker import SCHEDULED_TASKS
from trust.services import TrustServices

pytestmark = pytest.mark.integration

EXPECTED = {
    "trust_train": {"decisions", "version", "in_force", "model_in_force", "reason"},
    "trust_recompute": {"rows", "mean_trust", "facts"},
    "conflict_scan": {"conflicts", "new", "violations"},
    "policy_check": {"rows", "violations"},
    "retention": {"rows_checked", "rows_erased", "fields_erased", "by_table"},
    "expire_requests": {"expired"},
    "audit_checkpoint": {"seq", "root"},
    "usage_flush": {"rows", "reads"},
    "key_rotation": {"api_token", "field", "audit"},
}


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


def test_every_shipped_schedule_names_a_task_the_worker_has(settings: Settings) -> None:
    assert {schedule.task for schedule in settings.schedules} <= set(SCHEDULED_TASKS)
    assert len(cron_jobs(settings.schedules, SCHEDULED_TASKS)) == len(settings.schedules)
    assert set(MAINTENANCE_TASKS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_each_recurring_job_runs_and_reports(
    name: str, graph: Graph, bus: EventBus, settings: Settings, redis: Redis
) -> None:
    trust = await TrustServices.open(graph, bus, AuditLog(graph))
    ctx: dict[str, Any] = {
        "graph": graph,
        "bus": bus,
        "settings": settings,
        "redis": redis,
        "trust": trust,
    }
    if name == "audit_checkpoint":
        # `make test` starts Neo4j afresh while the secret store stays: the chain the store's
        # anchor names is gone, as after emptying the database on purpose.
        drop_anchor(open_secret_store(settings), "main")
    result = await MAINTENANCE_TASKS[name](ctx)
    assert set(result) == EXPECTED[name]
