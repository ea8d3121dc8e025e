"""Exactly one outcome per file version (issue 20): every hostile file of `tests/hostile.py`
ends as one `IngestionRun`, completed, failed with a code or awaiting, through the service,
through `grace ingest FOLDER` and through the worker's batch jobs."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker

from graph.graph import Graph
from graph.settings import Settings
from ingest.extract import Extraction, Limits
from ingest.queue import QueuedFile, enqueue_batch
from ingest.service import IngestionService, OutcomeStatus
from ingest.watch.files import sha256_of
from ingest.watcher import FileReady, FolderWatcher, finished_files
from ingest.worker import worker_settings
from tests.hostile import GOOD_CSV, write_hostile
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

FINISHED = {"completed", "failed", "awaiting_schema", "awaiting_approval"}
EXPECTED_CODES = {
    "deep_array.json": "too_deep",
    "deep_value.json": "too_deep",
    "deep_value_shallow.json": "too_deep",
    "lone_surrogate.json": "invalid_text",
    "huge_number.json": "malformed_file",
    "deep.yaml": "too_deep",
    "deep_value.yaml": "too_deep",
    "huge_number.yaml": "malformed_file",
    os.fsdecode(b"bad\xffname.csv"): "invalid_text",
}


async def runs_of(graph: Graph, source: SourceFolder) -> list[dict[str, Any]]:
    return await graph.read("testing/source_runs", {"source": source.id})


def stored(name: str) -> str:
    """A file name as its run stores it (lone surrogates escaped)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def assert_one_outcome_each(
    source: SourceFolder, names: list[str], runs: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """One finished run per file; every failure with a code and a message; no defects.
    Returns the runs by file name."""
    by_name = {run["path"].removeprefix(f"{source.name}/"): run for run in runs}
    assert Counter(run["path"] for run in runs) == Counter(
        stored(f"{source.name}/{name}") for name in names
    )
    for run in runs:
        assert run["status"] in FINISHED, run
        if run["status"] == "failed":
            assert run["error_code"], run
            assert run["error"], run
            assert run["error_code"] != "internal", run
    for name, code in EXPECTED_CODES.items():
        assert by_name[stored(name)]["error_code"] == code, (name, by_name[stored(name)])
    return by_name


async def test_every_hostile_file_gets_exactly_one_run_through_the_service(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    names = write_hostile(source.folder)
    outcomes = [await service.ingest_file(source.folder / name, source.root) for name in names]
    assert all(o.status is not OutcomeStatus.SKIPPED for o in outcomes)
    by_path = assert_one_outcome_each(source, names, await runs_of(graph, source))
    assert by_path["good.csv"]["status"] == "completed"
    shallow = by_path["deep_value_shallow.json"]["error"]
    assert "$[0]: values nested deeper than the limit of 64 levels" in shallow
    assert "4300" in by_path["huge_number.json"]["error"]


async def test_grace_ingest_goes_through_every_hostile_file_and_exits_1(
    graph: Graph, settings: Settings, source: SourceFolder
) -> None:
    names = write_hostile(source.folder)
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cli", "ingest", str(source.root)],
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr.decode(errors="replace")[-3000:]
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")[-3000:]
    assert_one_outcome_each(source, names, await runs_of(graph, source))


async def test_a_batch_job_gives_each_of_its_files_its_own_run(
    graph: Graph, settings: Settings, queue: ArqRedis, source: SourceFolder
) -> None:
    names = write_hostile(source.folder)
    files = [source.folder / name for name in names]
    await enqueue_batch(
        queue, [QueuedFile(f, source.root, sha256_of(f), f.stat().st_size) for f in files]
    )
    # the ingest lane alone: runs are what this test counts (the pass lane is covered by
    # test_resumable_pass)
    worker = Worker(**{**worker_settings(settings), "handle_signals": False, "burst": True})
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert_one_outcome_each(source, names, await runs_of(graph, source))


async def test_files_of_a_batch_whose_time_runs_out_are_queued_alone_and_each_end(
    graph: Graph,
    settings: Settings,
    queue: ArqRedis,
    source: SourceFolder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A job timeout of 4 s leaves the batch 3.6 s: the big file under way when it runs out
    (100,000 rows) and every later file are queued as jobs of their own, and each ends with
    one run: completed in its own job, or failed with `timeout` (a loaded machine may not
    ingest even a one-row file in 4 s)."""
    caplog.set_level(logging.INFO, logger="arq.worker")
    big = "city_id,name,population\n" + "".join(
        f"t{i}-zz,City {i},{1000 + i}\n" for i in range(100_000)
    )
    paths = [source.write("a_big.csv", big)] + [
        source.write(f"b_small_{i}.csv", f"city_id,name\ns{i}-yy,S{i}\n") for i in range(5)
    ]
    await enqueue_batch(
        queue, [QueuedFile(p, source.root, sha256_of(p), p.stat().st_size) for p in paths]
    )
    short = settings.model_copy(update={"worker_job_timeout_seconds": 4})
    worker = Worker(**{**worker_settings(short), "handle_signals": False, "burst": True})
    try:
        await worker.async_run()
    finally:
        await worker.close()
    runs = await runs_of(graph, source)
    assert Counter(run["path"] for run in runs) == Counter(f"{source.name}/{p.name}" for p in paths)
    for run in runs:
        assert run["status"] == "completed" or run["error_code"] == "timeout", run
    for path in paths:  # arq logs each job it starts under its id: the batch's, then the file's
        assert re.search(rf"ingest-batch:\w+:{re.escape(str(path))}:ingest_file", caplog.text), path


async def test_the_watchers_rescan_resubmits_a_file_whose_content_has_no_finished_run(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    """A job lost with its worker leaves no run: the next rescan queues the file again, and
    stops once the file's content has its run."""
    path = source.write("cities.csv", GOOD_CSV)
    sent: list[Path] = []

    async def submit(item: FileReady) -> None:
        sent.append(item.path)

    async def finished(items: Sequence[FileReady]) -> set[Path]:
        return await finished_files(graph, items)

    watcher = FolderWatcher([source.root], submit, finished=finished)
    assert await watcher.rescan() == 1
    assert await watcher.rescan() == 1  # submitted, but no run: its job may have been lost
    await service.ingest_file(path, source.root)
    assert await watcher.rescan() == 0
    assert sent == [path, path]


class ExtractorDefect(Exception):
    """An exception type no part of Grace expects."""


def defective_extractor(data: bytes, filename: str, limits: Limits) -> Extraction:
    """An extractor with a defect: what the catch-all is there for."""
    raise ExtractorDefect(f"cannot handle {len(data)} bytes")


async def test_an_unexpected_exception_is_recorded_as_internal_with_its_type(
    graph: Graph,
    service: IngestionService,
    source: SourceFolder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The last-resort boundary: the file still gets one failed run, coded `internal` and
    naming the exception's type; the traceback goes to the log; the next file goes in."""
    monkeypatch.setattr("ingest.service.extract", defective_extractor)
    path = source.write("cities.csv", GOOD_CSV)
    outcome = await service.ingest_file(path, source.root)
    assert (outcome.status, outcome.code) == (OutcomeStatus.FAILED, "internal")
    [run] = await runs_of(graph, source)
    assert (run["status"], run["error_code"]) == ("failed", "internal")
    assert f"ExtractorDefect: cannot handle {len(GOOD_CSV)} bytes" in run["error"]
    assert "Traceback" not in run["error"]
    assert any(
        record.exc_info and record.exc_info[0] is ExtractorDefect for record in caplog.records
    )

    monkeypatch.undo()
    outcome = await service.ingest_file(source.write("later.csv", GOOD_CSV), source.root)
    assert outcome.status is OutcomeStatus.INGESTED
