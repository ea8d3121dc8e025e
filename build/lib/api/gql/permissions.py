"""Every root field, mutation and subscription declares what it needs: `requires(action,
on)`, `authenticated()` or `public()`. The authorization matrix test reads these
declarations from the schema.

`on` finds the resource from the field's arguments: a table argument, a workspace argument,
a node the arguments name, or (the default) "anywhere", for lists that the resolver then
filters by `Access.tables`. The check runs before the resolver, so a refused field never
reads anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import OperationType
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from api.gql.context import GraceContext, GraceInfo
from governance.rbac import Action
from graph.errors import GraceError


@dataclass(frozen=True)
class Target:
    """What a field acts on: one table, one workspace, or anywhere the caller may act."""

    table: str | None = None
    workspace: str | None = None
    anywhere: bool = False
    by_node: bool = False
    """Found from a node id: a refusal then names neither the table nor the workspace, so
    trying ids teaches a caller nothing about what they name."""


ResourceOf = Callable[[GraceContext, Mapping[str, Any]], Awaitable[Target]]


async def anywhere(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
    """The field lists across tables; the resolver filters what the caller may see."""
    return Target(anywhere=True)


def table_arg(name: str = "table") -> ResourceOf:
    """The table named by argument `name` (anywhere when the argument is not given)."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        table = arguments.get(name)
        return Target(table=str(table)) if table is not None else Target(anywhere=True)

    return find


def workspace_arg(name: str = "workspace") -> ResourceOf:
    """The workspace named by argument `name` (the default workspace when not given)."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        workspace = arguments.get(name)
        return Target(workspace=str(workspace) if workspace is not None else None)

    return find


def optional_workspace_arg(name: str = "workspace") -> ResourceOf:
    """The workspace named by argument `name`; anywhere when it is not given (the resolver
    then filters by what the caller may read)."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        workspace = arguments.get(name)
        return Target(workspace=str(workspace)) if workspace is not None else Target(anywhere=True)

    return find


class SubscriptionsOnlyError(GraceError):
    """A query or mutation was sent over a websocket, which carries subscriptions only."""

    code = "subscriptions_only"

    def __init__(self) -> None:
        super().__init__(
            "a websocket carries subscriptions only: send queries and mutations over HTTP"
        )


def check_transport(info: GraceInfo) -> None:
    """Refuse a query or mutation sent over a websocket: its context was authenticated once,
    at `connection_init`, while HTTP requests and subscription events are checked each time."""
    if info.context.over_websocket and info.operation.operation is not OperationType.SUBSCRIPTION:
        raise SubscriptionsOnlyError


class Requires(BasePermission):
    """The caller must be allowed `action` on the resource `on` finds."""

    def __init__(self, action: Action, on: ResourceOf = anywhere) -> None:
        self.action = action
        self.on = on

    async def has_permission(self, source: Any, info: GraceInfo, **kwargs: Any) -> bool:
        check_transport(info)
        access = info.context.access
        access.caller()
        target = await self.on(info.context, kwargs)
        if target.anywhere:
            if not await access.allowed_anywhere(self.action):
                raise access.deny(self.action, "any table", "no membership allows it")
            return True
        if not await access.allowed(self.action, table=target.table, workspace=target.workspace):
            if target.by_node:
                raise access.deny(self.action, "the node", "no membership allows it")
            await access.require(self.action, table=target.table, workspace=target.workspace)
        return True


class Authenticated(BasePermission):
    """Any caller who proved who they are (fields about the caller themselves)."""

    def has_permission(self, source: Any, info: GraceInfo, **kwargs: Any) -> bool:
        check_transport(info)
        info.context.access.caller()
        return True


class Public(BasePermission):
    """Anyone may ask, authenticated or not (health only)."""

    def has_permission(self, source: Any, info: GraceInfo, **kwargs: Any) -> bool:
        check_transport(info)
        return True


def requires(action: Action, on: ResourceOf = anywhere) -> list[FieldExtension]:
    """Field extensions that check `action` on `on` before the resolver runs."""
    return [PermissionExtension(permissions=[Requires(action, on)], use_directives=False)]


def authenticated() -> list[FieldExtension]:
    """Field extensions that admit any authenticated caller (the resolver scopes the answer)."""
    return [PermissionExtension(permissions=[Authenticated()], use_directives=False)]


def public() -> list[FieldExtension]:
    """Field extensions that mark a field as open to anonymous callers."""
    return [PermissionExtension(permissions=[Public()], use_directives=False)]
