"""Reading and checking an audit chain's seq ranges in worker processes.

Decoding a range's rows and recomputing its hashes costs a Python process about as much
CPU as Neo4j spends reading them, and one process runs on one core. `SegmentProcesses`
has worker processes (started on first use, each with its own connection to Neo4j) read
and check ranges side by side (`check_segment`) and gives their `Segment`s back in seq
order: only that small result crosses between processes, never the rows.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.util import Finalize

from governance.audit import AuditLog
from governance.audit_check import Segment, check_segment
from governance.errors import AuditReaderError
from graph.errors import GraceError
from graph.graph import Graph
from graph.settings import Settings

SEGMENT_SPAN = 8_192
"""Events per seq range: a power of two, so that a range's Merkle subtrees join the tree
of the ranges before whole (`MerkleAccumulator.absorb`)."""
RANGES_PER_TASK = 4
"""Consecutive ranges a worker is given at once: it asks Neo4j for all of them over
separate sessions and checks each as it arrives, so that Neo4j reads while it checks."""
TASKS_PER_WORKER = 2
"""Tasks asked of each worker at once: one under way, the next waiting."""


def default_workers() -> int:
    """Worker processes for a verification nobody sized: one per core this process may
    use, or none (all in this process) on a single core, where they could only take turns.
    On two cores shared with Neo4j, two workers verified 1,000,000 events in 9.9 s against
    12.8 s in one process (`python -m bench audit`)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores if cores is not None and cores > 1 else 0


class SegmentProcesses:
    """Worker processes that read and check seq ranges of audit chains."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self._settings = settings
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def worth(self, through_seq: int, span: int) -> bool:
        """Whether a chain ending at `through_seq` has more ranges than there are workers
        (below that, starting them costs more than they save)."""
        return through_seq > span * self.workers

    async def segments(
        self, chain: str, through_seq: int, span: int, checkpoint_seqs: Sequence[int]
    ) -> AsyncIterator[Segment]:
        """The checked ranges of `chain` up to `through_seq`, in seq order;
        `AuditReaderError` when a worker fails."""
        pool = self._started()
        loop = asyncio.get_running_loop()
        starts = iter(range(0, through_seq, span * RANGES_PER_TASK))
        asked: deque[asyncio.Future[list[Segment]]] = deque()
        seqs = tuple(checkpoint_seqs)

        def ask_next() -> None:
            start = next(starts, None)
            if start is not None:
                bounds = [
                    (after, min(after + span, through_seq))
                    for after in range(
                        start, min(start + span * RANGES_PER_TASK, through_seq), span
                    )
                ]
                asked.append(loop.run_in_executor(pool, _read_and_check, chain, bounds, span, seqs))

        try:
            for _ in range(self.workers * TASKS_PER_WORKER):
                ask_next()
            while asked:
                segments = await asked.popleft()
                ask_next()
                for segment in segments:
                    yield segment
        except BrokenProcessPool as error:
            self.close()
            raise AuditReaderError(f"a worker process stopped ({error})") from error
        finally:
            for pending in asked:
                pending.cancel()

    def close(self) -> None:
        """Stop the worker processes (started again on next use)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: this process runs an event loop and holds open connections
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_open,
                initargs=(self._settings,),
            )
        return self._pool


@dataclass
class _Worker:
    """A worker process's own event loop and connection (or why it has none)."""

    loop: asyncio.AbstractEventLoop
    graph: Graph | None
    failure: str = ""


_worker: _Worker | None = None


def _open(settings: Settings) -> None:
    """Connect a new worker process to Neo4j; a failure is told on its first range."""
    global _worker
    loop = asyncio.new_event_loop()
    try:
        graph: Graph | None = loop.run_until_complete(Graph.connect(settings))
    except GraceError as error:
        _worker = _Worker(loop, None, f"{error.code}: {error}")
        return
    _worker = _Worker(loop, graph)
    Finalize(_worker, _close, args=(_worker,), exitpriority=10)


def _close(worker: _Worker) -> None:
    if worker.graph is not None:
        worker.loop.run_until_complete(worker.graph.close())
    worker.loop.close()


def _read_and_check(
    chain: str, bounds: list[tuple[int, int]], span: int, checkpoint_seqs: Sequence[int]
) -> list[Segment]:
    """Read and check the events of `chain` in each range (`after_seq < seq <= through_seq`)
    of `bounds`, in a worker process: all asked for at once, each checked as it arrives
    (an empty range gives no segment)."""
    worker = _worker
    if worker is None or worker.graph is None:
        raise AuditReaderError(worker.failure if worker is not None else "not started")
    return worker.loop.run_until_complete(
        _check_ranges(AuditLog(worker.graph, chain), bounds, span, checkpoint_seqs)
    )


async def _check_ranges(
    log: AuditLog, bounds: list[tuple[int, int]], span: int, checkpoint_seqs: Sequence[int]
) -> list[Segment]:
    reads = [
        asyncio.ensure_future(log.range_rows(after, through, span)) for after, through in bounds
    ]
    segments = []
    try:
        for read in reads:
            rows = await read
            if rows:
                segments.append(check_segment(log.chain, rows, checkpoint_seqs))
    except GraceError as error:
        raise AuditReaderError(f"{error.code}: {error}") from None
    finally:
        for read in reads:
            read.cancel()
    return segments
