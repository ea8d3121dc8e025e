"""Subscriptions end to end over a real websocket (graphql-transport-ws) against the real app,
Neo4j and Redis: events in order from an ingestion in the worker, per-event authorization,
events from another process, authentication in `connection_init`, and the Redis
subscription's lifetime."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from arq.connections import RedisSettings, create_pool
from fastapi.testclient import TestClient
from redis.asyncio import Redis
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from api.gql.subscriptions import RECHECK_SECONDS
from governance.accounts import Accounts, personal_workspace
from governance.api_keys import ApiKeys
from governance.audit import AuditLog
from governance.rbac import DEFAULT_WORKSPACE, Role
from graph.events import DomainEvent, EventBus, EventType, channel_for
from graph.graph import Graph
from graph.settings import Settings
from ingest.queue import AFTER_INGEST_QUEUE_NAME, deserialize, serialize
from ingest.service import IngestionService
from ingest.worker import ingest_file, resume_pass, shutdown, startup
from tests.integration.api_support import (
    RESTRICTED_TABLE,
    SYSTEM,
    Caller,
    Callers,
    error_codes,
)
from tests.integration.conftest import SourceFolder

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PROTOCOL = "graphql-transport-ws"
WAIT_SECONDS = 20.0
OTHER_TABLE = "organizations"
PROBE = "probe:"
"""Subjects of the events a test publishes to know the subscription is live (then skipped)."""

INGESTION = """subscription ($path: String, $documentId: ID) {
  ingestionProgress(path: $path, documentId: $documentId) {
    type subject at table workspace payload path documentId
  }
}"""
TRUST = """subscription ($table: String) {
  trustUpdates(table: $table) { type subject table kind before after payload }
}"""
CONFLICTS = """subscription ($table: String) {
  conflictEvents(table: $table) { type subject table entity reason }
}"""
CHANGE_REQUESTS = """subscription ($workspace: String) {
  changeRequestEvents(workspace: $workspace) { type subject table workspace action status }
}"""


class Subscriber:
    """A graphql-transport-ws client on the test client's websocket. A thread reads every
    message into a queue per operation (and one for the connection's own messages), so a
    test waits for the next one with a timeout.

    Other tests may publish events on the same Redis meanwhile: assertions look at the
    events a test published itself (by subject or path), and skip probes."""

    def __init__(self, session: WebSocketTestSession) -> None:
        self.session = session
        self.inboxes: dict[str | None, Inbox] = {None: queue.Queue()}
        threading.Thread(target=self._read, daemon=True).start()

    def _inbox(self, operation: str | None) -> Inbox:
        return self.inboxes.setdefault(operation, queue.Queue())

    def _read(self) -> None:
        while True:
            try:
                message = self.session.receive_json()
            except WebSocketDisconnect as closed:
                for inbox in list(self.inboxes.values()):
                    inbox.put(closed)
                return
            except Exception:  # the session was torn down: nothing more to read
                return
            self._inbox(message.get("id")).put(message)

    def send(self, message: dict[str, Any]) -> None:
        self.session.send_json(message)

    def next(self, operation: str | None = None, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        """The next message of `operation` (of the connection itself when None);
        `WebSocketDisconnect` if the server closed the socket."""
        item = self._inbox(operation).get(timeout=timeout)
        if isinstance(item, WebSocketDisconnect):
            raise item
        return item

    def close_code(self) -> int:
        """The code the server closed the socket with (fails if it sends a message instead)."""
        with pytest.raises(WebSocketDisconnect) as closed:
            self.next()
        return closed.value.code

    def init(self, caller: Caller) -> None:
        """`connection_init` with the caller's API key; the server must acknowledge it."""
        self.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {caller.token}"}}
        )
        assert self.next() == {"type": "connection_ack"}

    def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation = uuid.uuid4().hex
        self._inbox(operation)
        payload = {"query": query, "variables": variables or {}}
        self.send({"id": operation, "type": "subscribe", "payload": payload})
        return operation

    def refusal(self, operation: str) -> list[str]:
        """The error codes with which the server refused to start `operation`."""
        message = self.next(operation)
        assert message["type"] == "error", message
        return error_codes({"errors": message["payload"]})

    def event(self, operation: str) -> dict[str, Any]:
        """The next event of `operation` (probes skipped); fails on anything else."""
        while True:
            message = self.next(operation)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            [event] = message["payload"]["data"].values()
            if not str(event["subject"]).startswith(PROBE):
                return dict(event)

    def events_until(self, operation: str, subject: str) -> list[dict[str, Any]]:
        """The events of `operation` received before the one about `subject` (a fence)."""
        received = []
        while (event := self.event(operation))["subject"] != subject:
            received.append(event)
        return received

    def event_about(self, operation: str, subject: str) -> dict[str, Any]:
        """The event of `operation` about `subject`, skipping any before it."""
        while (event := self.event(operation))["subject"] != subject:
            pass
        return event


