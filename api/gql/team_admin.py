"""Team administration in GraphQL, with the rules of the CLI (`governance.accounts`,
`governance.api_keys` decide and audit every change): users created and deactivated and team
workspaces created by instance admins; memberships granted and revoked by the admins of
their workspace only (an admin of one workspace cannot touch another); API keys created and
rotated by their owner (the secret shown once, in the answer), revoked by their owner or an
instance admin.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.gql.arguments import checked_id
from api.gql.context import GraceInfo
from api.gql.people import Membership, User, Workspace, instance
from api.gql.permissions import authenticated, requires, workspace_arg
from governance.accounts import Accounts
from governance.api_keys import ApiKeys, IssuedKey
from governance.rbac import Action, Role


@strawberry.type(description="A new API key and its secret token, shown this once.")
class IssuedApiKey:
    """The token is returned here only; Grace stores its hash."""

    id: str
    token: str = strawberry.field(
        description="Send as `Authorization: Bearer ...`; not shown again."
    )

    @classmethod
    def of(cls, issued: IssuedKey) -> IssuedApiKey:
        """The answer for a key just issued."""
        return cls(id=issued.id, token=issued.token.get_secret_value())


def _accounts(info: GraceInfo) -> Accounts:
    services = info.context.services
    return Accounts(services.graph, services.audit, services.authorizer, bus=services.access_bus)


def _keys(info: GraceInfo) -> ApiKeys:
    services = info.context.services
    return ApiKeys(services.graph, services.audit, services.authorizer, bus=services.access_bus)


@strawberry.type
class TeamAdminMutation:
    """Users, workspaces, memberships and API keys."""

    @strawberry.mutation(
        description="Create a user with their personal workspace (instance admins).",
        extensions=requires(Action.ADMINISTER, on=instance),
    )
    async def create_user(self, info: GraceInfo, id: str, name: str, email: str) -> User:
        by = info.context.access.caller()
        created = await _accounts(info).create_user(
            checked_id("id", id), name=name, email=email, by=by
        )
        return User(id=created.id, name=created.name, email=created.email, created_at=None)

    @strawberry.mutation(
        description="Deactivate a user: their keys and tokens stop working (instance admins). "
        "False when they already were.",
        extensions=requires(Action.ADMINISTER, on=instance),
    )
    async def deactivate_user(self, info: GraceInfo, id: str) -> bool:
        by = info.context.access.caller()
        return await _accounts(info).deactivate_user(checked_id("id", id), by=by)

    @strawberry.mutation(
        description="Create a team workspace; the creator is its admin (instance admins).",
        extensions=requires(Action.ADMINISTER, on=instance),
    )
    async def create_workspace(self, info: GraceInfo, id: str, name: str) -> Workspace:
        by = info.context.access.caller()
        await _accounts(info).create_workspace(checked_id("id", id), name=name, by=by)
        return Workspace(id=id, name=name, kind="team")

    @strawberry.mutation(
        description="Grant a user a role in a workspace, optionally on some tables only, or "
        "change their membership (the workspace's admins).",
        extensions=requires(Action.ADMINISTER, on=workspace_arg("workspace")),
    )
    async def grant_membership(
        self,
        info: GraceInfo,
        workspace: str,
        user: str,
        role: Role,
        tables: list[str] | None = None,
        pii: bool = False,
    ) -> Membership:
        by = info.context.access.caller()
        restricted = (
            frozenset(checked_id("tables", t) for t in tables) if tables is not None else None
        )
        granted = await _accounts(info).grant(
            checked_id("workspace", workspace),
            checked_id("user", user),
            role,
            tables=restricted,
            pii=pii,
            by=by,
        )
        place = Workspace(id=workspace, name=workspace, kind="")
        listed = None if granted.tables is None else sorted(granted.tables)
        return Membership(workspace=place, role=granted.role, tables=listed, pii=granted.pii)

    @strawberry.mutation(
        description="Remove a user from a workspace (the workspace's admins; never its last "
        "full admin).",
        extensions=requires(Action.ADMINISTER, on=workspace_arg("workspace")),
    )
    async def revoke_membership(self, info: GraceInfo, workspace: str, user: str) -> bool:
        by = info.context.access.caller()
        await _accounts(info).revoke(
            checked_id("workspace", workspace), checked_id("user", user), by=by
        )
        return True

    @strawberry.mutation(
        description="Create an API key acting for you, narrowed to `scopes` when given; the "
        "token is in this answer only.",
        extensions=authenticated(),
    )
    async def create_api_key(
        self,
        info: GraceInfo,
        name: str,
        scopes: list[Action] | None = None,
        expires_at: datetime | None = None,
    ) -> IssuedApiKey:
        principal = info.context.access.caller()
        if principal.user_id is None:
            raise info.context.access.deny(Action.ADMINISTER, "keys", "only a user has keys")
        issued = await _keys(info).create_key(
            principal.user_id,
            name=name[:200],
            scopes=frozenset(scopes) if scopes is not None else None,
            expires_at=expires_at,
            by=principal,
        )
        return IssuedApiKey.of(issued)

    @strawberry.mutation(
        description="A new secret for one of your keys: the old token stops working at once; "
        "the new one is in this answer only.",
        extensions=authenticated(),
    )
    async def rotate_api_key(self, info: GraceInfo, id: str) -> IssuedApiKey:
        by = info.context.access.caller()
        return IssuedApiKey.of(await _keys(info).rotate(checked_id("id", id), by=by))

    @strawberry.mutation(
        description="Revoke an API key for good (its owner, or an instance admin).",
        extensions=authenticated(),
    )
    async def revoke_api_key(self, info: GraceInfo, id: str) -> bool:
        by = info.context.access.caller()
        await _keys(info).revoke(checked_id("id", id), by=by)
        return True
