"""Bulk ingestion throughput: CSV files into the graph with every provenance edge and entity
link, against a bare `UNWIND ... CREATE` of the same rows through the driver. Beside them,
the write phase alone (`GraphLoader.load_rows` of rows prepared beforehand, so no reading,
parsing, normalising or hashing): the floor that the graph's shape (a Row and an Entity
with their indexes, two relationships per row) sets for ingestion. Last, where the files'
time went: waiting for each phase's statements (`Graph.seconds`), and the rest, which is
Python's (reading, extracting, normalising, hashing). And the CPU each row cost, in this
process and in Neo4j's (when it runs on this machine), for the ingestion and the bare write:
unlike rows/s, that does not move with whatever else the machine runs."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.api_support import machine_load
from bench.common import delete_source, service, write_csv
from bench.process_cpu import CpuMeter, serving_pid
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest import identity
from ingest.loader import DocumentDraft, GraphLoader, RowDraft, RunDraft
from ingest.sources import SourceRef

FILES = 10
ROWS_PER_FILE = 10_000
CONCURRENT_FILES = 2


async def _bare_rate(graph: Graph, rows: int, meter: CpuMeter) -> float:
    payload = [
        {"id": f"bare-{i}", "key": f"k{i}", "values": identity.canonical_json({"n": i})}
        for i in range(rows)
    ]
    meter.start()
    start = time.perf_counter()
    await graph.write_batches("bench/bare_create_rows", payload, batch_size=5000)
    elapsed = time.perf_counter() - start
    meter.stop()
    while (await graph.write("bench/delete_bare_rows", {"limit": 10_000}))[0]["deleted"]:
        pass
    return rows / elapsed


async def _write_floor(loader: GraphLoader, rows: int) -> float:
    """Rows/s of the write phase alone, on rows of the shape ingestion writes."""
    source = SourceRef("folder:bench_floor", "folder", "/bench_floor", "bench_floor")
    document = DocumentDraft("doc:bench-floor", source.id, "floor.csv", "0" * 64, "text/csv", 0, 1)
    await loader.begin(source, document, RunDraft("run:bench-floor", source.id, "floor.csv", ""))
    drafts = [
        RowDraft(
            id=f"row:bench-floor-{i}",
            key=f"floor-{i}",
            entity_id=f"cities:floor-{i}",
            values=identity.canonical_json({"city_id": f"floor-{i}", "population": i}),
            sha256=identity.digest(str(i)),
            locator=f"line {i + 2}",
        )
        for i in range(rows)
    ]
    start = time.perf_counter()
    await loader.load_rows(document.id, "cities", "cities@1", drafts)
    return rows / (time.perf_counter() - start)


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """Ingest FILES x ROWS_PER_FILE rows, then the bare baseline; clean up; report."""
    ingest = await service(graph, bus)
    neo4j = serving_pid(settings.neo4j_uri)
    ingest_cpu, bare_cpu = CpuMeter(neo4j), CpuMeter(neo4j)
    total = FILES * ROWS_PER_FILE
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = [
            write_csv(root / "bench_bulk", f"cities{n}.csv", f"bulk{n}", ROWS_PER_FILE)
            for n in range(FILES)
        ]
        gate = asyncio.Semaphore(CONCURRENT_FILES)
        file_seconds: list[float] = []

        async def one(path: Path) -> int:
            async with gate:
                began = time.perf_counter()
                rows = (await ingest.ingest_file(path, root)).rows
                file_seconds.append(time.perf_counter() - began)
                return rows

        waited_before = dict(graph.seconds)
        ingest_cpu.start()
        start = time.perf_counter()
        loaded = sum(await asyncio.gather(*(one(path) for path in paths)))
        elapsed = time.perf_counter() - start
        ingest_cpu.stop()
        waited = {
            name: seconds - waited_before.get(name, 0.0) for name, seconds in graph.seconds.items()
        }
    try:
        bare = await _bare_rate(graph, total, bare_cpu)
        floor = await _write_floor(ingest.loader, ROWS_PER_FILE * CONCURRENT_FILES)
    finally:
        await delete_source(graph, "folder:bench_bulk")
        await delete_source(graph, "folder:bench_floor")
    rate = loaded / elapsed
    return [
        f"bare UNWIND CREATE (baseline): {bare:,.0f} rows/s ({total:,} rows)",
        f"ingest with provenance, entities, schema links: {rate:,.0f} rows/s "
        f"({loaded:,} rows in {FILES} files, {elapsed:.1f} s) = {rate / bare:.2f} of baseline",
        f"its write phase alone (the floor): {floor:,.0f} rows/s = {floor / bare:.2f} of "
        f"baseline; ingestion reaches {rate / floor:.2f} of it",
        _where_time_goes(waited, sum(file_seconds)),
        f"CPU per row: ingestion {ingest_cpu.per_row(loaded)}; "
        f"bare write {bare_cpu.per_row(total)}",
        machine_load(),
    ]


def _where_time_goes(waited: dict[str, float], file_seconds: float) -> str:
    """The files' time by what it waited for: each phase's statements, and the rest (reading,
    extracting, normalising and hashing in Python, events)."""
    phases = {
        "rows (upsert_rows)": waited.get("ingest/upsert_rows", 0.0),
        "activation": waited.get("ingest/activate_document", 0.0),
    }
    phases["other statements"] = sum(waited.values()) - sum(phases.values())
    rest = file_seconds - sum(phases.values())
    shares = ", ".join(
        f"{name} {seconds / file_seconds:.0%}"
        for name, seconds in [*phases.items(), ("Python", rest)]
    )
    return f"where the files' time went: {shares}"
