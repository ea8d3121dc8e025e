"""The long-lived parts one API process holds: settings, the graph and the event bus; and
the same for one command of `grace`, opened and closed around its work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from api.auth import Authenticator
from governance.api_keys import ApiKeys, BearerTokens, token_signing_key
from governance.audit import AuditLog
from governance.rbac import Authorizer
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    """Opened once in the app's lifespan, shared by every request."""

    settings: Settings
    graph: Graph
    bus: EventBus
    audit: AuditLog
    authorizer: Authorizer
    authenticator: Authenticator

    @classmethod
    async def open(cls, settings: Settings) -> Services:
        """Connect to Neo4j and Redis (Neo4j must answer; Redis is checked by readiness)."""
        graph = await Graph.connect(settings)
        audit = AuditLog(graph)
        authorizer = Authorizer()
        tokens = BearerTokens(graph, token_signing_key(open_secret_store(settings)))
        authenticator = Authenticator(ApiKeys(graph, audit, authorizer), tokens)
        return cls(
            settings, graph, EventBus.from_settings(settings), audit, authorizer, authenticator
        )

    async def close(self) -> None:
        """Release the driver and the Redis pool."""
        await self.bus.close()
        await self.graph.close()


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Services]:
    """The graph and the bus for one command, closed when it is done."""
    services = await Services.open(settings)
    try:
        yield services
    finally:
        await services.close()


async def with_graph(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    """Run `work` on a graph opened for it (commands that need no event bus)."""
    graph = await Graph.connect(settings)
    try:
        return await work(graph)
    finally:
        await graph.close()
