"""The folder watcher: watchdog events and periodic rescans become `FileReady` submissions.

watchdog's observer runs in its own threads and hands events to the asyncio loop. Each path
settles on its own: the close-after-write event (Linux) or any other event starts
`stable_checks` stats `debounce_seconds` apart, and only a file whose size and mtime hold
still, with no new event between, is hashed (in a thread) and submitted. Where close events
exist, a file still being written (modified, or created empty) waits for its close, or for
`WRITE_QUIET_SECONDS` without events, so a slow writer is not submitted half-way. Rescans at
start and every `rescan_seconds` catch what inotify dropped (watchdog issue #654).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import platform
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from arq.connections import ArqRedis, create_pool
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from redis.exceptions import RedisError
from watchdog.observers import Observer

from graph.graph import Graph
from graph.settings import Settings
from graph.tracing import WATCHER_SERVICE
from graph.tracing import install as install_tracing
from ingest import identity
from ingest.batcher import Batcher
from ingest.metrics import WATCHER, SkipReason, serve
from ingest.queue import QueuedFile, deserialize, enqueue_all, redis_settings, serialize
from ingest.sources import locate
from ingest.watch.events import EVENTS, Handler, Signal
from ingest.watch.files import (
    DEFAULT_IGNORE,
    Signature,
    ignored,
    regular_file,
    sha256_of,
    signature,
)

__all__ = ["DEFAULT_IGNORE", "FileReady", "FolderWatcher", "Submit"]

log = logging.getLogger(__name__)

WRITE_QUIET_SECONDS = 1.0
"""Where close events exist: how long a file being written may go without events before it
is treated as closed (a writer that keeps it open, or a lost close event)."""
CLOSE_EVENTS = platform.system() == "Linux"


FileReady = QueuedFile
"""A file whose content has settled: what the watcher submits, and what the queue takes."""

Submit = Callable[[FileReady], Awaitable[None]]

Finished = Callable[[Sequence[FileReady]], Awaitable[set[Path]]]
"""Of files submitted before, those whose content's ingestion has finished (has a run)."""


@dataclass
class _Pending:
    """A path waiting to settle: `due` is when its checks may start; `stirred` is set by events."""

    due: float
    stirred: asyncio.Event = field(default_factory=asyncio.Event)


