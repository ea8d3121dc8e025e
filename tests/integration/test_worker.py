"""The queue and the arq worker with the real Redis and Neo4j: duplicates collapse, a worker
killed mid-job is replaced and the graph ends as after a clean run, the watcher feeds it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker

from graph.graph import Graph
from graph.settings import Settings
from ingest.queue import QUEUE_NAME, Priority, QueuedFile, enqueue_file
from ingest.watch.files import sha256_of
from ingest.watcher import run_watcher
from ingest.worker import Lanes, worker_settings
from tests.integration.conftest import SourceFolder, delete_source

pytestmark = pytest.mark.integration

ROWS = "city_id,name,population\n" + "".join(f"c{i}-xx,City {i},{1000 + i}\n" for i in range(3))


async def documents(graph: Graph, source: SourceFolder) -> list[tuple[int, str]]:
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    return sorted((d["version"], d["status"]) for d in record["documents"])


async def source_state(graph: Graph, source: SourceFolder) -> dict[str, Any]:
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    return record


async def wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {seconds} s")
        await asyncio.sleep(0.1)


STALL_SECONDS = 180.0
"""A load fails when it writes nothing for this long: it covers an arq in-progress mark
expiring (the first worker's job timeout plus 10 s) and a worker starting on a busy machine,
and never bounds a load that keeps going."""


async def wait_while_loading(graph: Graph, source: SourceFolder, condition: Any) -> None:
    """Until `condition` holds; fails only when the source's load stops making progress."""
    seen, since = -1, time.monotonic()
    while not await condition():
        [record] = await graph.read("testing/source_provenance_count", {"source": source.id})
        if record["provenance"] != seen:
            seen, since = record["provenance"], time.monotonic()
        if time.monotonic() - since > STALL_SECONDS:
            raise AssertionError(f"no progress for {STALL_SECONDS:.0f} s at {seen} rows")
        await asyncio.sleep(1.0)


def queued(path: Path, root: Path) -> QueuedFile:
    return QueuedFile(path, root, sha256_of(path), path.stat().st_size)


async def test_twenty_enqueues_of_one_file_make_one_job_and_one_document(
    graph: Graph, settings: Settings, queue: ArqRedis, source: SourceFolder
) -> None:
    path = source.write("cities.csv", ROWS)
    item = queued(path, source.root)
    accepted = await asyncio.gather(*(enqueue_file(queue, item, Priority.BULK) for _ in range(20)))
    assert accepted.count(True) == 1
    assert await queue.zcard(QUEUE_NAME) == 1
    lanes = Lanes(settings, burst=True)
    try:
        await lanes.run()
    finally:
        await lanes.close()
    results = await queue.all_job_results()
    ingestions = [r for r in results if r.function == "ingest_file" and str(path) in str(r.args)]
    assert len(ingestions) == 1  # beside it, the start-up sweep and the file's pass
    assert await documents(graph, source) == [(1, "active")]
    # the after-ingest pipeline scored the new rows (its update_trust step)
    scored = await graph.read("testing/row_trust", {"source": source.id})
    assert len(scored) == 3
    assert all(row["propagated"] is not None for row in scored)


async def test_an_urgent_file_overtakes_a_queued_bulk_load(
    queue: ArqRedis, source: SourceFolder
) -> None:
    bulk = [queued(source.write(f"bulk{i}.csv", ROWS), source.root) for i in range(3)]
    for item in bulk:
        await enqueue_file(queue, item, Priority.BULK)
    urgent = queued(source.write("urgent.csv", ROWS), source.root)
    await enqueue_file(queue, urgent, Priority.URGENT)
    first, _ = (await queue.zrange(QUEUE_NAME, 0, 0, withscores=True))[0]
    jobs = {job.job_id: job for job in await queue.queued_jobs(queue_name=QUEUE_NAME)}
    assert jobs[first.decode()].args[0] == str(urgent.path)


def start_worker(
    settings: Settings, log: Path, job_timeout: int, *lane: str
) -> subprocess.Popen[bytes]:
    """`grace worker` (with `--lane LANE` when given) in a process of its own."""
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "GRACE_WORKER_JOB_TIMEOUT_SECONDS": str(job_timeout),
        "GRACE_WRITE_BATCH_SIZE": "2000",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", "worker", *(["--lane", *lane] if lane else [])],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


# A hang guard only: two workers start (each rehearses a file before it is ready) and 120,000
# rows load; `wait_while_loading` fails a load that stops making progress, whatever the machine.
@pytest.mark.timeout(1200)
async def test_a_worker_killed_mid_job_is_replaced_and_the_graph_matches_a_clean_run(
    graph: Graph,
    settings: Settings,
    queue: ArqRedis,
    tmp_path: Path,
    unique: str,
) -> None:
    rows = "city_id,name,population\n" + "".join(
        f"k{i}-zz,City {i},{1000 + i}\n" for i in range(60_000)
    )
    killed = SourceFolder(tmp_path, f"killed_{unique}")
    clean = SourceFolder(tmp_path, f"clean_{unique}")
    try:
        killed_path = killed.write("cities.csv", rows)
        clean_path = clean.write("cities.csv", rows)
        await enqueue_file(queue, queued(killed_path, killed.root), Priority.URGENT)
        log = tmp_path / "worker.log"
        first = start_worker(settings, log, job_timeout=20)

        async def loading() -> bool:
            provenance: int = (await source_state(graph, killed))["provenance"]
            return provenance > 0

        try:
            await wait_for(loading, 60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert (await documents(graph, killed)) == [(1, "loading")]
        # the replacement's own timeout is no limit: how fast it loads depends on the machine
        second = start_worker(settings, log, job_timeout=3600)
        try:

            async def active() -> bool:
                return await documents(graph, killed) == [(1, "active")]

            await wait_while_loading(graph, killed, active)
            await enqueue_file(queue, queued(clean_path, clean.root), Priority.URGENT)

            async def clean_active() -> bool:
                return await documents(graph, clean) == [(1, "active")]

            await wait_while_loading(graph, clean, clean_active)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
        after_kill, after_clean = (
            await source_state(graph, killed),
            await source_state(graph, clean),
        )

        def shape(record: dict[str, Any]) -> list[tuple[str, str, str]]:
            return sorted((r["key"], r["status"], r["values"]) for r in record["rows"])

        assert len(after_kill["rows"]) == 60_000
        assert shape(after_kill) == shape(after_clean)
        assert after_kill["provenance"] == after_clean["provenance"] == 60_000
    finally:
        for folder in (killed, clean):
            await delete_source(graph, folder.id)


def niceness(pid: int) -> int:
    """A process's nice value, as Linux reports it (`/proc/PID/stat`, field 19)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


LANE_DEADLINE_SECONDS = 300.0
"""Covers a worker process starting (it loads the model) on a busy machine."""


async def test_a_process_per_lane_ingests_while_the_pass_process_restarts(
    graph: Graph, settings: Settings, queue: ArqRedis, tmp_path: Path, source: SourceFolder
) -> None:
    """`grace worker --lane ingest` and `--lane passes` side by side: a file is ingested
    while the pass process is down, and its pass runs once the process is back."""

    def passes_are(documents: int, passed: int) -> Any:
        async def check() -> bool:
            [record] = await graph.read("testing/source_passes", {"source": source.id})
            return (record["documents"], record["passed"]) == (documents, passed)

        return check

    async def queue_file(name: str) -> None:
        path = source.write(name, ROWS.replace("City", name))
        item = QueuedFile(path, source.root, sha256_of(path), path.stat().st_size)
        await enqueue_file(queue, item, Priority.URGENT)

    log = tmp_path / "workers.log"
    ingest = start_worker(settings, log, 600, "ingest")
    passes = start_worker(settings, log, 600, "passes")
    try:
        await queue_file("first.csv")
        await wait_for(passes_are(1, 1), LANE_DEADLINE_SECONDS)
        # the pass process yields the CPU to the ingest process (nice, capped at 19 by Linux)
        own = niceness(os.getpid())
        assert niceness(ingest.pid) == own
        assert niceness(passes.pid) == min(19, own + settings.worker_pass_niceness) > own
        passes.send_signal(signal.SIGTERM)
        assert passes.wait(30) == 0
        await queue_file("second.csv")
        await wait_for(passes_are(2, 1), LANE_DEADLINE_SECONDS)  # ingested, its pass owed
        assert ingest.poll() is None  # the ingest process ran on without its neighbour
        passes = start_worker(settings, log, 600, "passes")
        await wait_for(passes_are(2, 2), LANE_DEADLINE_SECONDS)
    finally:
        for process in (ingest, passes):
            process.send_signal(signal.SIGTERM)
            process.wait(30)


async def test_the_watcher_feeds_the_worker_and_catches_up_after_a_restart(
    graph: Graph, settings: Settings, queue: ArqRedis, source: SourceFolder
) -> None:
    local = settings.model_copy(update={"watch_dirs": [source.root]})
    worker = Worker(**{**worker_settings(local), "handle_signals": False})
    worker_task = asyncio.create_task(worker.async_run())
    watcher = asyncio.create_task(run_watcher(local))
    try:
        path = source.write("cities.csv", ROWS)

        async def version(number: int) -> bool:
            return (number, "active") in await documents(graph, source)

        await wait_for(lambda: version(1), 30)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        path.write_text(ROWS.replace("1000", "1001"), encoding="utf-8")  # while nobody watches
        watcher = asyncio.create_task(run_watcher(local))
        await wait_for(lambda: version(2), 30)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task
        await worker.close()
