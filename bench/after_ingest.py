"""The whole after-ingest pass per file, in the same run on the same machine:

- `steps`: the one pass (`trust/document_pass.py`) against the step-by-step pass it replaced
  (`bench/step_by_step.py`: each step read the rows again, and the services were built afresh
  for every document), each file passed as soon as it is ingested;
- `burst`: the files all ingested before any pass runs, as when they arrive faster than
  passes; then their passes as the pass lane runs them, coalesced (each pass takes the passes
  waiting behind it, up to the batch the settings give: `worker_pass_batch_documents`,
  `worker_pass_batch_rows`) against the same passes one at a time, as before coalescing.

FILES files of ROWS rows each come from four sources about the same ROWS cities, every tenth
value of a source disagreeing (embedding off, so the figure is the pass's own). Reported: the
pass per file (p50 / p99 / first file), the database statements per document (round trips:
each statement is one, inside a transaction too), and the parts of the one pass (the
incremental trust computation beside detection, healing and the write); for the burst, the
passes per file, each pass's seconds (p50 / p99), the seconds and the CPU seconds (this
process's and Neo4j's: load-independent) per file. Size: `BENCH_PASS_FILES` (default 12),
`BENCH_PASS_ROWS` (default 1,000); parts: `BENCH_PASS_PARTS` (default `steps,burst`).
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

from bench.api_support import machine_load
from bench.common import delete_source, service
from bench.process_cpu import CpuMeter, serving_pid
from bench.step_by_step import step_by_step
from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.after_ingest import ALONE, AfterIngest, PassBatch
from ingest.pass_state import OwedPass
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


async def _ingest(ingestion: IngestionService, folder: Path, file: int, rows: int) -> IngestOutcome:
    """The `file`th file of the folder's sources, ingested."""
    prefix = folder.name
    source = folder / f"{prefix}_{file % SOURCES}"
    source.mkdir(parents=True, exist_ok=True)
    path = source / f"cities_{file // SOURCES}.csv"
    path.write_text(_csv(prefix, file, rows), encoding="utf-8")
    outcome = await ingestion.ingest_file(path, folder)
    assert outcome.status is OutcomeStatus.INGESTED, outcome
    return outcome


async def _measure(
    graph: Graph,
    ingestion: IngestionService,
    folder: Path,
    files: int,
    rows: int,
    run: Callable[[IngestOutcome], Awaitable[dict[str, float]]],
) -> Timings:
    timings = Timings()
    for file in range(files):
        outcome = await _ingest(ingestion, folder, file, rows)
        before = sum(graph.statements.values())
        start = time.perf_counter()
        parts = await run(outcome)
        timings.seconds.append(time.perf_counter() - start)
        timings.statements.append(sum(graph.statements.values()) - before)
        for part, seconds in parts.items():
            timings.parts.setdefault(part, []).append(seconds)
    return timings


@dataclass
class Burst:
    """A burst's passes: seconds of each pass, and totals over the burst's files."""

    files: int
    passes: list[float]
    statements: int
    cpu: CpuMeter
    steps: dict[str, float]
    """Seconds of each step, summed over the passes."""

    def line(self, name: str) -> str:
        ordered = sorted(self.passes)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        per_file = sum(self.passes) / self.files
        cpu = f"python {self.cpu.own / self.files:.2f} s"
        if self.cpu.server:
            cpu += f", neo4j {self.cpu.served / self.files:.2f} s"
        return (
            f"{name}: {len(self.passes)} passes for {self.files} files "
            f"({len(self.passes) / self.files:.2f} per file); a pass p50 "
            f"{statistics.median(self.passes) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; per file "
            f"{per_file * 1000:.0f} ms, {self.statements / self.files:.0f} statements, CPU {cpu}; "
            "ms per file by step: "
            + ", ".join(f"{name} {s * 1000 / self.files:.0f}" for name, s in self.steps.items())
        )


