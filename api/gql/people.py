"""The people side of governance: the caller (`me`), users, workspaces and their members.

Who sees what:
- `me`: any authenticated caller, about themselves; their API keys as `ApiKeys.list_keys`
  allows (an API key without the administer scope may not list keys: null, with an error).
- `users`: instance admins only (administer on the default workspace).
- `workspaces`: the workspaces the caller's memberships let them read; `workspace(id)`
  needs read on it. A workspace's `tables` are those the caller may read; its `members`
  need read on it, and members' emails are shown to the workspace's admins only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from api.gql.access import NotAuthenticatedError
from api.gql.context import GraceContext, GraceInfo
from api.gql.loaders import by_id
from api.gql.pagination import Connection, after_id, connection, id_position, page_size
from api.gql.permissions import Target, authenticated, requires, workspace_arg
from governance.accounts import as_datetime
from governance.api_keys import ApiKeys, KeyInfo
from governance.errors import NotFoundError
from governance.rbac import INSTANCE, Action, Principal, Resource, Role

strawberry.enum(Role, description="A member's role in a workspace, in ascending power.")
strawberry.enum(Action, description="What a principal may do; API key scopes list these.")

Record = Mapping[str, Any]


async def instance(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
    """The instance, administered by the full admins of the default workspace."""
    return Target(workspace=INSTANCE.workspace)


@strawberry.type(description="A member of a workspace.")
class Member:
    """One member as a reader of the workspace sees them."""

    user_id: str
    name: str
    email: str | None = strawberry.field(description="Shown to the workspace's admins only.")
    role: Role
    tables: list[str] | None = strawberry.field(description="Null: every table.")
    pii: bool


@strawberry.type(description="A team workspace, or a user's personal one.")
class Workspace:
    """A workspace; its tables and members are resolved for the caller."""

    id: str
    name: str
    kind: str

    @strawberry.field(description="The tables of this workspace the caller may read.")
    async def tables(self, info: GraceInfo) -> list[str]:
        access = info.context.access
        readable = await access.tables()
        workspaces = await access.table_workspaces()
        return sorted(table for table in readable if workspaces[table] == self.id)

    @strawberry.field(
        description="The members, by user id (needs read on the workspace; emails for its "
        "admins only; a member's table restriction lists only tables the caller may read)."
    )
    async def members(self, info: GraceInfo) -> list[Member] | None:
        access = info.context.access
        await access.require(Action.READ, workspace=self.id)
        sees_emails = await access.allowed(Action.ADMINISTER, workspace=self.id)
        readable = await access.tables()
        rows = await info.context.loader(members_loader).load(self.id)
        return [
            Member(
                user_id=row["user"],
                name=row["name"],
                email=row["email"] if sees_emails else None,
                role=Role(row["role"]),
                tables=None if row["tables"] is None else sorted(set(row["tables"]) & readable),
                pii=bool(row["pii"]),
            )
            for row in rows
        ]


@strawberry.type(description="A user's place in one workspace.")
class Membership:
    """A membership with its workspace."""

    workspace: Workspace
    role: Role
    tables: list[str] | None = strawberry.field(description="Null: every table.")
    pii: bool

    @classmethod
    def of(cls, row: Record) -> Membership:
        """A membership from a row of `api/governance_memberships`."""
        tables = row["tables"]
        return cls(
            workspace=Workspace(id=row["workspace"], name=row["name"], kind=row["kind"]),
            role=Role(row["role"]),
            tables=None if tables is None else sorted(tables),
            pii=bool(row["pii"]),
        )


@strawberry.type(description="A person who uses Grace.")
class User:
    """A user as the caller themselves or an instance admin sees them."""

    id: str
    name: str
    email: str
    created_at: datetime | None

    @classmethod
    def of(cls, row: Record) -> User:
        """A user from a row of `api/governance_users` or `api/governance_users_by_id`."""
        return cls(
            id=row["id"],
            name=row["name"],
            email=row["email"],
            created_at=as_datetime(row["created_at"]),
        )

    @strawberry.field(description="The user's workspace memberships, by workspace id.")
    async def memberships(self, info: GraceInfo) -> list[Membership]:
        rows = await info.context.loader(memberships_loader).load(self.id)
        return [Membership.of(row) for row in rows]


@strawberry.type(description="An API key as listed: never its secret nor its hash.")
class ApiKey:
    """One of the caller's API keys."""

    id: str
    name: str
    scopes: list[Action] | None = strawberry.field(description="Null: all the owner's rights.")
    created_at: datetime | None
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: KeyInfo) -> ApiKey:
        """The listed form of a key."""
        return cls(
            id=key.id,
            name=key.name,
            scopes=None if key.scopes is None else sorted(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(description="The authenticated caller.")
class Me:
    """Who is calling, through which credential, with which rights."""

    user: User
    actor: str = strawberry.field(description="How the audit log names the caller.")
    scopes: list[Action] | None = strawberry.field(
        description="The actions the API key in use is narrowed to; null: no narrowing."
    )

    @strawberry.field(
        description="The caller's API keys, oldest first (null, with an error, for an API key "
        "without the administer scope)."
    )
    async def api_keys(self, info: GraceInfo) -> list[ApiKey] | None:
        services = info.context.services
        keys = ApiKeys(services.graph, services.audit, services.authorizer)
        listed = await keys.list_keys(self.user.id, by=info.context.access.caller())
        return [ApiKey.of(key) for key in listed]


def memberships_loader(context: GraceContext) -> DataLoader[str, list[Record]]:
    """Each user's memberships (with workspace names), batched per request."""
    return _batched_lists(context, "api/governance_memberships", "users", "user", "memberships")


def members_loader(context: GraceContext) -> DataLoader[str, list[Record]]:
    """Each workspace's members, batched per request."""
    return _batched_lists(
        context, "api/governance_workspace_members", "workspaces", "workspace", "members"
    )


def users_loader(context: GraceContext) -> DataLoader[str, Record | None]:
    """Users by id, batched per request."""
    return _batched_rows(context, "api/governance_users_by_id")


def workspaces_loader(context: GraceContext) -> DataLoader[str, Record | None]:
    """Workspaces by id, batched per request."""
    return _batched_rows(context, "api/governance_workspaces")


def _batched_lists(
    context: GraceContext, name: str, param: str, key: str, values: str
) -> DataLoader[str, list[Record]]:
    """A loader reading `{key, values}` rows of `name` (given `$param`: the keys) as lists."""

    async def load(keys: list[str]) -> Sequence[list[Record]]:
        rows = await context.services.graph.read(name, {param: keys})
        found = {row[key]: list(row[values]) for row in rows}
        return [found.get(one, []) for one in keys]

    return DataLoader(load_fn=load)


def _batched_rows(context: GraceContext, name: str) -> DataLoader[str, Record | None]:
    """A loader reading one row per `id` of `name` (given `$ids`); None for an unknown id."""

    async def load(ids: list[str]) -> Sequence[Record | None]:
        rows = await context.services.graph.read(name, {"ids": ids})
        return by_id(rows, ids, lambda row: row, None)

    return DataLoader(load_fn=load)


def _user_of(principal: Principal) -> str:
    """The user a caller is, or acts for through an API key (Grace itself is no user)."""
    if principal.user_id is None:
        raise NotAuthenticatedError
    return principal.user_id


@strawberry.type
class PeopleQuery:
    """The caller, users and workspaces."""

    @strawberry.field(
        description="The caller: their user, memberships and API keys.",
        extensions=authenticated(),
    )
    async def me(self, info: GraceInfo) -> Me:
        principal = info.context.access.caller()
        user_id = _user_of(principal)
        row = await info.context.loader(users_loader).load(user_id)
        if row is None:
            raise NotFoundError("user", user_id)
        scopes = None if principal.scopes is None else sorted(principal.scopes)
        return Me(user=User.of(row), actor=principal.actor, scopes=scopes)

    @strawberry.field(
        description="Every user, by id (instance admins only).",
        extensions=requires(Action.ADMINISTER, on=instance),
    )
    async def users(
        self, info: GraceInfo, first: int | None = None, after: str | None = None
    ) -> Connection[User]:
        limit = page_size(first)
        graph = info.context.services.graph
        rows = await graph.read(
            "api/governance_users", {"after": after_id(after) or None, "limit": limit + 1}
        )

        async def count() -> int:
            [record] = await graph.read("api/governance_user_count", {})
            return int(record["total"])

        return connection([User.of(row) for row in rows], limit, id_position, count)

    @strawberry.field(
        description="The workspaces the caller is a member of and may read, by id.",
        extensions=requires(Action.READ),
    )
    async def workspaces(self, info: GraceInfo) -> list[Workspace]:
        access = info.context.access
        principal = access.caller()
        rows = await info.context.loader(memberships_loader).load(_user_of(principal))
        return [
            Membership.of(row).workspace
            for row in rows
            if access.authorizer.decide(principal, Action.READ, Resource(row["workspace"])).allowed
        ]

    @strawberry.field(
        description="One workspace the caller may read (null when it does not exist).",
        extensions=requires(Action.READ, on=workspace_arg("id")),
    )
    async def workspace(self, info: GraceInfo, id: strawberry.ID) -> Workspace | None:
        row = await info.context.loader(workspaces_loader).load(str(id))
        if row is None:
            return None
        return Workspace(id=row["id"], name=row["name"], kind=row["kind"])
