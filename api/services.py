"""The long-lived parts one API process holds: settings, the graph and the event bus."""

from __future__ import annotations

from dataclasses import dataclass

from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings


@dataclass(frozen=True)
class Services:
    """Opened once in the app's lifespan, shared by every request."""

    settings: Settings
    graph: Graph
    bus: EventBus

    @classmethod
    async def open(cls, settings: Settings) -> Services:
        """Connect to Neo4j and Redis (Neo4j must answer; Redis is checked by readiness)."""
        graph = await Graph.connect(settings)
        return cls(settings, graph, EventBus.from_settings(settings))

    async def close(self) -> None:
        """Release the driver and the Redis pool."""
        await self.bus.close()
        await self.graph.close()