async def _burst(
    graph: Graph,
    ingestion: IngestionService,
    folder: Path,
    files: int,
    rows: int,
    after_ingest: AfterIngest,
    neo4j: int | None,
) -> Burst:
    """Ingest `files` files, then run their passes as the pass lane takes their jobs: each
    offered the passes queued behind it (which its batch may take)."""
    owed = []
    for file in range(files):
        outcome = await _ingest(ingestion, folder, file, rows)
        assert outcome.document_id is not None
        owed.append(OwedPass(outcome.document_id, outcome.path, outcome.table, outcome.rows))
    passes = []
    steps: dict[str, float] = {}
    meter = CpuMeter(neo4j)
    before = sum(graph.statements.values())
    meter.start()
    for position, document in enumerate(owed):
        start = time.perf_counter()
        run = await after_ingest.resume(document, owed[position:])
        if run is not None:  # None: an earlier pass took it
            assert run.status.value == "succeeded", run
            passes.append(time.perf_counter() - start)
            for name, step in run.steps.items():
                steps[name] = steps.get(name, 0.0) + step.duration_seconds
    meter.stop()
    return Burst(files, passes, sum(graph.statements.values()) - before, meter, steps)


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """The parts of `BENCH_PASS_PARTS` over the same shape of files, each baseline first."""
    files = int(os.environ.get("BENCH_PASS_FILES", "12"))
    rows = int(os.environ.get("BENCH_PASS_ROWS", "1000"))
    parts = os.environ.get("BENCH_PASS_PARTS", "steps,burst").split(",")
    ingestion = await service(graph, bus)
    audit = AuditLog(graph, chain=AUDIT_CHAIN)
    services = await TrustServices.open(graph, bus, audit)
    lines = [
        f"{files} files of {rows:,} rows from {SOURCES} sources about the same {rows:,} cities"
    ]
    run_id = uuid.uuid4().hex[:6]
    prefixes: list[str] = []

    def folder(root: Path, kind: str) -> Path:
        prefixes.append(f"b{kind}{run_id}")
        return root / prefixes[-1]

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        try:
            if "steps" in parts:
                lines += await _steps(
                    graph, bus, ingestion, audit, services, root, folder, files, rows
                )
            if "burst" in parts:
                batch = PassBatch.of(settings)
                neo4j = serving_pid(settings.neo4j_uri)
                alone = AfterIngest.declared(services, batch=ALONE)
                together = AfterIngest.declared(services, batch=batch)
                before = await _burst(
                    graph, ingestion, folder(root, "a"), files, rows, alone, neo4j
                )
                after = await _burst(
                    graph, ingestion, folder(root, "c"), files, rows, together, neo4j
                )
                lines += [
                    before.line("burst, passes one at a time (before)"),
                    after.line(
                        f"burst, coalesced (after; batch {batch.documents} documents, "
                        f"{batch.rows:,} rows)"
                    ),
                    f"coalesced / one at a time, per file: "
                    f"{sum(after.passes) / sum(before.passes):.2f} of the time, "
                    f"{_cpu(after) / _cpu(before):.2f} of the CPU (python + neo4j)",
                ]
        finally:
            for prefix in prefixes:
                params = {"prefix": prefix, "limit": 10_000}
                while (await graph.write("bench/delete_pass_bench", params))[0]["deleted"]:
                    pass
                for s in range(SOURCES):
                    await delete_source(graph, f"folder:{prefix}_{s}")
    return [*lines, machine_load()]


def _cpu(burst: Burst) -> float:
    return burst.cpu.own + burst.cpu.served


async def _steps(
    graph: Graph,
    bus: EventBus,
    ingestion: IngestionService,
    audit: AuditLog,
    services: TrustServices,
    root: Path,
    folder: Callable[[Path, str], Path],
    files: int,
    rows: int,
) -> list[str]:
    """The one pass against the step-by-step pass, each file passed once ingested."""

    async def steps(outcome: IngestOutcome) -> dict[str, float]:
        assert outcome.document_id is not None
        fresh = await TrustServices.open(graph, bus, audit)  # per document, as before
        await step_by_step(await fresh.current(), fresh.governance, outcome.document_id)
        return {}

    after_ingest = AfterIngest.declared(services)

    async def one_pass(outcome: IngestOutcome) -> dict[str, float]:
        pipeline = await after_ingest.run(outcome)
        assert pipeline is not None
        return {name: step.duration_seconds for name, step in pipeline.steps.items()}

    before = await _measure(graph, ingestion, folder(root, "s"), files, rows, steps)
    after = await _measure(graph, ingestion, folder(root, "o"), files, rows, one_pass)
    parts = ", ".join(
        f"{name} {statistics.median(values) * 1000:.0f}" for name, values in after.parts.items()
    )
    return [
        before.line("step by step (before: services per document, rows read per step)"),
        after.line("one pass (after: services once, rows read once)"),
        f"one pass / step by step, p50: {after.percentile(0.5) / before.percentile(0.5):.2f}; "
        f"statements per document: {_ratio(after.statements, before.statements):.2f}",
        f"one pass, median ms per step: {parts}",
    ]


def _ratio(after: list[int], before: list[int]) -> float:
    return statistics.median(after) / statistics.median(before)
