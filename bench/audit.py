"""The audit log: what an append costs a write, and how fast a long chain verifies.

(a) N small node writes through `Graph.write` alone (the baseline), then the same writes
each followed by `AuditLog.append` of one entry, then appends of 100 entries per call.
(b) A chain of 1,000,000 events (GRACE_BENCH_AUDIT_EVENTS to change it), hashed in Python
and written in batches with bench-only Cypher, then timed through `verify` (no checkpoint)
with its ranges read and checked by worker processes (GRACE_BENCH_AUDIT_WORKERS, default
2), through `verify` checking every range in this process (the baseline: how main
verified), and through a bare read of the same seq ranges in this process
(`AuditLog.range_pages`, nothing checked: what one process's reading alone costs), then the
same ranges read one at a time by `audit/events_page` and by the statement it replaced
(`bench/audit_events_page_before`: each property read by name), alternately.
Both use bench-only chains, deleted afterwards.
"""

from __future__ import annotations

import os
import resource
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.api_support import machine_load
from governance.audit import (
    EVENT_PROPERTIES,
    GENESIS_HASH,
    AuditEntry,
    AuditLog,
    chain_records,
)
from governance.audit_processes import SEGMENT_SPAN, SegmentProcesses
from governance.audit_verify import VerifyReport, verify
from governance.checkpoint import Trust
from graph.graph import Graph
from graph.settings import Settings

WRITES = 1_000
BATCHES = 50
BATCH = 100
LONG_CHAIN = int(os.environ.get("GRACE_BENCH_AUDIT_EVENTS", "1000000"))
WORKERS = int(os.environ.get("GRACE_BENCH_AUDIT_WORKERS", "2"))
WRITE_BATCH = 10_000


def _entry(number: int) -> AuditEntry:
    return AuditEntry(
        actor="system:bench",
        action="row.quarantine",
        target=f"row:{number}",
        before={"status": "active"},
        after={"status": "quarantined"},
    )


async def _append_cost(graph: Graph, run: str) -> list[str]:
    log = AuditLog(graph, chain=f"bench-{run}")
    try:
        start = time.perf_counter()
        for n in range(WRITES):
            await graph.write("bench/audit_probe_write", {"run": run, "n": n})
        bare = (time.perf_counter() - start) / WRITES * 1e6
        start = time.perf_counter()
        for n in range(WRITES):
            await graph.write("bench/audit_probe_write", {"run": run, "n": n})
            await log.append([_entry(n)])
        audited = (time.perf_counter() - start) / WRITES * 1e6
        start = time.perf_counter()
        for batch in range(BATCHES):
            await log.append([_entry(batch * BATCH + i) for i in range(BATCH)])
        batched = (time.perf_counter() - start) / (BATCHES * BATCH) * 1e6
    finally:
        await _delete_chain(graph, log.chain)
        probes = {"run": run, "limit": 10_000}
        while (await graph.write("bench/audit_delete_probes", probes))[0]["deleted"]:
            pass
    return [
        f"write alone (baseline): {bare:,.0f} us/write ({WRITES} writes)",
        f"write + append of 1 entry: {audited:,.0f} us/write ({audited / bare:.2f}x baseline; "
        f"the append adds {audited - bare:,.0f} us)",
        f"appends of {BATCH} entries per call: {batched:,.1f} us/event "
        f"({BATCHES * BATCH} events; {batched / bare:.3f}x a bare write)",
    ]


def _generated(chain: str, count: int) -> Iterator[dict[str, Any]]:
    """`count` correctly hashed events of `chain`, produced lazily."""
    seq, previous = 0, GENESIS_HASH
    at = datetime(2026, 1, 1, tzinfo=UTC)
    while seq < count:
        size = min(WRITE_BATCH, count - seq)
        records = chain_records(
            chain,
            [_entry(seq + i) for i in range(size)],
            seq,
            previous,
            at + timedelta(seconds=seq),
        )
        seq, previous = records[-1].seq, records[-1].hash
        yield from (record.properties() for record in records)