Inbox = queue.Queue[dict[str, Any] | WebSocketDisconnect]


@contextmanager
def websocket(client: TestClient) -> Iterator[Subscriber]:
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as session:
        assert session.accepted_subprotocol == PROTOCOL
        yield Subscriber(session)


@contextmanager
def subscribed(client: TestClient, caller: Caller) -> Iterator[Subscriber]:
    """A websocket on which `caller` completed `connection_init`."""
    with websocket(client) as subscriber:
        subscriber.init(caller)
        yield subscriber


def probe(event_type: EventType, workspace: str | None = None, **payload: Any) -> DomainEvent:
    """An event of the restricted caller's table, which every member of the default
    workspace may read; with `workspace`, an event of that workspace and no table."""
    subject = f"{PROBE}{uuid.uuid4().hex}"
    about = {"table": RESTRICTED_TABLE} if workspace is None else {}
    return DomainEvent(
        type=event_type, subject=subject, workspace=workspace, payload={**about, **payload}
    )


async def until_live(
    bus: EventBus, subscriber: Subscriber, operation: str, event: DomainEvent
) -> None:
    """Publish `event` until the subscription delivers it: from then on it is listening."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        await bus.publish(event)
        try:
            message = subscriber.next(operation, timeout=0.3)
        except queue.Empty:
            continue
        assert message["type"] == "next", message
        return
    raise AssertionError("the subscription never started listening")


async def fence(bus: EventBus, event_type: EventType, workspace: str | None = None) -> str:
    """Publish an event the subscriber may read (see `probe`): events published before it
    arrive before it, so what was not delivered by then never will be."""
    event = probe(event_type, workspace).model_copy(update={"subject": f"fence:{uuid.uuid4()}"})
    await bus.publish(event)
    return event.subject


def cities(unique: str, count: int) -> str:
    rows = "".join(f"c{i}-{unique},City {i},{1000 + i}\n" for i in range(count))
    return "city_id,name,population\n" + rows


def organizations(unique: str) -> str:
    return f"org_id,name,employees\no1-{unique},Org One,12\n"


@pytest.fixture
async def worker(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[dict[str, Any]]:
    """The arq worker's context, opened by its own `startup` (its own driver and Redis pool)."""
    for name, value in service_env.items():
        monkeypatch.setenv(name, value)
    redis = await create_pool(
        RedisSettings.from_dsn(service_env["REDIS_URL"]),
        job_serializer=serialize,
        job_deserializer=deserialize,
    )
    ctx: dict[str, Any] = {"redis": redis}
    await startup(ctx)
    yield ctx
    await shutdown(ctx)
    await redis.aclose()


# --- events in order, from the worker ---------------------------------------------------


async def run_queued_pass(worker: dict[str, Any], document: str) -> None:
    """Run the `resume_pass` job the file's job queued for `document`, as the worker would,
    and take it off the queue."""
    redis = worker["redis"]
    [job] = [
        job
        for job in await redis.queued_jobs(queue_name=AFTER_INGEST_QUEUE_NAME)
        if job.function == "resume_pass" and job.args[0] == document
    ]
    await resume_pass(worker, *job.args)
    await redis.zrem(AFTER_INGEST_QUEUE_NAME, job.job_id)
    await redis.delete(f"arq:job:{job.job_id}")


