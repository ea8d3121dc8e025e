"""Latency from a file closed in the watched folder to its rows committed and the
`ingestion.completed` event received, through the real watcher and worker processes.

Files are dropped one at a time (each waits for the previous event), so the figure is the
pipeline's latency, not queueing. Baseline: the same file ingested in-process by the service
(no watcher, no queue)."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import delete_source, service, write_csv
from graph.events import EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings

FILES = 200
ROWS_PER_FILE = 1_000
WAIT_SECONDS = 30.0


def _start(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", *arguments],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """Drop FILES files one by one into a watched folder; time close -> event."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "inbox"
        source = root / "bench_latency"
        source.mkdir(parents=True)
        env = {
            **os.environ,
            "NEO4J_URI": settings.neo4j_uri,
            "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
            "REDIS_URL": settings.redis_url,
            "GRACE_WATCH_DIRS": json.dumps([str(root)]),
        }
        log = Path(folder) / "processes.log"
        processes = [_start(["worker"], env, log), _start(["watch"], env, log)]
        events = bus.subscribe([EventType.INGESTION_COMPLETED, EventType.INGESTION_FAILED])
        latencies: list[float] = []
        try:
            await asyncio.sleep(3)  # both processes connected and watching
            for n in range(FILES + 1):  # the first file warms up the worker
                prefix = f"lat{n}"
                path = write_csv(source, f"{prefix}.csv", prefix, ROWS_PER_FILE)
                closed = time.perf_counter()
                async with asyncio.timeout(WAIT_SECONDS):
                    async for event in events:
                        if event.payload.get("path") == f"bench_latency/{path.name}":
                            break
                if n:
                    latencies.append(time.perf_counter() - closed)
            ingest = await service(graph, bus)
            direct = write_csv(
                Path(folder) / "direct" / "bench_direct", "d.csv", "d", ROWS_PER_FILE
            )
            start = time.perf_counter()
            await ingest.ingest_file(direct, direct.parent.parent)
            baseline = time.perf_counter() - start
        finally:
            await events.aclose()
            for process in processes:
                process.terminate()
                process.wait(30)
            await delete_source(graph, "folder:bench_latency")
            await delete_source(graph, "folder:bench_direct")
    ms = [value * 1000 for value in latencies]
    return [
        f"in-process ingestion of one {ROWS_PER_FILE:,}-row file (baseline): "
        f"{baseline * 1000:.0f} ms",
        f"file closed -> rows committed + event, {FILES} files: "
        f"p50 {statistics.median(ms):.0f} ms, p99 {_percentile(ms, 0.99):.0f} ms, "
        f"max {max(ms):.0f} ms",
    ]
