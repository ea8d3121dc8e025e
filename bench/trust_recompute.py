"""A full trust recompute end to end (read from Neo4j, compute, write back) on a generated
graph of ROWS rows, ENTITIES entities and SOURCES sources, and the incremental update after
one 1,000-row document. Baseline for the computing part: `trust.reference` (networkx, the
same iteration) on the same claims, in the same run; for the write, setting only `trust` on
the same rows (the floor).

Each full pass also reports what it cost wherever the machine's load puts the wall clock:
this process's and Neo4j's CPU seconds (`bench.process_cpu`), the seconds Neo4j's JVM spent
collecting garbage (`bench.jvm_gc`) and the statements that took longest (`Graph.seconds`:
waiting for each statement run alone; row and fact batches run two at a time, so they can
add up to more than the write).

The first recompute scores every row for the first time (the graph is seeded directly, not
ingested: no row has a score yet) and writes every row and fact; the second is the scheduled
recompute of a scored graph, which writes only what moved; the third runs a week later (the
engine's clock a week on), so decay moves every row's trust, and only that: the rows' stored
features, from which freshness is derived (`trust.features`), stay as they are. Incremental:
again for a document already scored (nothing moved), and for new 1,000-row documents, each
from a new source (the median of five, with the range).

Size: `BENCH_TRUST_ROWS` (default 1,000,000; entities = rows / 10, sources = rows / 1,000).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from operator import itemgetter
from typing import Any

import numpy as np

from bench.api_support import machine_load
from bench.jvm_gc import gc_seconds
from bench.process_cpu import CpuMeter, cpu_seconds, serving_pid
from graph.events import EventBus
from graph.graph import Graph
from trust import reference
from trust.aggregate_shift import shift_table_trust
from trust.claims import build_claims
from trust.engine import ROW_BATCH, TrustEngine, TrustReport, write_batches
from trust.overview import refresh_table_trust
from trust.truth import discover

PREFIX = "tb-"
SEED_BATCH = 10_000
NEW_DOCUMENTS = 5
"""New 1,000-row documents (each from a new source) whose incremental update is timed."""
SEEDED_TRUST = 0.5
"""The trust `bench/seed_trust_rows` gives a row."""
TOP_STATEMENTS = 4
"""Statements named per pass, longest first."""
AGED_DAYS = 7
"""The scheduled recompute is also timed this much later (the engine's clock moved on): a week
of decay at the `cities` half-life (730 days) moves every row's trust by more than 1e-4."""


async def seed(graph: Graph, rows: int) -> None:
    entities, sources = max(rows // 10, 1), max(rows // 1000, 1)
    rng = np.random.default_rng(0)
    accuracy = rng.uniform(0.5, 0.95, sources)
    for s in range(sources):
        await seed_document(graph, rng, s, rows // sources, entities, float(accuracy[s]))


async def seed_document(
    graph: Graph, rng: np.random.Generator, s: int, rows: int, entities: int, accuracy: float
) -> str:
    """Source `s` with one document of `rows` rows about random entities, right with
    probability `accuracy`."""
    document = f"{PREFIX}doc-{s}"
    await graph.write(
        "bench/seed_trust_document", {"source": f"{PREFIX}source-{s}", "document_id": document}
    )
    keys = rng.integers(0, entities, rows)
    right = rng.random(rows) < accuracy
    batch = [
        {
            "id": _row_id(s, i),
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
    return document


@dataclass(frozen=True)
class Incremental:
    """The incremental passes after new 1,000-row documents, and what refreshing the table's
    trust aggregate from its rows costs (every incremental pass paid it before the passes
    moved the aggregate by their rows)."""

    seconds: list[float]
    median: TrustReport
    refresh: float
    load: str

    def line(self) -> str:
        """The figure, with its parts, its range and the refresh beside it."""
        added, ordered = self.median, sorted(self.seconds)
        return (
            f"incremental update after a new 1,000-row document, median of {len(ordered)} "
            f"({ordered[0] * 1000:.0f}-{ordered[-1] * 1000:.0f} ms; median: {added.rows:,} rows "
            f"of its entities, {added.rows_written:,} rows and {added.facts_written:,} facts "
            f"written): {ordered[len(ordered) // 2] * 1000:.0f} ms = read "
            f"{added.seconds_reading * 1000:.0f} + compute {added.seconds_computing * 1000:.0f} "
            f"+ write {added.seconds_writing * 1000:.0f} ms; refreshing the table's trust "
            f"aggregate from its rows, which every such pass also did before: "
            f"{self.refresh * 1000:.0f} ms ({self.load})"
        )


async def incremental_after_new_documents(
    graph: Graph, engine: TrustEngine, rows: int
) -> Incremental:
    """`NEW_DOCUMENTS` new 1,000-row documents, each from a new source, each activated (its
    rows counted in the table's aggregate, as `ingest/activate_document` does) and then
    updated incrementally; the median pass by time."""
    sources, entities = max(rows // 1000, 1), max(rows // 10, 1)
    new: list[tuple[float, TrustReport]] = []
    for k in range(NEW_DOCUMENTS):
        rng = np.random.default_rng(k + 1)
        document = await seed_document(graph, rng, sources + k, 1000, entities, 0.8)
        entered = [["cities", 1000, [SEEDED_TRUST] * 1000]]
        await graph.transaction(partial(shift_table_trust, left=[], entered=entered))
        start = time.perf_counter()
        added = await engine.update_document(document)
        new.append((time.perf_counter() - start, added))
    new.sort(key=itemgetter(0))
    load = machine_load()
    start = time.perf_counter()
    await refresh_table_trust(graph, ["cities"])
    refresh = time.perf_counter() - start
    return Incremental([seconds for seconds, _ in new], new[len(new) // 2][1], refresh, load)


@dataclass(frozen=True)
class PassCost:
    """One full pass: its report, its wall time, the CPU it cost this process and Neo4j, the
    seconds Neo4j spent collecting garbage meanwhile (None where `jstat` cannot see it) and
    the seconds waited for each statement run alone."""

    report: TrustReport
    seconds: float
    cpu: CpuMeter
    gc: float | None
    statements: dict[str, float]

    def line(self) -> str:
        """Where the pass's time and CPU went."""
        gc = "" if self.gc is None else f", of it in GC {self.gc:.1f} s"
        longest = sorted(self.statements.items(), key=itemgetter(1), reverse=True)
        named = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in longest[:TOP_STATEMENTS])
        served = f"neo4j {self.cpu.served:.1f} s{gc}" if self.cpu.server else "neo4j not seen"
        return f"CPU: python {self.cpu.own:.1f} s, {served}; longest statements: {named}"


async def measured_recompute(engine: TrustEngine, server: int | None) -> PassCost:
    """`engine.recompute()` with what it cost (`PassCost`)."""
    graph = engine.graph
    before, meter, gc = dict(graph.seconds), CpuMeter(server), gc_seconds(server)
    meter.start()
    start = time.perf_counter()
    report = await engine.recompute()
    seconds = time.perf_counter() - start
    meter.stop()
    gc_after = gc_seconds(server)
    statements = {
        name: spent - before.get(name, 0.0)
        for name, spent in graph.seconds.items()
        if spent > before.get(name, 0.0)
    }
    collected = gc_after - gc if gc is not None and gc_after is not None else None
    return PassCost(report, seconds, meter, collected, statements)


def _row_id(source: int, position: int) -> str:
    return f"{PREFIX}row-{source}-{position}"


def _bare_trust_params(ids: list[str]) -> dict[str, Any]:
    return {"rows": [[row_id, 0.25] for row_id in ids]}


async def _bare_trust_write(graph: Graph, rows: int) -> float:
    """Seconds to set only `trust` on every seeded row, in the engine's batches and with its
    writers (`trust.engine.write_batches`): the floor under writing scores back."""
    sources = max(rows // 1000, 1)
    ids = [_row_id(s, i) for s in range(sources) for i in range(rows // sources)]
    start = time.perf_counter()
    await write_batches(
        graph,
        "bench/set_row_trust",
        [
            partial(_bare_trust_params, ids[k : k + ROW_BATCH])
            for k in range(0, len(ids), ROW_BATCH)
        ],
    )
    return time.perf_counter() - start


def _same(moment: datetime) -> datetime:
    return moment


async def clear(graph: Graph) -> None:
    while (await graph.write("bench/delete_trust_bench", {"prefix": PREFIX, "limit": 20_000}))[0][
        "deleted"
    ]:
        pass


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Seed, recompute, time the parts, compare the computing part with the reference."""
    rows = int(os.environ.get("BENCH_TRUST_ROWS", "1000000"))
    loads = [machine_load()]
    server = serving_pid(graph.uri)
    await clear(graph)
    start = time.perf_counter()
    await seed(graph, rows)
    seeding = time.perf_counter() - start
    try:
        engine = await TrustEngine.create(graph, bus)
        first = await measured_recompute(engine, server)
        again = await measured_recompute(engine, server)
        later = datetime.now(UTC) + timedelta(days=AGED_DAYS)
        aged = await measured_recompute(
            TrustEngine(graph, bus, engine.tables, clock=partial(_same, later)), server
        )
        start = time.perf_counter()
        update = await engine.update_document(f"{PREFIX}doc-0")
        incremental = time.perf_counter() - start
        added = await incremental_after_new_documents(graph, engine, rows)
        floor_cpu = cpu_seconds(server) if server else 0.0
        floor = await _bare_trust_write(graph, rows)  # last: it unsettles the stored scores
        floor_cpu = cpu_seconds(server) - floor_cpu if server else 0.0
        index = build_claims(await engine.read_rows(), engine.tables)
        start = time.perf_counter()
        discover(index.claims, detect_copying=False)
        fast = time.perf_counter() - start
        start = time.perf_counter()
        dependent = discover(index.claims)
        with_dependence = time.perf_counter() - start
        start = time.perf_counter()
        reference.discover(index.claims)
        slow = time.perf_counter() - start
        loads.append(machine_load())
    finally:
        await clear(graph)
    report, total = first.report, first.seconds
    floor_served = f", neo4j CPU {floor_cpu:.1f} s" if server else ""
    return [
        f"seeded {rows:,} rows / {max(rows // 10, 1):,} entities / {max(rows // 1000, 1):,} "
        f"sources in {seeding:.0f} s (not timed below); {loads[0]} at the start, "
        f"{loads[-1]} at the end",
        f"full recompute, first scoring: {total:.1f} s end to end = read "
        f"{report.seconds_reading:.1f} s + compute {report.seconds_computing:.1f} s + write "
        f"{report.seconds_writing:.1f} s ({report.items:,} items, {report.iterations} iterations; "
        f"{report.rows_written:,} rows and {report.facts_written:,} facts written); "
        + first.line(),
        f"full recompute, scheduled (graph scored): {again.seconds:.1f} s end to end = read "
        f"{again.report.seconds_reading:.1f} s + compute {again.report.seconds_computing:.1f} s "
        f"+ write {again.report.seconds_writing:.1f} s ({again.report.rows_written:,} rows and "
        f"{again.report.facts_written:,} facts written); " + again.line(),
        f"full recompute, {AGED_DAYS} days later (decay moves every row): {aged.seconds:.1f} s "
        f"end to end = read {aged.report.seconds_reading:.1f} s + compute "
        f"{aged.report.seconds_computing:.1f} s + write {aged.report.seconds_writing:.1f} s "
        f"({aged.report.rows_written:,} rows and {aged.report.facts_written:,} facts written); "
        + aged.line(),
        f"floor under the write: setting only `trust` on the same {rows:,} rows (same batches "
        f"and writers): {floor:.1f} s{floor_served}",
        f"truth discovery alone: {fast:.2f} s vs networkx reference {slow:.1f} s "
        f"on the same {len(index.claims.source):,} claims ({slow / fast:.0f}x)",
        f"source dependence (on in every full pass, so in the figures above): discovery with it "
        f"{with_dependence:.2f} s vs {fast:.2f} s without ({len(dependent.copying)} pairs); "
        f"the first recompute without it would take about "
        f"{total - with_dependence + fast:.1f} s ({total / (total - with_dependence + fast):.2f}x)",
        f"incremental update after one document already scored ({update.rows:,} rows of its "
        f"entities, {update.rows_written:,} written): {incremental * 1000:.0f} ms = read "
        f"{update.seconds_reading * 1000:.0f} + compute {update.seconds_computing * 1000:.0f} + "
        f"write {update.seconds_writing * 1000:.0f} ms",
        added.line(),
    ]
