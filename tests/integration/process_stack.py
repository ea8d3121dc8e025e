"""Real Grace processes for the operations tests: workers, a watcher and API processes
against the test Neo4j and a Redis of their own, each serving its `/metrics`, logging JSON
lines to a file of its own."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cli.stack.process import ManagedProcess
from graph.settings import Settings
from tests.integration.test_survival import PrivateRedis, until

METRICS_PORTS = range(28800, 29000)
"""Where the metrics and API ports of these processes are taken from."""


_HANDED_OUT: set[int] = set()


def port_in_range() -> int:
    """A port of `METRICS_PORTS` that nothing listens on now and no earlier call gave."""
    for port in METRICS_PORTS:
        if port in _HANDED_OUT:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError(f"no free port in {METRICS_PORTS}")


@dataclass
class Process:
    """One process and the port it answers HTTP on (its /metrics, or the API's)."""

    managed: ManagedProcess
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def scrape(self) -> str:
        """Its `/metrics` in the text format."""
        response = httpx.get(f"{self.url}/metrics", timeout=30)
        response.raise_for_status()
        return response.text

    def log(self) -> str:
        return self.managed.output()


@dataclass
class ProcessStack:
    """`workers` worker processes, one watcher and `apis` API processes (uvicorn)."""

    settings: Settings
    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    apis: int = 1
    redis: PrivateRedis = field(init=False)
    processes: dict[str, Process] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.redis = PrivateRedis(self.folder)
        self.inbox = self.folder / "inbox"
        self.inbox.mkdir(parents=True, exist_ok=True)

    def base_env(self) -> dict[str, str]:
        return {
            "NEO4J_URI": self.settings.neo4j_uri,
            "NEO4J_PASSWORD": self.settings.neo4j_password.get_secret_value(),
            "REDIS_URL": self.redis.url,
            "GRACE_WATCH_DIRS": json.dumps([str(self.inbox)]),
            "GRACE_SCHEDULES": "[]",
            "GRACE_LOG_FORMAT": "json",
            **self.env,
        }

    def _start(self, name: str, command: list[str], port_env: str | None) -> None:
        port = port_in_range()
        env = self.base_env()
        if port_env is not None:
            env[port_env] = str(port)
        else:
            command = [*command, "--port", str(port)]
        managed = ManagedProcess(name, command, self.folder / f"{name}.log", env=env)
        managed.start()
        self.processes[name] = Process(managed, port)

    async def start(self) -> None:
        """Start Redis, then every process; return once each answers HTTP."""
        await self.redis.start()
        grace = [sys.executable, "-m", "cli"]
        for index in range(self.workers):
            self._start(f"worker-{index}", [*grace, "worker"], "GRACE_WORKER_METRICS_PORT")
        self._start("watcher", [*grace, "watch"], "GRACE_WATCHER_METRICS_PORT")
        api = [sys.executable, "-m", "uvicorn", "--factory", "api.app:app_factory"]
        for index in range(self.apis):
            self._start(f"api-{index}", [*api, "--host", "127.0.0.1"], None)
        for process in self.processes.values():
            await until(lambda p=process: _answers(p), [process.managed])  # type: ignore[misc]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ProcessStack]:
        """Started for the block, stopped after it (also when starting fails)."""
        try:
            await self.start()
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        for process in self.processes.values():
            process.managed.stop(timeout=60)
        self.redis.stop()

    def __getitem__(self, name: str) -> Process:
        return self.processes[name]

    def logs(self) -> str:
        """What every process logged."""
        return "\n".join(process.log() for process in self.processes.values())


async def _answers(process: Process) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            response = await client.get(f"{process.url}/metrics")
    except httpx.HTTPError:
        return False
    return response.status_code == 200
