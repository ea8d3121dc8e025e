"""`grace up` as a person runs it on a clean checkout: everything starts and says so, the demo
is ingested with the after-ingest pass so its documented contradictions are there without a
manual scan, everything answers, and stops on Ctrl-C, even a second Ctrl-C pressed during the
shutdown."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.settings import Settings

pytestmark = pytest.mark.integration

STALL_SECONDS = 600
"""The start fails when its log stops growing for this long (not at a wall-clock deadline: a
busy machine is slow, not stuck)."""

DOCUMENTED = [  # examples/README.md, section 1: C1 ... C9
    "conflict:value:organizations:acme:ceo",
    "conflict:value:organizations:acme:founded",
    "conflict:value:cities:lyon-fr:population",
    "conflict:value:cities:tampere-fi:area_km2",
    "conflict:value:datasets:ds-lyon-air-quality:classification",
    "conflict:value:datasets:ds-porto-traffic-counts:row_count",
    "conflict:value:people:rcastellanos:born",
    "conflict:value:publications:10.5555/kl.2024.031:published",
    "conflict:value:publications:10.5555/nw.2023.112:authors",
]
NOT_CONFLICTS = [  # section 2: N1 ... N13
    "conflict:value:cities:porto-pt:population",
    "conflict:value:cities:graz-at:area_km2",
    "conflict:value:cities:gdansk-pl:updated_at",
    "conflict:value:datasets:ds-city-population-2025:updated_at",
    "conflict:value:organizations:acme:revenue_musd",
    "conflict:value:organizations:acme:employees",
    "conflict:value:publications:10.5555/acme.2024.017:authors",
    "conflict:value:publications:10.5555/vg.2025.004:authors",
    "conflict:value:publications:10.5555/kl.2024.031:authors",
    "conflict:value:people:akowalska:phones",
    "conflict:value:people:hmarsh:phones",
    "conflict:value:people:rcastellanos:phones",
    "conflict:value:people:hmarsh:born",
    "conflict:value:people:jteixeira:born",
]
CONTROLS = ("bergen-no", "ghent-be", "ds-gdansk-transit-gtfs", "sdevries")
CITIES = "city_id,name,population\n" + "".join(f"u{i}-zz,City {i},{2000 + i}\n" for i in range(3))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(log: Path, process: subprocess.Popen[bytes], line: str) -> str:
    """The log once it holds `line`; fails if the process exits or the log stalls."""
    size, last_growth = -1, time.monotonic()
    while line not in (text := log.read_text()):
        assert process.poll() is None, text
        if len(text) != size:
            size, last_growth = len(text), time.monotonic()
        assert time.monotonic() - last_growth < STALL_SECONDS, text
        time.sleep(0.5)
    return text


async def value_conflicts(settings: Settings, registry: CypherRegistry) -> set[str]:
    graph = await Graph.connect(settings, registry)
    try:
        return {record["id"] for record in await graph.read("testing/value_conflict_ids")}
    finally:
        await graph.close()


async def source_active(settings: Settings, registry: CypherRegistry, source: str) -> bool:
    """Whether the source's first document is active (its file ingested)."""
    graph = await Graph.connect(settings, registry)
    try:
        [record] = await graph.read("testing/source_graph", {"source": source})
    finally:
        await graph.close()
    return (1, "active") in [(d["version"], d["status"]) for d in record["documents"]]


def start_up(
    settings: Settings, tmp_path: Path, *options: str
) -> tuple[dict[str, int], Path, subprocess.Popen[bytes]]:
    """`grace up` on free ports with its data under `tmp_path`: its ports, log and process."""
    ports = {name: free_port() for name in ("bolt", "http", "redis", "api")}
    env = {
        **os.environ,
        "GRACE_PROFILE": "dev",
        "GRACE_DATA_DIR": str(tmp_path / "var"),
        "NEO4J_URI": f"bolt://127.0.0.1:{ports['bolt']}",
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "GRACE_NEO4J_HTTP_PORT": str(ports["http"]),
        "GRACE_NEO4J_HEAP": "512m",
        "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "GRACE_API_PORT": str(ports["api"]),
        "GRACE_WATCH_DIRS": json.dumps([str(tmp_path / "inbox")]),
        "COLUMNS": "200",
    }
    grace = Path(sys.executable).parent / "grace"
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(grace), "up", *options], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return ports, log, process