async def test_an_ingestion_in_the_worker_streams_its_events_in_order(
    api_client: TestClient,
    callers: Callers,
    bus: EventBus,
    worker: dict[str, Any],
    source: SourceFolder,
    unique: str,
) -> None:
    path = source.write("cities.csv", cities(unique, 250))
    relative = f"{source.name}/cities.csv"
    with subscribed(api_client, callers.viewer) as subscriber:
        operation = subscriber.subscribe(INGESTION, {"path": relative})
        await until_live(
            bus, subscriber, operation, probe(EventType.INGESTION_PROGRESS, path=relative)
        )
        record = await ingest_file(worker, str(path), str(source.root))
        assert record["status"] == "ingested"
        await run_queued_pass(worker, record["document_id"])
        steps = [step.name for step in worker["after_ingest"].spec.steps]
        events = [subscriber.event(operation)]
        while (events[-1]["payload"].get("step"), events[-1]["payload"].get("phase")) != (
            steps[-1],
            "finished",
        ):
            events.append(subscriber.event(operation))

    assert [e["type"] for e in events[:3]] == [
        "INGESTION_STARTED",
        "INGESTION_PROGRESS",
        "INGESTION_COMPLETED",
    ]
    document = record["document_id"]
    assert {e["documentId"] for e in events} == {document}
    assert {e["path"] for e in events} == {relative}
    assert [e["table"] for e in events] == [None, *["cities"] * (len(events) - 1)]
    assert events[1]["payload"]["rows"] == 250
    assert events[2]["payload"]["status"] == "ingested"
    assert events[0]["subject"] == events[1]["subject"] == events[2]["subject"] == record["run_id"]
    pipeline = [(e["payload"]["step"], e["payload"]["phase"]) for e in events[3:]]
    finished = [step for step, phase in pipeline if phase == "finished"]
    assert finished == steps
    assert all(e["type"] == "PIPELINE_STEP" and e["subject"] == document for e in events[3:])


async def test_document_id_narrows_ingestion_events_to_one_document(
    api_client: TestClient,
    callers: Callers,
    bus: EventBus,
    service: IngestionService,
    source: SourceFolder,
    unique: str,
) -> None:
    first = await service.ingest_file(source.write("cities.csv", cities(unique, 2)), source.root)
    assert first.document_id is not None
    with subscribed(api_client, callers.admin) as subscriber:
        operation = subscriber.subscribe(INGESTION, {"documentId": first.document_id})
        live = probe(EventType.INGESTION_PROGRESS, document=first.document_id)
        await until_live(bus, subscriber, operation, live)
        await service.ingest_file(source.write("cities.csv", cities(unique, 3)), source.root)
        step = DomainEvent(
            type=EventType.PIPELINE_STEP,
            subject=first.document_id,
            payload={"table": "cities", "step": "embed", "phase": "started"},
        )
        await bus.publish(step)
        event = subscriber.event(operation)  # version 2's events (another document) never came
    assert (event["type"], event["documentId"]) == ("PIPELINE_STEP", first.document_id)


# --- per-event authorization -------------------------------------------------------------


async def test_a_subscriber_restricted_to_one_table_gets_only_that_tables_ingestion_events(
    api_client: TestClient,
    callers: Callers,
    bus: EventBus,
    service: IngestionService,
    source: SourceFolder,
    unique: str,
) -> None:
    with (
        subscribed(api_client, callers.restricted) as restricted,
        subscribed(api_client, callers.viewer) as viewer,
    ):
        narrow = restricted.subscribe(INGESTION)
        wide = viewer.subscribe(INGESTION)
        await until_live(bus, restricted, narrow, probe(EventType.INGESTION_PROGRESS))
        await until_live(bus, viewer, wide, probe(EventType.INGESTION_PROGRESS))
        other = await service.ingest_file(
            source.write("organizations.csv", organizations(unique)), source.root
        )
        mine = await service.ingest_file(source.write("cities.csv", cities(unique, 2)), source.root)
        end = await fence(bus, EventType.INGESTION_COMPLETED)
        seen_by_restricted = restricted.events_until(narrow, end)
        seen_by_viewer = viewer.events_until(wide, end)

    assert (other.table, mine.table) == (OTHER_TABLE, "cities")

    def about(events: list[dict[str, Any]], path: str) -> list[tuple[str, str | None]]:
        return [(e["type"], e["table"]) for e in events if e["path"] == path]

    other_path, my_path = f"{source.name}/organizations.csv", f"{source.name}/cities.csv"
    assert about(seen_by_restricted, other_path) == []
    assert about(seen_by_restricted, my_path) == [
        ("INGESTION_PROGRESS", "cities"),
        ("INGESTION_COMPLETED", "cities"),
    ]  # `started` names no table yet: only readers of the whole workspace get it
    assert about(seen_by_viewer, other_path) == [
        ("INGESTION_STARTED", None),
        ("INGESTION_PROGRESS", OTHER_TABLE),
        ("INGESTION_COMPLETED", OTHER_TABLE),
    ]
    assert [e["type"] for e in seen_by_viewer if e["path"] == my_path] == [
        "INGESTION_STARTED",
        "INGESTION_PROGRESS",
        "INGESTION_COMPLETED",
    ]


