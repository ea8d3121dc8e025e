"""The table -> workspace map one API process shares among its requests and subscriptions.

Every permission check needs the map of tables to workspaces, the same for every caller. It
is held (`api.held_values`) until an `access.changed` event (a table moved to another
workspace: `Accounts.assign_table`) and never longer than `Settings.auth_cache_seconds`; a
table created since is in no workspace yet, which is the default one, as the map says of a
table it does not name. Nothing is held while the event subscription is down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from api.auth import ACCESS_FOLLOWED, every_key
from api.gql.access import read_table_workspaces
from api.held_values import HeldValues
from graph.graph import Graph

_KEY = "tables"


class SharedTableMap:
    """The table -> workspace map, held as the module docstring says (by `clock`)."""

    def __init__(
        self, graph: Graph, max_age: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._read = partial(read_table_workspaces, graph)
        self.held: HeldValues[dict[str, str]] = HeldValues(
            ACCESS_FOLLOWED, every_key, max_age, clock, name="table map"
        )
        """What is held; follow the bus to hold anything."""

    async def get(self) -> dict[str, str]:
        """The map: the one held while fresh, else read now (one reader at a time)."""
        return await self.held.get_or_read(_KEY, self._read)
