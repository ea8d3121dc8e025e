"""Migrations: the constraints and indexes the graph model needs, applied idempotently.

Each file in `cypher/migrations/` is one DDL statement (`IF NOT EXISTS`), or a data migration
that moves a batch per run and returns how many it moved (`moved`): it runs again, each run
its own transaction, until it moves none. Applied migrations are remembered as `Migration`
nodes with the checksum of their text, so an edited migration is refused instead of silently
diverging from the database.
"""

from __future__ import annotations

import hashlib

from graph.errors import MigrationError
from graph.graph import Graph

FOLDER = "migrations"
INDEX_WAIT_SECONDS = 300


async def pending_migrations(graph: Graph) -> list[str]:
    """Names of the migrations not yet applied; refuses edited ones."""
    applied = {
        record["name"]: record["sha256"] for record in await graph.read("admin/applied_migrations")
    }
    pending = []
    for name in graph.registry.under(FOLDER):
        checksum = _checksum(graph.registry[name])
        if name not in applied:
            pending.append(name)
        elif applied[name] != checksum:
            raise MigrationError(
                name, "its file changed after it was applied; add a new migration instead"
            )
    return pending


async def migrate(graph: Graph) -> list[str]:
    """Apply every pending migration in name order, then wait for indexes to come online."""
    applied = []
    for name in await pending_migrations(graph):
        await _apply(graph, name)
        await graph.write(
            "admin/record_migration", {"name": name, "sha256": _checksum(graph.registry[name])}
        )
        applied.append(name)
    await graph.read("admin/await_indexes", {"timeout_seconds": INDEX_WAIT_SECONDS})
    return applied


async def _apply(graph: Graph, name: str) -> None:
    """Run a migration; a data migration again until it moves nothing."""
    while any(record.get("moved") for record in await graph.write(name)):
        pass


def _checksum(statement: str) -> str:
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()
