"""Provenance that older stores lack, filled in once by the prestart step: a Source's `name`
and a Row's `path` and `locator`, the properties Neo4j Browser shows people.

Recorded in the migrations ledger (a `Migration` node named after the row statement) when
done, so that later starts skip the scan over every row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from graph.graph import Graph

BATCH_ROWS = 10_000
"""Rows per transaction: a large store is filled in steps, never in one transaction."""
ROWS = "ingest/backfill_row_locators"
SOURCES = "ingest/backfill_source_names"


@dataclass(frozen=True)
class Backfill:
    """How many nodes gained the properties."""

    sources: int
    rows: int


async def backfill_provenance(graph: Graph, batch_rows: int = BATCH_ROWS) -> Backfill:
    """Name the sources and locate the rows written before they carried these properties;
    resumable (each batch commits), then recorded as done."""
    applied = {record["name"] for record in await graph.read("admin/applied_migrations")}
    if ROWS in applied:
        return Backfill(sources=0, rows=0)
    [named] = await graph.write(SOURCES)
    rows = 0
    while True:
        [batch] = await graph.write(ROWS, {"limit": batch_rows})
        updated: int = batch["updated"]
        rows += updated
        if updated < batch_rows:
            break
    checksum = hashlib.sha256(graph.registry[ROWS].encode("utf-8")).hexdigest()
    await graph.write("admin/record_migration", {"name": ROWS, "sha256": checksum})
    return Backfill(sources=named["updated"], rows=rows)
