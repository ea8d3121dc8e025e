"""Domain events: typed messages published to and received from Redis pub/sub.

Each event type has its own channel (`grace.events.<type>`), so a subscriber asks only
for what it shows. Pub/sub is fire-and-forget: it feeds live views, never the only
record of a change (the graph and the audit log are).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncGenerator, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from graph.errors import EventBusError
from graph.settings import Settings

log = logging.getLogger(__name__)
_TRACER = trace.get_tracer(__name__)

CHANNEL_PREFIX = "grace.events."
SUBSCRIBE_TIMEOUT_SECONDS = 5.0


class EventType(StrEnum):
    """Every kind of domain event."""

    SCHEMA_SYNCED = "schema.synced"
    MIGRATION_APPLIED = "migration.applied"
    INGESTION_STARTED = "ingestion.started"
    INGESTION_PROGRESS = "ingestion.progress"
    INGESTION_COMPLETED = "ingestion.completed"
    INGESTION_FAILED = "ingestion.failed"
    PIPELINE_STEP = "pipeline.step"
    TRUST_UPDATED = "trust.updated"
    CONFLICT_DETECTED = "conflict.detected"
    CONFLICT_RESOLVED = "conflict.resolved"
    ROW_QUARANTINED = "row.quarantined"
    ROW_RELEASED = "row.released"
    CHANGE_REQUEST_UPDATED = "change_request.updated"
    POLICY_VIOLATED = "policy.violated"
    NOTIFICATION_CREATED = "notification.created"
    COMMENT_ADDED = "comment.added"
    COMMENT_EDITED = "comment.edited"
    COMMENT_DELETED = "comment.deleted"
    ACCESS_CHANGED = "access.changed"
    """A key revoked or rotated, a user deactivated, a membership or a table's workspace
    changed: API processes forget the callers and the table map they hold."""


class DomainEvent(BaseModel):
    """Something that happened in Grace, as subscribers receive it."""

    model_config = ConfigDict(frozen=True)

    type: EventType
    subject: str = Field(description="Id of the node the event is about.")
    payload: dict[str, JsonValue] = Field(default_factory=dict)
    workspace: str | None = None
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def channel(self) -> str:
        """The Redis channel this event is published on."""
        return channel_for(self.type)


def channel_for(event_type: EventType) -> str:
    """The Redis channel of one event type."""
    return CHANNEL_PREFIX + event_type.value


class EventBus:
    """Publishes and subscribes to domain events over one Redis connection pool."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    @classmethod
    def from_settings(cls, settings: Settings) -> EventBus:
        """A bus on the configured Redis."""
        return cls.from_url(settings.redis_url, settings.redis_secret)

    @classmethod
    def from_url(cls, url: str, password: str | None = None) -> EventBus:
        """A bus over a new connection pool (closed by `close`)."""
        return cls(Redis.from_url(url, password=password))

    async def close(self) -> None:
        """Release the connection pool."""
        await self._redis.aclose()

    async def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def publish(self, event: DomainEvent) -> int:
        """Publish one event; returns how many subscribers received it."""
        with _TRACER.start_as_current_span(f"event {event.type}", kind=SpanKind.PRODUCER):
            try:
                receivers: int = await self._redis.publish(event.channel, event.model_dump_json())
            except (RedisError, OSError) as error:
                raise EventBusError(f"could not publish {event.type}: {error}") from error
        return receivers

    async def subscribe(
        self, types: Iterable[EventType] | None = None, *, ready: asyncio.Event | None = None
    ) -> AsyncGenerator[DomainEvent, None]:
        """Yield events of `types` (all types when None) as they are published.

        `ready`, if given, is set once Redis has confirmed every subscription, so a caller
        can publish without racing it.
        """
        channels = [channel_for(t) for t in (types or EventType)]
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(*channels)
            confirmed = 0
            while confirmed < len(channels):
                reply = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
                if reply is None:
                    raise EventBusError("Redis did not confirm the subscription")
                confirmed += reply.get("type") == "subscribe"
            if ready is not None:
                ready.set()
            async for message in pubsub.listen():
                event = _parse(message)
                if event is not None:
                    yield event
        except (RedisError, OSError) as error:
            raise EventBusError(f"subscription lost: {error}") from error
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def _parse(message: dict[str, Any]) -> DomainEvent | None:
    if message.get("type") != "message":
        return None
    try:
        return DomainEvent.model_validate_json(message["data"])
    except ValidationError as error:
        log.warning("dropped a malformed event on %s: %s", message.get("channel"), error)
        return None
