"""The prestart step: bring the graph up to date before anything serves or ingests.

Applies pending migrations, fills in the provenance older stores lack (`ingest.backfill`),
validates `schemas/` and `policies/` and stores them: new tables and policies are in force at
once, changed ones wait for their change request's approval. Run by `grace up`, `grace migrate`
and `grace schemas sync`.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.proposals import PolicySync, request_schema_approvals, sync_policy_files
from graph.events import EventBus
from graph.graph import Graph
from graph.migrations import migrate
from graph.schema_store import SyncedVersion, sync_tables
from graph.schemas import load_tables
from graph.settings import Settings
from ingest.backfill import Backfill, backfill_provenance


@dataclass(frozen=True)
class PrestartReport:
    """What the prestart step changed."""

    migrations: list[str]
    schema_versions: list[SyncedVersion]
    policies: PolicySync
    backfill: Backfill


async def sync_schemas(graph: Graph, settings: Settings) -> list[SyncedVersion]:
    """Validate every file in `schemas/` (all or nothing) and write changed definitions; a
    changed table's new version is proposed, with a change request to approve it."""
    versions = await sync_tables(graph, load_tables(settings.schemas_dir))
    if any(version.status == "proposed" for version in versions):
        bus = EventBus.from_settings(settings)
        try:
            await request_schema_approvals(graph, bus, versions)
        finally:
            await bus.close()
    return versions


async def prestart(graph: Graph, settings: Settings) -> PrestartReport:
    """Migrate, backfill, then sync the table definitions and the policies."""
    applied = await migrate(graph)
    backfill = await backfill_provenance(graph)
    versions = await sync_schemas(graph, settings)
    bus = EventBus.from_settings(settings)
    try:
        policies = await sync_policy_files(graph, bus, settings)
    finally:
        await bus.close()
    return PrestartReport(applied, versions, policies, backfill)
