"""The rehearsal an ingesting process runs before it reports ready: a synthetic file of
`ROWS` rows loaded through the real write path (`GraphLoader`: its version, rows, chunks and
activation, with the table aggregate's lock and shift) in one transaction that is rolled
back. Neo4j plans each statement against the statistics it has now and runs it on data, so
the first real file does not pay for either; nothing of the rehearsal is left in the graph.
"""

from __future__ import annotations

from graph.graph import Graph, Rehearsal
from ingest import identity
from ingest.loader import (
    Activation,
    ChunkDraft,
    DocumentDraft,
    GraphLoader,
    RowDraft,
    RunDraft,
)
from ingest.sources import SourceRef

ROWS = 1_000
"""Rows of the synthetic file: a file's worth, so the statements run as on a real one."""
CHUNKS = 2
SOURCE = SourceRef("warm-up:rehearsal", "warm-up", "", "warm-up")
"""The synthetic file's source: no real source's id (theirs are `folder:`, `upload:`...)."""
PATH = "rehearsal.csv"


async def rehearse_loading(
    graph: Graph, batch_size: int, table: tuple[str, str] | None
) -> Activation:
    """Load the synthetic file into `table` (its name and active version id; without one,
    its version and chunks only) in a transaction that is rolled back; what its activation
    changed before the rollback."""

    async def load(rehearsal: Rehearsal) -> Activation:
        return await _load(GraphLoader(rehearsal, batch_size), table)

    return await graph.rehearse(load)


async def _load(loader: GraphLoader, table: tuple[str, str] | None) -> Activation:
    sha256 = identity.digest("warm-up", PATH)
    document = DocumentDraft(
        identity.document_id(SOURCE.id, PATH, 1), SOURCE.id, PATH, sha256, "text/csv", 0, 1
    )
    run = RunDraft(identity.run_id(SOURCE.id, PATH, sha256), SOURCE.id, PATH, sha256)
    await loader.latest(SOURCE.id, PATH)
    await loader.begin(SOURCE, document, run)
    tables = [] if table is None else [table[0]]
    if table is not None:
        await loader.load_rows(document.id, table[0], table[1], _rows(table[0]))
    chunks = [
        ChunkDraft(identity.chunk_id(SOURCE.id, PATH, f"text {n}"), f"text {n}", n, f"p{n}")
        for n in range(CHUNKS)
    ]
    await loader.load_chunks(document.id, chunks)
    return await loader.activate(
        document.id, run.id, rows=ROWS, chunks=CHUNKS, warnings=[], tables=tables
    )


def _rows(table: str) -> list[RowDraft]:
    rows = []
    for n in range(ROWS):
        key = f"warm-up-{n}"
        values = identity.canonical_json({"key": key})
        values_sha = identity.digest(values)
        rows.append(
            RowDraft(
                id=identity.row_id(SOURCE.id, PATH, table, key, values_sha),
                key=key,
                entity_id=identity.entity_id(table, key),
                values=values,
                sha256=values_sha,
                locator=f"row {n + 2}",
            )
        )
    return rows
