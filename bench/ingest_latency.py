"""Latency from a file closed in the watched folder to its rows committed and the
`ingestion.completed` event received, through the real watcher and worker processes, with
the worker's after-ingest passes running beside (their own lane, `grace:passes`).

Files are dropped one at a time (each waits for the previous event), so the figure is the
pipeline's latency, not queueing; the passes are not waited for, so a pass lane that held up
ingestion would show here. Reported beside it: the first file after the worker reported
ready (both lanes' arq health keys, written once their start-up has loaded the models and
tables and rehearsed loading a file) against the later files' median, with its parts and
its spans of 10 ms or more; the whole after-ingest pass per file (first step started
to last step finished, from the `pipeline.step` events); and the database round trips of
one file's ingestion (statements run, each one round trip). Baseline: the same file
ingested in-process by the worker's ingestion service (no watcher, no queue), median of
`DIRECT_FILES` files after a first one.

Where each file's time went, part by part (`bench.latency_parts`): the watcher and the workers
export their spans by OTLP to a receiver in this process (tracing costs about 2 %, see
`tracing_overhead`); printed as the median of each part and the parts of the slowest files.

Measured for each worker layout of LAYOUTS in turn, each on files of its own: one process
running both lanes (`grace worker`), then a process per lane (`grace worker --lane ingest`
and `--lane passes`), where a pass's Python work no longer shares the interpreter that
ingests the next files; then a process per lane again with passes one at a time
(`worker_pass_batch_documents` 1), the baseline of the pass lag: how long after a file's rows
were committed its pass finished, with the passes the pass lane ran (coalesced, one pass takes
the passes waiting behind it). Size: `BENCH_LATENCY_FILES` per layout (default 200); the
processes log to `BENCH_LATENCY_LOG` when set. The slowest pass is shown step by step."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bench.api_support import machine_load
from bench.common import delete_source, write_csv
from bench.latency_parts import FileTiming, first_file, report
from bench.process_cpu import cpu_seconds, serving_pid
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings
from ingest.after_ingest import AFTER_INGEST
from ingest.assembly import IngestServices
from ingest.pipeline import PIPELINES_DIR, load_pipeline
from ingest.queue import AFTER_INGEST_QUEUE_NAME, QUEUE_NAME
from tests.otlp_receiver import OtlpReceiver

FILES = int(os.environ.get("BENCH_LATENCY_FILES", "200"))
ROWS_PER_FILE = 1_000
DIRECT_FILES = 5
SLOWEST_SHOWN = 3
WAIT_SECONDS = 60.0
PASSES_WAIT_SECONDS = 300.0
CODE = os.environ.get("BENCH_LATENCY_CODE")
"""A checkout whose code the worker and watcher processes run (default: this one), so that
another version's processes are measured by this bench on the same services."""
PROCESS_LOG = os.environ.get("BENCH_LATENCY_LOG")
"""Where the worker and watcher processes log (default: a temporary folder's file, deleted)."""
HEALTH_KEYS = tuple(f"{queue}:health-check" for queue in (QUEUE_NAME, AFTER_INGEST_QUEUE_NAME))
"""arq writes each lane's on its first poll, once the lane's start-up has finished: the worker
is ready when both lanes are (with a process per lane, the pass lane's loads its own)."""


