"""Groups files that arrive together, so a bulk drop becomes batch jobs and a lone file an
urgent one (see `ingest.queue.enqueue_all`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from ingest.queue import QueuedFile

log = logging.getLogger(__name__)

Flush = Callable[[Sequence[QueuedFile]], Awaitable[int]]


class Batcher:
    """Collects submitted files for `window_seconds` after the first, then flushes them."""

    def __init__(self, flush: Flush, *, window_seconds: float = 0.02, max_items: int = 500) -> None:
        self._flush = flush
        self._window = window_seconds
        self._max_items = max_items
        self._pending: list[QueuedFile] = []
        self._timer: asyncio.Task[None] | None = None

    async def submit(self, item: QueuedFile) -> None:
        """Add a file; flushes at once when the batch is full."""
        self._pending.append(item)
        if len(self._pending) >= self._max_items:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.create_task(self._flush_later())

    async def flush(self) -> int:
        """Send what is pending now; returns how many jobs were queued."""
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None
        items, self._pending = self._pending, []
        return await self._flush(items) if items else 0

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._window)
        try:
            await self.flush()
        except Exception:
            log.exception("could not queue files; the next rescan queues them again")
