"""What an idle worker costs Redis: `grace worker` (both lanes) waiting for jobs, with the
shipped poll delay (a poll every `worker_poll_delay_seconds` when nothing wakes it, see
`ingest.prompt_worker`) against the 10 ms poll that kept arq's pick-up wait short before
wake-ups existed, measured in the same run: Redis commands a second (`INFO stats`), and CPU
milliseconds a second of Redis and of the worker (`bench.process_cpu`)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from redis.asyncio import Redis

from bench.api_support import machine_load
from bench.process_cpu import cpu_seconds, serving_pid
from graph.settings import Settings
from ingest.queue import QUEUE_NAME

IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "10"))
OLD_POLL_SECONDS = 0.01
"""The poll delay the profiles shipped before wake-ups: the baseline."""
HEALTH_KEY = f"{QUEUE_NAME}:health-check"
READY_SECONDS = 120.0


def _spawn(settings: Settings, poll_seconds: float) -> subprocess.Popen[bytes]:
    """`grace worker` polling every `poll_seconds` unless woken, without schedules."""
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "GRACE_WORKER_POLL_DELAY_SECONDS": str(poll_seconds),
        "GRACE_SCHEDULES": "[]",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).parent.parent,
    )


async def _idle(
    settings: Settings, poll_seconds: float, redis: Redis
) -> tuple[float, float, float]:
    """Commands a second Redis served, and CPU ms a second of Redis and the worker, while a
    worker polling every `poll_seconds` (when not woken) waits for jobs."""
    await redis.delete(HEALTH_KEY)
    worker = _spawn(settings, poll_seconds)
    try:
        async with asyncio.timeout(READY_SECONDS):
            while not await redis.exists(HEALTH_KEY):
                if worker.poll() is not None:
                    raise RuntimeError(f"the worker exited with {worker.returncode}")
                await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # the start-up's own jobs (the recovery sweep)
        server = serving_pid(settings.redis_url)
        before = await _commands(redis), _cpu(server), cpu_seconds(worker.pid), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        after = await _commands(redis), _cpu(server), cpu_seconds(worker.pid), time.monotonic()
    finally:
        worker.terminate()
        worker.wait(30)
    seconds = after[3] - before[3]
    return (
        (after[0] - before[0] - 1) / seconds,  # less this bench's own INFO
        (after[1] - before[1]) * 1000 / seconds,
        (after[2] - before[2]) * 1000 / seconds,
    )


async def _commands(redis: Redis) -> int:
    stats = await redis.info("stats")
    return int(stats["total_commands_processed"])


def _cpu(pid: int | None) -> float:
    return cpu_seconds(pid) if pid else float("nan")


async def run(settings: Settings) -> list[str]:
    """The idle worker with the shipped poll delay, then with the old 10 ms one."""
    redis = Redis.from_url(settings.redis_url)
    try:
        shipped = await _idle(settings, settings.worker_poll_delay_seconds, redis)
        old = await _idle(settings, OLD_POLL_SECONDS, redis)
    finally:
        await redis.aclose()
    return [
        f"idle worker, both lanes, {IDLE_SECONDS:.0f} s, poll every "
        f"{settings.worker_poll_delay_seconds:g} s unless woken: {shipped[0]:.1f} Redis "
        f"commands/s, Redis CPU {shipped[1]:.1f} ms/s, worker CPU {shipped[2]:.1f} ms/s",
        f"baseline, poll every {OLD_POLL_SECONDS:g} s: {old[0]:.1f} commands/s "
        f"({old[0] / max(shipped[0], 0.1):.0f}x), Redis CPU {old[1]:.1f} ms/s, worker CPU "
        f"{old[2]:.1f} ms/s",
        machine_load(),
    ]
