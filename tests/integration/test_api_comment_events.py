"""Live comment threads (`commentEvents`) over a real websocket against the real app, Neo4j
and Redis: a thread's comments added, edited and deleted arrive in order with what the
`comments` query would show; only callers who may read the node may subscribe, and only
while they may; comments written by another process arrive too; a comment is kept when
Redis cannot take its event."""

from __future__ import annotations

import asyncio
import logging
import queue
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.gql.subscriptions import RECHECK_SECONDS
from governance.accounts import Accounts
from governance.audit import AuditLog
from governance.comments import Comments
from governance.notifications import Notifier, Subject
from governance.rbac import DEFAULT_WORKSPACE, Role
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from tests.integration.api_support import SYSTEM, Caller, Callers, error_codes, gql
from tests.integration.conftest import ThreadRows
from tests.integration.test_api_subscriptions import Subscriber, subscribed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

EVENTS = """subscription ($target: ID!) {
  commentEvents(targetId: $target) {
    type subject targetId table workspace payload
    comment { id author text replyTo editedAt deleted mayEdit mayDelete }
  }
}"""
WRITE = """mutation($id: String!, $text: String!, $replyTo: String) {
  comment(targetId: $id, text: $text, replyTo: $replyTo) { comment { id } } }"""
EDIT = "mutation($id: ID!, $text: String!) { editComment(id: $id, text: $text) { id } }"
DELETE = "mutation($id: ID!) { deleteComment(id: $id) { id } }"
WAIT_SECONDS = 20.0


def write(client: TestClient, caller: Caller, target: str, text: str, **more: Any) -> str:
    body = gql(client, caller, WRITE, {"id": target, "text": text, **more})
    assert not body.get("errors"), body
    return str(body["data"]["comment"]["comment"]["id"])


def change(client: TestClient, caller: Caller, query: str, **variables: Any) -> None:
    body = gql(client, caller, query, variables)
    assert not body.get("errors"), body


def refusal(subscriber: Subscriber, operation: str) -> list[str]:
    """The error codes `operation` ended with: refused before it started (`error`), or by
    its resolver (`next` with errors, then `complete`)."""
    message = subscriber.next(operation)
    if message["type"] == "error":
        return error_codes({"errors": message["payload"]})
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None, message
    assert subscriber.next(operation)["type"] == "complete"
    return error_codes(message["payload"])


class Thread:
    """One subscriber's `commentEvents` on one node, live: a first comment (the probe) is
    written before subscribing, and the event of an edit of it published until one arrives;
    its events are skipped from then on."""

    def __init__(self, subscriber: Subscriber, target: str, probe: str) -> None:
        self.subscriber = subscriber
        self.target = target
        self.probe = probe
        self.operation = subscriber.subscribe(EVENTS, {"target": target})

    async def until_live(self, bus: EventBus) -> None:
        probe = DomainEvent(
            type=EventType.COMMENT_EDITED, subject=self.probe, payload={"target": self.target}
        )
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            await bus.publish(probe)
            try:
                message = self.subscriber.next(self.operation, timeout=0.3)
            except queue.Empty:
                continue
            assert message["type"] == "next", message
            return
        raise AssertionError("the subscription never started listening")

    def event(self) -> dict[str, Any]:
        """The next event that is not about the probe."""
        while True:
            message = self.subscriber.next(self.operation)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            event: dict[str, Any] = message["payload"]["data"]["commentEvents"]
            if event["subject"] != self.probe:
                return event


async def live_thread(
    client: TestClient, bus: EventBus, subscriber: Subscriber, writer: Caller, target: str
) -> Thread:
    thread = Thread(subscriber, target, write(client, writer, target, "probe"))
    await thread.until_live(bus)
    return thread


async def test_a_thread_streams_comments_added_edited_and_deleted_as_the_reader_sees_them(
    api_client: TestClient, callers: Callers, bus: EventBus, thread_rows: ThreadRows
) -> None:
    editor, target = callers.editor, thread_rows.city
    with (
        subscribed(api_client, callers.viewer) as viewer,
        subscribed(api_client, editor) as author,
    ):
        seen = await live_thread(api_client, bus, viewer, editor, target)
        own = Thread(author, target, seen.probe)
        await own.until_live(bus)
        first = write(api_client, editor, target, "is *this* right?")
        reply = write(api_client, editor, target, "yes", replyTo=first)
        change(api_client, editor, EDIT, id=first, text="is **this** right?")
        change(api_client, editor, DELETE, id=reply)
        events = [seen.event() for _ in range(4)]
        mine = [own.event() for _ in range(4)]

    assert [(e["type"], e["subject"]) for e in events] == [
        ("COMMENT_ADDED", first),
        ("COMMENT_ADDED", reply),
        ("COMMENT_EDITED", first),
        ("COMMENT_DELETED", reply),
    ]
    assert {(e["targetId"], e["table"], e["workspace"]) for e in events} == {
        (target, "cities", DEFAULT_WORKSPACE)
    }
    assert all(set(e["payload"]) <= {"target", "kind", "table", "parent"} for e in events)
    comments = [e["comment"] for e in events]
    assert [(c["text"], c["replyTo"], c["deleted"]) for c in comments] == [
        ("is *this* right?", None, False),
        ("yes", first, False),
        ("is **this** right?", None, False),
        (None, first, True),
    ]
    assert comments[0]["editedAt"] is None
    assert comments[2]["editedAt"] is not None
    assert {c["author"] for c in comments} == {editor.user_id}
    assert {(c["mayEdit"], c["mayDelete"]) for c in comments} == {(False, False)}  # a viewer
    assert [(c["comment"]["mayEdit"], c["comment"]["mayDelete"]) for c in mine] == [
        (True, True),
        (True, True),
        (True, True),
        (False, False),  # deleted
    ]


