"""`grace up` as a person runs it: everything starts, answers, and stops on Ctrl-C, even a
second Ctrl-C pressed during the shutdown."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph.settings import Settings

pytestmark = pytest.mark.integration

START_SECONDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_up_serves_everything_and_stops_cleanly_on_ctrl_c(
    settings: Settings, tmp_path: Path
) -> None:
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
            [str(grace), "up", "--no-demo"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while "Grace is up" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
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
