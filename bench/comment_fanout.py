"""Live comment fan-out: a comment on a thread that 50 people follow reaches all 50.

Set-up: a team workspace of 50 members, each with an API key; a change request of that
workspace with one comment; the API in a subprocess (`bench.api_support.running_api`) with
50 websockets subscribed to `commentEvents` on the request, one per member. Each of 100
rounds publishes the comment's `comment.edited` event (as `Comments.edit` does) and times
from the publish to the last of the 50 subscribers receiving the comment: each subscription
checks its caller's rights again when its last check is over a second old, and shows the
comment, read from the graph once for all of them (`api.gql.shared_reads`), with them. Then
20 comments written through `Comments.create` (graph write, audit append, publish), from the
call to the last subscriber. Baseline in the same run: a bare Redis publish to 50 plain
pub/sub subscribers, publish to the last receive, 100 times.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from websockets.asyncio.client import ClientConnection

from bench.api_support import machine_load, quantile, running_api
from bench.notification_fanout import bare_redis, keyed_team, ms, subscribed
from governance.approvals import Approvals
from governance.comments import Comments
from governance.notifications import Notifier, Subject
from governance.policy import ApprovalRule
from governance.rbac import Role
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings

FOLLOWERS = 50
EVENTS = 100
WRITTEN = 20
AUDIT_CHAIN = "bench-comments"
WAIT_SECONDS = 60.0
SUBSCRIPTION = """subscription ($target: ID!) {
  commentEvents(targetId: $target) { subject comment { id text mayEdit mayDelete } } }"""


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """The figures: event to last follower, a written comment to last follower, against bare
    Redis publish to last receive."""
    marker = f"bench-comments-{uuid.uuid4().hex[:8]}"
    async with keyed_team(graph, marker, FOLLOWERS, AUDIT_CHAIN) as (team, tokens, audit):
        request = await Approvals(graph, bus, audit).open(
            kind="bench.noop",
            title=f"a thread to follow ({marker})",
            payload={},
            requested_by="system:bench",
            workspace=team.workspace,
            rule=ApprovalRule(required=1, role=Role.EDITOR, expires_after_hours=24),
        )
        subject = Subject(request.id, "change_request", team.workspace)
        comments = Comments(graph, bus, audit, Notifier(graph, bus))
        first = await comments.create(subject, team.members[0], "the first comment")
        bare = await bare_redis(settings.redis_url)
        async with running_api() as base, subscribed(base, tokens, _query(request.id)) as sockets:
            await _warm_up(bus, request.id, first.id, sockets)
            fanout = await _published(bus, request.id, first.id, sockets)
            written = await _written(comments, subject, team.members[0], sockets)
    return [
        f"comment event -> last of {FOLLOWERS} commentEvents subscriptions, {EVENTS} events: "
        f"p50 {ms(fanout, 0.5)}, p99 {ms(fanout, 0.99)}, max {ms(fanout, 1.0)} "
        f"({machine_load()}); the comment read once per event for the process's "
        "subscriptions (`shared_reads`), shown to each with its own rights",
        f"comment written (graph write, audit, publish) -> last of {FOLLOWERS}, {WRITTEN} "
        f"comments: p50 {ms(written, 0.5)}, p99 {ms(written, 0.99)}",
        f"bare Redis publish -> last of {FOLLOWERS} subscribers (baseline): "
        f"p50 {ms(bare, 0.5)}, p99 {ms(bare, 0.99)} "
        f"(event fan-out p50 {quantile(fanout, 0.5) / quantile(bare, 0.5):.0f}x)",
    ]


def _query(target: str) -> str:
    """The subscription with its variable inlined (one query string for every socket)."""
    return SUBSCRIPTION.replace("($target: ID!)", "").replace("$target", json.dumps(target))


def _edited(target: str, comment: str) -> DomainEvent:
    return DomainEvent(
        type=EventType.COMMENT_EDITED,
        subject=comment,
        payload={"target": target, "kind": "change_request", "table": None, "parent": None},
    )


async def _warm_up(
    bus: EventBus, target: str, comment: str, sockets: list[ClientConnection]
) -> None:
    """Publish until every subscription is live (each confirms its Redis subscription on its
    own time); what a socket received meanwhile is drained."""
    pending = set(range(len(sockets)))
    while pending:
        await bus.publish(_edited(target, comment))
        results = await asyncio.gather(
            *(asyncio.wait_for(_until(sockets[i], comment), 2.0) for i in pending),
            return_exceptions=True,
        )
        pending = {i for i, r in zip(sorted(pending), results, strict=True) if r is not None}
    await asyncio.sleep(2.0)
    for ws in sockets:
        while True:
            try:
                await asyncio.wait_for(ws.recv(), 0.05)
            except TimeoutError:
                break


async def _published(
    bus: EventBus, target: str, comment: str, sockets: list[ClientConnection]
) -> list[float]:
    times = []
    for _ in range(EVENTS):
        start = time.perf_counter()
        await bus.publish(_edited(target, comment))
        await asyncio.gather(*(_until(ws, comment) for ws in sockets))
        times.append(time.perf_counter() - start)
    return sorted(times)


async def _written(
    comments: Comments, subject: Subject, author: str, sockets: list[ClientConnection]
) -> list[float]:
    times = []
    for number in range(WRITTEN):
        start = time.perf_counter()
        written = await comments.create(subject, author, f"comment {number}")
        await asyncio.gather(*(_until(ws, written.id) for ws in sockets))
        times.append(time.perf_counter() - start)
    return sorted(times)


async def _until(ws: ClientConnection, comment: str) -> None:
    """Read `ws` until an event about `comment` arrives."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), WAIT_SECONDS))
        if message.get("type") == "next":
            if message["payload"]["data"]["commentEvents"]["subject"] == comment:
                return
        elif message.get("type") in ("error", "complete"):
            raise RuntimeError(f"subscription ended: {message}")