async def _verify_speed(graph: Graph, settings: Settings, run: str) -> list[str]:
    log = AuditLog(graph, chain=f"bench-verify-{run}")
    processes = SegmentProcesses(settings, WORKERS)
    try:
        start = time.perf_counter()
        await graph.write_batches(
            "bench/audit_create_events",
            _generated(log.chain, LONG_CHAIN),
            batch_size=WRITE_BATCH,
            param="events",
        )
        last = (await log.events(after_seq=LONG_CHAIN - 1))[0]
        await graph.write(
            "bench/audit_set_head", {"chain": log.chain, "seq": last.seq, "hash": last.hash}
        )
        generated = time.perf_counter() - start
        spread = await _timed_verify(log, processes)
        here = await _timed_verify(log, None)
        start, cpu = time.perf_counter(), time.process_time()
        async for _ in log.range_pages(LONG_CHAIN, SEGMENT_SPAN):
            pass
        floor = _Timed(None, time.perf_counter() - start, time.process_time() - cpu)
        statements = await _statements_compared(graph, log.chain)
    finally:
        processes.close()
        await _delete_chain(graph, log.chain)
    events = spread.report.events if spread.report else 0
    return [
        f"generate and write {LONG_CHAIN:,} events: {generated:,.1f} s "
        f"({LONG_CHAIN / generated:,.0f} events/s)",
        f"verify {events:,} events, ranges read and checked by {WORKERS} worker processes: "
        f"{spread.seconds:,.1f} s, {events / spread.seconds:,.0f} events/s, {spread.cpu:,.1f} s "
        f"of Python CPU ({spread.outcome}; {spread.load})",
        f"verify checking every range in this process (the baseline, main's way): "
        f"{here.seconds:,.1f} s, {here.cpu:,.1f} s of Python CPU ({here.outcome}; {here.load}; "
        f"the workers {spread.seconds / here.seconds:.2f}x of it)",
        f"read the same ranges in this process, unchecked (the floor): {floor.seconds:,.1f} s, "
        f"{floor.cpu:,.1f} s of Python CPU ({floor.load}; the workers "
        f"{spread.seconds / floor.seconds:.2f}x of it, this process "
        f"{here.seconds / floor.seconds:.2f}x)",
        *statements,
    ]


PAGE_STATEMENTS = {
    "this statement": "audit/events_page",
    "before": "bench/audit_events_page_before",
}


async def _statements_compared(graph: Graph, chain: str) -> list[str]:
    """The chain's ranges read one at a time, unchecked, by `audit/events_page` and by the
    statement it replaced, twice in alternation (Neo4j's share shows in the wall time)."""
    timed: dict[str, list[_Timed]] = {name: [] for name in PAGE_STATEMENTS}
    for order in (list(PAGE_STATEMENTS), list(reversed(PAGE_STATEMENTS))):
        for name in order:
            timed[name].append(await _read_ranges(graph, chain, PAGE_STATEMENTS[name]))
    now, before = timed["this statement"], timed["before"]
    return [
        f"ranges read one at a time, unchecked, by {label}: "
        + ", then ".join(
            f"{run.seconds:,.1f} s ({run.cpu:,.1f} s Python CPU; {run.load})" for run in runs
        )
        for label, runs in (("audit/events_page", now), ("the statement before (baseline)", before))
    ] + [
        f"audit/events_page {sum(r.seconds for r in now) / sum(r.seconds for r in before):.2f}x "
        "the time of the statement before"
    ]


async def _read_ranges(graph: Graph, chain: str, statement: str) -> _Timed:
    start, cpu = time.perf_counter(), time.process_time()
    for after in range(0, LONG_CHAIN, SEGMENT_SPAN):
        params = {
            "chain": chain,
            "after_seq": after,
            "through_seq": min(after + SEGMENT_SPAN, LONG_CHAIN),
            "limit": SEGMENT_SPAN + 1,
            "properties": EVENT_PROPERTIES,
        }
        await graph.read_plain(statement, params)
    return _Timed(None, time.perf_counter() - start, time.process_time() - cpu)


@dataclass(frozen=True)
class _Timed:
    """A timed pass over the chain: its report (None for a bare read), wall seconds, the
    CPU seconds of this process and of the worker processes it ended, and the load after."""

    report: VerifyReport | None
    seconds: float
    cpu: float
    load: str = field(default_factory=machine_load)

    @property
    def outcome(self) -> str:
        if self.report is None or self.report.ok:
            return "OK"
        return f"{len(self.report.problems)} PROBLEMS"


async def _timed_verify(log: AuditLog, processes: SegmentProcesses | None) -> _Timed:
    """`verify` of the whole chain (the worker processes stopped after it, so that their
    CPU is counted)."""
    start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    report = await verify(log, Trust(frozenset()), page_size=SEGMENT_SPAN, processes=processes)
    seconds = time.perf_counter() - start
    if processes is not None:
        processes.close()
    spent = time.process_time() - cpu + _children_cpu() - children
    return _Timed(report, seconds, spent)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _delete_chain(graph: Graph, chain: str) -> None:
    params = {"chain": chain, "limit": WRITE_BATCH}
    while (await graph.write("bench/audit_delete_events", params))[0]["deleted"]:
        pass
    await graph.write("bench/audit_delete_head", {"chain": chain})


async def run(graph: Graph, settings: Settings) -> list[str]:
    """Measure both, clean up, and return the report lines."""
    run_id = uuid.uuid4().hex[:8]
    return [*await _append_cost(graph, run_id), *await _verify_speed(graph, settings, run_id)]
