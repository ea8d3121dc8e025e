"""The table -> workspace map one API process shares among its requests and subscriptions.

Every permission check needs the map of tables to workspaces, the same for every caller. It
is held (`api.held_values`) until an `access.changed` event (a table moved to another
workspace: `Accounts.assign_table`) or an applied change request (a table created by an
approved schema) and never longer than `Settings.auth_cache_seconds`. A
table created since (in no workspace yet, so in the default one) is missing from it: a
request that names a table the map does not name reads it again (`Access.workspace_of`), so
a new table answers at once; lists of every readable table may miss it for that max age.
Nothing is held while the event subscription is down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from api.auth import ACCESS_FOLLOWED
from api.gql.access import read_table_workspaces
from api.held_values import HeldValues
from graph.events import DomainEvent, EventType
from graph.graph import Graph
from graph.model import ReviewStatus

_KEY = "tables"
FOLLOWED = (*ACCESS_FOLLOWED, EventType.CHANGE_REQUEST_UPDATED)


def map_changed(event: DomainEvent) -> list[str | None]:
    """Every access change, and every applied change request (it may have created a table),
    forgets the map."""
    applied = event.payload.get("status") == ReviewStatus.APPLIED
    return [None] if event.type is EventType.ACCESS_CHANGED or applied else []


class SharedTableMap:
    """The table -> workspace map, held as the module docstring says (by `clock`)."""

    def __init__(
        self, graph: Graph, max_age: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._read = partial(read_table_workspaces, graph)
        self.held: HeldValues[dict[str, str]] = HeldValues(
            FOLLOWED, map_changed, max_age, clock, name="table map"
        )
        """What is held; follow the bus to hold anything."""

    async def get(self) -> dict[str, str]:
        """The map: the one held while fresh, else read now (one reader at a time)."""
        return await self.held.get_or_read(_KEY, self._read)

    async def fresh(self) -> dict[str, str]:
        """The map read again now, held from then on (a request named a table the held map
        does not: it may have been created since)."""
        self.held.forget(_KEY)
        return await self.get()