def test_up_shows_the_demo_serves_everything_and_stops_cleanly_on_ctrl_c(
    settings: Settings, registry: CypherRegistry, tmp_path: Path
) -> None:
    ports, log, process = start_up(settings, tmp_path)
    try:
        started = wait_for(log, process, "Grace is up")
        for step in ("neo4j ready", "redis ready", "applying migrations", "api ready"):
            assert step in started, started
        assert "ingesting the demo" in started
        assert "open conflict(s)" in started
        assert "least trusted source" in started
        assert "answer key" in started
        ours = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{ports['bolt']}"})
        found = asyncio.run(value_conflicts(ours, registry))
        assert set(DOCUMENTED) <= found, sorted(set(DOCUMENTED) - found)
        assert not found & set(NOT_CONFLICTS), sorted(found & set(NOT_CONFLICTS))
        assert not [c for c in found if any(control in c for control in CONTROLS)]
        health = httpx.post(
            f"http://127.0.0.1:{ports['api']}/graphql",
            json={"query": "{ health { status neo4j redis } }"},
            timeout=10,
        ).json()
        assert health == {"data": {"health": {"status": "ok", "neo4j": True, "redis": True}}}
        browser = httpx.get(f"http://127.0.0.1:{ports['http']}/browser/", timeout=10)
        assert browser.status_code == 200
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)  # impatient: a second Ctrl-C during the shutdown
        process.wait(120)
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert (
        "stopped: watcher (clean), worker (clean), api (clean), redis (clean), neo4j (clean)"
        in (" ".join(text.split()))
    )
    assert not any(listening(port) for port in ports.values())


def test_with_services_stops_its_services_when_terminated(
    settings: Settings, tmp_path: Path
) -> None:
    """SIGTERM (a CI runner cancelling, `kill`) stops Neo4j and Redis and the command run,
    as Ctrl-C does: nothing is left listening."""
    ports = {name: free_port() for name in ("bolt", "http", "redis")}
    env = {
        **os.environ,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "GRACE_NEO4J_HEAP": "512m",
    }
    grace = Path(sys.executable).parent / "grace"
    log = tmp_path / "with-services.log"
    command = [
        str(grace),
        "with-services",
        "--data-dir",
        str(tmp_path / "var"),
        "--bolt-port",
        str(ports["bolt"]),
        "--http-port",
        str(ports["http"]),
        "--redis-port",
        str(ports["redis"]),
        "--",
        "sleep",
        "600",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(log, process, "migrations applied")
        assert all(listening(port) for port in ports.values())
        process.send_signal(signal.SIGTERM)
        process.wait(120)
    finally:
        if process.poll() is None:
            process.kill()
    assert not any(listening(port) for port in ports.values()), log.read_text()


def child_pid(up: subprocess.Popen[bytes], pattern: str) -> int:
    """The pid of the one child of `up` whose command line matches `pattern`."""
    found = subprocess.run(
        ["pgrep", "-P", str(up.pid), "-f", pattern], capture_output=True, text=True, check=False
    ).stdout.split()
    assert len(found) == 1, (pattern, found)
    return int(found[0])


def wait_until(up: subprocess.Popen[bytes], log: Path, holds: Callable[[], bool]) -> None:
    """Until `holds()`; fails if `up` exits meanwhile (its log tells why)."""
    while not holds():
        assert up.poll() is None, log.read_text()
        time.sleep(0.5)


def ingest_lanes_started(worker_log: Path) -> int:
    """How often a worker process started its ingest lane (arq logs each lane's start)."""
    lines = worker_log.read_text().splitlines()
    return sum(1 for line in lines if "Starting worker" in line and "ingest_file" in line)


def test_up_restarts_a_killed_worker_and_redis_and_keeps_serving(
    settings: Settings, registry: CypherRegistry, tmp_path: Path
) -> None:
    ports, log, process = start_up(settings, tmp_path, "--no-demo")
    worker_log = tmp_path / "var" / "logs" / "worker.log"
    ready = f"http://127.0.0.1:{ports['api']}/health/ready"
    try:
        wait_for(log, process, "Grace is up")
        os.kill(child_pid(process, "cli worker"), signal.SIGKILL)
        wait_for(log, process, f"worker exited with code {-signal.SIGKILL}; restarting in 1 s")
        wait_until(process, log, lambda: ingest_lanes_started(worker_log) == 2)
        os.kill(child_pid(process, f"127.0.0.1:{ports['redis']}"), signal.SIGKILL)
        wait_for(log, process, f"redis exited with code {-signal.SIGKILL}; restarting in 1 s")
        # A restarted Redis may come back before the worker next asks it: then the worker
        # reconnects without noticing. Either way, a file dropped now must be ingested.
        (tmp_path / "inbox" / "lab").mkdir(parents=True)
        (tmp_path / "inbox" / "lab" / "cities.csv").write_text(CITIES, encoding="utf-8")
        ours = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{ports['bolt']}"})
        wait_until(process, log, lambda: asyncio.run(source_active(ours, registry, "folder:lab")))
        wait_until(process, log, lambda: httpx.get(ready, timeout=10).status_code == 200)
        process.send_signal(signal.SIGINT)
        process.wait(120)
    finally:
        if process.poll() is None:
            process.kill()
    text = " ".join(log.read_text().split())
    assert text.count("exited with code") == 2, text  # the worker outlived Redis's restart
    assert "stopped: watcher (clean), worker (clean), api (clean), redis (clean), neo4j" in text
    assert not any(listening(port) for port in ports.values())
