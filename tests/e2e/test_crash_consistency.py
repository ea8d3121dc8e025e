"""Crash consistency with the real processes (issue 20): the same files loaded once cleanly and
once through crashes (the worker SIGKILLed while it writes rows, between a document's
activation and its pass, inside a pass step; Neo4j killed with -9; Redis restarted) end in
the same derived graph: node and edge counts, active rows, conflicts, facts and trust.

Each run has a fresh Neo4j and Redis of its own. Every fault is triggered by progress read in
the graph, never after a sleep, and every wait fails when nothing moves for a while rather
than at a wall-clock deadline."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool

from api.prestart import prestart
from cli.stack.process import ManagedProcess
from cli.stack.services import NEO4J_READY_LINE, neo4j_process, redis_process
from graph.cypher_registry import CypherRegistry
from graph.errors import GraphUnavailableError
from graph.graph import Graph
from graph.settings import Settings
from ingest.pass_state import LEASE_SECONDS
from ingest.queue import Priority, QueuedFile, deserialize, enqueue_file, serialize
from ingest.watch.files import sha256_of

pytestmark = [pytest.mark.integration, pytest.mark.timeout(3600)]  # a hang guard only

JOB_TIMEOUT_SECONDS = 120
"""The worker's job timeout: a killed job runs again once its in-progress mark expires, this
plus 10 s later (arq)."""
SWEEP_SECONDS = 60
"""The recovery sweep's schedule (every minute)."""
RECOVERY_SECONDS = JOB_TIMEOUT_SECONDS + 10 + LEASE_SECONDS + SWEEP_SECONDS
"""What recovery may take beyond the work itself: a killed job's mark expiring, a dead
pass's lease running out, the next sweep."""
FILES = 4
ROWS = 300
HEADER = "city_id,name,country,population,area_km2,updated_at\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def write_files(inbox: Path) -> list[tuple[Path, Path]]:
    """Two sources whose files overlap on half their cities, the second doubling the
    population of one city in ten: value conflicts, facts and source trust to compare."""
    files = []
    for n in range(FILES):
        source = n % 2
        folder = inbox / f"crash_src{source}"
        folder.mkdir(parents=True, exist_ok=True)
        start = (n // 2) * ROWS // 2
        lines = "".join(
            f"cc-{i}-xx,City {i},XX,{(2 if source and i % 10 == 0 else 1) * (10_000 + i)},"
            f"{10 + i % 90}.5,2026-01-01T00:00:00Z\n"
            for i in range(start, start + ROWS)
        )
        path = folder / f"cities{n}.csv"
        path.write_text(HEADER + lines, encoding="utf-8")
        files.append((path, inbox))
    return files


class Stack:
    """A Neo4j and a Redis of one run's own, and its worker, under `folder`."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        self.folder = folder
        bolt, http, redis = free_port(), free_port(), free_port()
        self.settings = settings.model_copy(
            update={
                "neo4j_uri": f"bolt://127.0.0.1:{bolt}",
                "redis_url": f"redis://127.0.0.1:{redis}/0",
            }
        )
        password = settings.neo4j_password.get_secret_value()
        self.neo4j = neo4j_process(
            settings.root,
            folder / "neo4j",
            bolt_port=bolt,
            http_port=http,
            heap="512m",
            pagecache="64m",
            password=password,
            log_dir=folder,
        )
        self.redis = redis_process(
            folder / "redis", port=redis, password=None, persistent=True, log_dir=folder
        )
        env = {
            "NEO4J_URI": self.settings.neo4j_uri,
            "NEO4J_PASSWORD": password,
            "REDIS_URL": self.settings.redis_url,
            "GRACE_WATCH_DIRS": json.dumps([str(folder / "unwatched")]),
            "GRACE_SECRETS_DIR": str(folder / "secrets"),
            "GRACE_WORKER_MAX_JOBS": "1",
            "GRACE_WORKER_JOB_TIMEOUT_SECONDS": str(JOB_TIMEOUT_SECONDS),
            # the recovery sweep only: the profile's nightly jobs (a trust recompute at 02:00)
            # would change the graph of whichever run the clock happened to cross them
            "GRACE_SCHEDULES": json.dumps([{"task": "resume_passes", "cron": "* * * * *"}]),
        }
        command = [sys.executable, "-m", "cli", "worker"]
        self.worker = ManagedProcess("worker", command, folder / "worker.log", env=env)
        self.graph: Graph | None = None

    async def start(self, registry: CypherRegistry) -> Graph:
        self.redis.start()
        await self.start_neo4j()
        self.graph = await Graph.connect(self.settings, registry)
        await prestart(self.graph, self.settings)
        self.worker.start()
        return self.graph

    async def start_neo4j(self) -> None:
        self.neo4j.start()
        await until(lambda: _true(NEO4J_READY_LINE in self.neo4j.output()), [self.neo4j])

    @staticmethod
    async def kill(process: ManagedProcess) -> None:
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        await until(lambda: _true(not process.running()), [])

    async def queue(self) -> ArqRedis:
        return await create_pool(
            RedisSettings.from_dsn(self.settings.redis_url),
            job_serializer=serialize,
            job_deserializer=deserialize,
        )

    async def stop(self) -> None:
        if self.graph is not None:
            await self.graph.close()
        for process in (self.worker, self.redis, self.neo4j):
            process.stop(timeout=60)


async def _true(value: bool) -> bool:
    return value


STALL_SECONDS = 300.0
"""A wait fails when the graph has not changed for this long (the recovery delays above fit
well within it); a slow machine is slow, not stuck."""


async def until(condition: Callable[[], Awaitable[bool]], alive: list[ManagedProcess]) -> None:
    """Until `condition` holds; fails at once when a process in `alive` exits, or when the
    guard runs out (only for waits that make no graph progress: starting a process)."""
    deadline = time.monotonic() + STALL_SECONDS
    while not await condition():
        for process in alive:
            assert process.running(), f"{process.name} exited:\n{process.output()[-3000:]}"
        assert time.monotonic() < deadline, "hung"
        await asyncio.sleep(0.05)


async def progress(graph: Graph) -> dict[str, Any]:
    try:
        [record] = await graph.read("testing/pass_progress")
    except GraphUnavailableError:
        return {"documents": [], "rows": []}
    return dict(record)


async def wait_on_graph(
    stack: Stack, condition: Callable[[dict[str, Any]], bool], *, slack: float = 0.0
) -> None:
    """Until `condition` holds on the graph's progress; fails when the progress stands still
    for longer than `STALL_SECONDS` plus `slack` (the recovery delays it waits through)."""
    assert stack.graph is not None
    seen: dict[str, Any] | None = None
    since = time.monotonic()
    while not condition(state := await progress(stack.graph)):
        if state != seen:
            seen, since = state, time.monotonic()
        assert time.monotonic() - since < STALL_SECONDS + slack, f"no progress: {state}"
        assert stack.worker.running(), stack.worker.output()[-3000:]
        await asyncio.sleep(0.05)


def all_done(state: dict[str, Any]) -> bool:
    documents = state["documents"]
    return len(documents) == FILES and all(d == ["active", "done", ""] for d in documents)


def loading_rows(state: dict[str, Any]) -> bool:
    return any(status == "pending" and count > 0 for status, count in state["rows"])


def activated_before_its_pass(state: dict[str, Any]) -> bool:
    return any(d[:2] == ["active", "pending"] for d in state["documents"])


def inside_a_step(state: dict[str, Any]) -> bool:
    return any(d[1] == "running" and d[2] not in ("", "embed") for d in state["documents"])


def reached(phase: Callable[[dict[str, Any]], bool]) -> Callable[[dict[str, Any]], bool]:
    """`phase`, or the end of the load (a fast machine may finish before a phase is seen)."""
    return lambda state: phase(state) or all_done(state)


async def enqueue(stack: Stack, files: list[tuple[Path, Path]]) -> None:
    queue = await stack.queue()
    try:
        for path, root in files:
            item = QueuedFile(path, root, sha256_of(path), path.stat().st_size)
            assert await enqueue_file(queue, item, Priority.URGENT)
    finally:
        await queue.aclose()


async def fingerprint(graph: Graph) -> dict[str, Any]:
    [record] = await graph.read("testing/derived_fingerprint")
    return dict(record)


TOLERANCE = 1e-6
"""Trust and confidences match to within this: sums taken in another order (documents
scored in another order after a crash) differ in their last bits, and rounding both to 1e-6
would split values that straddle a rounding boundary."""


def differences(actual: Any, expected: Any, where: str = "") -> list[str]:
    """Where two fingerprints differ: any structure or text, or a number by more than
    `TOLERANCE`."""
    if isinstance(actual, float) or isinstance(expected, float):
        close = isinstance(actual, int | float) and isinstance(expected, int | float)
        if close and abs(actual - expected) <= TOLERANCE:
            return []
        return [f"{where}: {actual!r} != {expected!r}"]
    if isinstance(actual, dict) and isinstance(expected, dict):
        if actual.keys() != expected.keys():
            return [f"{where}: keys {sorted(actual)} != {sorted(expected)}"]
        return [d for key in expected for d in differences(actual[key], expected[key], key)]
    if isinstance(actual, list) and isinstance(expected, list):
        if len(actual) != len(expected):
            return [f"{where}: {len(actual)} items != {len(expected)}"]
        found = []
        for index, (left, right) in enumerate(zip(actual, expected, strict=True)):
            label = left[0] if isinstance(left, list) and left else index
            found += differences(left, right, f"{where}[{label}]")
        return found
    return [] if actual == expected else [f"{where}: {actual!r} != {expected!r}"]


@pytest.fixture
async def stacks(settings: Settings, tmp_path: Path) -> AsyncIterator[list[Stack]]:
    made: list[Stack] = []
    yield made
    for stack in made:
        await stack.stop()


async def test_a_load_through_crashes_ends_in_the_graph_of_a_clean_run(
    settings: Settings, registry: CypherRegistry, tmp_path: Path, stacks: list[Stack]
) -> None:
    files = write_files(tmp_path / "inbox")

    clean = Stack(settings, tmp_path / "clean")
    stacks.append(clean)
    graph = await clean.start(registry)
    await enqueue(clean, files)
    await wait_on_graph(clean, all_done)
    expected = await fingerprint(graph)
    await clean.stop()
    stacks.remove(clean)
    assert expected["conflicts"], "the files must give conflicts to compare"
    assert expected["facts"]

    crashed = Stack(settings, tmp_path / "crashed")
    stacks.append(crashed)
    graph = await crashed.start(registry)
    await enqueue(crashed, files)
    faults = []
    for phase in (loading_rows, activated_before_its_pass, inside_a_step):
        await wait_on_graph(crashed, reached(phase))
        if all_done(await progress(graph)):
            break
        await crashed.kill(crashed.worker)
        faults.append(f"worker SIGKILL: {phase.__name__}")
        crashed.worker.start()
    if not all_done(await progress(graph)):
        await crashed.kill(crashed.neo4j)
        faults.append("neo4j SIGKILL")
        await crashed.start_neo4j()
    crashed.redis.stop(timeout=60)
    crashed.redis.start()
    faults.append("redis restart")
    await wait_on_graph(crashed, all_done, slack=RECOVERY_SECONDS)

    assert len(faults) == 5, faults  # every phase was reached before the load ended
    assert differences(await fingerprint(graph), expected) == []
