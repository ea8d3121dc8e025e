"""An arq worker that takes a job as soon as it is queued, without polling Redis often.

arq polls its queue every `poll_delay`: a job queued just after a poll waits until the next
one, and a short delay (10 ms) costs Redis a hundred reads a second per idle worker.
`PromptWorker` polls when woken, by a message on its queue's wake channel (published by
`ingest.queue.enqueue_job` for every job due now) or by one of its own jobs finishing (a slot
freed), and otherwise every `poll_delay` (jobs deferred to later, a lost wake-up). The wake
channel is followed by a task of its own, which subscribes again after Redis went away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from arq.worker import Worker
from redis.exceptions import RedisError

from ingest.queue import wake_channel

log = logging.getLogger(__name__)

RESUBSCRIBE_FIRST_SECONDS = 0.25
RESUBSCRIBE_MAX_SECONDS = 2.0


class PromptWorker(Worker):
    """arq's worker, polling on wake-ups and otherwise every `poll_delay` (see the module)."""

    def __init__(self, *, poll_delay: float, **options: Any) -> None:
        # arq's own loop runs without pause; each of its iterations waits here instead
        super().__init__(poll_delay=0, **options)
        self.idle_poll_seconds = poll_delay
        self._woken = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._watched: set[asyncio.Task[Any]] = set()

    def wake(self) -> None:
        """Poll now (or as soon as the current poll ends)."""
        self._woken.set()

    async def _poll_iteration(self) -> None:
        """arq's poll, then a wait until woken or `poll_delay` passed (in burst mode, where
        the wake channel is not followed, a job ending still wakes it, so the burst ends as
        soon as the queue is empty)."""
        self._woken.clear()  # a wake-up from here on is seen by the next wait
        if self._listener is None and not self.burst:
            self._listener = asyncio.create_task(self._follow_wake_channel())
        await super()._poll_iteration()
        self._watch_jobs()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.idle_poll_seconds):
                await self._woken.wait()

    def _watch_jobs(self) -> None:
        """Wake when a running job ends: its slot may take a job waiting in the queue."""
        running = set(self.tasks.values())
        for task in running - self._watched:
            task.add_done_callback(lambda _: self.wake())
        self._watched = running

    async def _follow_wake_channel(self) -> None:
        """Wake on every message of the queue's wake channel, until cancelled; without Redis,
        subscribe again with capped backoff (polls go on meanwhile)."""
        delay = RESUBSCRIBE_FIRST_SECONDS
        while True:
            try:
                async with self.pool.pubsub() as pubsub:
                    await pubsub.subscribe(wake_channel(self.queue_name))
                    self.wake()  # a job queued while unsubscribed is not missed
                    delay = RESUBSCRIBE_FIRST_SECONDS
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self.wake()
            except (RedisError, OSError) as error:
                log.info("wake channel of %s lost (%s); polling meanwhile", self.queue_name, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESUBSCRIBE_MAX_SECONDS)

    async def close(self) -> None:
        """Stop following the wake channel, then close as arq does."""
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        await super().close()
