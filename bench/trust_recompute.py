"""A full trust recompute end to end (read from Neo4j, compute, write back) on a generated
graph of ROWS rows, ENTITIES entities and SOURCES sources, and the incremental update after
one 1,000-row document. Baseline for the computing part: `trust.reference` (networkx, the
same iteration) on the same claims, in the same run.

Size: `BENCH_TRUST_ROWS` (default 1,000,000; entities = rows / 10, sources = rows / 1,000).
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from graph.events import EventBus
from graph.graph import Graph
from trust import reference
from trust.claims import build_claims
from trust.engine import TrustEngine
from trust.truth import discover

PREFIX = "tb-"
SEED_BATCH = 10_000


async def _seed(graph: Graph, rows: int) -> None:
    entities, sources = max(rows // 10, 1), max(rows // 1000, 1)
    rng = np.random.default_rng(0)
    accuracy = rng.uniform(0.5, 0.95, sources)
    per_source = rows // sources
    for s in range(sources):
        document = f"{PREFIX}doc-{s}"
        await graph.write(
            "bench/seed_trust_document", {"source": f"{PREFIX}source-{s}", "document_id": document}
        )
        keys = rng.integers(0, entities, per_source)
        right = rng.random(per_source) < accuracy[s]
        batch = [
            {
                "id": f"{PREFIX}row-{s}-{i}",
                "key": f"{PREFIX}{k}",
                "entity_id": f"cities:{PREFIX}{k}",
                "values": json.dumps(
                    {"city_id": f"{PREFIX}{k}", "population": int(k) * 100 + (0 if ok else 7_777)}
                ),
            }
            for i, (k, ok) in enumerate(zip(keys.tolist(), right.tolist(), strict=True))
        ]
        await graph.write_batches(
            "bench/seed_trust_rows", batch, batch_size=SEED_BATCH, params={"document_id": document}
        )


async def _clear(graph: Graph) -> None:
    while (await graph.write("bench/delete_trust_bench", {"prefix": PREFIX, "limit": 20_000}))[0][
        "deleted"
    ]:
        pass


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Seed, recompute, time the parts, compare the computing part with the reference."""
    rows = int(os.environ.get("BENCH_TRUST_ROWS", "1000000"))
    await _clear(graph)
    start = time.perf_counter()
    await _seed(graph, rows)
    seeding = time.perf_counter() - start
    try:
        engine = await TrustEngine.create(graph, bus)
        start = time.perf_counter()
        report = await engine.recompute()
        total = time.perf_counter() - start
        start = time.perf_counter()
        update = await engine.update_document(f"{PREFIX}doc-0")
        incremental = time.perf_counter() - start
        index = build_claims(await engine.read_rows(), engine.tables)
        start = time.perf_counter()
        discover(index.claims, detect_copying=False)
        fast = time.perf_counter() - start
        start = time.perf_counter()
        reference.discover(index.claims, detect_copying=False)
        slow = time.perf_counter() - start
    finally:
        await _clear(graph)
    return [
        f"seeded {rows:,} rows / {max(rows // 10, 1):,} entities / {max(rows // 1000, 1):,} "
        f"sources in {seeding:.0f} s (not timed below)",
        f"full recompute: {total:.1f} s end to end = read {report.seconds_reading:.1f} s + "
        f"compute {report.seconds_computing:.1f} s + write {report.seconds_writing:.1f} s "
        f"({report.items:,} items, {report.iterations} iterations)",
        f"truth discovery alone: {fast:.2f} s vs networkx reference {slow:.1f} s "
        f"on the same {len(index.claims.source):,} claims ({slow / fast:.0f}x)",
        f"incremental update after one document ({update.rows:,} rows of its entities): "
        f"{incremental * 1000:.0f} ms",
    ]
