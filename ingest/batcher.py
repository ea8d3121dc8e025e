"""Groups files that arrive together, so a bulk drop becomes batch jobs and a lone file an
urgent one (see `ingest.queue.enqueue_all`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from ingest.queue import QueuedFile

log = logging.getLogger(__name__)

Flush = Callable[[Sequence[QueuedFile]], Awaitable[int]]

RETRY_FIRST_SECONDS = 0.25
RETRY_MAX_SECONDS = 2.0


class Batcher:
    """Collects submitted files for `window_seconds` after the first, then flushes them in
    batches of at most `max_items`. A flush that fails (Redis down) keeps its files and is
    retried with capped exponential backoff until it succeeds: no file is dropped."""

    def __init__(self, flush: Flush, *, window_seconds: float = 0.02, max_items: int = 500) -> None:
        self._flush = flush
        self._window = window_seconds
        self._max_items = max_items
        self._pending: list[QueuedFile] = []
        self._timer: asyncio.Task[None] | None = None
        self._holding = False
        """The timer is past its window: sending, or waiting to retry; it takes new files too."""

    @property
    def pending(self) -> int:
        """How many files wait to be queued."""
        return len(self._pending)

    async def submit(self, item: QueuedFile) -> None:
        """Add a file; a full batch is sent at once (retried later if that fails)."""
        self._pending.append(item)
        if self._holding:
            return
        if len(self._pending) >= self._max_items:
            self._cancel_timer()
            try:
                await self._send_all()
            except Exception as error:
                self._timer = asyncio.create_task(self._send_later(0.0, error))
        elif self._timer is None:
            self._timer = asyncio.create_task(self._send_later(self._window))

    async def flush(self) -> int:
        """Send what is pending now; returns how many jobs were queued. On failure the error
        is raised and the files stay pending."""
        self._cancel_timer()
        return await self._send_all()

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None

    async def _send_all(self) -> int:
        jobs = 0
        while self._pending:
            items = self._pending[: self._max_items]
            del self._pending[: len(items)]
            try:
                jobs += await self._flush(items)
            except BaseException:
                self._pending[:0] = items
                raise
        return jobs

    async def _send_later(self, wait: float, failed: Exception | None = None) -> None:
        delay = RETRY_FIRST_SECONDS
        try:
            if failed is not None:
                log.warning("could not queue %d file(s); retrying: %s", self.pending, failed)
                await asyncio.sleep(delay)
            else:
                await asyncio.sleep(wait)
            self._holding = True
            while True:
                try:
                    await self._send_all()
                    return
                except Exception as error:
                    log.warning(
                        "could not queue %d file(s); retrying in %g s: %s",
                        self.pending,
                        delay,
                        error,
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
        finally:
            self._holding = False
            if self._timer is asyncio.current_task():
                self._timer = None
