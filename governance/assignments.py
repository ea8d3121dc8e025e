"""Review assignments: an open conflict or change request given to a person or to a role,
with a due date from policy, and each person's queue of what waits for them.

One `Assignment` per node (`(Assignment)-[:OF]->(node)`, `(Assignment)-[:TO]->(User)` when
given to a person); assigning again reassigns. Due dates: a change request is due when its
current stage expires (the approvals policy of its kind); a conflict after the
`expires_after_hours` of the approvals policy's `review` kind (its default rule when the
kind is not declared). Every assignment is audited and notifies its assignee(s) who may read
the node. The queue lists open nodes only, oldest assignment first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import JsonValue

from governance.accounts import Accounts, as_datetime
from governance.audit import AuditEntry, AuditLog
from governance.errors import NotFoundError
from governance.notifications import NotificationKind, Notifier, Subject
from governance.policy_store import active_policy_set
from governance.rbac import Principal, Role, role_at_least
from graph.errors import GraceError
from graph.graph import Graph

REVIEW_KIND = "review"
"""The approvals-policy kind whose `expires_after_hours` sets when a conflict is due."""
ASSIGNABLE = frozenset({"conflict", "change_request"})


class AssigneeError(GraceError):
    """An assignment names nobody, both a person and a role, or a person who may not read
    what they would review."""

    code = "invalid_assignee"

    def __init__(self, problem: str) -> None:
        super().__init__(problem)


@dataclass(frozen=True)
class AssignmentRecord:
    """One assignment: what, to whom, by whom, since when, due when."""

    id: str
    node: str
    node_kind: str
    table: str | None
    workspace: str
    user: str | None
    role: Role | None
    assigned_by: str
    assigned_at: datetime
    due_at: datetime | None
    note: str

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> AssignmentRecord:
        """An assignment from a `collab/queue_page` or `collab/assignment_get` record."""
        assigned = as_datetime(record["assigned_at"])
        assert assigned is not None
        return cls(
            id=record["id"],
            node=record["node"],
            node_kind=record["node_kind"],
            table=record["table"],
            workspace=record["workspace"],
            user=record["user"],
            role=Role(record["role"]) if record["role"] else None,
            assigned_by=record["assigned_by"],
            assigned_at=assigned,
            due_at=as_datetime(record["due_at"]),
            note=record["note"] or "",
        )


def roles_satisfied(principal: Principal) -> list[dict[str, JsonValue]]:
    """Per workspace, the roles whose assignments reach `principal` (theirs and those below)."""
    return [
        {
            "workspace": workspace,
            "roles": [r.value for r in Role if role_at_least(membership.role, r)],
        }
        for workspace, membership in sorted(principal.memberships.items())
    ]


class Assignments:
    """Assigns reviews, audited and notified, and reads queues."""

    def __init__(self, graph: Graph, audit: AuditLog, notifier: Notifier) -> None:
        self._graph = graph
        self._audit = audit
        self._notifier = notifier

    async def assign(
        self,
        subject: Subject,
        *,
        by: str,
        user: str | None = None,
        role: Role | None = None,
        note: str = "",
        now: datetime | None = None,
    ) -> AssignmentRecord:
        """Give `subject` (an open conflict or change request) to `user` or to `role`."""
        if (user is None) == (role is None):
            raise AssigneeError("assign to exactly one of a user or a role")
        if subject.kind not in ASSIGNABLE:
            raise NotFoundError("conflict or change request", subject.id)
        if user is not None:
            found = await self._notifier.recipients([user])
            if not found:
                raise NotFoundError("user", user)
            if not self._notifier.may_read(found[0], subject):
                raise AssigneeError(f"user {user!r} may not read {subject.id}")
        at = now or datetime.now(UTC)
        records = await self._graph.write(
            "collab/assignment_set",
            {
                "id": f"assignment:{subject.id}",
                "node": subject.id,
                "kind": subject.kind,
                "table": subject.table,
                "workspace": subject.workspace,
                "user": user,
                "role": role.value if role else None,
                "by": by,
                "at": at,
                "due_at": await self._due(subject, at),
                "note": note,
            },
        )
        if not records:
            raise NotFoundError(subject.kind.replace("_", " "), subject.id)
        before = records[0]["before"]
        after: dict[str, JsonValue] = {"user": user, "role": role.value if role else None}
        action = "assignment.reassign" if before else "assignment.create"
        await self._audit.append([AuditEntry(by, action, subject.audit_target, before, after)])
        await self._tell(subject, by, user, role)
        return await self.get(subject.id)

    async def get(self, node: str) -> AssignmentRecord:
        """The assignment of `node`, or `NotFoundError`."""
        records = await self._graph.read("collab/assignment_get", {"node": node})
        if not records:
            raise NotFoundError("assignment of", node)
        return AssignmentRecord.of(records[0])

    async def queue(
        self,
        principal: Principal,
        *,
        limit: int,
        after: tuple[datetime, str] | None,
        tables: Sequence[str],
        workspaces: Sequence[str],
    ) -> list[AssignmentRecord]:
        """Up to `limit` open reviews assigned to `principal` or their roles, oldest first,
        about `tables` or (about no table) the whole of `workspaces`."""
        records = await self._graph.read(
            "collab/queue_page",
            {
                "user": principal.user_id,
                "roles": roles_satisfied(principal),
                "tables": list(tables),
                "workspaces": list(workspaces),
                "limit": limit,
                "after_at": after[0] if after else None,
                "after_id": after[1] if after else None,
            },
        )
        return [AssignmentRecord.of(record) for record in records]

    async def _due(self, subject: Subject, at: datetime) -> datetime | None:
        if subject.kind == "change_request":
            records = await self._graph.read("approvals/get_many", {"ids": [subject.id]})
            return as_datetime(records[0]["request"].get("expires_at")) if records else None
        policies = await active_policy_set(self._graph)
        hours = policies.approval_rule(REVIEW_KIND).expires_after_hours
        return at + timedelta(hours=hours) if hours is not None else None

    async def _tell(self, subject: Subject, by: str, user: str | None, role: Role | None) -> None:
        if user is not None:
            users = [user]
        else:
            assert role is not None
            members = (await Accounts(self._graph, self._audit).members(subject.workspace)).members
            users = [m.user_id for m in members if m.membership.role is role]
        assignee = user or f"the {role} role"
        await self._notifier.notify(
            NotificationKind.ASSIGNMENT,
            subject,
            users,
            message=f"{subject.id} was assigned to {assignee}",
            actor=by,
        )
