"""Provenance that older stores lack, filled in once by the prestart step: a Source's `name`
and a Row's `path` and `locator`, the properties Neo4j Browser shows people."""

from __future__ import annotations

from dataclasses import dataclass

from graph.graph import Graph

BATCH_ROWS = 10_000
"""Rows per transaction: a large store is filled in steps, never in one transaction."""


@dataclass(frozen=True)
class Backfill:
    """How many nodes gained the properties."""

    sources: int
    rows: int


async def backfill_provenance(graph: Graph, batch_rows: int = BATCH_ROWS) -> Backfill:
    """Name the sources and locate the rows written before they carried these properties;
    resumable (each batch commits) and a no-op on a store that has them."""
    [named] = await graph.write("ingest/backfill_source_names")
    rows = 0
    while True:
        [batch] = await graph.write("ingest/backfill_row_locators", {"limit": batch_rows})
        updated: int = batch["updated"]
        rows += updated
        if updated < batch_rows:
            return Backfill(sources=named["updated"], rows=rows)
