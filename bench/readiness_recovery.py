"""Readiness after a store restarts: Neo4j killed with -9 and Redis stopped, each started
again; the time from the store answering again (a query or a ping on a fresh connection) to
the API's `/health/ready` answering 200 (the app in-process, its one driver and Redis pool
kept; a Neo4j and a Redis of the bench's own). Baseline from the same run: one
`/health/ready` of the healthy app."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi.testclient import TestClient
from neo4j import AsyncGraphDatabase
from neo4j.exceptions import DriverError, Neo4jError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.app import create_app
from api.prestart import prestart
from bench.api_support import free_port
from cli.stack.process import ManagedProcess
from cli.stack.services import NEO4J_READY_LINE, neo4j_process, redis_process
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.test_survival import until

Probe = Callable[[], Awaitable[bool]]
ROUNDS = 3
POLL_SECONDS = 0.02
MAX_POLLS = 6000


async def _ready_after(client: TestClient, answers: Probe, process: ManagedProcess) -> float:
    """Seconds from the store answering (`answers`, on a fresh connection) to the app's
    `/health/ready` answering 200."""
    await until(answers, [process])
    answered = time.perf_counter()
    for _ in range(MAX_POLLS):
        if client.get("/health/ready").status_code == 200:
            return time.perf_counter() - answered
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"not ready {MAX_POLLS * POLL_SECONDS:.0f} s after the restart")


def _neo4j_answers(settings: Settings) -> Probe:
    """Whether a fresh driver runs a query on Neo4j (it accepts connections before its
    database is available, recovering after a kill)."""

    async def probe() -> bool:
        password = settings.neo4j_password.get_secret_value()
        async with AsyncGraphDatabase.driver(
            settings.neo4j_uri, auth=(settings.neo4j_user, password)
        ) as driver:
            try:
                await driver.execute_query("RETURN 1")
            except (Neo4jError, DriverError, OSError):
                return False
            return True

    return probe


def _redis_answers(port: int) -> Probe:
    """Whether a fresh connection gets a PONG from Redis."""

    async def probe() -> bool:
        client = Redis(host="127.0.0.1", port=port)
        try:
            return bool(await client.ping())
        except (RedisError, OSError):
            return False
        finally:
            await client.aclose()

    return probe


async def run(graph: Graph, settings: Settings) -> list[str]:
    """Readiness recovery after Neo4j and Redis restarts, against one healthy probe."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bolt, redis_port = free_port(), free_port()
        own = settings.model_copy(
            update={
                "neo4j_uri": f"bolt://127.0.0.1:{bolt}",
                "redis_url": f"redis://127.0.0.1:{redis_port}/0",
                "secrets_dir": root / "secrets",
            }
        )
        password = settings.neo4j_password.get_secret_value()
        neo4j = neo4j_process(
            settings.root,
            root / "neo4j",
            bolt_port=bolt,
            http_port=free_port(),
            heap="512m",
            pagecache="64m",
            password=password,
            log_dir=root,
        )
        redis = redis_process(
            root / "redis", port=redis_port, password=None, persistent=False, log_dir=root
        )
        try:
            redis.start()
            neo4j.start()

            async def neo4j_up() -> bool:
                return NEO4J_READY_LINE in neo4j.output()

            await until(neo4j_up, [neo4j])
            prepared = await Graph.connect(own, graph.registry)
            try:
                await prestart(prepared, own)
            finally:
                await prepared.close()
            after_neo4j, after_redis, healthy = [], [], []
            with TestClient(create_app(own)) as client:
                for _ in range(ROUNDS):
                    start = time.perf_counter()
                    assert client.get("/health/ready").status_code == 200
                    healthy.append(time.perf_counter() - start)
                    assert neo4j.pid is not None
                    os.kill(neo4j.pid, signal.SIGKILL)
                    await until(lambda: _false(neo4j.running()), [])
                    neo4j.start()
                    after_neo4j.append(await _ready_after(client, _neo4j_answers(own), neo4j))
                    redis.stop(timeout=60)
                    redis.start()
                    after_redis.append(
                        await _ready_after(client, _redis_answers(redis_port), redis)
                    )
        finally:
            for process in (redis, neo4j):
                process.stop(timeout=60)
    probe = statistics.median(healthy)
    return [
        f"healthy /health/ready (baseline): {probe * 1000:.0f} ms (median of {ROUNDS})",
        "Neo4j killed -9 and started again, answering a query -> ready: "
        + ", ".join(f"{s:.2f} s" for s in after_neo4j),
        "Redis stopped and started again, answering a ping -> ready: "
        + ", ".join(f"{s:.2f} s" for s in after_redis),
    ]


async def _false(value: bool) -> bool:
    return not value
