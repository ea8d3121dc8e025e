"""Neo4j, Redis and (optionally) the API started together, checked, and stopped in order."""

from __future__ import annotations

import asyncio
import shutil
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.browser import launcher_arguments
from api.prestart import PrestartReport, prestart
from cli.stack.process import ManagedProcess
from cli.stack.services import (
    NEO4J_READY_LINE,
    api_process,
    grace_process,
    launcher_built,
    neo4j_process,
    redis_process,
)
from graph.errors import ServiceStartError
from graph.graph import Graph
from graph.settings import Settings
from ingest.queue import QUEUE_NAME

NEO4J_START_TIMEOUT_SECONDS = 300.0
REDIS_START_TIMEOUT_SECONDS = 30.0
API_START_TIMEOUT_SECONDS = 60.0
WORKER_START_TIMEOUT_SECONDS = 60.0
WORKER_HEALTH_KEY = QUEUE_NAME + ":health-check"
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class StackConfig:
    """Where the local services keep their data and which ports they listen on."""

    data_dir: Path
    bolt_port: int
    http_port: int
    redis_port: int
    api_port: int | None
    fresh: bool = False
    with_ingestion: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, *, with_api: bool, fresh: bool) -> StackConfig:
        """Ports from the configured URIs, data under `settings.data_dir`; with the API come
        the ingestion worker and the folder watcher."""
        return cls(
            data_dir=settings.data_dir,
            bolt_port=urlsplit(settings.neo4j_uri).port or 7687,
            http_port=settings.neo4j_http_port,
            redis_port=urlsplit(settings.redis_url).port or 6379,
            api_port=settings.api_port if with_api else None,
            fresh=fresh,
            with_ingestion=with_api,
        )


