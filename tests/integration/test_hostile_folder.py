"""The whole hostile corpus (`tests/hostile.py`) dropped at once into a watched folder, with the
real watcher and worker processes (issue 20): one run per regular file, every failure with a
code, symlinks and the FIFO skipped and said so, both processes alive, good files dropped
afterwards ingested; the worker's peak memory is reported."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from cli.stack.process import ManagedProcess
from graph.graph import Graph
from graph.settings import Settings
from tests.hostile import GOOD_CSV, write_hostile, write_specials
from tests.integration.conftest import SourceFolder
from tests.integration.test_outcomes import FINISHED, runs_of, stored
from tests.integration.test_survival import PrivateRedis, grace, redis, until, worker_ready

pytestmark = [pytest.mark.integration, pytest.mark.timeout(3600)]  # a hang guard only

__all__ = ["redis"]  # the fixture, used by name

STALL_SECONDS = 300.0
"""The drop fails when no run is recorded for this long (a slow machine is slow, not stuck)."""


def peak_rss_mib(pid: int) -> float:
    """The most memory the process has held at once (VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    [line] = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


async def test_the_hostile_corpus_dropped_into_a_watched_folder_gets_one_run_per_file(
    graph: Graph,
    settings: Settings,
    redis: PrivateRedis,
    tmp_path: Path,
    unique: str,
) -> None:
    inbox = tmp_path / "inbox"
    source = SourceFolder(inbox, f"hostile_{unique}")
    worker = grace("worker", settings, redis, inbox)
    watcher = grace("watch", settings, redis, inbox)
    processes = [worker, watcher]
    for process in processes:
        process.start()
    try:
        await worker_ready(redis, processes)
        names = write_hostile(source.folder)
        specials = write_specials(source.folder, tmp_path / "outside")
        regular = names + [name for name, kind in specials.items() if kind == "regular"]

        async def recorded() -> list[dict[str, Any]]:
            return [run for run in await runs_of(graph, source) if run["status"] in FINISHED]

        await _until_all_recorded(recorded, len(regular), processes)
        runs = await runs_of(graph, source)
        assert Counter(run["path"] for run in runs) == Counter(
            stored(f"{source.name}/{name}") for name in regular
        )
        failed = [run for run in runs if run["status"] == "failed"]
        assert all(run["error_code"] and run["error"] for run in failed), failed
        assert not [run for run in failed if run["error_code"] == "internal"], failed
        codes = Counter(run["error_code"] for run in failed)
        by_name = {run["path"].removeprefix(f"{source.name}/"): run for run in runs}
        assert by_name["sparse_2gb.csv"]["error_code"] == "file_too_large"
        for name, kind in specials.items():
            if kind != "regular":
                assert f"{name} skipped: it is" in watcher.output() + worker.output(), name

        later = [source.write(f"later_{n}.csv", GOOD_CSV.replace("h", f"l{n}")) for n in range(2)]
        await until(lambda: _completed(graph, source, [p.name for p in later]), processes)
        peak = peak_rss_mib(worker.pid or 0)
        print(  # the figures of issue 20, for the report
            f"\nhostile drop: {len(regular)} regular files, {len(runs)} runs, "
            f"{len(failed)} failed by code {dict(sorted(codes.items()))}; "
            f"worker peak RSS {peak:.0f} MiB"
        )
    finally:
        codes_at_exit = [process.stop(timeout=60) for process in processes]
        await graph.write("testing/delete_source", {"source": source.id})
    assert all(code in (0, -signal.SIGTERM) for code in codes_at_exit), (
        codes_at_exit,
        worker.output()[-3000:],
    )


async def _until_all_recorded(
    recorded: Callable[[], Awaitable[list[dict[str, Any]]]],
    expected: int,
    processes: list[ManagedProcess],
) -> None:
    """Until `expected` runs are finished; fails when none is added for `STALL_SECONDS` or
    a process exits."""
    count, since = -1, time.monotonic()
    while (now := len(await recorded())) < expected:
        if now != count:
            count, since = now, time.monotonic()
        assert time.monotonic() - since < STALL_SECONDS, f"stuck at {now} of {expected} runs"
        for process in processes:
            assert process.running(), f"{process.name} exited:\n{process.output()[-3000:]}"
        await asyncio.sleep(1.0)


async def _completed(graph: Graph, source: SourceFolder, names: list[str]) -> bool:
    runs = {run["path"]: run["status"] for run in await runs_of(graph, source)}
    return all(runs.get(f"{source.name}/{name}") == "completed" for name in names)
