from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType, channel_for
from tests.integration.hearing import hearing

pytestmark = pytest.mark.integration


async def first_event(
    bus: EventBus, event_type: EventType, publish: Callable[[], Awaitable[None]]
) -> DomainEvent:
    """Subscribe to one type, run `publish` once subscribed, return the first event received."""
    async with hearing(bus, [event_type]) as heard:
        await publish()
        await heard.until(bool)
        return heard.events[0]


async def test_subscribers_receive_only_the_types_they_asked_for(bus: EventBus) -> None:
    wanted = DomainEvent(type=EventType.CONFLICT_DETECTED, subject="c-1", payload={"score": 0.9})

    async def publish() -> None:
        await bus.publish(DomainEvent(type=EventType.INGESTION_COMPLETED, subject="doc-1"))
        assert await bus.publish(wanted) == 1

    assert await first_event(bus, EventType.CONFLICT_DETECTED, publish) == wanted


async def test_a_malformed_message_is_skipped_not_fatal(bus: EventBus) -> None:
    good = DomainEvent(type=EventType.INGESTION_COMPLETED, subject="doc-2")

    async def publish() -> None:
        await bus._redis.publish(channel_for(EventType.INGESTION_COMPLETED), b"{not json")
        await bus.publish(good)

    assert await first_event(bus, EventType.INGESTION_COMPLETED, publish) == good


async def test_publishing_to_a_dead_redis_is_a_clear_error() -> None:
    dead = EventBus.from_url("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(EventBusError, match=r"could not publish ingestion\.completed"):
            await dead.publish(DomainEvent(type=EventType.INGESTION_COMPLETED, subject="x"))
        assert not await dead.ping()
    finally:
        await dead.close()