def _start(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", *arguments],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=CODE,
        )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Seen:
    """When each file's ingestion event and each document's pass steps arrived."""

    def __init__(self, last_step: str) -> None:
        self.last_step = last_step
        self.ingested: dict[str, float] = {}
        self.pass_started: dict[str, float] = {}
        self.pass_finished: dict[str, float] = {}
        self.passed_path: dict[str, float] = {}
        """When each file's pass finished, by the file's path (as `ingested`)."""
        self.passes: set[str] = set()
        """The passes run: the document whose job ran each (several files' in a coalesced one)."""
        self.steps: dict[str, list[str]] = {}
        """Each document's finished steps: `name seconds` (with attempts past the first)."""
        self.expected = 0
        self.all_passed = asyncio.Event()
        self._arrived: dict[str, asyncio.Event] = {}

    def _event(self, path: str) -> asyncio.Event:
        return self._arrived.setdefault(path, asyncio.Event())

    async def collect(self, events: AsyncIterator[DomainEvent]) -> None:
        async for event in events:
            now = time.time()
            if event.type is EventType.PIPELINE_STEP:
                if event.payload.get("phase") == "started":
                    self.pass_started.setdefault(event.subject, now)
                    continue
                self.steps.setdefault(event.subject, []).append(_step(event.payload))
                if event.payload.get("step") == self.last_step:
                    self.pass_finished[event.subject] = now
                    self.passed_path[str(event.payload.get("path"))] = now
                    self.passes.add(str(event.payload.get("pass", event.subject)))
                    if self.expected and len(self.pass_finished) >= self.expected:
                        self.all_passed.set()
            else:
                path = str(event.payload.get("path"))
                self.ingested[path] = now
                self._event(path).set()

    async def ingested_at(self, path: str) -> float:
        """When the file's event arrived (seconds since the epoch)."""
        async with asyncio.timeout(WAIT_SECONDS):
            await self._event(path).wait()
        return self.ingested[path]

    async def passes_done(self, documents: int) -> None:
        """Until `documents` passes finished, or PASSES_WAIT_SECONDS went by."""
        self.expected = documents
        if len(self.pass_finished) >= documents:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_passed.wait(), PASSES_WAIT_SECONDS)

    def lag_seconds(self) -> list[float]:
        """How long after each file's rows were committed its pass finished."""
        return [
            self.passed_path[path] - at
            for path, at in self.ingested.items()
            if path in self.passed_path
        ]

    def pass_seconds(self) -> dict[str, float]:
        """Each finished pass's seconds, first step started to last step finished."""
        return {
            document: end - self.pass_started[document]
            for document, end in self.pass_finished.items()
            if document in self.pass_started
        }


def _step(payload: Mapping[str, Any]) -> str:
    """A finished step as `name 1.2 s`, with its status when not succeeded and its attempts
    past the first."""
    result = payload.get("result") or {}
    text = f"{payload.get('step')} {float(result.get('duration_seconds') or 0):.1f} s"
    if result.get("status") != "succeeded":
        text += f" {result.get('status')}"
    if int(result.get("attempts") or 0) > 1:
        text += f" ({result.get('attempts')} attempts)"
    return text


async def _until_ready(redis: Redis, workers: list[subprocess.Popen[bytes]]) -> float:
    """Seconds until both lanes reported ready (their arq health keys)."""
    start = time.perf_counter()
    while await redis.exists(*HEALTH_KEYS) < len(HEALTH_KEYS):
        for worker in workers:
            if worker.poll() is not None:
                raise RuntimeError(f"a worker process exited with {worker.returncode}")
        await asyncio.sleep(0.05)
    return time.perf_counter() - start


LAYOUTS = {
    "one worker process, both lanes": [["worker"]],
    "a process per lane": [["worker", "--lane", "ingest"], ["worker", "--lane", "passes"]],
    "a process per lane, passes one at a time": [
        ["worker", "--lane", "ingest"],
        ["worker", "--lane", "passes"],
    ],
}
"""The worker layouts measured, each on its own files, in this order: the first is the
baseline of the second, the third (passes not coalesced, as before) of the second's pass lag."""
LAYOUT_SETTINGS = {
    "a process per lane, passes one at a time": {"GRACE_WORKER_PASS_BATCH_DOCUMENTS": "1"},
}
"""Settings a layout's processes run with, beside the services'."""


