"""Users, workspaces and memberships in the graph, and the `Principal` they add up to.

Shape: `(User)-[:MEMBER_OF {role, tables, pii}]->(Workspace {kind: personal | team})`;
tables belong to workspaces through `(Schema)-[:IN_WORKSPACE]->(Workspace)`, and a table in
none belongs to the team workspace `default` (created on first use). Every creating user
gets a personal workspace `personal:<user id>`, of which they are the admin.

Every change is authorized by `Authorizer` for the acting principal (`by`) and appended to
the audit log after its write. No change leaves a workspace without a full admin (role
admin, no table restriction): the statements check that under the workspace's write lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from governance.access_events import AccessChange, Publisher, publish_access_change
from governance.audit import AuditEntry, AuditLog
from governance.errors import (
    AlreadyExistsError,
    InvalidAccountFieldError,
    InvalidIdError,
    LastAdminError,
    NotFoundError,
)
from governance.rbac import (
    DEFAULT_WORKSPACE,
    INSTANCE,
    Action,
    Authorizer,
    Membership,
    Principal,
    PrincipalKind,
    Resource,
    Role,
)
from graph.graph import Graph

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
"""User and team workspace ids: lowercase letters, digits, '-' and '_'."""
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PERSONAL_PREFIX = "personal:"
DEFAULT_WORKSPACE_NAME = "Default"


def personal_workspace(user_id: str) -> str:
    """The id of a user's personal workspace (never a slug, so never a team's id)."""
    return PERSONAL_PREFIX + user_id


def as_datetime(value: Any) -> datetime | None:
    """A driver temporal value (or None) as a Python datetime."""
    if value is None:
        return None
    native = value.to_native() if hasattr(value, "to_native") else value
    if not isinstance(native, datetime):
        raise TypeError(f"expected a datetime, got {type(native).__name__}")
    return native


def check_slug(kind: str, value: str) -> str:
    """`value` if it is a valid id, else `InvalidIdError`."""
    if not SLUG.fullmatch(value):
        raise InvalidIdError(kind, value)
    return value


@dataclass(frozen=True)
class UserInfo:
    """A user as listed."""

    id: str
    name: str
    email: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class Member:
    """One member of a workspace."""

    user_id: str
    name: str
    email: str
    membership: Membership


@dataclass(frozen=True)
class WorkspaceMembers:
    """A workspace with its members, ordered by user id."""

    id: str
    name: str
    kind: str
    members: tuple[Member, ...]


def parse_membership(record: Mapping[str, Any]) -> Membership:
    """A membership from `{workspace, role, tables, pii}` as the statements return it."""
    tables = record.get("tables")
    return Membership(
        workspace=record["workspace"],
        role=Role(record["role"]),
        tables=None if tables is None else frozenset(tables),
        pii=bool(record.get("pii")),
    )


def user_principal(user_id: str, memberships: Sequence[Mapping[str, Any]]) -> Principal:
    """A user's principal from the membership maps the statements return."""
    parsed = (parse_membership(record) for record in memberships)
    return Principal(
        id=user_id,
        kind=PrincipalKind.USER,
        user_id=user_id,
        memberships={membership.workspace: membership for membership in parsed},
    )


async def load_principal(graph: Graph, user_id: str) -> Principal:
    """The user with every membership they hold now; `NotFoundError` for an unknown user."""
    rows = await graph.read("governance/principal", {"user": user_id})
    if not rows:
        raise NotFoundError("user", user_id)
    return user_principal(rows[0]["user"], rows[0]["memberships"])


