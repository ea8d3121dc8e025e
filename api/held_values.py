"""Values one API process holds in memory, kept in step with the events of every process.

A value is held per key, read on first request (one read at a time per key: the requests
that arrive meanwhile wait for it) and held until one of these:
- an event of `followed` names its key (`forgets` says which keys an event makes stale;
  None stands for every key);
- it is `max_age` old, which bounds what a missed event costs (pub/sub delivers at most once:
  a Redis restart loses what was published meanwhile). From `REFRESH_AFTER` of that age on,
  the next request reads it again in the background while the held one still answers, so a
  busy key is never waited for. A read that fails drops what is held of its key.
While the event subscription is not confirmed (at start, after it was lost) nothing is held:
every request reads. What was read before an event but stored after it is dropped, not held.
A `max_age` of 0 holds nothing (concurrent requests of one key still share one read).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType

log = logging.getLogger(__name__)

REFRESH_AFTER = 0.6
"""The share of the max age after which a request also starts a read in the background."""
RESUBSCRIBE_SECONDS = (0.5, 5.0)
"""The first and the longest wait before subscribing again after the subscription was lost."""

PRUNE_AT = 1024
"""How many values may be held before those past their max age are dropped (the bound
doubles with what is still fresh)."""

T = TypeVar("T")
Forgets = Callable[[DomainEvent], Iterable[str | None]]
"""The keys an event makes stale (None: every key)."""


def every_key(event: DomainEvent) -> Iterable[str | None]:
    """A `Forgets` for values that any followed event makes stale: all of them."""
    return [None]


@dataclass(frozen=True)
class _Held(Generic[T]):
    value: T
    read_at: float
    """The clock when its read started."""


class HeldValues(Generic[T]):
    """Values per key, held as the module docstring says (aged by `clock`)."""

    def __init__(
        self,
        followed: Sequence[EventType],
        forgets: Forgets,
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
        name: str = "held values",
    ) -> None:
        self._followed = tuple(followed)
        self._forgets = forgets
        self._max_age = max_age
        self._clock = clock
        self._name = name
        self._held: dict[str, _Held[T]] = {}
        self._prune_at = PRUNE_AT
        self._reading: dict[str, asyncio.Task[T]] = {}
        self._epoch = 0
        """Counts the forgets; a read stores only when its key was not forgotten since."""
        self._forgot: dict[str | None, int] = {}
        """The epoch of each key's last forget (None: of every key)."""
        self.live = asyncio.Event()
        """Set while the event subscription is confirmed: only then is anything held."""

    async def get_or_read(self, key: str, read: Callable[[], Awaitable[T]]) -> T:
        """`key`'s value: the one held while fresh, else `read` now (or joined if a read of
        it is under way)."""
        held, now = self._held.get(key), self._clock()
        if held is not None and now - held.read_at < self._max_age:
            if now - held.read_at >= self._max_age * REFRESH_AFTER:
                self._start_read(key, read)
            return held.value
        return await asyncio.shield(self._start_read(key, read))

    def forget(self, key: str | None = None) -> None:
        """Drop what is held of `key` (of every key when None); reads under way are not
        joined any more and do not store what they read."""
        self._epoch += 1
        self._forgot[key] = self._epoch
        if key is None:
            self._held.clear()
            self._reading.clear()
        else:
            self._held.pop(key, None)
            self._reading.pop(key, None)

    def apply(self, event: DomainEvent) -> None:
        """Forget what `event` says changed."""
        for key in self._forgets(event):
            self.forget(key)

    async def follow(self, bus: EventBus) -> None:
        """Apply the followed events until cancelled, subscribing again (after a wait that
        doubles up to the longest) whenever the subscription is lost."""
        first, longest = RESUBSCRIBE_SECONDS
        wait = first
        while True:
            try:
                async with aclosing(bus.subscribe(self._followed, ready=self.live)) as events:
                    async for event in events:
                        self.apply(event)
                        wait = first
            except EventBusError as error:
                log.warning("%s: %s; subscribing again in %.1f s", self._name, error, wait)
            self.live = asyncio.Event()
            self.forget()
            await asyncio.sleep(wait)
            wait = min(wait * 2, longest)

    def _start_read(self, key: str, read: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.create_task(self._store(key, read))
            self._reading[key] = reading
            reading.add_done_callback(lambda done: self._done(key, done))
        return reading

    async def _store(self, key: str, read: Callable[[], Awaitable[T]]) -> T:
        epoch, live, started = self._epoch, self.live.is_set(), self._clock()
        value = await read()
        forgot = max(self._forgot.get(key, 0), self._forgot.get(None, 0))
        if live and self.live.is_set() and forgot <= epoch and self._max_age > 0:
            if len(self._held) >= self._prune_at:
                self._prune()
            self._held[key] = _Held(value, started)
        return value

    def _prune(self) -> None:
        """Drop what is past its max age (keys never asked for again would pile up)."""
        now = self._clock()
        self._held = {k: v for k, v in self._held.items() if now - v.read_at < self._max_age}
        self._prune_at = max(PRUNE_AT, 2 * len(self._held))

    def _done(self, key: str, task: asyncio.Task[T]) -> None:
        failure = None if task.cancelled() else task.exception()
        if self._reading.get(key) is task:
            del self._reading[key]
            if failure is not None:  # a waiting request raises it
                self._held.pop(key, None)  # what was held of the key is no longer proved
        if failure is not None:
            log.debug("%s: a read failed: %s", self._name, type(failure).__name__)


class EchoingBus:
    """Publishes to `bus` and applies each event at once to `held` (what this process holds),
    so a change made through this process takes effect in it without waiting for pub/sub."""

    def __init__(self, bus: EventBus, held: Sequence[HeldValues[Any]]) -> None:
        self._bus = bus
        self._held = tuple(held)

    async def publish(self, event: DomainEvent) -> int:
        """Apply `event` here, then publish it to every process (`EventBusError` as the bus)."""
        for values in self._held:
            values.apply(event)
        return await self._bus.publish(event)