@dataclass(frozen=True)
class _Layout:
    """One layout's figures, in milliseconds (start-up in seconds)."""

    name: str
    startup: float
    first: float
    later: list[float]
    passes: list[float]
    lag: list[float]
    """Seconds from each file's rows committed to its pass finished."""
    passes_run: int
    files: int
    slowest: str
    """The slowest pass's steps, each with its seconds."""
    parts: list[str]
    """Where the files' time went (`bench.latency_parts.report`)."""
    cpu: dict[str, float]
    """CPU seconds over the layout's files: each worker process's (by its arguments), and
    Neo4j's when it runs on this machine."""

    def lines(self) -> list[str]:
        later_p50 = statistics.median(self.later)
        return [
            f"{self.name}: worker start to ready (models and tables loaded): {self.startup:.1f} s",
            f"  file closed -> rows committed + event, {FILES} files after the first: "
            f"p50 {later_p50:.0f} ms, p99 {_percentile(self.later, 0.99):.0f} ms, "
            f"max {max(self.later):.0f} ms",
            f"  first file after ready: {self.first:.0f} ms = "
            f"{self.first / later_p50:.1f}x the later p50",
            f"  after-ingest pass per file ({len(self.passes)} of {self.files} seen): "
            + (
                f"p50 {statistics.median(self.passes):.0f} ms, "
                f"p99 {_percentile(self.passes, 0.99):.0f} ms, max {max(self.passes):.0f} ms"
                if self.passes
                else "none finished"
            ),
            "  pass lag behind ingestion (rows committed -> its pass done): "
            + (
                f"p50 {statistics.median(self.lag):.1f} s, p99 {_percentile(self.lag, 0.99):.1f} s,"
                f" max {max(self.lag):.1f} s; {self.passes_run} passes for {len(self.lag)} files"
                if self.lag
                else "no pass finished"
            ),
            f"  slowest pass: {self.slowest}",
            *self.parts,
            "  CPU per file (load-independent): "
            + ", ".join(
                f"{who} {seconds * 1000 / self.files:.0f} ms" for who, seconds in self.cpu.items()
            ),
        ]


async def _measure(
    name: str,
    workers: list[list[str]],
    bus: EventBus,
    settings: Settings,
    folder: Path,
    receiver: OtlpReceiver,
) -> _Layout:
    """Drop FILES + 1 files one by one into a watched folder of its own in `folder`, served
    by `workers` and a watcher; time close -> event, and each file's pass."""
    last_step = load_pipeline(PIPELINES_DIR / f"{AFTER_INGEST}.yaml").steps[-1].name
    seen = _Seen(last_step)
    redis = Redis.from_url(settings.redis_url)
    root = Path(tempfile.mkdtemp(prefix="inbox", dir=folder))
    source = root / "bench_latency"
    source.mkdir()
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "GRACE_WATCH_DIRS": json.dumps([str(root)]),
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        **LAYOUT_SETTINGS.get(name, {}),
    }
    log = Path(PROCESS_LOG) if PROCESS_LOG else folder / "processes.log"
    await redis.delete(*HEALTH_KEYS)
    processes = [_start(arguments, env, log) for arguments in workers]
    neo4j = serving_pid(settings.neo4j_uri)
    processes.append(_start(["watch"], env, log))
    ready = asyncio.Event()
    events = bus.subscribe(
        [EventType.INGESTION_COMPLETED, EventType.INGESTION_FAILED, EventType.PIPELINE_STEP],
        ready=ready,
    )
    collector = asyncio.create_task(seen.collect(events))
    timings: list[FileTiming] = []
    try:
        await ready.wait()
        startup = await _until_ready(redis, processes[: len(workers)])
        await asyncio.sleep(2)  # the watcher's first scan of the (empty) folder
        before = _cpu(workers, processes, neo4j)
        for n in range(FILES + 1):
            prefix = f"lat{n}"
            path = write_csv(source, f"{prefix}.csv", prefix, ROWS_PER_FILE)
            closed = time.time()
            received = await seen.ingested_at(f"bench_latency/{path.name}")
            timings.append(FileTiming(int(closed * 1e9), int(received * 1e9)))
        await seen.passes_done(FILES + 1)
        after = _cpu(workers, processes, neo4j)
        cpu = {who: after[who] - before[who] for who in after}
    finally:
        collector.cancel()
        await asyncio.gather(collector, return_exceptions=True)
        await redis.aclose()
        for process in processes:
            process.terminate()
            process.wait(30)
    latencies = [(timing.received_ns - timing.closed_ns) / 1e6 for timing in timings]
    passes = seen.pass_seconds()
    slowest = max(passes, key=passes.__getitem__, default=None)
    return _Layout(
        name,
        startup,
        latencies[0],
        latencies[1:],
        [value * 1000 for value in passes.values()],
        seen.lag_seconds(),
        len(seen.passes),
        FILES + 1,
        "none" if slowest is None else ", ".join(seen.steps[slowest]),
        [
            *first_file(timings[0], receiver.received()),
            *report(timings[1:], receiver.received(), SLOWEST_SHOWN),
        ],
        cpu,
    )


