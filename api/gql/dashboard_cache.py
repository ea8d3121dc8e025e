"""The trust dashboards one API process holds, per table, so a request is answered from
memory instead of Neo4j round trips.

A table's dashboard is read on first request (one read at a time per table: the requests
that arrive meanwhile wait for it) and held until one of these:
- an event says its aggregate moved: one of `MOVED` naming the table (a trust pass
  publishes a `trust.updated` of kind `table` for each aggregate it counted or moved; rows
  quarantined, released or activated by an ingest move it too), or `change_request.updated`
  of a request applied (a policy's thresholds or a table may have changed: every table);
- it is `MAX_AGE_SECONDS` old, which bounds what a missed event costs (pub/sub delivers at
  most once: a Redis restart loses what was published meanwhile, and the trust model put in
  force by training publishes nothing). From `REFRESH_AFTER` of that age on, the next request
  reads it again in the background while the held one still answers, so a busy table is never
  waited for.
While the subscription is not confirmed (at start, after it was lost) nothing is held: every
request reads. What was read before an event but stored after it is dropped, not held.

Permissions are not this module's: the resolver checks the caller's right to read the table
before it asks for the dashboard, on every request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Generic, TypeVar

from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType
from graph.model import ReviewStatus

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5.0
REFRESH_AFTER = 0.6
"""The share of `MAX_AGE_SECONDS` after which a request also starts a read in the background."""
RESUBSCRIBE_SECONDS = (0.5, 5.0)
"""The first and the longest wait before subscribing again after the subscription was lost."""
MOVED = (
    EventType.TRUST_UPDATED,
    EventType.ROW_QUARANTINED,
    EventType.ROW_RELEASED,
    EventType.INGESTION_COMPLETED,
)
"""Events that move the aggregate of the table they name."""
FOLLOWED = (*MOVED, EventType.CHANGE_REQUEST_UPDATED)

T = TypeVar("T")


@dataclass(frozen=True)
class _Held(Generic[T]):
    value: T
    read_at: float
    """The clock when its read started."""


class TableCache(Generic[T]):
    """Values per table read by `read`, held as the module docstring says (by `clock`)."""

    def __init__(
        self,
        read: Callable[[str], Awaitable[T]],
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._max_age = max_age
        self._clock = clock
        self._held: dict[str, _Held[T]] = {}
        self._reading: dict[str, asyncio.Task[T]] = {}
        self._epoch = 0
        """Counts the forgets; a read stores only when its table was not forgotten since."""
        self._forgot: dict[str | None, int] = {}
        """The epoch of each table's last forget (None: of every table)."""
        self.live = asyncio.Event()
        """Set while the event subscription is confirmed: only then is anything held."""

    async def get(self, table: str) -> T:
        """`table`'s value: the one held while fresh, else read now (or joined if a read of
        it is under way)."""
        held, now = self._held.get(table), self._clock()
        if held is not None and now - held.read_at < self._max_age:
            if now - held.read_at >= self._max_age * REFRESH_AFTER:
                self._start_read(table)
            return held.value
        return await asyncio.shield(self._start_read(table))

    def forget(self, table: str | None = None) -> None:
        """Drop what is held of `table` (of every table when None); reads under way are not
        joined any more and do not store what they read."""
        self._epoch += 1
        self._forgot[table] = self._epoch
        if table is None:
            self._held.clear()
            self._reading.clear()
        else:
            self._held.pop(table, None)
            self._reading.pop(table, None)

    def apply(self, event: DomainEvent) -> None:
        """Forget what `event` says changed."""
        if event.type in MOVED:
            table = event.payload.get("table")
            if isinstance(table, str):
                self.forget(table)
        elif (
            event.type is EventType.CHANGE_REQUEST_UPDATED
            and event.payload.get("status") == ReviewStatus.APPLIED
        ):
            self.forget()

    async def follow(self, bus: EventBus) -> None:
        """Apply the events of `FOLLOWED` until cancelled, subscribing again (after a wait
        that doubles up to the longest) whenever the subscription is lost."""
        first, longest = RESUBSCRIBE_SECONDS
        wait = first
        while True:
            try:
                async with aclosing(bus.subscribe(FOLLOWED, ready=self.live)) as events:
                    async for event in events:
                        self.apply(event)
                        wait = first
            except EventBusError as error:
                log.warning("trust dashboards: %s; subscribing again in %.1f s", error, wait)
            self.live = asyncio.Event()
            self.forget()
            await asyncio.sleep(wait)
            wait = min(wait * 2, longest)

    def _start_read(self, table: str) -> asyncio.Task[T]:
        reading = self._reading.get(table)
        if reading is None:
            reading = asyncio.create_task(self._store(table))
            self._reading[table] = reading
            reading.add_done_callback(lambda done: self._done(table, done))
        return reading

    async def _store(self, table: str) -> T:
        epoch, live, started = self._epoch, self.live.is_set(), self._clock()
        value = await self._read(table)
        forgot = max(self._forgot.get(table, 0), self._forgot.get(None, 0))
        if live and self.live.is_set() and forgot <= epoch:
            self._held[table] = _Held(value, started)
        return value

    def _done(self, table: str, task: asyncio.Task[T]) -> None:
        if self._reading.get(table) is task:
            del self._reading[table]
        if not task.cancelled() and task.exception() is not None:
            # a waiting request raises it; a background read's failure only waits for the next
            log.debug("trust dashboard of %s not read: %s", table, task.exception())
