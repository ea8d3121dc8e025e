"""Value-conflict scans on a generated graph: a full scan of ROWS rows in five tables with
10 % of the entities in conflict, and the incremental scan after one 1,000-row document.

Baseline, measured in the same run on the same rows: the pairwise way other systems find
candidates (every row of a table against every other row, agreement tested per pair), on a
sample of one table, extrapolated to the full size by its quadratic cost.

Size: `BENCH_CONFLICT_ROWS` (default 100,000: 5 tables x 5,000 entities x 4 sources).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from itertools import combinations

from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from trust.claims import RowRecord, build_claims
from trust.compare import values_agree
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.rows import read_entity_rows

PREFIX = "cb-"
AUDIT_CHAIN = "bench-conflicts"
SOURCES = 4
CONFLICTING = 0.10
INCREMENTAL_ROWS = 1_000
PAIRWISE_SAMPLE = 2_000
REPEATS = 5
TABLES: dict[str, tuple[str, str, Callable[[int], int | str]]] = {
    # table -> (key field, compared field, the true value for entity k)
    "cities": ("city_id", "population", lambda k: 10_000 + k * 10),
    "organizations": ("org_id", "employees", lambda k: 100 + k),
    "people": ("person_id", "title", lambda k: f"title {k % 50}"),
    "publications": ("doi", "venue", lambda k: f"venue {k % 40}"),
    "datasets": ("dataset_id", "license", lambda k: f"license {k % 7}"),
}


def _rows(table: str, entities: range, source: int) -> list[dict[str, str]]:
    key_field, field, truth = TABLES[table]
    rows = []
    for k in entities:
        key = f"{PREFIX}{table}-{k}"
        wrong = source == SOURCES - 1 and k % int(1 / CONFLICTING) == 0
        value = truth(k)
        if wrong:
            value = value * 2 if isinstance(value, int) else f"{value} (old)"
        rows.append(
            {
                "id": f"{PREFIX}row-{table}-{k}-{source}",
                "table": table,
                "key": key,
                "entity_id": f"{table}:{key}",
                "values": json.dumps({key_field: key, field: value}),
            }
        )
    return rows


async def _seed(graph: Graph, per_table: int) -> None:
    for source in range(SOURCES):
        document = f"{PREFIX}doc-{source}"
        await graph.write(
            "bench/seed_trust_document",
            {"source": f"{PREFIX}source-{source}", "document_id": document},
        )
        for table in TABLES:
            await graph.write_batches(
                "bench/seed_conflict_rows",
                _rows(table, range(per_table), source),
                batch_size=10_000,
                params={"document_id": document},
            )


async def _clear(graph: Graph) -> None:
    while (await graph.write("bench/delete_conflict_bench", {"prefix": PREFIX, "limit": 20_000}))[
        0
    ]["deleted"]:
        pass


def _pairwise(rows: list[RowRecord], engine: TrustEngine) -> int:
    """The baseline: every pair of rows of one table, same entity or not, tested for a clash."""
    conflicts = 0
    for a, b in combinations(rows, 2):
        if a.key != b.key:
            continue  # the cheap part of a pairwise scan: still every pair is visited
        spec = engine.tables[a.table].fields[TABLES[a.table][1]]
        field = TABLES[a.table][1]
        if not values_agree(spec, a.values[field], b.values[field]):
            conflicts += 1
    return conflicts


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Seed, scan fully, scan incrementally, and time the pairwise baseline on a sample."""
    total_rows = int(os.environ.get("BENCH_CONFLICT_ROWS", "100000"))
    per_table = total_rows // (SOURCES * len(TABLES))
    await _clear(graph)
    start = time.perf_counter()
    await _seed(graph, per_table)
    seeding = time.perf_counter() - start
    try:
        engine = await TrustEngine.create(graph, bus)
        detector = ConflictDetector(graph, bus, AuditLog(graph, chain=AUDIT_CHAIN), engine.tables)
        start = time.perf_counter()
        full = await detector.scan_all()
        full_seconds = time.perf_counter() - start
        # one 1,000-row document about existing entities (its own new source)
        document = f"{PREFIX}doc-new"
        await graph.write(
            "bench/seed_trust_document", {"source": f"{PREFIX}source-new", "document_id": document}
        )
        fresh = [
            {**row, "id": row["id"] + "-new"}
            for row in _rows("cities", range(INCREMENTAL_ROWS), SOURCES - 1)
        ]
        await graph.write_batches(
            "bench/seed_conflict_rows", fresh, batch_size=10_000, params={"document_id": document}
        )
        timings = []
        for _ in range(REPEATS):  # the first also rewrites the 100 conflicts the rows joined
            start = time.perf_counter()
            incremental = await detector.scan_document(document)
            timings.append(time.perf_counter() - start)
        sample_entities = [f"cities:{PREFIX}cities-{k}" for k in range(PAIRWISE_SAMPLE // SOURCES)]
        sample = await read_entity_rows(graph, sample_entities)
        start = time.perf_counter()
        build_claims(sample, engine.tables)
        grouped = time.perf_counter() - start
        start = time.perf_counter()
        _pairwise(sample, engine)
        pairwise = time.perf_counter() - start
    finally:
        await _clear(graph)
        while (
            await graph.write("bench/audit_delete_events", {"chain": AUDIT_CHAIN, "limit": 20_000})
        )[0]["deleted"]:
            pass
        await graph.write("bench/audit_delete_head", {"chain": AUDIT_CHAIN})
    scale = (full.rows / max(len(sample), 1)) ** 2
    return [
        f"seeded {per_table * SOURCES * len(TABLES):,} rows / {per_table * len(TABLES):,} "
        f"entities in {len(TABLES)} tables, {CONFLICTING:.0%} of entities conflicting, in "
        f"{seeding:.0f} s (not timed below)",
        f"full scan: {full_seconds:.2f} s for all {full.rows:,} active rows of the database "
        f"-> {full.conflicts:,} conflicts "
        f"({full.new:,} written with their edges and audit entries)",
        f"incremental scan after one {INCREMENTAL_ROWS:,}-row document: first "
        f"{timings[0] * 1000:.0f} ms, then median {statistics.median(timings[1:]) * 1000:.0f} ms "
        f"({incremental.rows:,} rows of {incremental.entities:,} entities)",
        f"grouping by entity vs pairwise on {len(sample):,} rows: {grouped * 1000:.1f} ms vs "
        f"{pairwise * 1000:.0f} ms ({pairwise / max(grouped, 1e-9):.0f}x); pairwise at "
        f"{full.rows:,} rows would take ~{pairwise * scale / 60:.0f} min",
    ]
