"""Listening to the event bus while a test runs: subscribed before the test acts (the
subscription's `ready`), the events kept as they arrive, and the listener cancelled at the end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable

from graph.events import DomainEvent, EventBus, EventType

WAIT_SECONDS = 10.0


class Heard:
    """The events heard so far, and a way to wait for some."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self._changed = asyncio.Condition()

    async def add(self, event: DomainEvent) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def until(
        self, condition: Callable[[list[DomainEvent]], bool], seconds: float = WAIT_SECONDS
    ) -> None:
        """Wait until `condition(events)` holds; `TimeoutError` after `seconds`."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: condition(self.events))

    def about(self, subjects: Iterable[str]) -> list[DomainEvent]:
        """The events heard about one of `subjects`, in the order heard."""
        wanted = set(subjects)
        return [event for event in self.events if event.subject in wanted]


@contextlib.asynccontextmanager
async def hearing(bus: EventBus, types: Iterable[EventType]) -> AsyncIterator[Heard]:
    """Events of `types` heard from when the subscription is ready until the block ends."""
    heard, ready = Heard(), asyncio.Event()

    async def listen() -> None:
        async for event in bus.subscribe(list(types), ready=ready):
            await heard.add(event)

    task = asyncio.create_task(listen())
    try:
        await asyncio.wait_for(ready.wait(), WAIT_SECONDS)
        yield heard
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
