"""Batched writes through `Graph.write_batches`, against one transaction per row.

Writes the same shape of data as row ingestion (a MERGE on a unique key plus two
properties) at several batch sizes; batch size 1 is the baseline.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from graph.graph import Graph

BASELINE_ROWS = 500
BATCHED_ROWS = 20_000
BATCH_SIZES = (100, 1_000, 5_000)


def _rows(count: int, run: str) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        values = json.dumps({"population": 1000 + i, "name": f"city {i}"})
        rows.append(
            {
                "id": f"{run}-{i}",
                "values": values,
                "sha256": hashlib.sha256(values.encode()).hexdigest(),
            }
        )
    return rows


async def _rate(graph: Graph, rows: list[dict[str, Any]], batch_size: int) -> float:
    start = time.perf_counter()
    await graph.write_batches("bench/upsert_probes", rows, batch_size=batch_size)
    return len(rows) / (time.perf_counter() - start)


async def _clear(graph: Graph) -> None:
    while (await graph.write("bench/delete_probes", {"limit": 10_000}))[0]["deleted"]:
        pass


async def run(graph: Graph) -> list[str]:
    """Measure, clean up, and return the report lines."""
    await graph.write("bench/probe_constraint")
    try:
        baseline = await _rate(graph, _rows(BASELINE_ROWS, "one"), batch_size=1)
        lines = [
            f"one transaction per row (baseline): {baseline:,.0f} rows/s ({BASELINE_ROWS} rows)"
        ]
        for size in BATCH_SIZES:
            created = await _rate(graph, _rows(BATCHED_ROWS, f"b{size}"), batch_size=size)
            unchanged = await _rate(graph, _rows(BATCHED_ROWS, f"b{size}"), batch_size=size)
            lines.append(
                f"UNWIND batches of {size:>5}: {created:,.0f} rows/s new "
                f"({created / baseline:.0f}x baseline), {unchanged:,.0f} rows/s re-written "
                f"({unchanged / baseline:.0f}x)"
            )
        return lines
    finally:
        await _clear(graph)
        await graph.write("bench/drop_probe_constraint")
