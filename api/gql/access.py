"""What the caller of one request may see and do, asked of `governance.rbac.Authorizer`.

One `Access` per request (and per event inside a subscription): it loads the table ->
workspace map once, then answers every check from memory, the tables allowed for an action
decided once. Every resolver that returns
table-scoped data filters it here, so data the caller may not read never reaches a response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from governance.errors import AccessDeniedError
from governance.rbac import DEFAULT_WORKSPACE, Action, Authorizer, Principal, Resource
from graph.errors import GraceError
from graph.graph import Graph


class NotAuthenticatedError(GraceError):
    """The field needs a caller who proved who they are."""

    code = "unauthenticated"

    def __init__(self) -> None:
        super().__init__("authentication required: send an API key or a bearer token")


async def read_table_workspaces(graph: Graph) -> dict[str, str]:
    """Every known table and the workspace it belongs to."""
    rows = await graph.read("api/table_workspaces", {})
    return {str(row["table"]): str(row["workspace"] or DEFAULT_WORKSPACE) for row in rows}


class Access:
    """The caller's rights for one request."""

    def __init__(
        self,
        graph: Graph,
        authorizer: Authorizer,
        principal: Principal | None,
        table_map: Callable[[], Awaitable[dict[str, str]]] | None = None,
    ) -> None:
        self.graph = graph
        self.authorizer = authorizer
        self.principal = principal
        self._table_map = table_map or partial(read_table_workspaces, graph)
        """Where the table map comes from: the process's held one (`Services.access`), else
        read from the graph."""
        self._workspaces: dict[str, str] | None = None
        self._tables: dict[Action, frozenset[str]] = {}

    @property
    def authenticated(self) -> bool:
        """Whether the caller proved who they are."""
        return self.principal is not None

    def caller(self) -> Principal:
        """The principal, or `NotAuthenticatedError` for an anonymous caller."""
        if self.principal is None:
            raise NotAuthenticatedError
        return self.principal

    async def table_workspaces(self) -> dict[str, str]:
        """Every known table and the workspace it belongs to (asked once per request)."""
        if self._workspaces is None:
            self._workspaces = await self._table_map()
        return self._workspaces

    async def resource(self, table: str | None = None, workspace: str | None = None) -> Resource:
        """The resource a table (or a workspace, or the default workspace) stands for."""
        if table is not None:
            workspaces = await self.table_workspaces()
            return Resource(workspaces.get(table, DEFAULT_WORKSPACE), table)
        return Resource(workspace or DEFAULT_WORKSPACE)

    async def allowed(
        self, action: Action, *, table: str | None = None, workspace: str | None = None
    ) -> bool:
        """Whether the caller may do `action` on a table or a workspace (anonymous: never)."""
        if self.principal is None:
            return False
        resource = await self.resource(table, workspace)
        return self.authorizer.decide(self.principal, action, resource).allowed

    async def require(
        self, action: Action, *, table: str | None = None, workspace: str | None = None
    ) -> None:
        """`allowed`, raising `NotAuthenticatedError` or `AccessDeniedError` on a refusal."""
        principal = self.caller()
        resource = await self.resource(table, workspace)
        self.authorizer.require(principal, action, resource)

    async def allowed_anywhere(self, action: Action) -> bool:
        """Whether the caller may do `action` on at least one table or workspace."""
        if self.principal is None:
            return False
        workspaces = await self.table_workspaces()
        candidates = [Resource(w, t) for t, w in workspaces.items()]
        candidates += [Resource(w) for w in {*workspaces.values(), DEFAULT_WORKSPACE}]
        candidates += [Resource(w) for w in self.principal.memberships]
        return any(self.authorizer.decide(self.principal, action, r).allowed for r in candidates)

    async def tables(self, action: Action = Action.READ) -> frozenset[str]:
        """The tables on which the caller may do `action`: filter every list with it (decided
        once per action: a page of facts asks for every fact)."""
        if self.principal is None:
            return frozenset()
        allowed = self._tables.get(action)
        if allowed is None:
            principal, workspaces = self.principal, await self.table_workspaces()
            allowed = self._tables[action] = frozenset(
                table
                for table, workspace in workspaces.items()
                if self.authorizer.decide(principal, action, Resource(workspace, table)).allowed
            )
        return allowed

    def may_read_workspace(self, workspace: str = DEFAULT_WORKSPACE) -> bool:
        """Whether the caller may read all of `workspace`, beyond its tables: what belongs to
        no table (text documents, their chunks, events without a table). A membership
        restricted to some tables does not give it."""
        if self.principal is None:
            return False
        return self.authorizer.may_read_workspace(self.principal, workspace)

    def deny(self, action: Action, what: str, reason: str) -> AccessDeniedError:
        """An `AccessDeniedError` naming the caller, for a refusal decided by a resolver."""
        return AccessDeniedError(self.caller().actor, str(action), what, reason)
