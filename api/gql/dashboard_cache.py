"""The trust dashboards one API process holds, per table (`api.held_values`), so a request
is answered from memory instead of Neo4j round trips.

A table's dashboard is forgotten when an event says its aggregate moved: one of `MOVED`
naming the table (a trust pass publishes a `trust.updated` of kind `table` for each aggregate
it counted or moved; rows quarantined, released or activated by an ingest move it too), or
`change_request.updated` of a request applied (a policy's thresholds or a table may have
changed: every table). It is never older than `MAX_AGE_SECONDS`, which bounds what a missed
event costs (the trust model put in force by training publishes nothing).

Permissions are not this module's: the resolver checks the caller's right to read the table
before it asks for the dashboard, on every request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TypeVar

from api.held_values import HeldValues
from graph.events import DomainEvent, EventType
from graph.model import ReviewStatus

MAX_AGE_SECONDS = 5.0
MOVED = (
    EventType.TRUST_UPDATED,
    EventType.ROW_QUARANTINED,
    EventType.ROW_RELEASED,
    EventType.INGESTION_COMPLETED,
)
"""Events that move the aggregate of the table they name."""
FOLLOWED = (*MOVED, EventType.CHANGE_REQUEST_UPDATED)

T = TypeVar("T")


def moved_tables(event: DomainEvent) -> Iterable[str | None]:
    """The tables whose aggregate `event` moved (None: every table)."""
    if event.type in MOVED:
        table = event.payload.get("table")
        return [table] if isinstance(table, str) else []
    applied = event.payload.get("status") == ReviewStatus.APPLIED
    return [None] if event.type is EventType.CHANGE_REQUEST_UPDATED and applied else []


class TableCache(HeldValues[T]):
    """Values per table read by `read`, held as the module docstring says (by `clock`)."""

    def __init__(
        self,
        read: Callable[[str], Awaitable[T]],
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(FOLLOWED, moved_tables, max_age, clock, name="trust dashboards")
        self._read = read

    async def get(self, table: str) -> T:
        """`table`'s value: the one held while fresh, else read now."""
        return await self.get_or_read(table, partial(self._read, table))
