"""Domain events turned into notifications on the real stores: a conflict reaches the owners
of its table who may read it, a change request the members whose vote it needs, each once
however often the event is routed, and `run` routes what the bus carries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker

from governance.accounts import Accounts
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.notification_router import NotificationRouter
from governance.notifications import NotificationRecord, Notifier
from governance.policy import ApprovalRule
from governance.rbac import DEFAULT_WORKSPACE, Role
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings
from ingest.queue import Priority, enqueue_file
from ingest.worker import worker_settings
from tests.integration.collab_support import SYSTEM, Team, owned_team
from tests.integration.conftest import SourceFolder
from tests.integration.test_outcomes import runs_of
from tests.integration.test_worker import queued, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
async def team(graph: Graph, unique: str) -> AsyncIterator[Team]:
    built = await owned_team(graph, unique, 4)
    accounts = Accounts(graph, AuditLog(graph))
    # one member sees another table only; one user is no member at all
    await accounts.grant(
        built.workspace, built.members[3], Role.EDITOR, tables=frozenset({"x"}), by=SYSTEM
    )
    await accounts.create_user(f"outsider-{unique}", name="o", email=f"o-{unique}@x.org", by=SYSTEM)
    yield built
    await graph.write("testing/accounts_delete", {"marker": unique})


def conflict_event(team: Team) -> DomainEvent:
    return DomainEvent(
        type=EventType.CONFLICT_DETECTED,
        subject=f"conflict:value:{team.table}:k:{team.marker}",
        payload={"table": team.table, "attribute": "size"},
    )


async def notified(graph: Graph, subject: str) -> list[tuple[str, str]]:
    records = await graph.read("testing/collab_notifications_of", {"subject": subject})
    return [(r["user"], r["kind"]) for r in records]


async def test_a_conflict_reaches_the_owners_who_may_read_its_table_once(
    graph: Graph, bus: EventBus, team: Team
) -> None:
    router = NotificationRouter(graph, bus)
    event = conflict_event(team)

    first = await router.route(event)
    again = await router.route(event)

    readers = team.members[:3]
    assert first is not None
    assert sorted(first.ids) == sorted(readers)
    assert again is not None
    assert again.ids == {}  # the same event notifies nobody twice
    assert await notified(graph, event.subject) == [(m, "conflict") for m in sorted(readers)]


async def test_a_change_request_tells_those_whose_vote_it_needs(
    graph: Graph, bus: EventBus, team: Team
) -> None:
    approvals = Approvals(graph, bus, AuditLog(graph))
    request = await approvals.open(
        kind="test.noop",
        title="a change",
        payload={"table": team.table},
        requested_by=team.members[0],
        workspace=team.workspace,
        rule=ApprovalRule(required=2, role=Role.EDITOR, expires_after_hours=None),
    )
    router = NotificationRouter(graph, bus)
    opened = DomainEvent(
        type=EventType.CHANGE_REQUEST_UPDATED,
        subject=request.id,
        workspace=team.workspace,
        payload={"action": "open", "table": team.table},
    )
    await router.route(opened)
    # the requester is not asked; the member of another table may not read it
    assert await notified(graph, request.id) == [
        (team.members[1], "vote_needed"),
        (team.members[2], "vote_needed"),
    ]
    commented = DomainEvent(
        type=EventType.CHANGE_REQUEST_UPDATED, subject=request.id, payload={"action": "comment"}
    )
    assert await router.route(commented) is None


async def test_run_routes_the_events_the_bus_carries(
    graph: Graph, bus: EventBus, team: Team
) -> None:
    router = NotificationRouter(graph, bus)
    ready = asyncio.Event()
    task = asyncio.create_task(router.run(bus, ready))
    try:
        await asyncio.wait_for(ready.wait(), timeout=10)
        event = conflict_event(team)
        await bus.publish(event)
        for _ in range(200):
            if len(await notified(graph, event.subject)) == 3:
                break
            await asyncio.sleep(0.05)
        assert len(await notified(graph, event.subject)) == 3
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_document_falling_below_its_tables_quarantine_line_alerts_the_owners_once(
    graph: Graph, bus: EventBus, team: Team
) -> None:
    router = NotificationRouter(graph, bus)
    document = f"doc:low:{team.marker}"

    def moved(before: float | None, after: float) -> DomainEvent:
        payload = {"table": team.table, "kind": "document", "before": before, "after": after}
        return DomainEvent(type=EventType.TRUST_UPDATED, subject=document, payload=payload)

    assert await router.route(moved(0.6, 0.5)) is None  # above the default 0.3
    crossed = await router.route(moved(0.5, 0.2))
    assert crossed is not None
    assert sorted(crossed.ids) == sorted(team.members[:3])
    assert await router.route(moved(0.2, 0.1)) is None  # already below: no second alert
    source = DomainEvent(
        type=EventType.TRUST_UPDATED,
        subject=f"folder:x-{team.marker}",
        payload={"kind": "source", "before": 0.5, "after": 0.1},
    )
    assert await router.route(source) is None
    assert await notified(graph, document) == [(m, "low_trust") for m in sorted(team.members[:3])]


async def test_a_failed_file_from_a_folder_nobody_owns_tells_nobody(
    graph: Graph, bus: EventBus, team: Team
) -> None:
    owners = {"folder:owned-*": f"{team.members[0]}@x.org", "folder:lost": "nobody@x.org"}
    router = NotificationRouter(graph, bus, source_owners=owners)

    def failed(source: str) -> DomainEvent:
        payload = {"source": source, "path": "a.csv", "code": "unreadable"}
        return DomainEvent(
            type=EventType.INGESTION_FAILED, subject=f"run:{source}", payload=payload
        )

    for source in (f"folder:other-{team.marker}", "folder:lost"):
        told = await router.route(failed(source))
        assert told is not None
        assert told.ids == {}
    assert await router.source_owners(f"folder:owned-{team.marker}") == [team.members[0]]


async def test_a_failed_file_tells_its_folders_owners_who_may_read_it_through_the_worker(
    graph: Graph,
    bus: EventBus,
    settings: Settings,
    queue: ArqRedis,
    source: SourceFolder,
    unique: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts = Accounts(graph, AuditLog(graph))
    await accounts.ensure_default_workspace(by=SYSTEM)
    owner, narrowed, bystander = (f"{who}-{unique}" for who in ("owner", "narrowed", "by"))
    for user in (owner, narrowed, bystander):
        await accounts.create_user(user, name=user, email=f"{user}@x.org", by=SYSTEM)
    await accounts.grant(DEFAULT_WORKSPACE, owner, Role.VIEWER, by=SYSTEM)
    await accounts.grant(DEFAULT_WORKSPACE, bystander, Role.VIEWER, by=SYSTEM)
    tables = frozenset({"x"})  # may not read runs without a table
    await accounts.grant(DEFAULT_WORKSPACE, narrowed, Role.EDITOR, tables=tables, by=SYSTEM)
    owners = {source.id: f"{owner}@x.org", "folder:src_*": f"{narrowed}@x.org"}
    monkeypatch.setenv("GRACE_SOURCE_OWNERS", json.dumps(owners))  # read by the worker
    notifier = Notifier(graph, bus)

    async def notifications(user: str) -> list[NotificationRecord]:
        return await notifier.page(
            user, unread=True, limit=10, before=None, tables=[], workspaces=[DEFAULT_WORKSPACE]
        )

    worker = Worker(**{**worker_settings(settings), "handle_signals": False})
    running = asyncio.create_task(worker.async_run())
    try:
        path = source.write("broken.json", '{"a": ')
        await enqueue_file(queue, queued(path, source.root), Priority.BULK)

        async def told() -> bool:
            return bool(await notifications(owner))

        await wait_for(told, 120)
        [note] = await notifications(owner)
        assert await notifications(narrowed) == []
        assert await notifications(bystander) == []
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.close()
        await graph.write("testing/accounts_delete", {"marker": unique})
    assert (note.kind, note.subject_kind, note.table) == ("ingestion_failed", "ingestion_run", None)
    assert f"{source.name}/broken.json from {source.id} failed to ingest" in note.message
    [run] = await runs_of(graph, source)
    assert run["status"] == "failed"
