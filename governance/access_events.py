"""Tell every API process that who may do what changed, so none goes on answering from a
caller or a table map it holds (`api.held_values`).

Published by the one place that owns each change, after its write: `ApiKeys` (a key
revoked or rotated), `Accounts` (a user deactivated, a membership granted, changed or
removed, a workspace created with its admin, a table moved to another workspace). A key
or a user just created needs none: nothing of either can be held (refusals are not held).
Events carry ids only, never a secret.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Protocol

from graph.errors import EventBusError
from graph.events import DomainEvent, EventType

log = logging.getLogger(__name__)


class AccessChange(StrEnum):
    """What an `access.changed` event is about (its payload's `kind`)."""

    KEY = "key"
    USER = "user"
    MEMBERSHIP = "membership"
    TABLE = "table"


class Publisher(Protocol):
    """Where events go: the `EventBus`, or the API's, which also applies them at once to
    what its own process holds (`api.held_values.EchoingBus`)."""

    async def publish(self, event: DomainEvent) -> int:
        """Publish one event; how many subscribers received it."""
        ...


async def publish_access_change(
    bus: Publisher | None, kind: AccessChange, subject: str, workspace: str | None = None
) -> None:
    """Publish `access.changed` for `subject`; without a bus (a test's own services) or
    with Redis down, the API processes' max age bounds how long they answer as before."""
    if bus is None:
        return
    event = DomainEvent(
        type=EventType.ACCESS_CHANGED,
        subject=subject,
        payload={"kind": str(kind)},
        workspace=workspace,
    )
    try:
        await bus.publish(event)
    except EventBusError as error:
        # The graph and the audit log hold the change; the event only shortens its delay.
        log.warning("access change of %s not published: %s", subject, error)
