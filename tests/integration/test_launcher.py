"""The Neo4j launcher as a person runs it: start, write, stop with SIGTERM, start again."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from api.browser import launcher_arguments, post_connect_commands
from cli.stack.process import ManagedProcess
from cli.stack.services import NEO4J_READY_LINE, neo4j_process
from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.integration

START_SECONDS = 240
PASSWORD = "launcher-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Launcher:
    """One Neo4j home, started and stopped by the test."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.bolt_port = free_port()
        self.http_port = free_port()

    def process(self, options: Sequence[str] = ()) -> ManagedProcess:
        process = neo4j_process(
            PROJECT_ROOT,
            self.home,
            bolt_port=self.bolt_port,
            http_port=self.http_port,
            heap="512m",
            pagecache="300m",
            password=PASSWORD,
            log_dir=self.home.parent / "logs",
            options=options,
        )
        return process

    def start(self, options: Sequence[str] = ()) -> ManagedProcess:
        process = self.process(options)
        process.start()
        deadline = time.monotonic() + START_SECONDS
        while NEO4J_READY_LINE not in process.output():
            if not process.running():
                raise AssertionError(process.failure("exited").reason)
            if time.monotonic() > deadline:
                process.stop()
                raise AssertionError(process.failure("not ready").reason)
            time.sleep(0.25)
        return process


@pytest.fixture
def launcher(tmp_path: Path) -> Launcher:
    return Launcher(tmp_path / "neo4j")


def graph_settings(settings: Settings, launcher: Launcher) -> Settings:
    return settings.model_copy(
        update={
            "neo4j_uri": f"bolt://127.0.0.1:{launcher.bolt_port}",
            "neo4j_password": SecretStr(PASSWORD),
        }
    )


async def write_then_read(
    settings: Settings, registry: CypherRegistry, run: str
) -> list[dict[str, object]]:
    graph = await Graph.connect(settings, registry)
    try:
        await graph.write_batches(
            "testing/create_probes", [{"id": run, "value": 42}], batch_size=1, params={"run": run}
        )
        return await graph.read("testing/read_probes", {"run": run})
    finally:
        await graph.close()


async def dbms_settings(
    settings: Settings, registry: CypherRegistry, names: list[str]
) -> dict[str, object]:
    graph = await Graph.connect(settings, registry)
    try:
        records = await graph.read("testing/settings", {"names": names})
        return {str(r["name"]): r["value"] for r in records}
    finally:
        await graph.close()


async def read(settings: Settings, registry: CypherRegistry, run: str) -> list[dict[str, object]]:
    graph = await Graph.connect(settings, registry)
    try:
        return await graph.read("testing/read_probes", {"run": run})
    finally:
        await graph.close()


def test_data_survives_a_clean_restart(
    launcher: Launcher, settings: Settings, registry: CypherRegistry
) -> None:
    local = graph_settings(settings, launcher)
    first = launcher.start()
    try:
        written = asyncio.run(write_then_read(local, registry, "restart"))
        assert written == [{"id": "restart", "value": 42}]
        names = ["server.memory.pagecache.size", "db.tx_log.rotation.retention_policy"]
        assert asyncio.run(dbms_settings(local, registry, names)) == {
            "server.memory.pagecache.size": "300.00MiB",
            "db.tx_log.rotation.retention_policy": "1G size",
        }
        browser = httpx.get(f"http://127.0.0.1:{launcher.http_port}/browser/", timeout=10)
        assert browser.status_code == 200
        assert "Neo4j Browser" in browser.text
    finally:
        assert first.stop() == 0
    assert "GRACE-NEO4J STOPPED" in first.output()
    second = launcher.start()
    try:
        assert asyncio.run(read(local, registry, "restart")) == written
    finally:
        second.stop()


async def client_config(settings: Settings, registry: CypherRegistry) -> dict[str, object]:
    graph = await Graph.connect(settings, registry)
    try:
        records = await graph.read("testing/browser_client_config")
        return {str(r["name"]): r["value"] for r in records}
    finally:
        await graph.close()


def test_browser_is_told_to_load_graces_style_and_guide_on_connect(
    launcher: Launcher, settings: Settings, registry: CypherRegistry
) -> None:
    """What Browser reads on connect (`dbms.clientConfig()`, where the allowlist keeps its
    old name) carries the commands and the API's host."""
    api = "http://127.0.0.1:8123"
    process = launcher.start(launcher_arguments(api))
    try:
        config = asyncio.run(client_config(graph_settings(settings, launcher), registry))
    finally:
        process.stop()
    assert config["browser.post_connect_cmd"] == post_connect_commands(api)
    assert config["browser.remote_content_hostname_whitelist"] == (
        "guides.neo4j.com,localhost,127.0.0.1"
    )


def test_a_second_launcher_on_the_same_home_fails_clearly(launcher: Launcher) -> None:
    first = launcher.start()
    try:
        other = Launcher(launcher.home)
        second = other.process()
        second.start()
        deadline = time.monotonic() + START_SECONDS
        while second.running() and time.monotonic() < deadline:
            time.sleep(0.25)
        assert second.exit_code() == 1
        assert "locked by another process" in second.output()
        assert first.running()
    finally:
        first.stop()


def test_a_missing_password_is_refused(launcher: Launcher) -> None:
    process = launcher.process()
    process.env = {"NEO4J_PASSWORD": ""}
    process.start()
    while process.running():
        time.sleep(0.1)
    assert process.exit_code() == 2
    assert "NEO4J_PASSWORD" in process.output()


def test_a_bad_transaction_log_retention_is_refused(launcher: Launcher) -> None:
    process = launcher.process()
    process.command += ["--tx-log-retention", "forever and a day"]
    process.start()
    while process.running():
        time.sleep(0.1)
    assert process.exit_code() == 1
    assert "Neo4j failed to start" in process.output()
    assert "forever and a day" in process.output()
