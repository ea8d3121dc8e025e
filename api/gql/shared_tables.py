"""The table -> workspace map shared by the live subscriptions of one API process.

Each subscriber's rights are checked again at most once a second (`subscriptions.py`); every
check needs the map of tables to workspaces, the same for every subscriber. Read here at most
once per `TTL_SECONDS` for all of them, an event that reaches 50 subscribers costs one read of
it instead of 50; a table moved to another workspace applies to the events from a second on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from api.gql.access import read_table_workspaces
from graph.graph import Graph

TTL_SECONDS = 1.0


class SharedTableMap:
    """The table -> workspace map, read again once it is `ttl` seconds old (by `clock`)."""

    def __init__(
        self,
        graph: Graph,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._graph = graph
        self._ttl = ttl
        self._clock = clock
        self._read: tuple[float, dict[str, str]] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict[str, str]:
        """The map, read now when the last read is `ttl` old (one reader at a time)."""
        async with self._lock:
            now = self._clock()
            if self._read is None or now - self._read[0] >= self._ttl:
                self._read = (now, await read_table_workspaces(self._graph))
            return self._read[1]
