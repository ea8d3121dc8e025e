"""The ingestion commands of `grace`: `ingest`, `worker` and `watch`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from arq.connections import ArqRedis, create_pool
from arq.worker import Worker
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from api.tracing import install as install_tracing
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.assembly import open_ingestion
from ingest.batcher import Batcher
from ingest.queue import QueuedFile, deserialize, enqueue_all, redis_settings, serialize
from ingest.scan import walk
from ingest.service import IngestOutcome, OutcomeStatus, summarize
from ingest.watcher import FolderWatcher
from ingest.worker import worker_settings

log = logging.getLogger(__name__)

CONCURRENT_FILES = 4
BATCH_WINDOW_SECONDS = 0.005
"""How long the watcher's batcher waits for more files after one arrives."""


def expand(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(file, root) pairs: a folder is its own root; a lone file's root is its folder."""
    pairs: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            pairs += [(file, path) for file in walk(path)]
        else:
            pairs.append((path, path.parent))
    return pairs


async def ingest_paths(
    settings: Settings, paths: Sequence[Path], console: Console
) -> list[IngestOutcome]:
    """Ingest files and folders once, in this process, with a progress bar."""
    graph = await Graph.connect(settings)
    bus = EventBus.from_settings(settings)
    try:
        service = await open_ingestion(graph, bus, settings)
        files = expand(paths)
        gate = asyncio.Semaphore(CONCURRENT_FILES)
        columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("files", total=len(files))

            async def one(file: Path, root: Path) -> IngestOutcome:
                async with gate:
                    outcome = await service.ingest_file(file, root)
                progress.advance(task)
                return outcome

            return list(await asyncio.gather(*(one(file, root) for file, root in files)))
    finally:
        await bus.close()
        await graph.close()


def print_summary(outcomes: Sequence[IngestOutcome], console: Console) -> None:
    """Counts by status, then one line per file that needs attention."""
    counts = summarize(outcomes)
    console.print(", ".join(f"{status.value}: {count}" for status, count in counts.items()))
    attention = [
        o
        for o in outcomes
        if o.status is not OutcomeStatus.UNCHANGED and (o.error or o.warnings or o.change_request)
    ]
    if not attention:
        return
    table = Table("file", "status", "detail")
    for outcome in attention:
        detail = outcome.error or (
            f"schema proposed: {outcome.change_request}" if outcome.change_request else ""
        )
        if outcome.warnings:
            more = f" (+{len(outcome.warnings) - 1} more)" if len(outcome.warnings) > 1 else ""
            detail = (detail + "; " if detail else "") + outcome.warnings[0] + more
        table.add_row(f"{outcome.source}:{outcome.path}", outcome.status.value, detail)
    console.print(table)


async def run_worker(settings: Settings) -> None:
    """Run the arq worker until SIGTERM/SIGINT; its jobs trace to the configured OTLP
    endpoint, continuing the traces of the requests that queued them."""
    tracing = install_tracing(settings)
    worker = Worker(**worker_settings(settings))
    try:
        await worker.async_run()
    except asyncio.CancelledError:
        pass  # a signal: arq has stopped taking jobs and finished or released the current ones
    finally:
        await worker.close()
        if tracing is not None:
            tracing.shutdown()


async def run_watcher(settings: Settings) -> None:
    """Watch the configured folders and queue what arrives, until cancelled."""
    redis: ArqRedis = await create_pool(
        redis_settings(settings), job_serializer=serialize, job_deserializer=deserialize
    )

    async def flush(items: Sequence[QueuedFile]) -> int:
        jobs = await enqueue_all(redis, items)
        log.info("queued %d file(s) as %d job(s): %s", len(items), jobs, items[0].path.name)
        return jobs

    batcher = Batcher(flush, window_seconds=BATCH_WINDOW_SECONDS)
    watcher = FolderWatcher(
        settings.watch_dirs,
        batcher.submit,
        debounce_seconds=settings.watch_debounce_seconds,
        rescan_seconds=settings.watch_rescan_seconds,
    )
    try:
        await watcher.run()
    finally:
        await batcher.flush()
        await redis.aclose()
