"""Re-ingesting an unchanged folder: how long, and proof that nothing is written.

Baseline: reading and hashing the same files without touching the graph.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import delete_source, service, write_csv
from graph.events import EventBus
from graph.graph import Graph
from ingest.scan import walk
from ingest.service import IngestionService, OutcomeStatus
from ingest.watch.files import sha256_of

FILES = 10_000
ROWS_PER_FILE = 5
CONCURRENT_FILES = 4


async def _ingest_all(ingest: IngestionService, root: Path) -> list[OutcomeStatus]:
    gate = asyncio.Semaphore(CONCURRENT_FILES)

    async def one(path: Path) -> OutcomeStatus:
        async with gate:
            return (await ingest.ingest_file(path, root)).status

    return list(await asyncio.gather(*(one(path) for path in walk(root))))


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Ingest FILES small files once (not timed), then again (timed); compare the graph."""
    ingest = await service(graph, bus)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for n in range(FILES):
            write_csv(root / "bench_unchanged", f"f{n:05}.csv", f"u{n}", ROWS_PER_FILE)
        try:
            start = time.perf_counter()
            first = await _ingest_all(ingest, root)
            first_seconds = time.perf_counter() - start
            [before] = await graph.read("bench/count_everything")
            start = time.perf_counter()
            again = await _ingest_all(ingest, root)
            seconds = time.perf_counter() - start
            [after] = await graph.read("bench/count_everything")
            start = time.perf_counter()
            for path in walk(root):
                sha256_of(path)
            hashing = time.perf_counter() - start
        finally:
            await delete_source(graph, "folder:bench_unchanged")
    unchanged = again.count(OutcomeStatus.UNCHANGED)
    written = (after["nodes"] - before["nodes"], after["relationships"] - before["relationships"])
    return [
        f"first ingestion of {FILES:,} files of {ROWS_PER_FILE} rows: {first_seconds:.1f} s "
        f"({first.count(OutcomeStatus.INGESTED):,} ingested)",
        f"read + hash only (baseline): {hashing:.2f} s",
        f"re-ingest unchanged: {seconds:.1f} s ({FILES / seconds:,.0f} files/s, "
        f"{seconds / hashing:.1f}x baseline), {unchanged:,} unchanged, "
        f"nodes/relationships written: {written[0]}/{written[1]}",
    ]