class Accounts:
    """Creates users and workspaces and changes memberships, authorized and audited."""

    def __init__(
        self,
        graph: Graph,
        audit: AuditLog,
        authorizer: Authorizer | None = None,
        *,
        bus: Publisher | None = None,
    ) -> None:
        self.graph = graph
        self.audit = audit
        self.authorizer = authorizer or Authorizer()
        self.bus = bus
        """Where changes of access are published (`governance.access_events`)."""

    async def create_user(self, user_id: str, *, name: str, email: str, by: Principal) -> UserInfo:
        """Create a user and their personal workspace (an instance admin's change)."""
        check_slug("user", user_id)
        name = _required("name", name)
        email = email.strip().lower()
        if len(email) > 254 or not EMAIL.fullmatch(email):
            raise InvalidAccountFieldError("email", f"{email!r} is not an email address")
        self.authorizer.require(by, Action.ADMINISTER, INSTANCE)
        [row] = await self.graph.write(
            "governance/create_user",
            {
                "id": user_id,
                "name": name,
                "email": email,
                "workspace": personal_workspace(user_id),
                "workspace_name": f"{name} (personal)",
            },
        )
        if row["id_taken"]:
            raise AlreadyExistsError("user", "id", user_id)
        if row["email_taken"]:
            raise AlreadyExistsError("user", "email", email)
        after: JsonValue = {"name": name, "email": email, "workspace": personal_workspace(user_id)}
        await self.audit.append(
            [AuditEntry(by.actor, "user.create", f"user:{user_id}", None, after)]
        )
        return UserInfo(user_id, name, email)

    async def deactivate_user(self, user_id: str, *, by: Principal) -> bool:
        """Deactivate a user (an instance admin's change, never their own): their keys and
        tokens stop working, their history stays. False when they already were."""
        self.authorizer.require(by, Action.ADMINISTER, INSTANCE)
        if by.user_id == user_id:
            raise InvalidAccountFieldError("user", "an admin cannot deactivate themselves")
        rows = await self.graph.write(
            "governance/deactivate_user", {"id": user_id, "at": datetime.now(UTC)}
        )
        if not rows:
            raise NotFoundError("user", user_id)
        if rows[0]["already"]:
            return False
        await publish_access_change(self.bus, AccessChange.USER, f"user:{user_id}")
        await self.audit.append(
            [
                AuditEntry(
                    by.actor,
                    "user.deactivate",
                    f"user:{user_id}",
                    {"active": True},
                    {"active": False},
                )
            ]
        )
        return True

    async def users(self) -> list[UserInfo]:
        """Every user, by id."""
        rows = await self.graph.read("governance/users")
        return [
            UserInfo(row["id"], row["name"], row["email"], as_datetime(row["created_at"]))
            for row in rows
        ]

    async def create_workspace(self, workspace_id: str, *, name: str, by: Principal) -> None:
        """Create a team workspace (an instance admin's change); a user creating it (or their API
        key) is its admin."""
        check_slug("workspace", workspace_id)
        name = _required("name", name)
        self.authorizer.require(by, Action.ADMINISTER, INSTANCE)
        creator = by.user_id  # a user, or the user an API key acts for
        [row] = await self.graph.write(
            "governance/create_workspace",
            {"id": workspace_id, "name": name, "creator": creator},
        )
        if row["exists"]:
            raise AlreadyExistsError("workspace", "id", workspace_id)
        await publish_access_change(
            self.bus, AccessChange.MEMBERSHIP, f"workspace:{workspace_id}", workspace_id
        )
        after: JsonValue = {"name": name, "kind": "team", "admin": creator}
        await self.audit.append(
            [AuditEntry(by.actor, "workspace.create", f"workspace:{workspace_id}", None, after)]
        )

    async def ensure_default_workspace(self, *, by: Principal) -> None:
        """Create the default team workspace if it does not exist yet (its first use)."""
        [row] = await self.graph.write(
            "governance/ensure_workspace", {"id": DEFAULT_WORKSPACE, "name": DEFAULT_WORKSPACE_NAME}
        )
        if row["created"]:
            after: JsonValue = {"name": DEFAULT_WORKSPACE_NAME, "kind": "team", "admin": None}
            await self.audit.append(
                [
                    AuditEntry(
                        by.actor, "workspace.create", f"workspace:{DEFAULT_WORKSPACE}", None, after
                    )
                ]
            )

    async def members(self, workspace: str) -> WorkspaceMembers:
        """A workspace and its members; `NotFoundError` for an unknown workspace."""
        rows = await self.graph.read("governance/members", {"workspace": workspace})
        if not rows:
            raise NotFoundError("workspace", workspace)
        row = rows[0]
        members = sorted(
            (
                Member(
                    m["user"],
                    m["name"],
                    m["email"],
                    parse_membership({**m, "workspace": workspace}),
                )
                for m in row["members"]
            ),
            key=lambda member: member.user_id,
        )
        return WorkspaceMembers(row["workspace"], row["name"], row["kind"], tuple(members))

    async def grant(
        self,
        workspace: str,
        user_id: str,
        role: Role,
        *,
        tables: frozenset[str] | None = None,
        pii: bool = False,
        by: Principal,
    ) -> Membership:
        """Add `user_id` to `workspace`, or change their membership, as `by`.

        `tables` restricts the membership to those tables (None: every table). Demoting or
        restricting the last full admin raises `LastAdminError`.
        """
        if tables is not None and not tables:
            raise InvalidAccountFieldError("tables", "name at least one table, or none for all")
        self.authorizer.require(by, Action.ADMINISTER, Resource(workspace))
        if workspace == DEFAULT_WORKSPACE:
            await self.ensure_default_workspace(by=by)
        wanted = Membership(workspace, role, tables, pii)
        rows = await self.graph.write(
            "governance/set_membership",
            {
                "workspace": workspace,
                "user": user_id,
                "role": str(role),
                "tables": None if tables is None else sorted(tables),
                "pii": pii,
            },
        )
        if not rows:
            raise NotFoundError("workspace", workspace)
        row = rows[0]
        if not row["user_found"]:
            raise NotFoundError("user", user_id)
        if row["last_admin"]:
            raise LastAdminError(workspace, user_id)
        before = row["before"]
        if before is None or parse_membership({**before, "workspace": workspace}) != wanted:
            target = _membership_target(workspace, user_id)
            await publish_access_change(self.bus, AccessChange.MEMBERSHIP, target, workspace)
            action = "access.grant" if before is None else "access.change"
            await self.audit.append(
                [
                    AuditEntry(
                        by.actor,
                        action,
                        target,
                        _state(before),
                        _membership_state(wanted),
                    )
                ]
            )
        return wanted

    async def revoke(self, workspace: str, user_id: str, *, by: Principal) -> None:
        """Remove `user_id` from `workspace` as `by`; the last full admin cannot be removed."""
        self.authorizer.require(by, Action.ADMINISTER, Resource(workspace))
        rows = await self.graph.write(
            "governance/remove_membership", {"workspace": workspace, "user": user_id}
        )
        if not rows:
            raise NotFoundError("workspace", workspace)
        row = rows[0]
        if row["before"] is None:
            raise NotFoundError("membership", f"{user_id} in {workspace}")
        if row["last_admin"]:
            raise LastAdminError(workspace, user_id)
        target = _membership_target(workspace, user_id)
        await publish_access_change(self.bus, AccessChange.MEMBERSHIP, target, workspace)
        await self.audit.append(
            [
                AuditEntry(
                    by.actor,
                    "access.revoke",
                    target,
                    _state(row["before"]),
                    None,
                )
            ]
        )

    async def workspace_of(self, table: str) -> str:
        """The workspace a table belongs to; `NotFoundError` for an unknown table."""
        rows = await self.graph.read("governance/table_workspace", {"table": table})
        if not rows:
            raise NotFoundError("table", table)
        return str(rows[0]["workspace"] or DEFAULT_WORKSPACE)

    async def tables_of(self, workspace: str) -> frozenset[str]:
        """The tables that belong to a workspace."""
        rows = await self.graph.read(
            "governance/workspace_tables", {"workspace": workspace, "default": DEFAULT_WORKSPACE}
        )
        return frozenset(rows[0]["tables"]) if rows else frozenset()

    async def assign_table(self, table: str, workspace: str, *, by: Principal) -> None:
        """Move a table into `workspace`; `by` must administer both workspaces."""
        current = await self.workspace_of(table)
        self.authorizer.require(by, Action.ADMINISTER, Resource(current))
        self.authorizer.require(by, Action.ADMINISTER, Resource(workspace))
        if workspace == DEFAULT_WORKSPACE:
            await self.ensure_default_workspace(by=by)
        rows = await self.graph.write(
            "governance/assign_table",
            {"table": table, "workspace": workspace, "from": current, "default": DEFAULT_WORKSPACE},
        )
        if not rows:
            # The workspace is unknown, or the table moved since it was read: check again.
            if await self.workspace_of(table) == current:
                raise NotFoundError("workspace", workspace)
            await self.assign_table(table, workspace, by=by)
            return
        if current != workspace:
            await publish_access_change(self.bus, AccessChange.TABLE, f"table:{table}", workspace)
            await self.audit.append(
                [
                    AuditEntry(
                        by.actor,
                        "table.assign",
                        f"table:{table}",
                        {"workspace": current},
                        {"workspace": workspace},
                    )
                ]
            )


def _required(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidAccountFieldError(field, "must not be empty")
    return value


def _membership_target(workspace: str, user_id: str) -> str:
    return f"membership:{workspace}/{user_id}"


def _table_list(tables: Iterable[str] | None) -> list[JsonValue] | None:
    return None if tables is None else [table for table in sorted(tables)]


def _membership_state(membership: Membership) -> JsonValue:
    return {
        "role": str(membership.role),
        "tables": _table_list(membership.tables),
        "pii": membership.pii,
    }


def _state(record: Mapping[str, Any] | None) -> JsonValue:
    if record is None:
        return None
    return {
        "role": record["role"],
        "tables": _table_list(record.get("tables")),
        "pii": bool(record.get("pii")),
    }