def _event(event_type: EventType, table: str | None, workspace: str | None = None) -> DomainEvent:
    payload: dict[str, Any] = {} if table is None else {"table": table}
    return DomainEvent(
        type=event_type, subject=f"event:{uuid.uuid4().hex}", payload=payload, workspace=workspace
    )


def mine(received: list[dict[str, Any]], *published: DomainEvent) -> list[dict[str, Any]]:
    """The received events that are among `published`, in order of arrival."""
    subjects = {event.subject for event in published}
    return [event for event in received if event["subject"] in subjects]


@pytest.mark.parametrize(
    ("query", "event_type"),
    [
        (TRUST, EventType.TRUST_UPDATED),
        (CONFLICTS, EventType.CONFLICT_DETECTED),
        (CONFLICTS, EventType.CONFLICT_RESOLVED),
        (CHANGE_REQUESTS, EventType.CHANGE_REQUEST_UPDATED),
    ],
)
async def test_events_published_by_another_process_reach_only_those_who_may_read_them(
    api_client: TestClient, callers: Callers, bus: EventBus, query: str, event_type: EventType
) -> None:
    # `bus` is a Redis connection of its own, as the worker's or another API process's is
    other_table = _event(event_type, OTHER_TABLE)
    no_table = _event(event_type, None)
    cities = _event(event_type, RESTRICTED_TABLE)
    with (
        subscribed(api_client, callers.restricted) as restricted,
        subscribed(api_client, callers.viewer) as viewer,
    ):
        narrow, wide = restricted.subscribe(query), viewer.subscribe(query)
        await until_live(bus, restricted, narrow, probe(event_type))
        await until_live(bus, viewer, wide, probe(event_type))
        for event in (other_table, no_table, cities):
            await bus.publish(event)
        end = await fence(bus, event_type)
        published = (other_table, no_table, cities)
        seen_by_restricted = mine(restricted.events_until(narrow, end), *published)
        seen_by_viewer = mine(viewer.events_until(wide, end), *published)

    assert [e["subject"] for e in seen_by_restricted] == [cities.subject]
    assert [e["subject"] for e in seen_by_viewer] == [
        other_table.subject,
        no_table.subject,
        cities.subject,
    ]
    assert [e["table"] for e in seen_by_viewer] == [OTHER_TABLE, None, RESTRICTED_TABLE]
    assert {e["type"] for e in seen_by_viewer} == {event_type.name}


async def test_typed_fields_of_trust_conflict_and_change_request_events(
    api_client: TestClient, callers: Callers, bus: EventBus
) -> None:
    trust = DomainEvent(
        type=EventType.TRUST_UPDATED,
        subject=f"doc:{uuid.uuid4().hex}",
        payload={"table": "cities", "kind": "document", "before": 0.5, "after": 0.75},
    )
    conflict = DomainEvent(
        type=EventType.CONFLICT_DETECTED,
        subject=f"conflict:{uuid.uuid4().hex}",
        payload={"table": "cities", "entity": "cities:lyon-fr", "reason": "conflict.detect"},
    )
    request = DomainEvent(
        type=EventType.CHANGE_REQUEST_UPDATED,
        subject=f"cr:{uuid.uuid4().hex}",
        workspace=DEFAULT_WORKSPACE,
        payload={"table": "cities", "action": "approve", "status": "approved"},
    )
    with subscribed(api_client, callers.viewer) as viewer:
        operations = [
            viewer.subscribe(TRUST, {"table": "cities"}),
            viewer.subscribe(CONFLICTS, {"table": "cities"}),
            viewer.subscribe(CHANGE_REQUESTS, {"workspace": DEFAULT_WORKSPACE}),
        ]
        for operation, event in zip(operations, (trust, conflict, request), strict=True):
            await until_live(bus, viewer, operation, probe(event.type))
        for event in (trust, conflict, request):
            await bus.publish(event)
        published = (trust, conflict, request)
        received = [
            viewer.event_about(operation, event.subject)
            for operation, event in zip(operations, published, strict=True)
        ]

    assert received[0] == {
        "type": "TRUST_UPDATED",
        "subject": trust.subject,
        "table": "cities",
        "kind": "document",
        "before": 0.5,
        "after": 0.75,
        "payload": {"table": "cities", "kind": "document", "before": 0.5, "after": 0.75},
    }
    assert received[1] == {
        "type": "CONFLICT_DETECTED",
        "subject": conflict.subject,
        "table": "cities",
        "entity": "cities:lyon-fr",
        "reason": "conflict.detect",
    }
    assert received[2] == {
        "type": "CHANGE_REQUEST_UPDATED",
        "subject": request.subject,
        "table": "cities",
        "workspace": DEFAULT_WORKSPACE,
        "action": "approve",
        "status": "APPROVED",  # the enum of `changeRequests`, not the stored "approved"
    }


