"""Usage: how often each row is read through the API, counted asynchronously.

The API process counts reads in memory (`UsageRecorder.record` never waits) and adds them
to one Redis hash every few seconds. The worker's `usage_flush` job (`apply_usage`) moves
the hash aside under a unique name, adds its counts to `Row.reads` in batches, then deletes
it; a hash left aside by a crash is applied by the next run. Trust reads `Row.reads` into
the usage signal at the next recompute.

Usage is weak evidence, so counting favours never blocking a request over exactness: if
Redis is down the counts wait in memory (up to `max_pending` rows, beyond which they are
dropped with a warning), and a crash between the graph write and the delete can count one
batch twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from graph.graph import Graph

log = logging.getLogger(__name__)

USAGE_KEY = "grace:usage:rows"
APPLYING_PREFIX = USAGE_KEY + ":applying:"
APPLY_BATCH = 5_000


class UsageRecorder:
    """Counts row reads in one API process and adds them to Redis in the background."""

    def __init__(
        self, redis: Redis, *, flush_every_seconds: float = 5.0, max_pending: int = 100_000
    ) -> None:
        self._redis = redis
        self._flush_every = flush_every_seconds
        self._max_pending = max_pending
        self._pending: Counter[str] = Counter()
        self._last_flush = time.monotonic()
        self._flushing: asyncio.Task[int] | None = None

    @property
    def pending(self) -> int:
        """How many rows have reads not yet in Redis."""
        return len(self._pending)

    def record(self, row_ids: Iterable[str]) -> None:
        """Count one read of each row; starts a background flush when one is due."""
        self._pending.update(row_ids)
        due = time.monotonic() - self._last_flush >= self._flush_every
        if due and (self._flushing is None or self._flushing.done()):
            self._flushing = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> int:
        """Add the pending counts to Redis; returns how many rows were flushed (0 on failure,
        the counts then wait for the next flush)."""
        self._last_flush = time.monotonic()
        counts, self._pending = self._pending, Counter()
        if not counts:
            return 0
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for row_id, reads in counts.items():
                    pipe.hincrby(USAGE_KEY, row_id, reads)
                await pipe.execute()
        except (RedisError, OSError) as error:
            self._keep(counts, error)
            return 0
        return len(counts)

    async def close(self) -> None:
        """Flush what is pending, then release the connection pool."""
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        await self.flush()
        await self._redis.aclose()

    def _keep(self, counts: Counter[str], error: Exception) -> None:
        self._pending.update(counts)
        if len(self._pending) > self._max_pending:
            log.warning(
                "usage counts for %d rows dropped: Redis unreachable (%s)",
                len(self._pending),
                type(error).__name__,
            )
            self._pending.clear()
        else:
            log.warning("usage counts kept for the next flush: %s", type(error).__name__)


@dataclass(frozen=True)
class UsageReport:
    """What one `apply_usage` run added to the graph."""

    rows: int
    reads: int


async def apply_usage(graph: Graph, redis: Redis, batch: int = APPLY_BATCH) -> UsageReport:
    """Move the counted reads from Redis onto `Row.reads` (also any set aside by a crash)."""
    claimed = APPLYING_PREFIX + uuid.uuid4().hex
    try:
        await redis.rename(USAGE_KEY, claimed)
    except RedisError as error:
        if "no such key" not in str(error).lower():
            raise
    rows = reads = 0
    async for found in redis.scan_iter(match=APPLYING_PREFIX + "*"):
        key = found.decode() if isinstance(found, bytes) else str(found)
        applied = await _apply_hash(graph, redis, key, batch)
        rows, reads = rows + applied.rows, reads + applied.reads
        await redis.delete(key)
    return UsageReport(rows, reads)


async def _apply_hash(graph: Graph, redis: Redis, key: str, batch: int) -> UsageReport:
    rows = reads = 0
    chunk: list[list[str | int]] = []
    async for field, value in redis.hscan_iter(key, count=batch):
        row_id = field.decode() if isinstance(field, bytes) else str(field)
        chunk.append([row_id, int(value)])
        if len(chunk) >= batch:
            rows += await _add_reads(graph, chunk)
            reads += sum(int(c[1]) for c in chunk)
            chunk = []
    if chunk:
        rows += await _add_reads(graph, chunk)
        reads += sum(int(c[1]) for c in chunk)
    return UsageReport(rows, reads)


async def _add_reads(graph: Graph, counts: list[list[str | int]]) -> int:
    result = await graph.write("trust/add_reads", {"counts": counts})
    return int(result[0]["rows"]) if result else 0
