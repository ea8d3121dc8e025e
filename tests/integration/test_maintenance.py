"""The worker's recurring jobs run against the real graph and report what they did."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from redis.asyncio import Redis

from governance.audit import AuditLog
from governance.checkpoint import drop_anchor
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.extract import Limits
from ingest.maintenance import MAINTENANCE_TASKS
from ingest.schedules import cron_jobs
from ingest.service import IngestionService, OutcomeStatus
from ingest.worker import SCHEDULED_TASKS
from tests.integration.conftest import SourceFolder
from trust.services import TrustServices

pytestmark = pytest.mark.integration

PROFILES = Path(__file__).parents[2] / "deploy" / "config"

EXPECTED = {
    "trust_train": {"decisions", "version", "in_force", "model_in_force", "reason"},
    "trust_recompute": {"rows", "mean_trust", "facts", "copying"},
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


def test_every_profile_refreshes_source_dependence_nightly() -> None:
    """The full pass that finds `COPIES` edges again runs once a day in every profile."""
    for profile in sorted(PROFILES.glob("*.yaml")):
        schedules = yaml.safe_load(profile.read_text())["schedules"]
        [cron] = [s["cron"] for s in schedules if s["task"] == "trust_recompute"]
        minute, hour, *rest = cron.split()
        assert minute.isdigit(), profile
        assert hour.isdigit(), profile
        assert rest == ["*", "*", "*"], profile


async def test_the_scheduled_recompute_writes_and_retracts_copies_edges(
    graph: Graph, bus: EventBus, settings: Settings, redis: Redis, tmp_path: Path
) -> None:
    unique = uuid.uuid4().hex[:10]
    folders = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in "abcde"}
    service = await IngestionService.create(graph, bus, limits=Limits(), batch_size=100)
    trust = await TrustServices.open(graph, bus, AuditLog(graph))
    ctx: dict[str, Any] = {"graph": graph, "bus": bus, "settings": settings, "trust": trust}
    header = "city_id,name,population,updated_at\n"
    truth = [(f"n{i}-{unique}", 30_000 + i * 10) for i in range(20)]
    right = header + "".join(f"{k},{k},{p},2026-11-01T00:00:00Z\n" for k, p in truth)
    wrong = header + "".join(
        f"{k},{k},{p * 2 if i % 2 else p},2026-11-01T00:00:00Z\n" for i, (k, p) in enumerate(truth)
    )
    ids = [folder.id for folder in folders.values()]
    try:
        for name, text in (("a", right), ("b", right), ("c", right), ("d", wrong), ("e", wrong)):
            outcome = await service.ingest_file(
                folders[name].write("c.csv", text), folders[name].root
            )
            assert outcome.status is OutcomeStatus.INGESTED, outcome
        result = await MAINTENANCE_TASKS["trust_recompute"](ctx)
        assert result["copying"] >= 1
        [edge] = [
            e
            for e in await graph.read("testing/copies", {"sources": ids})
            if {e["copier"], e["original"]} == {folders["d"].id, folders["e"].id}
        ]
        assert edge["probability"] > 0.9
        # e stops copying d: the next nightly pass removes the edge
        outcome = await service.ingest_file(folders["e"].write("c.csv", right), folders["e"].root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
        await MAINTENANCE_TASKS["trust_recompute"](ctx)
        pairs = [
            {e["copier"], e["original"]}
            for e in await graph.read("testing/copies", {"sources": ids})
        ]
        assert {folders["d"].id, folders["e"].id} not in pairs
    finally:
        for folder in folders.values():
            await graph.write("testing/delete_source", {"source": folder.id})
