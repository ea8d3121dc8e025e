"""The whole after-ingest pass per file, one pass (`trust/document_pass.py`) against the
step-by-step pass it replaced (`bench/step_by_step.py`: each step read the rows again, and the
services were built afresh for every document), in the same run on the same machine.

FILES files of ROWS rows each come from four sources about the same ROWS cities, every tenth
value of a source disagreeing; each is ingested, then passed (embedding off in both, so the
figure is the pass's own). Reported: the pass per file (p50 / p99 / first file), the
database statements per document (round trips: each statement is one, inside a
transaction too), and the parts of the one pass (the incremental trust computation beside
detection, healing and the write). Size: `BENCH_PASS_FILES` (default 12), `BENCH_PASS_ROWS`
(default 1,000).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import delete_source, service
from bench.step_by_step import step_by_step
from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from ingest.after_ingest import AfterIngest
from ingest.service import IngestionService, IngestOutcome, OutcomeStatus
from trust.services import TrustServices

SOURCES = 4
AUDIT_CHAIN = "bench-after-ingest"


@dataclass
class Timings:
    """One way of running the pass: seconds and statements per file."""

    seconds: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    parts: dict[str, list[float]] = field(default_factory=dict)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def line(self, name: str) -> str:
        return (
            f"{name}: p50 {self.percentile(0.5) * 1000:.0f} ms, p99 "
            f"{self.percentile(0.99) * 1000:.0f} ms, first file {self.seconds[0] * 1000:.0f} ms; "
            f"{statistics.median(self.statements):.0f} database statements per document "
            f"(median; {min(self.statements)}-{max(self.statements)})"
        )


def _csv(prefix: str, file: int, rows: int) -> str:
    lines = ["city_id,name,country,population,area_km2,updated_at"]
    for k in range(rows):
        wrong = 7_777 if (k + file) % 10 == 0 else 0
        lines.append(
            f"{prefix}-{k}-xx,City {k},XX,{10_000 + k * 10 + wrong},{10 + k % 90}.5,"
            "2026-01-01T00:00:00Z"
        )
    return "\n".join(lines) + "\n"


async def _measure(
    graph: Graph,
    ingestion: IngestionService,
    folder: Path,
    files: int,
    rows: int,
    run: Callable[[IngestOutcome], Awaitable[dict[str, float]]],
) -> Timings:
    timings = Timings()
    prefix = folder.name
    for file in range(files):
        source = folder / f"{prefix}_{file % SOURCES}"
        source.mkdir(parents=True, exist_ok=True)
        path = source / f"cities_{file // SOURCES}.csv"
        path.write_text(_csv(prefix, file, rows), encoding="utf-8")
        outcome = await ingestion.ingest_file(path, folder)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
        before = sum(graph.statements.values())
        start = time.perf_counter()
        parts = await run(outcome)
        timings.seconds.append(time.perf_counter() - start)
        timings.statements.append(sum(graph.statements.values()) - before)
        for part, seconds in parts.items():
            timings.parts.setdefault(part, []).append(seconds)
    return timings


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """Both passes over the same shape of files; the step-by-step one first."""
    files = int(os.environ.get("BENCH_PASS_FILES", "12"))
    rows = int(os.environ.get("BENCH_PASS_ROWS", "1000"))
    ingestion = await service(graph, bus)
    audit = AuditLog(graph, chain=AUDIT_CHAIN)

    async def steps(outcome: IngestOutcome) -> dict[str, float]:
        assert outcome.document_id is not None
        services = await TrustServices.open(graph, bus, audit)  # per document, as before
        await step_by_step(await services.current(), services.governance, outcome.document_id)
        return {}

    services = await TrustServices.open(graph, bus, audit)
    after_ingest = AfterIngest.declared(services)

    async def one_pass(outcome: IngestOutcome) -> dict[str, float]:
        pipeline = await after_ingest.run(outcome)
        assert pipeline is not None
        return {name: step.duration_seconds for name, step in pipeline.steps.items()}

    run_id = uuid.uuid4().hex[:6]
    prefixes = (f"bps{run_id}", f"bpo{run_id}")
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        try:
            before = await _measure(graph, ingestion, root / prefixes[0], files, rows, steps)
            after = await _measure(graph, ingestion, root / prefixes[1], files, rows, one_pass)
        finally:
            for prefix in prefixes:
                params = {"prefix": prefix, "limit": 10_000}
                while (await graph.write("bench/delete_pass_bench", params))[0]["deleted"]:
                    pass
                for s in range(SOURCES):
                    await delete_source(graph, f"folder:{prefix}_{s}")
    parts = ", ".join(
        f"{name} {statistics.median(values) * 1000:.0f}" for name, values in after.parts.items()
    )
    return [
        f"{files} files of {rows:,} rows from {SOURCES} sources about the same {rows:,} cities",
        before.line("step by step (before: services per document, rows read per step)"),
        after.line("one pass (after: services once, rows read once)"),
        f"one pass / step by step, p50: {after.percentile(0.5) / before.percentile(0.5):.2f}; "
        f"statements per document: {_ratio(after.statements, before.statements):.2f}",
        f"one pass, median ms per step: {parts}",
    ]


def _ratio(after: list[int], before: list[int]) -> float:
    return statistics.median(after) / statistics.median(before)
