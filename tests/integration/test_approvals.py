"""Change requests on the real graph: N-of-M approval, stages, expiry, comments, appliers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import JsonValue
from typer.testing import CliRunner, Result

from cli.requests import requests_app
from governance.appliers import default_appliers
from governance.approvals import Applier, Approvals, ChangeRequestRecord
from governance.audit import AuditLog
from governance.comments import Comments
from governance.errors import (
    ChangeRequestExpiredError,
    ChangeRequestNotFoundError,
    ChangeRequestNotOpenError,
    ChangeRequestTargetNotFoundError,
    DuplicateApproverError,
    InsufficientRoleError,
    NotFoundError,
    SelfApprovalError,
)
from governance.notifications import Notifier
from governance.policy import ApprovalRule
from governance.rbac import Role
from graph.events import EventBus, EventType
from graph.graph import Graph
from graph.model import ReviewStatus
from graph.schema_store import version_history
from graph.settings import Settings
from tests.integration.hearing import Heard, hearing

pytestmark = pytest.mark.integration

TWO_EDITORS = ApprovalRule(required=2, role=Role.EDITOR, expires_after_hours=24)
ONE_EDITOR = ApprovalRule(required=1, role=Role.EDITOR, expires_after_hours=None)
ROLES: dict[str, str | None] = {
    "requester": "editor",
    "alice": "editor",
    "bob": "editor",
    "erin": "editor",
    "carol": "admin",
    "dave": "admin",
    "frank": "admin",
    "victor": "viewer",
    "oscar": None,  # exists, but is no member of the workspace
    "tess": "editor",  # a member for one other table only
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


@dataclass
class Recorder:
    """An applier that remembers which requests it applied."""

    calls: list[str] = field(default_factory=list)

    async def __call__(self, request: ChangeRequestRecord) -> None:
        self.calls.append(request.id)


async def broken(request: ChangeRequestRecord) -> None:
    raise RuntimeError("the target system is down")


@dataclass(frozen=True)
class Team:
    """A workspace with members of every role, unique to one test."""

    unique: str

    @property
    def workspace(self) -> str:
        return f"ws-{self.unique}"

    def __getattr__(self, name: str) -> str:
        if name in ROLES:
            return f"{name}-{self.unique}"
        raise AttributeError(name)

    def users(self) -> list[dict[str, Any]]:
        return [
            {
                "id": getattr(self, name),
                "role": role,
                "tables": ["other_table"] if name == "tess" else None,
            }
            for name, role in ROLES.items()
        ]


@pytest.fixture
async def team(graph: Graph, unique: str) -> AsyncIterator[Team]:
    team = Team(unique)
    users = team.users()
    await graph.write("testing/approvals_members", {"workspace": team.workspace, "users": users})
    yield team
    await graph.write(
        "testing/approvals_delete",
        {"workspace": team.workspace, "users": [user["id"] for user in users]},
    )


@pytest.fixture
async def audit(graph: Graph, unique: str) -> AsyncIterator[AuditLog]:
    log = AuditLog(graph, chain=f"test-{unique}")
    yield log
    await graph.write("testing/audit_delete_chain", {"chain": log.chain})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def comments(graph: Graph, bus: EventBus, audit: AuditLog, clock: Clock) -> Comments:
    return Comments(graph, bus, audit, Notifier(graph, bus), clock=clock)


@pytest.fixture
def approvals(
    graph: Graph, bus: EventBus, audit: AuditLog, clock: Clock, recorder: Recorder
) -> Approvals:
    appliers: dict[str, Applier] = {
        **default_appliers(graph, audit),
        "test": recorder,
        "broken": broken,
    }
    return Approvals(graph, bus, audit, appliers, clock=clock)


@pytest.fixture
async def events(bus: EventBus) -> AsyncIterator[Heard]:
    """Every change_request.updated event published while the test runs."""
    async with hearing(bus, [EventType.CHANGE_REQUEST_UPDATED]) as heard:
        yield heard


async def open_request(
    approvals: Approvals,
    team: Team,
    *,
    kind: str = "test",
    rule: ApprovalRule = TWO_EDITORS,
    payload: dict[str, JsonValue] | None = None,
    target_id: str | None = None,
    stages: Sequence[ApprovalRule] | None = None,
) -> ChangeRequestRecord:
    return await approvals.open(
        kind=kind,
        title=f"a {kind} change",
        payload=payload or {"table": "people"},
        requested_by=team.requester,
        workspace=team.workspace,
        rule=rule,
        target_id=target_id,
        stages=stages,
    )


async def actions_of(events: Heard, subject: str, count: int) -> list[str]:
    """The actions of the first `count` events about `subject`, once heard."""
    await events.until(lambda _: len(events.about([subject])) >= count)
    return [str(event.payload["action"]) for event in events.about([subject])]


async def test_opening_links_requester_workspace_and_target(
    approvals: Approvals, team: Team, graph: Graph, clock: Clock
) -> None:
    request = await open_request(approvals, team, target_id=team.workspace)

    assert request.status is ReviewStatus.OPEN
    assert (request.required, request.role, request.stage) == (2, Role.EDITOR, 0)
    assert request.requested_by == team.requester
    assert request.payload == {"table": "people"}
    assert request.table == "people"
    assert request.target == team.workspace
    assert request.expires_at == clock.now + timedelta(hours=24)
    [edges] = await graph.read("testing/approvals_edges", {"id": request.id})
    assert edges["requested_by"] == [team.requester]
    assert edges["workspaces"] == [team.workspace]
    assert edges["targets"] == [team.workspace]
    assert await approvals.get(request.id) == request


async def test_a_request_needs_an_existing_workspace_and_target(
    approvals: Approvals, team: Team
) -> None:
    with pytest.raises(ChangeRequestTargetNotFoundError, match="no node 'nothing-here'"):
        await open_request(approvals, team, target_id="nothing-here")
    with pytest.raises(NotFoundError, match="no workspace"):
        await approvals.open(
            kind="test",
            title="t",
            payload={},
            requested_by=team.requester,
            workspace=f"missing-{team.unique}",
            rule=ONE_EDITOR,
        )
    with pytest.raises(NotFoundError, match="no user"):
        await approvals.open(
            kind="test",
            title="t",
            payload={},
            requested_by=f"ghost-{team.unique}",
            workspace=team.workspace,
            rule=ONE_EDITOR,
        )
    assert [r for r in await approvals.list(kind="test") if r.workspace == team.workspace] == []


async def test_grace_itself_can_request_and_dotted_kinds_use_their_family_applier(
    approvals: Approvals, team: Team, graph: Graph, recorder: Recorder, audit: AuditLog
) -> None:
    request = await approvals.open(
        kind="test.variant",
        title="found by a scan",
        payload={},
        requested_by="system:ingest",
        workspace=team.workspace,
        rule=ONE_EDITOR,
    )

    applied = await approvals.approve(request.id, team.alice)

    assert applied.status is ReviewStatus.APPLIED
    assert recorder.calls == [request.id]
    [edges] = await graph.read("testing/approvals_edges", {"id": request.id})
    assert edges["requested_by"] == []
    assert (await audit.events())[0].actor == "system:ingest"


async def test_the_requester_cannot_approve_their_own_request(
    approvals: Approvals, team: Team
) -> None:
    request = await open_request(approvals, team)

    with pytest.raises(SelfApprovalError, match="cannot approve their own request"):
        await approvals.approve(request.id, team.requester)

    assert (await approvals.get(request.id)).approvals == []


async def test_one_approval_per_user(approvals: Approvals, team: Team) -> None:
    request = await open_request(approvals, team)
    await approvals.approve(request.id, team.alice)

    with pytest.raises(DuplicateApproverError, match="has already approved"):
        await approvals.approve(request.id, team.alice)

    after = await approvals.get(request.id)
    assert [vote.user for vote in after.approvals] == [team.alice]
    assert after.status is ReviewStatus.OPEN


async def test_approvers_need_the_rules_role_in_the_workspace(
    approvals: Approvals, team: Team
) -> None:
    request = await open_request(approvals, team)
    admins_only = await open_request(
        approvals, team, rule=ApprovalRule(1, Role.ADMIN, expires_after_hours=None)
    )

    with pytest.raises(InsufficientRoleError, match="role viewer is below editor"):
        await approvals.approve(request.id, team.victor)
    with pytest.raises(InsufficientRoleError, match="not a member of workspace"):
        await approvals.approve(request.id, team.oscar)
    with pytest.raises(InsufficientRoleError, match="table people is outside"):
        await approvals.approve(request.id, team.tess)
    with pytest.raises(InsufficientRoleError, match="role editor is below admin"):
        await approvals.approve(admins_only.id, team.alice)
    with pytest.raises(InsufficientRoleError, match="role viewer"):
        await approvals.reject(request.id, team.victor)
    with pytest.raises(NotFoundError, match="no user"):
        await approvals.approve(request.id, f"ghost-{team.unique}")
    with pytest.raises(ChangeRequestNotFoundError):
        await approvals.approve(f"cr:missing-{team.unique}", team.alice)

    assert (await approvals.get(request.id)).approvals == []
    assert (await approvals.get(admins_only.id)).status is ReviewStatus.OPEN


async def test_reaching_the_threshold_applies_exactly_once(
    approvals: Approvals, team: Team, recorder: Recorder, clock: Clock
) -> None:
    request = await open_request(approvals, team)

    first = await approvals.approve(request.id, team.alice, note="fine by me")
    assert first.status is ReviewStatus.OPEN
    assert recorder.calls == []
    second = await approvals.approve(request.id, team.bob)

    assert second.status is ReviewStatus.APPLIED
    assert second.applied_at == clock.now
    assert [(v.user, v.note) for v in second.approvals] == [
        (team.alice, "fine by me"),
        (team.bob, ""),
    ]
    assert recorder.calls == [request.id]
    with pytest.raises(ChangeRequestNotOpenError, match="is applied, not open"):
        await approvals.approve(request.id, team.carol)
    with pytest.raises(ChangeRequestNotOpenError):
        await approvals.reject(request.id, team.carol)
    assert recorder.calls == [request.id]


async def test_a_rejection_closes_the_request_and_applies_nothing(
    approvals: Approvals, team: Team, recorder: Recorder, audit: AuditLog
) -> None:
    request = await open_request(approvals, team)
    await approvals.approve(request.id, team.alice)

    rejected = await approvals.reject(request.id, team.bob, note="wrong table")

    assert rejected.status is ReviewStatus.REJECTED
    assert [(v.user, v.note) for v in rejected.rejections] == [(team.bob, "wrong table")]
    with pytest.raises(ChangeRequestNotOpenError, match="is rejected"):
        await approvals.approve(request.id, team.carol)
    assert recorder.calls == []
    assert [e.action for e in await audit.events()][-1] == "change_request.reject"


async def test_an_expired_request_cannot_be_approved(
    approvals: Approvals, team: Team, recorder: Recorder, clock: Clock, audit: AuditLog
) -> None:
    request = await open_request(approvals, team)
    clock.advance(hours=25)

    with pytest.raises(ChangeRequestExpiredError, match="expired at"):
        await approvals.approve(request.id, team.alice)

    after = await approvals.get(request.id)
    assert after.status is ReviewStatus.EXPIRED
    assert after.approvals == []
    assert recorder.calls == []
    with pytest.raises(ChangeRequestNotOpenError, match="is expired"):
        await approvals.reject(request.id, team.alice)
    [*_, last] = await audit.events()
    assert (last.action, last.actor) == ("change_request.expire", "system:approvals")


async def test_expire_due_marks_overdue_open_requests_only(
    approvals: Approvals, team: Team, clock: Clock
) -> None:
    # Opened ten days ago, so the moment passed to expire_due lies in the past and no other
    # test's live request can be due then.
    clock.now -= timedelta(days=10)
    short = await open_request(approvals, team, rule=ApprovalRule(2, Role.EDITOR, 1))
    long = await open_request(approvals, team, rule=ApprovalRule(2, Role.EDITOR, 48))
    never = await open_request(approvals, team, rule=ApprovalRule(2, Role.EDITOR, None))
    decided = await open_request(approvals, team, rule=ApprovalRule(1, Role.EDITOR, 1))
    await approvals.reject(decided.id, team.alice)

    assert await approvals.expire_due(clock.now + timedelta(hours=2)) >= 1

    statuses = [(await approvals.get(r.id)).status for r in (short, long, never, decided)]
    assert statuses == [
        ReviewStatus.EXPIRED,
        ReviewStatus.OPEN,
        ReviewStatus.OPEN,
        ReviewStatus.REJECTED,
    ]


async def test_an_applier_failure_leaves_apply_failed_with_the_error(
    approvals: Approvals, team: Team, audit: AuditLog
) -> None:
    failing = await open_request(approvals, team, kind="broken", rule=ONE_EDITOR)
    unknown = await open_request(approvals, team, kind="nobody.applies", rule=ONE_EDITOR)

    failed = await approvals.approve(failing.id, team.alice)
    orphan = await approvals.approve(unknown.id, team.alice)

    assert failed.status is ReviewStatus.APPLY_FAILED
    assert failed.apply_error == (
        "internal error (RuntimeError); the worker's log has the details"
    )  # a defect's text stays in the log: it may carry driver messages
    assert failed.applied_at is None
    assert orphan.status is ReviewStatus.APPLY_FAILED
    assert orphan.apply_error is not None
    assert "no applier is registered" in orphan.apply_error
    actions = [(e.action, e.target) for e in await audit.events()]
    assert ("change_request.apply_failed", f"change_request:{failing.id}") in actions
    assert ("change_request.apply", f"change_request:{failing.id}") not in actions


async def test_multi_stage_promotion_opens_each_stage_after_the_last(
    approvals: Approvals, team: Team, recorder: Recorder, clock: Clock
) -> None:
    gate = [
        ApprovalRule(1, Role.EDITOR, 72, stage="review"),
        ApprovalRule(1, Role.ADMIN, 72, stage="data_owner"),
        ApprovalRule(2, Role.ADMIN, 24, stage="release"),
    ]
    request = await open_request(approvals, team, rule=gate[0], stages=gate)
    assert [stage.name for stage in request.stages] == ["review", "data_owner", "release"]

    clock.advance(hours=10)
    reviewed = await approvals.approve(request.id, team.alice)
    assert (reviewed.stage, reviewed.required, reviewed.role) == (1, 1, Role.ADMIN)
    assert reviewed.expires_at == clock.now + timedelta(hours=72)
    with pytest.raises(InsufficientRoleError, match="which stage 'data_owner' needs"):
        await approvals.approve(request.id, team.bob)
    owned = await approvals.approve(request.id, team.carol)
    assert (owned.stage, owned.required, owned.status) == (2, 2, ReviewStatus.OPEN)
    assert owned.stage_approvals() == []
    halfway = await approvals.approve(request.id, team.dave)
    assert halfway.status is ReviewStatus.OPEN
    assert recorder.calls == []

    released = await approvals.approve(request.id, team.frank)

    assert released.status is ReviewStatus.APPLIED
    assert [(v.user, v.stage) for v in released.approvals] == [
        (team.alice, 0),
        (team.carol, 1),
        (team.dave, 2),
        (team.frank, 2),
    ]
    assert recorder.calls == [request.id]


async def test_comments_link_their_author_and_mentioned_users(
    approvals: Approvals, comments: Comments, team: Team, graph: Graph, clock: Clock
) -> None:
    request = await open_request(approvals, team)
    text = f"@{team.bob} please check; cc @nobody-{team.unique} and mail me at x@{team.carol}.org"

    await approvals.comment(comments, request.id, team.alice, text)
    await approvals.reject(request.id, team.bob)
    clock.advance(hours=1)
    await approvals.comment(comments, request.id, team.bob, f"done, thanks @{team.alice}.")

    listed = await approvals.comments(request.id)
    assert [(c.user, c.text, c.mentions) for c in listed] == [
        (team.alice, text, [team.bob]),
        (team.bob, f"done, thanks @{team.alice}.", [team.alice]),
    ]
    [edges] = await graph.read("testing/approvals_edges", {"id": request.id})
    assert sorted(edges["comment_authors"]) == sorted([team.alice, team.bob])
    with pytest.raises(NotFoundError, match="no user"):
        await approvals.comment(comments, request.id, f"ghost-{team.unique}", "hello")
    with pytest.raises(ChangeRequestNotFoundError):
        await approvals.comment(comments, f"cr:missing-{team.unique}", team.alice, "hello")


async def test_every_change_is_published_and_audited(
    approvals: Approvals, comments: Comments, team: Team, audit: AuditLog, events: Heard
) -> None:
    request = await open_request(approvals, team)
    await approvals.approve(request.id, team.alice)
    await approvals.comment(comments, request.id, team.bob, "ok")
    await approvals.approve(request.id, team.bob)

    assert await actions_of(events, request.id, 5) == [
        "open",
        "approve",
        "comment",
        "approve",
        "apply",
    ]
    published = events.about([request.id])
    assert {event.workspace for event in published} == {team.workspace}
    assert published[-1].payload["status"] == "applied"
    records = await audit.events()
    assert [(r.action, r.actor) for r in records] == [
        ("change_request.open", f"user:{team.requester}"),
        ("change_request.approve", f"user:{team.alice}"),
        ("change_request.comment", f"user:{team.bob}"),
        ("change_request.approve", f"user:{team.bob}"),
        ("change_request.apply", "system:approvals"),
    ]
    assert {r.target for r in records} == {f"change_request:{request.id}"}


async def test_concurrent_approvals_never_exceed_required_or_apply_twice(
    approvals: Approvals, team: Team, recorder: Recorder
) -> None:
    voters = [team.alice, team.bob, team.erin, team.carol, team.dave, team.frank]
    for _ in range(3):
        request = await open_request(approvals, team)

        outcomes = await asyncio.gather(
            *(approvals.approve(request.id, voter) for voter in voters),
            approvals.approve(request.id, team.alice),
            return_exceptions=True,
        )

        succeeded = [o for o in outcomes if isinstance(o, ChangeRequestRecord)]
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(succeeded) == 2, outcomes
        assert all(
            isinstance(o, ChangeRequestNotOpenError | DuplicateApproverError) for o in refused
        ), refused
        after = await approvals.get(request.id)
        assert after.status is ReviewStatus.APPLIED
        assert len(after.approvals) == 2
        assert len({vote.user for vote in after.approvals}) == 2
        assert recorder.calls.count(request.id) == 1


async def test_the_schema_applier_activates_a_proposed_version(
    approvals: Approvals, team: Team, graph: Graph, audit: AuditLog, unique: str
) -> None:
    table = f"approvals_{unique}"
    await graph.write("testing/approvals_proposed_version", {"table": table})
    try:
        request = await open_request(
            approvals,
            team,
            kind="schema",
            rule=ONE_EDITOR,
            payload={"table": table, "version": 2},
            target_id=f"{table}@2",
        )
        assert request.target == f"{table}@2"

        applied = await approvals.approve(request.id, team.alice)

        assert applied.status is ReviewStatus.APPLIED, applied.apply_error
        history = await version_history(graph, table)
        assert [(v.version, v.status, previous) for v, previous in history] == [
            (2, "active", 1),
            (1, "superseded", None),
        ]
        actions = [(e.action, e.target) for e in await audit.events()]
        assert ("schema.activate", f"schema:{table}@2") in actions
    finally:
        await graph.write("testing/delete_tables", {"names": [table]})


async def test_the_schema_applier_refuses_a_version_that_is_not_proposed(
    approvals: Approvals, team: Team, graph: Graph, unique: str
) -> None:
    table = f"approvals_{unique}"
    await graph.write("testing/approvals_proposed_version", {"table": table})
    try:
        active = await open_request(
            approvals, team, kind="schema", rule=ONE_EDITOR, payload={"table": table, "version": 1}
        )
        malformed = await open_request(
            approvals, team, kind="schema", rule=ONE_EDITOR, payload={"table": table}
        )

        failed = await approvals.approve(active.id, team.alice)
        bad = await approvals.approve(malformed.id, team.alice)

        assert failed.status is ReviewStatus.APPLY_FAILED
        assert failed.apply_error == (
            f"cannot apply a 'schema' change: table '{table}' has no proposed version 1"
        )
        assert bad.status is ReviewStatus.APPLY_FAILED
        assert bad.apply_error is not None
        assert "lacks or mistypes: version" in bad.apply_error
        history = await version_history(graph, table)
        assert [(v.version, v.status) for v, _ in history] == [(2, "proposed"), (1, "active")]
    finally:
        await graph.write("testing/delete_tables", {"names": [table]})


async def test_the_policy_applier_puts_the_version_in_force(
    approvals: Approvals, team: Team, graph: Graph, audit: AuditLog, unique: str
) -> None:
    name = f"approvals-{unique}"
    await graph.write("testing/approvals_policy_versions", {"name": name})
    try:
        request = await open_request(
            approvals, team, kind="policy", rule=ONE_EDITOR, payload={"name": name, "version": 2}
        )

        applied = await approvals.approve(request.id, team.alice)

        assert applied.status is ReviewStatus.APPLIED, applied.apply_error
        statuses = await graph.read("testing/approvals_policy_status", {"name": name})
        assert [(s["version"], s["status"]) for s in statuses] == [
            (1, "superseded"),
            (2, "active"),
        ]
        actions = [(e.action, e.actor) for e in await audit.events()]
        assert ("policy.activate", "system:approvals") in actions
    finally:
        await graph.write("testing/approvals_delete_policy", {"name": name})


async def grace_requests(settings: Settings, *args: str) -> Result:
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "COLUMNS": "250",
    }
    return await asyncio.to_thread(CliRunner().invoke, requests_app, list(args), env=env)


async def test_the_cli_lists_shows_decides_and_comments(
    approvals: Approvals, team: Team, settings: Settings
) -> None:
    request = await open_request(approvals, team)
    single = await open_request(approvals, team, rule=ONE_EDITOR)

    approved = await grace_requests(
        settings, "approve", request.id, "--as", team.alice, "--note", "lgtm"
    )
    assert approved.exit_code == 0, approved.output
    assert f"{request.id}: open (1/2 editor)" in approved.output
    commented = await grace_requests(
        settings, "comment", request.id, "--as", team.bob, f"hold on @{team.alice}"
    )
    assert commented.exit_code == 0, commented.output
    listed = await grace_requests(settings, "list", "--status", "open", "--kind", "test")
    assert listed.exit_code == 0, listed.output
    assert request.id in listed.output
    shown = await grace_requests(settings, "show", request.id)
    assert shown.exit_code == 0, shown.output
    assert f"approved by {team.alice}" in shown.output
    assert "lgtm" in shown.output
    assert f"{team.bob}" in shown.output
    assert f"hold on @{team.alice}" in shown.output
    assert "payload:\n  table: people\n" in shown.output  # YAML, as schemas/ are written

    rejected = await grace_requests(settings, "reject", request.id, "--as", team.bob)
    assert rejected.exit_code == 0, rejected.output
    assert f"{request.id}: rejected" in rejected.output
    refused = await grace_requests(settings, "approve", request.id, "--as", team.carol)
    assert refused.exit_code == 1
    assert isinstance(refused.exception, ChangeRequestNotOpenError)
    # The CLI registers Grace's appliers only: a "test" change has none, so applying fails.
    unapplied = await grace_requests(settings, "approve", single.id, "--as", team.alice)
    assert unapplied.exit_code == 1
    assert "apply failed" in unapplied.output
