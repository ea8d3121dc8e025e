"""`grace backup` and `grace restore` of a 1,000,000-row graph, on a Neo4j of the bench's
own (started and removed here: a restore needs an empty database, and the bench never
touches the one it was pointed at).

Baselines from the same run: for the backup, streaming the same nodes and relationships
through the driver and dropping them (the read floor: no encoding, digest or file); for the
restore, the bench's own fill, which writes the same nodes and relationships in batches of
the same size (the write floor: no schema, marks or fingerprint check)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.private_neo4j import PrivateNeo4j
from graph.backup import BATCH, backup, restore
from graph.graph import Graph
from graph.settings import Settings

ROWS = 1_000_000
"""With an entity per ten rows and two relationships per row: 1,100,000 nodes and
2,000,000 relationships."""
HEAP = "2g"
PAGECACHE = "2g"


def _say(stage: str, seconds: float) -> None:
    """A stage's time, as it ends (the whole run takes the better part of an hour)."""
    print(f"  {stage}: {seconds:.1f} s", file=sys.stderr, flush=True)


async def _fill(graph: Graph, rows: int) -> float:
    """Write the bench's rows in batches of the restore's size; seconds taken."""
    start = time.perf_counter()
    per_document = BATCH
    for offset in range(0, rows, per_document):
        params = {"document": f"doc:bench-backup-{offset}", "offset": offset}
        await graph.write("bench/backup_fill", {**params, "count": per_document})
    return time.perf_counter() - start


async def _stream_all(graph: Graph) -> float:
    """Stream every node and relationship as the backup reads them; seconds taken."""
    start = time.perf_counter()
    for statement in ("backup/all_nodes", "backup/all_relationships"):
        async for _ in graph.stream(statement):
            pass
    return time.perf_counter() - start


async def run(graph: Graph, settings: Settings, rows: int = ROWS) -> list[str]:
    """Backup and restore seconds for `rows` rows against their read and write floors."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = PrivateNeo4j(settings, root / "source", heap=HEAP, pagecache=PAGECACHE)
        target = PrivateNeo4j(settings, root / "target", heap=HEAP, pagecache=PAGECACHE)
        try:
            filled = await source.start(graph.registry)
            try:
                write_floor = await _fill(filled, rows)
                _say("fill (the write floor)", write_floor)
                await _stream_all(filled)  # warm the page cache for both
                read_floor = await _stream_all(filled)
                _say("streaming (the read floor)", read_floor)
                start = time.perf_counter()
                held = await backup(filled, root / "graph.jsonl.gz")
                backup_seconds = time.perf_counter() - start
                _say("backup", backup_seconds)
            finally:
                await filled.close()
            source.stop()
            size = (root / "graph.jsonl.gz").stat().st_size
            restored_into = await target.start(graph.registry)
            try:
                start = time.perf_counter()
                restored = await restore(restored_into, root / "graph.jsonl.gz")
                restore_seconds = time.perf_counter() - start
            finally:
                await restored_into.close()
        finally:
            for neo4j in (source, target):
                neo4j.stop()
    assert restored == held  # restore checks the fingerprint itself; this says it here too
    return [
        f"graph: {held.nodes:,} nodes, {held.relationships:,} relationships ({rows:,} rows)",
        f"backup: {backup_seconds:.1f} s, {size / 2**20:.1f} MiB of gzip;"
        f" read floor (streaming the same) {read_floor:.1f} s = {backup_seconds / read_floor:.2f}x",
        f"restore (schema, batches, fingerprint check): {restore_seconds:.1f} s;"
        f" write floor (the same batches, bare) {write_floor:.1f} s"
        f" = {restore_seconds / write_floor:.2f}x",
    ]
