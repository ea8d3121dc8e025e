"""Export of a 10,000-row table through the running API (`GET /export/rows`, uvicorn in a
subprocess): time to the last byte and size, for JSONL and CSV.

Floor, measured in the same run on the same rows: one query straight through the Neo4j
driver (the export's own statement, every row in one page) and the rows serialized in the
same process with `json` / `csv`, no HTTP, no paging, no authorization, no redaction.
Each figure is the median of `REPEATS` runs after one warm-up.

Size: `BENCH_EXPORT_ROWS` (default 10,000).
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

import httpx
from neo4j import AsyncDriver, AsyncGraphDatabase

from bench.api_support import BenchUser, bench_table, bench_user, machine_load, running_api
from graph.graph import Graph
from graph.settings import Settings

TABLE = "bench_export"
FIELDS = ["area_km2", "code", "country", "name", "note", "population"]
FORMATS = ("jsonl", "csv")
REPEATS = 3
STATEMENT = "api/export_rows_page"


@dataclass(frozen=True)
class Output:
    """What one export produced."""

    size: int
    lines: int
    last_line: bytes


async def _through_api(base: str, user: BenchUser, file_format: str) -> Output:
    size, lines, tail = 0, 0, b""
    params = {"table": TABLE, "format": file_format}
    async with (
        httpx.AsyncClient(base_url=base, timeout=120) as client,
        client.stream("GET", "/export/rows", params=params, headers=user.headers()) as response,
    ):
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
            tail = (tail + chunk)[-4096:]
    return Output(size, lines, tail.rstrip(b"\r\n").rsplit(b"\n", 1)[-1])


async def _through_driver(driver: AsyncDriver, graph: Graph, rows: int, file_format: str) -> Output:
    records, _, _ = await driver.execute_query(
        graph.registry[STATEMENT],
        {"table": TABLE, "after": "", "statuses": ["active", "quarantined"], "limit": rows},
        database_=graph.database,
    )
    buffer = io.StringIO()
    if file_format == "jsonl":
        for r in records:
            document = {**r.data(), "values": json.loads(r["values"])}
            buffer.write(json.dumps(document, separators=(",", ":")) + "\n")
    else:
        writer = csv.writer(buffer)
        writer.writerow(["id", "key", "trust", "status", *FIELDS])
        for r in records:
            values = json.loads(r["values"])
            writer.writerow([r["id"], r["key"], r["trust"], r["status"], *map(values.get, FIELDS)])
    data = buffer.getvalue().encode("utf-8")
    return Output(len(data), data.count(b"\n"), b"")


async def _median_seconds(work: Callable[[], Awaitable[Output]]) -> tuple[float, Output]:
    output = await work()  # warm-up
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        output = await work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), output


async def run(graph: Graph, settings: Settings) -> list[str]:
    """Seed the table, export it through the API and straight from the driver."""
    rows = int(os.environ.get("BENCH_EXPORT_ROWS", "10000"))
    driver = AsyncGraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
    )
    lines, load = [], machine_load()
    try:
        async with (
            bench_table(graph, TABLE, rows),
            bench_user(graph) as user,
            running_api() as base,
        ):
            for file_format in FORMATS:
                api_seconds, api = await _median_seconds(
                    partial(_through_api, base, user, file_format)
                )
                if api.lines != rows + 1 or api.last_line.startswith((b'{"error"', b"#export")):
                    raise RuntimeError(f"the {file_format} export is incomplete: {api.last_line!r}")
                floor_seconds, floor = await _median_seconds(
                    partial(_through_driver, driver, graph, rows, file_format)
                )
                lines.append(
                    f"{file_format}: {api_seconds:.2f} s for {rows:,} rows, "
                    f"{api.size / 1e6:.2f} MB ({rows / api_seconds:,.0f} rows/s) through the API "
                    f"vs {floor_seconds:.2f} s, {floor.size / 1e6:.2f} MB straight through the "
                    f"driver ({api_seconds / floor_seconds:.1f}x the floor)"
                )
    finally:
        await driver.close()
    return [
        f"one uvicorn worker (prod profile) in a subprocess, pages of 2,000 rows; median of "
        f"{REPEATS} runs after a warm-up; the table's {rows:,} rows seeded directly (not timed); "
        f"{load} at the start",
        *lines,
    ]
