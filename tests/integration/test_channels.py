"""Notification channels on the real stores, a real local HTTP receiver and a real local SMTP
server (aiosmtpd): deliveries recorded, sent by a real arq worker from the queue, retried with
backoff, signed with HMAC, in Slack's shape on request, and by e-mail to those who chose it."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from arq import ArqRedis
from arq.connections import create_pool
from arq.worker import Worker
from pydantic import SecretStr

from governance.accounts import Accounts
from governance.audit import AuditLog
from governance.channels import DELIVERY_HEADER, SIGNATURE_HEADER, Channels
from governance.digests import Digests
from governance.notifications import Delivery, NotificationKind, Notifier, Preferences, Subject
from governance.rbac import Role
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings, Webhook
from ingest.deliveries import deliver_notification, enqueue_deliveries
from ingest.queue import deserialize, redis_settings, serialize
from tests.integration.collab_support import SYSTEM, Team, owned_team

pytestmark = pytest.mark.integration

SECRET = "hook-secret-for-tests"
PORTS = range(26000, 26100)


def free_port() -> int:
    """A free port among those this suite's receivers may use."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 26000-26099")


@dataclass
class Receiver:
    """A local HTTP receiver that answers 500 to its first `failures` requests, then 200."""

    failures: int
    port: int = 0
    requests: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver_factory() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(failures: int) -> Receiver:
        receiver = Receiver(failures)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.requests) < receiver.failures else 200
                receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        receiver.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return receiver

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
async def team(graph: Graph, unique: str) -> AsyncIterator[Team]:
    yield await owned_team(graph, unique, 2)
    await graph.write("testing/accounts_delete", {"marker": unique})
    await graph.write("testing/collab_deliveries_delete", {"marker": unique})


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(
        redis_settings(settings), job_serializer=serialize, job_deserializer=deserialize
    )
    yield pool
    await pool.aclose()


async def run_worker(graph: Graph, settings: Settings, queue: str) -> None:
    """A real arq worker on a private queue, until its queue (retries included) is empty."""
    worker = Worker(
        functions=[deliver_notification],
        queue_name=queue,
        redis_settings=redis_settings(settings),
        job_serializer=serialize,
        job_deserializer=deserialize,
        burst=True,
        poll_delay=0.02,
        max_tries=10,
        handle_signals=False,
        ctx={"graph": graph, "settings": settings},
    )
    try:
        await worker.main()
    finally:
        await worker.close()


async def notify(
    graph: Graph, bus: EventBus, settings: Settings, redis: ArqRedis, team: Team, queue: str
) -> list[str]:
    """A conflict on the team's table told to its members, with deliveries queued on `queue`."""
    channels = Channels(graph, settings, partial(enqueue_deliveries, redis, queue_name=queue))
    notifier = Notifier(graph, bus, outbox=channels)
    subject = Subject(f"conflict:channels:{team.marker}", "conflict", team.workspace, team.table)
    notified = await notifier.notify(
        NotificationKind.CONFLICT, subject, team.members, message="a conflict", actor="system:t"
    )
    assert notified.event is not None
    again = await channels.dispatch(NotificationKind.CONFLICT, subject, "a conflict", notified)
    assert again == []  # the same happening is delivered once
    records = await graph.read("testing/collab_deliveries_of", {"marker": team.marker})
    return [r["id"] for r in records]


def configured(
    settings: Settings, team: Team, *hooks: tuple[str, bool], tries: int = 5
) -> Settings:
    webhooks = [
        Webhook(workspace=team.workspace, url=u, secret=SecretStr(SECRET), slack=s)
        for u, s in hooks
    ]
    return settings.model_copy(
        update={"webhooks": webhooks, "delivery_backoff_seconds": 0.05, "delivery_max_tries": tries}
    )


async def test_a_webhook_that_fails_twice_gets_one_delivery_that_succeeds_after_retries(
    graph: Graph,
    bus: EventBus,
    settings: Settings,
    redis: ArqRedis,
    team: Team,
    receiver_factory: Any,
) -> None:
    receiver = receiver_factory(2)
    settings = configured(settings, team, (receiver.url, False))
    queue = f"test-deliveries-{uuid.uuid4().hex}"

    [delivery] = await notify(graph, bus, settings, redis, team, queue)
    await run_worker(graph, settings, queue)

    assert [status for _, _, status in receiver.requests] == [500, 500, 200]
    for headers, body, _ in receiver.requests:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers[SIGNATURE_HEADER] == expected
        assert headers[DELIVERY_HEADER] == delivery
    payload = json.loads(receiver.requests[-1][1])
    assert (payload["kind"], payload["table"], payload["workspace"]) == (
        "conflict",
        team.table,
        team.workspace,
    )
    [state] = await graph.read("testing/collab_deliveries_of", {"marker": team.marker})
    assert (state["status"], state["attempts"], state["channel"]) == (
        "succeeded",
        3,
        f"webhook:{team.workspace}:0",
    )
    assert SECRET not in json.dumps(state, default=str)  # the record names the channel only