class FolderWatcher:
    """Watches folders recursively and submits every file once its content has settled."""

    def __init__(
        self,
        roots: Sequence[Path],
        submit: Submit,
        *,
        debounce_seconds: float = 0.05,
        stable_checks: int = 2,
        rescan_seconds: float = 300.0,
        ignore: Sequence[str] = DEFAULT_IGNORE,
        finished: Finished | None = None,
    ) -> None:
        if stable_checks < 1 or debounce_seconds < 0 or rescan_seconds <= 0:
            raise ValueError("need stable_checks >= 1, debounce_seconds >= 0, rescan_seconds > 0")
        self._roots = tuple(Path(os.path.abspath(root)) for root in roots)
        self._submit = submit
        self._debounce = debounce_seconds
        self._stable_checks = stable_checks
        self._rescan_seconds = rescan_seconds
        self._ignore = tuple(ignore)
        self._running = False
        self._pending: dict[Path, _Pending] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._submitted: dict[Path, str] = {}
        self._hashed: dict[Path, tuple[Signature, str]] = {}
        self._finished = finished

    async def run(self) -> None:
        """Watch until cancelled: events as they come, a rescan at start and periodically."""
        for root in self._roots:
            root.mkdir(parents=True, exist_ok=True)
        observer = Observer()
        handler = Handler(asyncio.get_running_loop(), self.eligible, self.signal)
        for root in self._roots:
            observer.schedule(handler, str(root), recursive=True, event_filter=EVENTS)
        self._running = True
        # Adding the watches walks the trees: a thread, finished even if cancelled meanwhile.
        started = asyncio.ensure_future(asyncio.to_thread(observer.start))
        try:
            await asyncio.shield(started)
            while True:
                await self.rescan()
                await asyncio.sleep(self._rescan_seconds)
        finally:
            self._running = False
            await asyncio.wait([started])
            observer.stop()
            if observer.is_alive():
                await asyncio.to_thread(observer.join)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def rescan(self) -> int:
        """Walk every root and submit each eligible file not yet submitted with this content,
        or (with `finished`) whose submitted content has no finished run yet: a job that
        crashed or timed out must not leave its files without an outcome."""
        await self._forget_unfinished()
        submitted = 0
        WATCHER.rescans.inc()
        for path in await asyncio.to_thread(self._walk):
            WATCHER.seen.labels("rescan").inc()
            if path not in self._pending and await self._offer(path, fresh=False):
                submitted += 1
        log.debug("rescan submitted %d file(s)", submitted)
        return submitted

    async def _forget_unfinished(self) -> None:
        if self._finished is None or not self._submitted:
            return
        sent = [
            FileReady(path, root, digest, 0)
            for path, digest in self._submitted.items()
            if (root := self._root_of(path)) is not None
        ]
        done = await self._finished(sent)
        for item in sent:
            if item.path not in done and self._submitted.get(item.path) == item.sha256:
                del self._submitted[item.path]

    def eligible(self, path: Path) -> bool:
        """Under a root, and no part of it below the root matches an ignore pattern."""
        root = self._root_of(path)
        if root is None:
            return False
        if any(ignored(part, self._ignore) for part in path.relative_to(root).parts):
            WATCHER.skipped.labels(SkipReason.IGNORED.value).inc()
            return False
        return True

    @property
    def settling(self) -> int:
        """Paths waiting for their content to settle."""
        return len(self._pending)

    def signal(self, path: Path, kind: Signal) -> None:
        """Note an event for `path` (in the loop): (re)start its wait to settle."""
        if not self._running:
            return
        WATCHER.seen.labels("event").inc()
        if kind is Signal.GONE:
            self._submitted.pop(path, None)
            self._hashed.pop(path, None)
        pending = self._pending.get(path)
        if pending is None and kind is Signal.GONE:
            return
        loop = asyncio.get_running_loop()
        hold = WRITE_QUIET_SECONDS if CLOSE_EVENTS and kind is Signal.WRITING else 0.0
        if pending is None:
            pending = self._pending[path] = _Pending(due=loop.time() + hold)
            task = loop.create_task(self._settle(path, pending))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            pending.due = loop.time() + hold
            pending.stirred.set()

    def _root_of(self, path: Path) -> Path | None:
        roots = [root for root in self._roots if path.is_relative_to(root)]
        return max(roots, key=lambda root: len(root.parts), default=None)

    def _walk(self) -> list[Path]:
        found: list[Path] = []
        for root in self._roots:
            for folder, dirnames, filenames in os.walk(root):
                dirnames[:] = [name for name in dirnames if not ignored(name, self._ignore)]
                found.extend(
                    Path(folder, name) for name in filenames if not ignored(name, self._ignore)
                )
        return found

    async def _settle(self, path: Path, pending: _Pending) -> None:
        """Wait until `due`, then until the checks pass with no event between; then offer."""
        loop = asyncio.get_running_loop()
        try:
            while (wait := pending.due - loop.time()) > 0 or not await self._steady(path, pending):
                if wait > 0:
                    await self._quiet(pending, wait)  # an event may bring `due` closer
        finally:
            del self._pending[path]
        await self._offer(path, fresh=True)

    async def _steady(self, path: Path, pending: _Pending) -> bool:
        """Whether size and mtime hold across the checks with no event between (or it is gone)."""
        first = signature(path)
        for _ in range(self._stable_checks - 1):
            if first is None:
                break
            if not await self._quiet(pending, self._debounce) or signature(path) != first:
                return False
        return True

    @staticmethod
    async def _quiet(pending: _Pending, seconds: float) -> bool:
        """Wait `seconds`, or less if an event for the path comes first; True if none came."""
        pending.stirred.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await pending.stirred.wait()
                return False
        return True

    async def _offer(self, path: Path, *, fresh: bool) -> bool:
        """Hash `path` and submit it unless this content was already submitted; True if sent."""
        root = self._root_of(path)
        before = signature(path) if regular_file(path) else None
        if root is None or before is None:
            log.debug("%s is gone (or no longer a regular file); skipped", path)
            WATCHER.skipped.labels(SkipReason.GONE.value).inc()
            return False
        known = self._hashed.get(path)
        if not fresh and known is not None and known[0] == before:
            digest = known[1]
        else:
            try:
                digest = await asyncio.to_thread(sha256_of, path)
            except FileNotFoundError:
                log.debug("%s disappeared before it was hashed", path)
                WATCHER.skipped.labels(SkipReason.GONE.value).inc()
                return False
            except OSError as error:
                log.warning("cannot read %s: %s", path, error)
                WATCHER.skipped.labels(SkipReason.UNREADABLE.value).inc()
                return False
            if signature(path) != before:
                log.debug("%s changed while it was hashed; its next event or rescan follows", path)
                WATCHER.skipped.labels(SkipReason.CHANGING.value).inc()
                return False
            self._hashed[path] = (before, digest)
        previous = self._submitted.get(path)
        if previous == digest:
            WATCHER.skipped.labels(SkipReason.UNCHANGED.value).inc()
            return False
        self._submitted[path] = digest  # set first, so a concurrent offer does not send it too
        try:
            await self._submit(FileReady(path=path, sha256=digest, size=before[1], root=root))
        except Exception:
            log.exception("submitting %s failed; retrying on its next event or rescan", path)
            WATCHER.skipped.labels(SkipReason.SUBMIT_FAILED.value).inc()
            if self._submitted.get(path) == digest:
                if previous is None:
                    del self._submitted[path]
                else:
                    self._submitted[path] = previous
            return False
        return True


