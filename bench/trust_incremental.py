"""The incremental trust pass after a new 1,000-row document on a large table, without the
full recomputes `trust_recompute` times: `BENCH_INCREMENTAL_ROWS` rows (default 260,000;
entities = rows / 10, sources = rows / 1,000) seeded as `trust_recompute` seeds them and
scored by one full pass, then the passes after `trust_recompute.NEW_DOCUMENTS` new documents
(median, range, read/compute/write parts, and the statements a pass reads with). Baseline in
the same run: refreshing the table's trust aggregate from its rows, which every incremental
pass did before the passes moved it by their own rows.

Then the table's five least trusted active rows, the overview's page (`rows(status: ACTIVE,
orderBy: TRUST, first: 5)`): read from the list the passes keep (`trust.lowest_rows`) against
sorting the table's rows (`api/catalog_rows_by_trust`, what every such page did before), each
`LIST_ROUNDS` times alternately in the same run, medians, the two pages compared.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter

from api.gql.least_trusted import TrustWindow, least_trusted
from bench.api_support import machine_load
from bench.trust_recompute import clear, incremental_after_new_documents, seed
from graph.events import EventBus
from graph.graph import Graph
from trust.engine import TrustEngine

LIST_ROUNDS = 7


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
        reads = Counter(graph.reads)
        added = await incremental_after_new_documents(graph, engine, rows)
        per_pass = Counter(graph.reads) - reads
        kept = await least_trusted_rows(graph)
    finally:
        await clear(graph)
    passes = len(added.seconds)
    return [
        f"seeded {rows:,} rows / {max(rows // 10, 1):,} entities / {max(rows // 1000, 1):,} "
        f"sources in {seeding:.0f} s, scored by a full pass in {scoring:.0f} s (not timed "
        f"below; {load})",
        added.line(),
        "reads per incremental pass: "
        + ", ".join(f"{name} {n / passes:g}" for name, n in sorted(per_pass.items())),
        kept,
    ]


async def least_trusted_rows(graph: Graph) -> str:
    """The overview's page of least trusted rows from the kept list against the sort."""
    window = TrustWindow(6)  # first: 5, and one more for `hasNextPage`
    listed: list[float] = []
    sorted_: list[float] = []
    same = True
    for _ in range(LIST_ROUNDS):
        start = time.perf_counter()
        page = await least_trusted(graph, "cities", window)
        listed.append(time.perf_counter() - start)
        start = time.perf_counter()
        sort = await graph.read("api/catalog_rows_by_trust", {"table": "cities", **window.params()})
        sorted_.append(time.perf_counter() - start)
        same &= [r["row"]["id"] for r in page] == [r["row"]["id"] for r in sort]
    fast, slow = statistics.median(listed), statistics.median(sorted_)
    return (
        f"the table's 5 least trusted active rows, median of {LIST_ROUNDS}: from the list the "
        f"passes keep {fast * 1000:.1f} ms vs sorting the table's rows {slow * 1000:.0f} ms "
        f"({slow / fast:.0f}x; same page every round: {same}; {machine_load()})"
    )
