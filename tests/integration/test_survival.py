"""The worker and the watcher outlive a Redis restart: real processes against a private
Redis that the test stops and starts again on the same port (Neo4j is the shared one)."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.exceptions import RedisError

from cli.stack.process import ManagedProcess
from cli.stack.services import redis_process
from graph.graph import Graph
from graph.settings import Settings
from ingest.queue import QUEUE_NAME, Priority, QueuedFile, deserialize, enqueue_file, serialize
from ingest.watch.files import sha256_of
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

ROWS = "city_id,name,population\n" + "".join(f"r{i}-yy,City {i},{1000 + i}\n" for i in range(3))
HANG_SECONDS = 300.0
"""Only a guard against a hang: every wait below also fails as soon as a process it waits on
exits, and none is a measure of speed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateRedis:
    """A Redis of this test's own, to stop and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: ManagedProcess = redis_process(
            folder / "redis", port=self.port, password=None, persistent=False, log_dir=folder
        )

    async def start(self) -> None:
        self.process.start()
        await until(self.answers, [self.process])

    def stop(self) -> None:
        self.process.stop(timeout=30)

    async def answers(self) -> bool:
        try:
            pool = await create_pool(RedisSettings.from_dsn(self.url), retry=5)
        except (RedisError, OSError):
            return False
        await pool.aclose()
        return True

    async def queue(self) -> ArqRedis:
        return await create_pool(
            RedisSettings.from_dsn(self.url), job_serializer=serialize, job_deserializer=deserialize
        )


async def until(condition: Callable[[], Awaitable[bool]], alive: list[ManagedProcess]) -> None:
    """Until `condition` holds; fails at once if a process in `alive` has exited."""
    deadline = time.monotonic() + HANG_SECONDS
    while not await condition():
        for process in alive:
            assert process.running(), f"{process.name} exited:\n{process.output()[-3000:]}"
        assert time.monotonic() < deadline, "hung"
        await asyncio.sleep(0.2)


async def worker_ready(redis: PrivateRedis, alive: list[ManagedProcess]) -> None:
    """Until the worker's health check is on Redis (it takes jobs), `alive` running."""
    queue = await redis.queue()
    await until(lambda: queue.exists(QUEUE_NAME + ":health-check"), alive)
    await queue.aclose()


def grace(command: str, settings: Settings, redis: PrivateRedis, folder: Path) -> ManagedProcess:
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": redis.url,
        "GRACE_WATCH_DIRS": json.dumps([str(folder)]),
    }
    command_line = [sys.executable, "-m", "cli", command]
    return ManagedProcess(command, command_line, folder.parent / f"{command}.log", env=env)


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    private = PrivateRedis(tmp_path)
    await private.start()
    yield private
    private.stop()


async def active(graph: Graph, source: SourceFolder) -> bool:
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    return (1, "active") in [(d["version"], d["status"]) for d in record["documents"]]


async def worker_then_redis_stopped(
    settings: Settings, redis: PrivateRedis, tmp_path: Path
) -> ManagedProcess:
    """A worker process, once it serves the queue, with its Redis stopped under it."""
    worker = grace("worker", settings, redis, tmp_path / "inbox")
    worker.start()
    try:
        await worker_ready(redis, [worker])
    except BaseException:
        worker.stop(timeout=60)
        raise
    redis.stop()
    return worker


async def test_the_worker_outlives_a_redis_restart_and_takes_the_next_job(
    graph: Graph, settings: Settings, redis: PrivateRedis, source: SourceFolder, tmp_path: Path
) -> None:
    worker = await worker_then_redis_stopped(settings, redis, tmp_path)
    try:
        await until(lambda: _said(worker, "lost Redis"), [worker])
        await redis.start()
        await until(lambda: _said(worker, "Redis answers again"), [worker])
        path = source.write("cities.csv", ROWS)
        queue = await redis.queue()
        item = QueuedFile(path, source.root, sha256_of(path), path.stat().st_size)
        assert await enqueue_file(queue, item, Priority.URGENT)
        await queue.aclose()
        await until(lambda: active(graph, source), [worker])
    finally:
        code = worker.stop(timeout=60)
    assert code in (0, -signal.SIGTERM), worker.output()[-3000:]


async def test_a_worker_waiting_for_redis_stops_cleanly_on_sigterm(
    settings: Settings, redis: PrivateRedis, tmp_path: Path
) -> None:
    worker = await worker_then_redis_stopped(settings, redis, tmp_path)
    try:
        await until(lambda: _said(worker, "Redis does not answer yet"), [worker])
    finally:
        code = worker.stop(timeout=60)
    assert code == 0, worker.output()[-3000:]


async def test_a_file_dropped_while_redis_is_down_is_ingested_once_it_is_back(
    graph: Graph, settings: Settings, redis: PrivateRedis, tmp_path: Path, unique: str
) -> None:
    inbox = tmp_path / "inbox"
    source = SourceFolder(inbox, f"down_{unique}")
    # the worker's scheduled rescan looks elsewhere: only the watcher may queue the file
    worker = grace("worker", settings, redis, tmp_path / "elsewhere")
    watcher = grace("watch", settings, redis, inbox)
    processes = [worker, watcher]
    for process in processes:
        process.start()
    try:
        await worker_ready(redis, processes)
        redis.stop()
        await until(lambda: _said(worker, "lost Redis"), processes)
        source.write("cities.csv", ROWS)
        await until(lambda: _said(watcher, "could not queue"), processes)
        await redis.start()
        await until(lambda: active(graph, source), processes)
    finally:
        codes = [process.stop(timeout=60) for process in processes]
        await graph.write("testing/delete_source", {"source": source.id})
    assert all(code in (0, -signal.SIGTERM) for code in codes), watcher.output()[-3000:]


async def _said(process: ManagedProcess, text: str) -> bool:
    return text in process.output()
