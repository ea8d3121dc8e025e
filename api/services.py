"""The long-lived parts one API process holds: settings, the graph and the event bus (a
command of `grace` opens the same, around its work: see `cli.common`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from arq.connections import ArqRedis
from prometheus_client import CollectorRegistry
from redis.asyncio import ConnectionPool, Redis

from api.auth import Authenticator
from api.gql.access import Access
from api.gql.dashboard_cache import TableCache
from api.gql.held_answers import HeldAnswers
from api.gql.shared_reads import SharedReads
from api.gql.shared_tables import SharedTableMap
from api.gql.trust_dashboard import TrustDashboard, read_dashboard
from api.held_values import EchoingBus
from copilot.service import LazyCopilot
from governance.api_keys import ApiKeys, BearerTokens, TokenKeys
from governance.audit import AuditLog
from governance.comments import CommentRecord
from governance.encryption import FieldCipher, open_field_cipher
from governance.rbac import Authorizer, Principal
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.extract.sandbox import single_threaded_blas
from ingest.queue import QUEUE_NAME, deserialize, serialize
from trust.services import TrustServices
from trust.usage import UsageRecorder

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
    cipher: FieldCipher
    """Decrypts personal fields for callers allowed to read them."""
    usage: UsageRecorder
    """Counts the rows read through the API (the usage signal of trust)."""
    queue: ArqRedis
    """The ingestion queue (arq), for uploads and re-ingestion; connects on first use."""
    copilot: LazyCopilot
    """The co-pilot (`ask`, MCP), opened on the first question."""
    trust: TrustServices
    """The trust and governance services (engine, detectors, healer; policies), opened once
    and rebuilt when tables, policies or the trust model change."""
    table_map: SharedTableMap
    """The table -> workspace map every permission check of the process shares (held while
    `follow_events` runs, at most `Settings.auth_cache_seconds`)."""
    live_comments: SharedReads[CommentRecord | None]
    """The comment each comment event names, read once for the subscriptions that hear it."""
    dashboards: TableCache[TrustDashboard]
    """The trust dashboards held per table (`api.gql.dashboard_cache`); they are held only
    while `follow_events` runs."""
    answers: HeldAnswers
    """Whole answers to queries of held fields only, per caller's rights
    (`api.gql.held_answers`); held only while `follow_events` runs."""

    @classmethod
    async def open(cls, settings: Settings, registry: CollectorRegistry | None = None) -> Services:
        """Connect to Neo4j and Redis (Neo4j must answer; Redis is checked by readiness);
        the co-pilot's metrics go to `registry` (the app's)."""
        single_threaded_blas()  # uploads are sandboxed (a fork) beside the embedder
        graph = await Graph.connect(settings)
        audit = AuditLog(graph)
        authorizer = Authorizer()
        store = open_secret_store(settings)
        tokens = BearerTokens(graph, TokenKeys(store))
        authenticator = Authenticator(
            ApiKeys(graph, audit, authorizer), tokens, settings.auth_cache_seconds
        )
        cipher = await asyncio.to_thread(open_field_cipher, settings, store)
        bus = EventBus.from_settings(settings)
        usage = UsageRecorder(Redis.from_url(settings.redis_url, password=settings.redis_secret))
        queue = ingestion_queue(settings)
        copilot = LazyCopilot(settings, graph, registry)
        trust = await TrustServices.open(graph, bus, audit)
        return cls(
            settings,
            graph,
            bus,
            audit,
            authorizer,
            authenticator,
            cipher,
            usage,
            queue,
            copilot,
            trust,
            SharedTableMap(graph, settings.auth_cache_seconds),
            SharedReads(),
            TableCache(partial(read_dashboard, graph)),
            HeldAnswers(settings.auth_cache_seconds),
        )

    @property
    def access_bus(self) -> EchoingBus:
        """Where this process publishes changes of access: applied here at once, then to
        every process (`governance.access_events`)."""
        return EchoingBus(
            self.bus, (self.authenticator.held, self.table_map.held, self.answers.held)
        )

    def access(self, principal: Principal | None) -> Access:
        """The rights of `principal`, checked over the process's table map."""
        return Access(self.graph, self.authorizer, principal, self.table_map)

    async def follow_events(self) -> None:
        """Keep what this process holds in step with the events of every process, until
        cancelled (the API runs it for its lifetime)."""
        held = (self.dashboards, self.authenticator.held, self.table_map.held, self.answers.held)
        await asyncio.gather(*(values.follow(self.bus) for values in held))

    async def close(self) -> None:
        """Release the driver and the Redis pools (pending usage counts are flushed first);
        each is released even when another fails, then the first failure is raised."""
        results = await asyncio.gather(
            self.usage.close(),
            self.copilot.close(),
            self.queue.aclose(close_connection_pool=True),
            self.bus.close(),
            self.graph.close(),
            return_exceptions=True,
        )
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        if failure is not None:
            raise failure


def ingestion_queue(settings: Settings) -> ArqRedis:
    """An arq client of the ingestion queue that connects on first use (unlike `create_pool`,
    which fails at once when Redis is down; readiness reports Redis instead)."""
    pool = ConnectionPool.from_url(settings.redis_url, password=settings.redis_secret)
    return ArqRedis(
        pool, job_serializer=serialize, job_deserializer=deserialize, default_queue_name=QUEUE_NAME
    )
