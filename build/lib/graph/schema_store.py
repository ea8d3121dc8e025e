"""Writes table definitions to the graph as `Schema` and versioned `SchemaVersion` nodes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from graph.graph import Graph
from graph.model import Schema, SchemaVersion
from graph.schemas import TableSchema


class SyncedVersion(BaseModel):
    """A version that a sync created."""

    model_config = ConfigDict(frozen=True)
    table: str
    version: int
    id: str
    status: str = "active"
    """`active` for a new table, `proposed` for a changed one (it waits for approval)."""


async def sync_tables(graph: Graph, tables: Sequence[TableSchema]) -> list[SyncedVersion]:
    """Write all definitions in one transaction; returns the versions created (none if equal)."""
    payload = [table_params(table) for table in tables]
    records = await graph.write("schemas/sync_versions", {"tables": payload})
    return [SyncedVersion.model_validate(record) for record in records]


def table_params(table: TableSchema) -> dict[str, Any]:
    """A table definition as the schema statements store it."""
    return {
        "name": table.name,
        "owner": table.owner,
        "description": table.description,
        "sha256": table.sha256,
        "fields": json.dumps(
            {
                name: spec.model_dump(mode="json", exclude_none=True)
                for name, spec in table.fields.items()
            },
            sort_keys=True,
        ),
        "definition": table.canonical_json(),
        "entity_key": table.entity_key,
    }


async def active_version_ids(graph: Graph) -> frozenset[str]:
    """The ids of the active table versions (cheap: to notice that they changed)."""
    records = await graph.read("schemas/active_version_ids")
    return frozenset(record["id"] for record in records)


async def active_versions(graph: Graph) -> list[tuple[Schema, SchemaVersion]]:
    """The active version of every table."""
    records = await graph.read("schemas/active_versions")
    return [
        (Schema.from_node(record["schema"]), SchemaVersion.from_node(record["version"]))
        for record in records
    ]


async def version_history(graph: Graph, table: str) -> list[tuple[SchemaVersion, int | None]]:
    """Every version of `table`, newest first, with the version it replaced."""
    records = await graph.read("schemas/version_history", {"table": table})
    return [
        (SchemaVersion.from_node(record["version"]), record["previous_version"])
        for record in records
    ]
