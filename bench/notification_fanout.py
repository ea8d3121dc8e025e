"""Notification fan-out: a conflict on a table owned by a team of 50 reaches all 50
notification lists and all 50 live subscriptions.

Set-up: a team workspace of 50 members, each with an API key, owning a stand-in table; the
API in a subprocess (`bench.api_support.running_api`) with 50 websockets subscribed to
`notifications`, one per member; the notification router running in this process as the
worker runs it. Each of 100 rounds publishes one `conflict.detected` event and times from
the publish to the last of the 50 subscribers receiving its notification; the 50 stored
notifications are counted after. Baseline in the same run: a bare Redis publish to 50
plain pub/sub subscribers, publish to the last receive, 100 times.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from websockets.asyncio.client import ClientConnection, connect

from bench.api_support import machine_load, quantile, running_api
from governance.api_keys import ApiKeys
from governance.audit import AuditLog
from governance.notification_router import NotificationRouter
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.collab_support import SYSTEM, Team, owned_team

TEAM = 50
EVENTS = 100
AUDIT_CHAIN = "bench-collab"
WAIT_SECONDS = 60.0
SUBSCRIPTION = "subscription { notifications { subjectId } }"


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """The figures: event to last subscriber, against bare Redis publish to last receive."""
    marker = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    async with keyed_team(graph, marker, TEAM, AUDIT_CHAIN) as (team, tokens, _):
        bare = await bare_redis(settings.redis_url)
        fanout, routed, stored = await _fanout(graph, bus, team, tokens)
    return [
        f"event -> last of {TEAM} subscriptions, {EVENTS} events: p50 {ms(fanout, 0.5)}, "
        f"p99 {ms(fanout, 0.99)}, max {ms(fanout, 1.0)} ({machine_load()})",
        f"of which routing (event -> {TEAM} notifications stored and published): "
        f"p50 {ms(routed, 0.5)}, p99 {ms(routed, 0.99)}; the rest is each subscription "
        "checking its caller's rights again (a credential read per subscriber when its last "
        "check is over a second old; the table map shared by the process's subscribers)",
        f"notification lists: {stored} of {EVENTS * TEAM} notifications stored",
        f"bare Redis publish -> last of {TEAM} subscribers (baseline): p50 {ms(bare, 0.5)}, "
        f"p99 {ms(bare, 0.99)} (fan-out p50 {quantile(fanout, 0.5) / quantile(bare, 0.5):.0f}x)",
    ]


@asynccontextmanager
async def keyed_team(
    graph: Graph, marker: str, size: int, chain: str
) -> AsyncIterator[tuple[Team, list[str], AuditLog]]:
    """A team of `size` members owning a stand-in table, each with an API key (the tokens),
    audited on `chain`; removed afterwards with all whose ids (or titles) hold `marker`, and
    the chain."""
    audit = AuditLog(graph, chain=chain)
    try:
        team = await owned_team(
            graph, marker, size, audit=audit, statement="bench/collab_owned_table"
        )
        keys = ApiKeys(graph, audit)
        tokens = [
            (
                await keys.create_key(m, name="bench", scopes=None, expires_at=None, by=SYSTEM)
            ).token.get_secret_value()
            for m in team.members
        ]
        yield team, tokens, audit
    finally:
        await graph.write("bench/collab_delete", {"marker": marker})
        params = {"chain": chain, "limit": 20_000}
        while (await graph.write("bench/audit_delete_events", params))[0]["deleted"]:
            pass
        await graph.write("bench/audit_delete_head", {"chain": chain})


def ms(values: list[float], q: float) -> str:
    """The `q` quantile of sorted seconds, in milliseconds."""
    return f"{quantile(values, q) * 1000:.1f} ms"


async def _fanout(
    graph: Graph, bus: EventBus, team: Team, tokens: list[str]
) -> tuple[list[float], list[float], int]:
    router = NotificationRouter(graph, bus)
    ready = asyncio.Event()
    routing = asyncio.create_task(router.run(bus, ready))
    try:
        await ready.wait()
        async with running_api() as base, subscribed(base, tokens, SUBSCRIPTION) as sockets:
            await _warm_up(bus, team, sockets)
            listening = asyncio.Event()
            created = bus.subscribe([EventType.NOTIFICATION_CREATED], ready=listening)
            first = asyncio.ensure_future(anext(created))
            await listening.wait()
            times, routed, subjects = [], [], []
            for number in range(EVENTS):
                subject = f"conflict:bench:{team.marker}:{number}"
                subjects.append(subject)
                start = time.perf_counter()
                await bus.publish(_conflict(team, subject))
                while (await first).subject != subject:
                    first = asyncio.ensure_future(anext(created))
                routed.append(time.perf_counter() - start)
                first = asyncio.ensure_future(anext(created))
                await asyncio.gather(*(_until(ws, subject) for ws in sockets))
                times.append(time.perf_counter() - start)
            first.cancel()
            await asyncio.gather(first, return_exceptions=True)
            await created.aclose()
        records = await graph.read("bench/collab_notified", {"subjects": subjects})
        return sorted(times), sorted(routed), sum(int(r["notified"]) for r in records)
    finally:
        routing.cancel()
        await asyncio.gather(routing, return_exceptions=True)


def _conflict(team: Team, subject: str) -> DomainEvent:
    return DomainEvent(
        type=EventType.CONFLICT_DETECTED,
        subject=subject,
        payload={"table": team.table, "attribute": "size"},
    )


@asynccontextmanager
async def subscribed(
    base: str, tokens: list[str], query: str
) -> AsyncIterator[list[ClientConnection]]:
    """One websocket per API key on the API at `base`, each subscribed to `query`."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with AsyncExitStack() as stack:
        sockets = []
        for token in tokens:
            ws = await stack.enter_async_context(
                connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
            )
            await ws.send(json.dumps({"type": "connection_init", "payload": {"apiKey": token}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": query}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            sockets.append(ws)
        yield sockets


async def _warm_up(bus: EventBus, team: Team, sockets: list[ClientConnection]) -> None:
    """Publish until every subscription is live (each confirms its Redis subscription on its
    own time)."""
    pending = set(range(len(sockets)))
    number = 0
    while pending:
        subject = f"conflict:bench:{team.marker}:warm{number}"
        await bus.publish(_conflict(team, subject))
        results = await asyncio.gather(
            *(asyncio.wait_for(_until(sockets[i], subject), 2.0) for i in pending),
            return_exceptions=True,
        )
        pending = {i for i, r in zip(sorted(pending), results, strict=True) if r is not None}
        number += 1


async def _until(ws: ClientConnection, subject: str) -> None:
    """Read `ws` until the notification about `subject` arrives."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), WAIT_SECONDS))
        if message.get("type") == "next":
            data = message["payload"]["data"]["notifications"]
            if data["subjectId"] == subject:
                return
        elif message.get("type") in ("error", "complete"):
            raise RuntimeError(f"subscription ended: {message}")


async def bare_redis(url: str) -> list[float]:
    """Publish to the last of `TEAM` plain subscribers, `EVENTS` times (sorted seconds)."""
    channel = f"bench.fanout.{uuid.uuid4().hex}"
    clients = [Redis.from_url(url) for _ in range(TEAM)]
    subscribers = [client.pubsub() for client in clients]
    publisher = Redis.from_url(url)
    try:
        for pubsub in subscribers:
            await pubsub.subscribe(channel)
            await pubsub.get_message(timeout=5)  # the confirmation
        times = []
        for number in range(EVENTS):
            start = time.perf_counter()
            await publisher.publish(channel, str(number))
            await asyncio.gather(*(_received(pubsub) for pubsub in subscribers))
            times.append(time.perf_counter() - start)
        return sorted(times)
    finally:
        for pubsub in subscribers:
            await pubsub.aclose()
        for client in [*clients, publisher]:
            await client.aclose()


async def _received(pubsub: PubSub) -> None:
    while True:
        message = await pubsub.get_message(timeout=WAIT_SECONDS)
        if message is not None and message["type"] == "message":
            return