BATCH_WINDOW_SECONDS = 0.005
"""How long the watcher's batcher waits for more files after one arrives."""


async def run_watcher(settings: Settings) -> None:
    """Watch the configured folders and queue what arrives, until cancelled (`grace watch`);
    while Redis is away, files wait in the batcher and are queued once it answers again."""
    tracing = install_tracing(settings, WATCHER_SERVICE)
    tracer = trace.get_tracer(__name__)
    redis: ArqRedis = await create_pool(
        redis_settings(settings), job_serializer=serialize, job_deserializer=deserialize
    )

    async def flush(items: Sequence[QueuedFile]) -> int:
        # the jobs carry this span's context: the worker's job spans continue its trace
        with tracer.start_as_current_span(
            "watcher queue", kind=SpanKind.PRODUCER, attributes={"files": len(items)}
        ):
            jobs = await enqueue_all(redis, items)
        WATCHER.queued.inc(len(items))
        WATCHER.jobs.inc(jobs)
        log.info("queued %d file(s) as %d job(s): %s", len(items), jobs, items[0].path.name)
        return jobs

    graph = await Graph.connect(settings)

    async def finished(items: Sequence[FileReady]) -> set[Path]:
        return await finished_files(graph, items)

    batcher = Batcher(flush, window_seconds=BATCH_WINDOW_SECONDS)
    watcher = FolderWatcher(
        settings.watch_dirs,
        batcher.submit,
        debounce_seconds=settings.watch_debounce_seconds,
        rescan_seconds=settings.watch_rescan_seconds,
        finished=finished,
    )
    WATCHER.waiting.set_function(lambda: watcher.settling + batcher.pending)
    serve(WATCHER.registry, settings.metrics_host, settings.watcher_metrics_port, "watcher")
    try:
        await watcher.run()
    finally:
        try:
            await batcher.flush()
        except (RedisError, OSError) as error:
            log.warning(
                "stopping with %d file(s) not queued (Redis: %s); the next start's rescan "
                "queues them",
                batcher.pending,
                error,
            )
        await redis.aclose()
        await graph.close()
        if tracing is not None:
            tracing.shutdown()


async def finished_files(graph: Graph, items: Sequence[FileReady]) -> set[Path]:
    """The files whose queued content has a finished run (completed, failed or awaiting)."""
    ids = {}
    for item in items:
        source, relative = locate(item.path, item.root)
        ids[identity.run_id(source.id, relative, item.sha256)] = item.path
    [record] = await graph.read("ingest/finished_runs", {"ids": list(ids)})
    return {ids[run_id] for run_id in record["finished"]}