async def test_filters_by_table_and_workspace_drop_other_events(
    api_client: TestClient, callers: Callers, bus: EventBus, unique: str
) -> None:
    with subscribed(api_client, callers.admin) as admin:
        by_table = admin.subscribe(TRUST, {"table": "cities"})
        by_workspace = admin.subscribe(CHANGE_REQUESTS, {"workspace": DEFAULT_WORKSPACE})
        await until_live(bus, admin, by_table, probe(EventType.TRUST_UPDATED))
        await until_live(bus, admin, by_workspace, probe(EventType.CHANGE_REQUEST_UPDATED))
        published = (
            _event(EventType.TRUST_UPDATED, OTHER_TABLE),
            _event(EventType.TRUST_UPDATED, None),
            _event(EventType.CHANGE_REQUEST_UPDATED, None, f"team-{unique}"),
        )
        for event in published:
            await bus.publish(event)
        trust_end = await fence(bus, EventType.TRUST_UPDATED)
        request_end = await fence(bus, EventType.CHANGE_REQUEST_UPDATED)
        assert mine(admin.events_until(by_table, trust_end), *published) == []
        assert mine(admin.events_until(by_workspace, request_end), *published) == []


async def test_a_membership_changed_mid_subscription_applies_within_a_recheck(
    api_client: TestClient, callers: Callers, bus: EventBus, graph: Graph
) -> None:
    accounts = Accounts(graph, AuditLog(graph))
    assert callers.viewer.user_id is not None
    with subscribed(api_client, callers.viewer) as viewer:
        operation = viewer.subscribe(TRUST)
        await until_live(bus, viewer, operation, probe(EventType.TRUST_UPDATED))
        before = _event(EventType.TRUST_UPDATED, OTHER_TABLE)
        await bus.publish(before)
        viewer.event_about(operation, before.subject)
        await accounts.grant(
            DEFAULT_WORKSPACE,
            callers.viewer.user_id,
            Role.VIEWER,
            tables=frozenset({RESTRICTED_TABLE}),
            by=SYSTEM,
        )
        await asyncio.sleep(RECHECK_SECONDS)
        after = _event(EventType.TRUST_UPDATED, OTHER_TABLE)
        await bus.publish(after)
        end = await fence(bus, EventType.TRUST_UPDATED)
        assert mine(viewer.events_until(operation, end), after) == []


async def test_a_key_revoked_mid_subscription_ends_it_within_a_recheck(
    api_client: TestClient, callers: Callers, bus: EventBus, graph: Graph
) -> None:
    assert callers.viewer.token is not None
    key_id = callers.viewer.token.split("_")[1]
    with subscribed(api_client, callers.viewer) as viewer:
        operation = viewer.subscribe(TRUST)
        await until_live(bus, viewer, operation, probe(EventType.TRUST_UPDATED))
        await ApiKeys(graph, AuditLog(graph)).revoke(key_id, by=SYSTEM)
        await asyncio.sleep(RECHECK_SECONDS)
        await bus.publish(_event(EventType.TRUST_UPDATED, RESTRICTED_TABLE))
        refusal = viewer.next(operation)
        assert refusal["type"] == "next"
        assert error_codes(refusal["payload"]) == ["invalid_credentials"]
        assert viewer.next(operation) == {"id": operation, "type": "complete"}


# --- who may subscribe -------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"authorization": "Bearer grace_0000000000000000_nope"},
        {"apiKey": "grace_0000000000000000_nope"},
        {"authorization": "Bearer v1.e30.AAAA"},
        {"authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["no-credential", "unknown-key", "unknown-api-key", "forged-token", "not-bearer"],
)
def test_connection_init_without_a_valid_credential_is_refused_with_4403(
    api_client: TestClient, payload: dict[str, str]
) -> None:
    with websocket(api_client) as subscriber:
        subscriber.send({"type": "connection_init", "payload": payload})
        assert subscriber.close_code() == 4403


