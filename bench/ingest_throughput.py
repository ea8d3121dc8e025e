"""Bulk ingestion throughput: CSV files into the graph with every provenance edge and entity
link, against a bare `UNWIND ... CREATE` of the same rows through the driver."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import delete_source, service, write_csv
from graph.events import EventBus
from graph.graph import Graph
from ingest import identity

FILES = 10
ROWS_PER_FILE = 10_000
CONCURRENT_FILES = 2


async def _bare_rate(graph: Graph, rows: int) -> float:
    payload = [
        {"id": f"bare-{i}", "key": f"k{i}", "values": identity.canonical_json({"n": i})}
        for i in range(rows)
    ]
    start = time.perf_counter()
    await graph.write_batches("bench/bare_create_rows", payload, batch_size=5000)
    elapsed = time.perf_counter() - start
    while (await graph.write("bench/delete_bare_rows", {"limit": 10_000}))[0]["deleted"]:
        pass
    return rows / elapsed


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Ingest FILES x ROWS_PER_FILE rows, then the bare baseline; clean up; report."""
    ingest = await service(graph, bus)
    total = FILES * ROWS_PER_FILE
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = [
            write_csv(root / "bench_bulk", f"cities{n}.csv", f"bulk{n}", ROWS_PER_FILE)
            for n in range(FILES)
        ]
        gate = asyncio.Semaphore(CONCURRENT_FILES)

        async def one(path: Path) -> int:
            async with gate:
                return (await ingest.ingest_file(path, root)).rows

        start = time.perf_counter()
        loaded = sum(await asyncio.gather(*(one(path) for path in paths)))
        elapsed = time.perf_counter() - start
    try:
        bare = await _bare_rate(graph, total)
    finally:
        await delete_source(graph, "folder:bench_bulk")
    rate = loaded / elapsed
    return [
        f"bare UNWIND CREATE (baseline): {bare:,.0f} rows/s ({total:,} rows)",
        f"ingest with provenance, entities, schema links: {rate:,.0f} rows/s "
        f"({loaded:,} rows in {FILES} files, {elapsed:.1f} s) = {rate / bare:.2f} of baseline",
    ]