async def test_a_webhook_that_never_answers_well_is_failed_after_its_tries(
    graph: Graph,
    bus: EventBus,
    settings: Settings,
    redis: ArqRedis,
    team: Team,
    receiver_factory: Any,
) -> None:
    receiver = receiver_factory(100)
    settings = configured(settings, team, (receiver.url, True), tries=2)
    queue = f"test-deliveries-{uuid.uuid4().hex}"

    await notify(graph, bus, settings, redis, team, queue)
    await run_worker(graph, settings, queue)

    assert len(receiver.requests) == 2
    assert set(json.loads(receiver.requests[0][1])) == {"text"}  # Slack's shape
    [state] = await graph.read("testing/collab_deliveries_of", {"marker": team.marker})
    assert (state["status"], state["attempts"], state["last_error"]) == (
        "failed",
        2,
        f"webhook:{team.workspace}:0: HTTP 500",
    )


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def mail(settings: Settings) -> Iterator[tuple[Inbox, Settings]]:
    """A real local SMTP server (aiosmtpd) and settings that send e-mail to it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    update = {"smtp_host": "127.0.0.1", "smtp_port": port, "delivery_backoff_seconds": 0.05}
    yield inbox, settings.model_copy(update=update)
    controller.stop()


async def test_e_mail_reaches_those_who_chose_it_over_a_real_smtp_server(
    graph: Graph, bus: EventBus, mail: tuple[Inbox, Settings], redis: ArqRedis, team: Team
) -> None:
    inbox, settings = mail
    chooser = team.members[0]
    await Notifier(graph, bus).set_preferences(chooser, Preferences(by_email=True))
    queue = f"test-deliveries-{uuid.uuid4().hex}"

    deliveries = await notify(graph, bus, settings, redis, team, queue)
    await run_worker(graph, settings, queue)

    assert len(deliveries) == 1  # only the member who chose e-mail
    [message] = inbox.messages
    assert message.rcpt_tos == [f"{chooser}@x.org"]
    content = message.content
    assert isinstance(content, bytes)
    assert b"[Grace] conflict" in content
    assert b"a conflict" in content


async def test_digest_notifications_reach_each_person_in_one_e_mail_from_the_scheduled_job(
    graph: Graph, bus: EventBus, mail: tuple[Inbox, Settings], redis: ArqRedis, team: Team
) -> None:
    inbox, settings = mail
    digester, immediate = team.members
    notifier = Notifier(graph, bus)
    await notifier.set_preferences(digester, Preferences(delivery=Delivery.DIGEST, by_email=True))
    await notifier.set_preferences(immediate, Preferences(by_email=True))
    queue = f"test-deliveries-{uuid.uuid4().hex}"
    channels = Channels(graph, settings, partial(enqueue_deliveries, redis, queue_name=queue))
    told = Notifier(graph, bus, outbox=channels)
    for n in range(3):
        subject = Subject(f"conflict:digest:{n}:{team.marker}", "conflict", team.workspace, "x")
        await told.notify(
            NotificationKind.CONFLICT, subject, team.members, message=f"c{n}", actor="system:t"
        )
    hidden = Subject(f"conflict:hidden:{team.marker}", "conflict", team.workspace, team.table)
    await told.notify(
        NotificationKind.CONFLICT, hidden, [digester], message="now hidden", actor="system:t"
    )
    await Accounts(graph, AuditLog(graph)).grant(
        team.workspace, digester, Role.EDITOR, tables=frozenset({"x"}), by=SYSTEM
    )  # narrowed after being told: may no longer read the table's conflict
    digests = Digests(graph, notifier, channels)  # what the `send_digests` job runs
    first = await digests.gather()
    again = await digests.gather()
    await run_worker(graph, settings, queue)

    assert first  # (and any other person's digest waiting in the shared graph)
    assert again == []  # gathered notifications are not gathered twice
    to_digester = [m for m in inbox.messages if m.rcpt_tos == [f"{digester}@x.org"]]
    assert len([m for m in inbox.messages if m.rcpt_tos == [f"{immediate}@x.org"]]) == 3
    [digest] = to_digester
    content = digest.content
    assert isinstance(content, bytes)
    assert b"[Grace] digest: 3 notifications" in content
    for n in range(3):
        assert f"[conflict] c{n} (conflict:digest:{n}:{team.marker}".encode() in content
    assert b"now hidden" not in content


async def test_digests_wait_while_no_e_mail_server_is_configured(
    graph: Graph, bus: EventBus, settings: Settings, team: Team
) -> None:
    digester = team.members[0]
    notifier = Notifier(graph, bus)
    await notifier.set_preferences(digester, Preferences(delivery=Delivery.DIGEST, by_email=True))
    subject = Subject(f"conflict:waiting:{team.marker}", "conflict", team.workspace, team.table)
    await notifier.notify(
        NotificationKind.CONFLICT, subject, [digester], message="waits", actor="system:t"
    )
    unmailed = Channels(graph, settings.model_copy(update={"smtp_host": None}))

    assert await Digests(graph, notifier, unmailed).gather() == []
    pending = await graph.read("collab/digest_pending", {"limit": 1000})
    waiting = [i["subject"] for p in pending if p["user"] == digester for i in p["items"]]
    assert waiting == [subject.id]
