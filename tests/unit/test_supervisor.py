"""The local stack's supervisor with real child processes: a killed service is started
again and the others keep running; one that keeps exiting uses up its restarts."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from cli.stack.process import ManagedProcess
from cli.stack.supervisor import RestartPolicy, supervise

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"]


def test_the_policy_doubles_the_delay_and_stops_at_the_limit_within_the_window() -> None:
    policy = RestartPolicy(limit=3, window_seconds=100, first_delay_seconds=1, max_delay_seconds=3)
    assert policy.next_restart("worker", 0) == (1, 1)
    assert policy.next_restart("worker", 1) == (2, 2)
    assert policy.next_restart("watcher", 1) == (1, 1)
    assert policy.next_restart("worker", 2) == (3, 3)
    assert policy.next_restart("worker", 3) is None
    assert policy.next_restart("worker", 100.5) == (3, 3)  # the first restart left the window


async def test_a_killed_child_is_restarted_and_its_neighbour_keeps_running(
    tmp_path: Path,
) -> None:
    victim = ManagedProcess("victim", SLEEPER, tmp_path / "victim.log")
    neighbour = ManagedProcess("neighbour", SLEEPER, tmp_path / "neighbour.log")
    for process in (victim, neighbour):
        process.start()
    first_pid, neighbour_pid = victim.pid, neighbour.pid
    assert first_pid is not None
    said: list[str] = []
    stop = asyncio.Event()
    policy = RestartPolicy(first_delay_seconds=0.1)
    supervisor = asyncio.create_task(supervise([victim, neighbour], policy, stop, said.append))
    try:
        os.kill(first_pid, signal.SIGKILL)
        while not (victim.running() and victim.pid != first_pid):
            assert not supervisor.done(), supervisor
            await asyncio.sleep(0.05)
        stop.set()
        assert await supervisor is None
    finally:
        for process in (victim, neighbour):
            process.stop(timeout=10)
    assert neighbour.pid == neighbour_pid
    assert said == [
        f"victim exited with code {-signal.SIGKILL}; restarting in 0.1 s "
        f"(restart 1 of 5 in 10 min); log: {tmp_path / 'victim.log'}"
    ]


async def test_a_child_that_keeps_exiting_uses_up_its_restarts(tmp_path: Path) -> None:
    failing = ManagedProcess("failing", [sys.executable, "-c", "exit(3)"], tmp_path / "f.log")
    failing.start()
    said: list[str] = []
    policy = RestartPolicy(limit=2, first_delay_seconds=0.01)
    gave_up = await supervise([failing], policy, asyncio.Event(), said.append)
    assert gave_up is not None
    assert (gave_up.process, gave_up.exit_code) == (failing, 3)
    assert [line.split(";")[0] for line in said] == ["failing exited with code 3"] * 2
    assert "(restart 2 of 2 in 10 min)" in said[1]