async def test_only_callers_who_may_read_the_node_may_follow_its_thread(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    refusals = {
        (callers.restricted.name, thread_rows.org): ["access_denied"],
        (callers.stranger.name, thread_rows.city): ["access_denied"],
        (callers.viewer.name, "row:nothing"): ["not_found"],
        (callers.viewer.name, "x" * 1_000): ["invalid_argument"],
    }
    by_name = {caller.name: caller for caller in callers.all()}
    for (name, target), codes in refusals.items():
        with subscribed(api_client, by_name[name]) as subscriber:
            operation = subscriber.subscribe(EVENTS, {"target": target})
            assert refusal(subscriber, operation) == codes, (name, target)


async def test_events_of_other_threads_never_arrive_and_another_process_is_heard(
    api_client: TestClient,
    callers: Callers,
    graph: Graph,
    bus: EventBus,
    thread_rows: ThreadRows,
) -> None:
    editor, target = callers.editor, thread_rows.city
    assert editor.user_id is not None
    # `bus` is a Redis connection of its own, as another API process's or the CLI's is
    elsewhere = Comments(graph, bus, AuditLog(graph), Notifier(graph, bus))
    with subscribed(api_client, callers.viewer) as viewer:
        thread = await live_thread(api_client, bus, viewer, editor, target)
        write(api_client, editor, thread_rows.org, "on another row")
        write(api_client, editor, thread_rows.city_document, "on its document")
        subject = Subject(target, "row", DEFAULT_WORKSPACE, "cities")
        written = await elsewhere.create(subject, editor.user_id, "from the command line")
        event = thread.event()
    assert (event["subject"], event["comment"]["text"]) == (written.id, "from the command line")


async def test_a_subscriber_who_loses_the_right_to_read_the_node_stops_hearing_its_thread(
    api_client: TestClient,
    callers: Callers,
    graph: Graph,
    bus: EventBus,
    thread_rows: ThreadRows,
) -> None:
    editor, viewer, target = callers.editor, callers.viewer, thread_rows.org
    assert viewer.user_id is not None
    accounts = Accounts(graph, AuditLog(graph))
    with subscribed(api_client, viewer) as subscriber:
        thread = await live_thread(api_client, bus, subscriber, editor, target)
        await accounts.grant(
            DEFAULT_WORKSPACE, viewer.user_id, Role.VIEWER, tables=frozenset({"cities"}), by=SYSTEM
        )
        await asyncio.sleep(RECHECK_SECONDS)
        unseen = write(api_client, editor, target, "said while they may not read it")
        await asyncio.sleep(RECHECK_SECONDS)
        await accounts.grant(DEFAULT_WORKSPACE, viewer.user_id, Role.VIEWER, by=SYSTEM)
        await asyncio.sleep(RECHECK_SECONDS)
        seen = write(api_client, editor, target, "said once they may again")
        event = thread.event()
    assert event["subject"] == seen
    assert event["subject"] != unseen


async def test_a_comment_is_kept_when_redis_cannot_take_its_event(
    graph: Graph,
    bus: EventBus,
    callers: Callers,
    thread_rows: ThreadRows,
    caplog: pytest.LogCaptureFixture,
) -> None:
    author = callers.editor.user_id
    assert author is not None
    unreachable = EventBus.from_url("redis://127.0.0.1:1/0")
    comments = Comments(graph, unreachable, AuditLog(graph), Notifier(graph, bus))
    subject = Subject(thread_rows.city, "row", DEFAULT_WORKSPACE, "cities")
    try:
        with caplog.at_level(logging.WARNING, logger="governance.comments"):
            written = await comments.create(subject, author, "kept")
            edited = await comments.edit(subject, written.id, author, "kept, edited")
            deleted = await comments.delete(subject, written.id, author)
    finally:
        await unreachable.close()
    assert (edited.text, deleted.deleted_at is not None) == ("kept, edited", True)
    assert (await comments.get(written.id)).deleted_at is not None
    warnings = [r.getMessage() for r in caplog.records if r.name == "governance.comments"]
    assert len(warnings) == 3
    assert all(f"event for comment {written.id} not published" in w for w in warnings)
