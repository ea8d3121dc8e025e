"""The prestart step: bring the graph up to date before anything serves or ingests.

Applies pending migrations, then validates `schemas/` and writes any changed table
definition as a new version. Run by `grace up`, `grace migrate` and `grace schemas sync`.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.graph import Graph
from graph.migrations import migrate
from graph.schema_store import SyncedVersion, sync_tables
from graph.schemas import load_tables
from graph.settings import Settings


@dataclass(frozen=True)
class PrestartReport:
    """What the prestart step changed."""

    migrations: list[str]
    schema_versions: list[SyncedVersion]


async def sync_schemas(graph: Graph, settings: Settings) -> list[SyncedVersion]:
    """Validate every file in `schemas/` (all or nothing) and write changed definitions."""
    return await sync_tables(graph, load_tables(settings.schemas_dir))


async def prestart(graph: Graph, settings: Settings) -> PrestartReport:
    """Migrate, then sync the table definitions."""
    applied = await migrate(graph)
    return PrestartReport(applied, await sync_schemas(graph, settings))
