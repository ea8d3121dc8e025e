"""The incremental trust pass after a new 1,000-row document on a large table, without the
full recomputes `trust_recompute` times: `BENCH_INCREMENTAL_ROWS` rows (default 260,000;
entities = rows / 10, sources = rows / 1,000) seeded as `trust_recompute` seeds them and
scored by one full pass, then the passes after `trust_recompute.NEW_DOCUMENTS` new documents
(median, range, read/compute/write parts). Baseline in the same run: refreshing the table's
trust aggregate from its rows, which every incremental pass did before the passes moved it
by their own rows.
"""

from __future__ import annotations

import os
import time

from bench.api_support import machine_load
from bench.trust_recompute import clear, incremental_after_new_documents, seed
from graph.events import EventBus
from graph.graph import Graph
from trust.engine import TrustEngine


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Seed, score once, then time the incremental passes."""
    rows = int(os.environ.get("BENCH_INCREMENTAL_ROWS", "260000"))
    await clear(graph)
    try:
        start = time.perf_counter()
        await seed(graph, rows)
        seeding = time.perf_counter() - start
        engine = await TrustEngine.create(graph, bus)
        start = time.perf_counter()
        await engine.recompute()
        scoring = time.perf_counter() - start
        load = machine_load()
        added = await incremental_after_new_documents(graph, engine, rows)
    finally:
        await clear(graph)
    return [
        f"seeded {rows:,} rows / {max(rows // 10, 1):,} entities / {max(rows // 1000, 1):,} "
        f"sources in {seeding:.0f} s, scored by a full pass in {scoring:.0f} s (not timed "
        f"below; {load})",
        added.line(),
    ]
