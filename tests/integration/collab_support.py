"""A team that owns a table, for the notification tests and the fan-out benchmark: a team
workspace whose id is the table's `owner`, its members, and the table assigned to it."""

from __future__ import annotations

from dataclasses import dataclass

from governance.accounts import Accounts
from governance.approvals import Approvals, ChangeRequestRecord
from governance.audit import AuditLog
from governance.policy import ApprovalRule
from governance.rbac import DEFAULT_WORKSPACE, Principal, Role
from graph.events import EventBus
from graph.graph import Graph

SYSTEM = Principal.system("tests")


@dataclass(frozen=True)
class Team:
    """A team workspace, its members (ids ending in the marker) and the table it owns."""

    marker: str
    workspace: str
    table: str
    members: tuple[str, ...]


async def owned_team(
    graph: Graph,
    marker: str,
    size: int,
    *,
    role: Role = Role.EDITOR,
    audit: AuditLog | None = None,
    statement: str = "testing/collab_owned_table",
) -> Team:
    """A workspace `team-<marker>` of `size` members with `role`, owning the stand-in table
    `owned_<marker>` made by `statement` (removed by `testing/accounts_delete` with the
    marker)."""
    accounts = Accounts(graph, audit or AuditLog(graph))
    workspace, table = f"team-{marker}", f"owned_{marker}"
    await graph.write(statement, {"name": table, "owner": workspace})
    await accounts.create_workspace(workspace, name="Team", by=SYSTEM)
    await accounts.assign_table(table, workspace, by=SYSTEM)
    members = tuple(f"member{n:03d}-{marker}" for n in range(size))
    for member in members:
        await accounts.create_user(member, name=member, email=f"{member}@x.org", by=SYSTEM)
        await accounts.grant(workspace, member, role, by=SYSTEM)
    return Team(marker, workspace, table, members)


async def open_cities_request(graph: Graph, bus: EventBus) -> ChangeRequestRecord:
    """An open no-op change request on `cities` in the default workspace, one editor's vote
    away (removed by `testing/mutations_delete` with its id)."""
    return await Approvals(graph, bus, AuditLog(graph)).open(
        kind="test.noop",
        title="a change to cities",
        payload={"table": "cities"},
        requested_by="system:tests",
        workspace=DEFAULT_WORKSPACE,
        rule=ApprovalRule(required=1, role=Role.EDITOR, expires_after_hours=24),
    )