def _cpu(
    workers: list[list[str]], processes: list[subprocess.Popen[bytes]], neo4j: int | None
) -> dict[str, float]:
    """CPU seconds so far of each worker process (named by its arguments) and of Neo4j."""
    spent = {
        " ".join(arguments): cpu_seconds(process.pid)
        for arguments, process in zip(workers, processes, strict=False)
    }
    return spent | ({"neo4j": cpu_seconds(neo4j)} if neo4j else {})


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """Each layout of LAYOUTS on its own files, then the in-process baseline; report."""
    layouts = []
    receiver = OtlpReceiver(0)
    for source in ("folder:bench_latency", "folder:bench_direct"):  # an interrupted run's
        await delete_source(graph, source)
    with tempfile.TemporaryDirectory() as folder:
        try:
            for name, workers in LAYOUTS.items():
                layouts.append(await _measure(name, workers, bus, settings, Path(folder), receiver))
                await delete_source(graph, "folder:bench_latency")
            baseline, round_trips = await _in_process(graph, bus, settings, Path(folder))
        finally:
            receiver.close()
            await delete_source(graph, "folder:bench_latency")
            await delete_source(graph, "folder:bench_direct")
    shared, split = (statistics.median(layout.later) for layout in layouts[:2])
    coalesced, alone = (statistics.median(layout.lag or [0.0]) for layout in layouts[1:])
    return [
        f"in-process ingestion of a {ROWS_PER_FILE:,}-row file (baseline, median of "
        f"{DIRECT_FILES} after a first): {baseline:.0f} ms, {round_trips} database round trips",
        *(line for layout in layouts for line in layout.lines()),
        f"a process per lane: later files' p50 {split / shared:.2f}x one process's",
        f"a process per lane: pass lag p50 coalesced {coalesced / alone:.2f}x one at a time",
        machine_load(),
    ]


async def _in_process(
    graph: Graph, bus: EventBus, settings: Settings, folder: Path
) -> tuple[float, int]:
    """The same files ingested by the worker's own ingestion service (admission,
    encryption), without the model, in this process: the median milliseconds of
    DIRECT_FILES after a first, and the round trips of one."""
    quiet = settings.model_copy(update={"embedding_backend": "off"})
    ingest = (await IngestServices.open(graph, bus, quiet)).ingestion
    seconds = []
    round_trips = 0
    for n in range(DIRECT_FILES + 1):
        direct = write_csv(folder / "direct" / "bench_direct", f"d{n}.csv", f"d{n}", ROWS_PER_FILE)
        before = sum(graph.statements.values())
        start = time.perf_counter()
        await ingest.ingest_file(direct, direct.parent.parent)
        seconds.append(time.perf_counter() - start)
        round_trips = sum(graph.statements.values()) - before
    return statistics.median(seconds[1:]) * 1000, round_trips
