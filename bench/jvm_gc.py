"""Time a local JVM (Neo4j, found by `bench.process_cpu.serving_pid`) has spent collecting
garbage, read with the JDK's `jstat`: what a large write costs the server's heap, beside the
CPU it spent."""

from __future__ import annotations

import shutil
import subprocess

JSTAT_SECONDS = 30
"""Longest wait for one `jstat` (it starts a JVM of its own)."""


def parse_gc_seconds(output: str) -> float | None:
    """The `GCT` column (seconds in collections: pauses and concurrent cycles) of
    `jstat -gc`'s output, or None when it is not there."""
    lines = output.strip().splitlines()
    if len(lines) < 2:
        return None
    columns = dict(zip(lines[0].split(), lines[1].split(), strict=False))
    try:
        return float(columns["GCT"])
    except (KeyError, ValueError):
        return None


def gc_seconds(pid: int | None) -> float | None:
    """Seconds the JVM `pid` has spent collecting garbage so far; None without a pid, without
    `jstat` on PATH or when it cannot read the process (another user's JVM)."""
    jstat = shutil.which("jstat")
    if pid is None or jstat is None:
        return None
    try:
        done = subprocess.run(
            [jstat, "-gc", str(pid)],
            capture_output=True,
            text=True,
            timeout=JSTAT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_gc_seconds(done.stdout) if done.returncode == 0 else None