def test_subscribing_before_connection_init_is_refused_with_4401(api_client: TestClient) -> None:
    with websocket(api_client) as subscriber:
        subscriber.subscribe(TRUST)
        assert subscriber.close_code() == 4401


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (TRUST, {"table": "cities"}),
        (CONFLICTS, {"table": "cities"}),
        (CHANGE_REQUESTS, {"workspace": DEFAULT_WORKSPACE}),
    ],
)
def test_a_user_outside_the_workspace_cannot_subscribe_to_its_events(
    api_client: TestClient, callers: Callers, query: str, variables: dict[str, Any]
) -> None:
    with subscribed(api_client, callers.stranger) as stranger:
        operation = stranger.subscribe(query, variables)
        assert stranger.refusal(operation) == ["access_denied"]


@pytest.mark.parametrize(
    ("query", "event_type"),
    [
        (INGESTION, EventType.INGESTION_COMPLETED),
        (TRUST, EventType.TRUST_UPDATED),
        (CONFLICTS, EventType.CONFLICT_DETECTED),
        (CHANGE_REQUESTS, EventType.CHANGE_REQUEST_UPDATED),
    ],
)
async def test_a_user_outside_the_workspace_hears_only_of_their_own_workspace(
    api_client: TestClient,
    callers: Callers,
    bus: EventBus,
    query: str,
    event_type: EventType,
) -> None:
    # the stranger administers their personal workspace: subscribing to every table's
    # events is allowed, and delivers none of the default workspace's
    assert callers.stranger.user_id is not None
    personal = personal_workspace(callers.stranger.user_id)
    with subscribed(api_client, callers.stranger) as stranger:
        operation = stranger.subscribe(query)
        await until_live(bus, stranger, operation, probe(event_type, personal))
        published = (
            _event(event_type, RESTRICTED_TABLE),
            _event(event_type, None),
            _event(event_type, None, DEFAULT_WORKSPACE),
        )
        for event in published:
            await bus.publish(event)
        end = await fence(bus, event_type, personal)
        assert mine(stranger.events_until(operation, end), *published) == []


def test_a_restricted_member_cannot_subscribe_to_another_tables_events(
    api_client: TestClient, callers: Callers
) -> None:
    with subscribed(api_client, callers.restricted) as restricted:
        for query in (TRUST, CONFLICTS):
            operation = restricted.subscribe(query, {"table": OTHER_TABLE})
            assert restricted.refusal(operation) == ["access_denied"]


# --- lifetime of the Redis subscription --------------------------------------------------


async def numsub(redis: Redis, channel: str) -> int:
    [(_, count)] = await redis.pubsub_numsub(channel)
    return int(count)


async def settles_at(redis: Redis, channel: str, expected: int) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while await numsub(redis, channel) != expected:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@pytest.mark.parametrize("ending", ["complete", "disconnect"])
async def test_the_redis_subscription_closes_when_the_client_stops_listening(
    api_client: TestClient, callers: Callers, bus: EventBus, settings: Settings, ending: str
) -> None:
    channel = channel_for(EventType.CHANGE_REQUEST_UPDATED)
    redis = Redis.from_url(settings.redis_url)
    try:
        baseline = await numsub(redis, channel)
        with subscribed(api_client, callers.viewer) as viewer:
            operation = viewer.subscribe(CHANGE_REQUESTS)
            await until_live(bus, viewer, operation, probe(EventType.CHANGE_REQUEST_UPDATED))
            assert await numsub(redis, channel) >= baseline + 1
            if ending == "complete":
                viewer.send({"id": operation, "type": "complete"})
                assert await settles_at(redis, channel, baseline)
                viewer.send({"type": "ping"})  # the connection itself stays open
                assert viewer.next() == {"type": "pong"}
        assert await settles_at(redis, channel, baseline)
    finally:
        await redis.aclose()


@pytest.mark.parametrize(
    "operation",
    ["{ health { status } }", "{ tables { name } }", 'mutation { releaseRow(id: "r") { id } }'],
)
def test_queries_and_mutations_over_a_websocket_are_refused(
    api_client: TestClient, callers: Callers, operation: str
) -> None:
    with subscribed(api_client, callers.admin) as subscriber:
        answer = subscriber.next(subscriber.subscribe(operation))
        assert answer["type"] == "next", answer
        assert answer["payload"]["data"] is None
        assert error_codes(answer["payload"]) == ["subscriptions_only"]