class LocalStack:
    """The services one person (or one test run) needs, as child processes."""

    def __init__(self, settings: Settings, config: StackConfig) -> None:
        self.config = config
        self.settings = settings.model_copy(
            update={
                "neo4j_uri": f"bolt://127.0.0.1:{config.bolt_port}",
                "redis_url": f"redis://127.0.0.1:{config.redis_port}/0",
            }
        )
        self._processes: list[ManagedProcess] = []

    @property
    def env(self) -> dict[str, str]:
        """The environment a child needs to reach these services."""
        return {
            "GRACE_PROFILE": self.settings.profile.value,
            "NEO4J_URI": self.settings.neo4j_uri,
            "NEO4J_USER": self.settings.neo4j_user,
            "NEO4J_PASSWORD": self.settings.neo4j_password.get_secret_value(),
            "REDIS_URL": self.settings.redis_url,
        }

    @property
    def urls(self) -> dict[str, str]:
        """Where a person reaches each service."""
        urls = {
            "Neo4j Browser": f"http://127.0.0.1:{self.config.http_port}/browser/",
            "Neo4j Bolt": self.settings.neo4j_uri,
            "Redis": self.settings.redis_url,
        }
        if self.config.api_port is not None:
            base = f"http://{self.settings.api_host}:{self.config.api_port}"
            urls["GraphQL"] = f"{base}/graphql"
            urls["Health"] = f"{base}/health/ready"
        return urls

    async def start(self, say: Callable[[str], None] = lambda _: None) -> PrestartReport:
        """Start Neo4j and Redis, migrate and sync schemas, then start the API, the worker
        and the watcher (when configured); `say` is told each step as it starts and ends."""
        ports = [self.config.bolt_port, self.config.http_port, self.config.redis_port]
        if self.config.api_port is not None:
            ports.append(self.config.api_port)
        _refuse_busy_ports(ports)
        data = self.config.data_dir
        logs = data / "logs"
        if self.config.fresh:
            for folder in ("neo4j", "redis"):
                shutil.rmtree(data / folder, ignore_errors=True)
        if not launcher_built(self.settings.root):
            say("building the Neo4j launcher with Maven (first start only: a few minutes)")
        neo4j = neo4j_process(
            self.settings.root,
            data / "neo4j",
            bolt_port=self.config.bolt_port,
            http_port=self.config.http_port,
            heap=self.settings.neo4j_heap,
            pagecache=self.settings.neo4j_pagecache,
            password=self.settings.neo4j_password.get_secret_value(),
            log_dir=logs,
            options=self._browser_options(),
        )
        redis = redis_process(
            data / "redis",
            port=self.config.redis_port,
            password=self.settings.redis_secret,
            persistent=not self.config.fresh,
            log_dir=logs,
        )
        self._launch(neo4j)
        say(f"Neo4j starting (bolt 127.0.0.1:{self.config.bolt_port})")
        self._launch(redis)
        say(f"Redis starting (127.0.0.1:{self.config.redis_port})")
        await asyncio.gather(
            _wait(
                neo4j,
                NEO4J_START_TIMEOUT_SECONDS,
                lambda: _printed(neo4j, NEO4J_READY_LINE),
                say,
            ),
            _wait(redis, REDIS_START_TIMEOUT_SECONDS, self._redis_answers, say),
        )
        say("applying migrations and syncing tables and policies")
        graph = await Graph.connect(self.settings)
        try:
            report = await prestart(graph, self.settings)
        finally:
            await graph.close()
        if self.config.api_port is not None:
            api = api_process(
                host=self.settings.api_host,
                port=self.config.api_port,
                env=self.env,
                log_dir=logs,
            )
            self._launch(api)
            say(f"API starting ({self.settings.api_host}:{self.config.api_port})")
            await _wait(api, API_START_TIMEOUT_SECONDS, self._api_answers, say)
        if self.config.with_ingestion:
            worker = grace_process("worker", ["worker"], env=self.env, log_dir=logs)
            self._launch(worker)
            say("worker starting (it loads the embedding model)")
            await _wait(worker, WORKER_START_TIMEOUT_SECONDS, self._worker_answers, say)
            self._launch(grace_process("watcher", ["watch"], env=self.env, log_dir=logs))
            say("watcher started")
        return report

    def _browser_options(self) -> list[str]:
        """With the API: Browser loads Grace's style and guide from it on connect."""
        if self.config.api_port is None:
            return []
        return launcher_arguments(f"http://{self.settings.api_host}:{self.config.api_port}")

    def stop(self) -> dict[str, int | None]:
        """Stop every service, the last started first; returns their exit codes."""
        codes = {}
        for process in reversed(self._processes):
            codes[process.name] = process.stop()
        self._processes.clear()
        return codes

    @property
    def processes(self) -> list[ManagedProcess]:
        """The services started, in the order they started."""
        return list(self._processes)

    def _launch(self, process: ManagedProcess) -> None:
        process.start()
        self._processes.append(process)

    def _redis_client(self) -> Redis:
        client: Redis = Redis.from_url(self.settings.redis_url, password=self.settings.redis_secret)
        return client

    async def _redis_answers(self) -> bool:
        client = self._redis_client()
        try:
            return bool(await client.ping())
        except (RedisError, OSError):
            return False
        finally:
            await client.aclose()

    async def _worker_answers(self) -> bool:
        client = self._redis_client()
        try:
            return bool(await client.exists(WORKER_HEALTH_KEY))
        except (RedisError, OSError):
            return False
        finally:
            await client.aclose()

    async def _api_answers(self) -> bool:
        url = f"http://{self.settings.api_host}:{self.config.api_port}/health/ready"
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                return (await client.get(url)).status_code == httpx.codes.OK
        except httpx.HTTPError:
            return False


async def _printed(process: ManagedProcess, line: str) -> bool:
    return line in process.output()


async def _wait(
    process: ManagedProcess,
    limit_seconds: float,
    is_ready: Callable[[], Awaitable[bool]],
    say: Callable[[str], None],
) -> None:
    started = time.monotonic()
    deadline = started + limit_seconds
    while time.monotonic() < deadline:
        if not process.running():
            raise process.failure(f"exited with code {process.exit_code()}")
        if await is_ready():
            say(f"{process.name} ready ({time.monotonic() - started:.1f} s)")
            return
        await asyncio.sleep(POLL_SECONDS)
    raise process.failure(f"not ready after {limit_seconds:.0f} s")


def _refuse_busy_ports(ports: list[int]) -> None:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise ServiceStartError(
                    "stack",
                    f"port {port} on 127.0.0.1 is already in use "
                    "(is Grace already running? `grace status` tells)",
                )
