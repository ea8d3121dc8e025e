"""What a mutation's id names, and the resource the caller needs rights on to act on it.

One batched lookup per request (`api/mutation_targets`) maps ids to the kind of node they
name and its tables. An id that names nothing, or a node of another kind, is checked
against the default workspace: a caller without rights there is refused exactly as for an
existing node it may not touch (so refusals reveal nothing), and a caller with rights gets
`not_found` from the resolver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from api.gql.access import Access
from api.gql.arguments import MAX_ID_CHARS, checked_id
from api.gql.context import GraceContext
from api.gql.permissions import ResourceOf, Target
from governance.errors import NotFoundError
from governance.notifications import Subject
from governance.rbac import DEFAULT_WORKSPACE, Action


@dataclass(frozen=True)
class Node:
    """A node a mutation acts on: its kind, its tables and (change requests) its workspace."""

    id: str
    kind: str
    tables: tuple[str, ...]
    workspace: str | None = None

    @property
    def target(self) -> Target:
        """The resource to check: its one table, else its workspace (the default if none).

        A node of several tables is checked on its workspace here and on every table by
        the resolver (`Access.require` per table)."""
        if len(self.tables) == 1:
            return Target(table=self.tables[0], workspace=self.workspace, by_node=True)
        return Target(workspace=self.workspace, by_node=True)


def node_loader(context: GraceContext) -> DataLoader[str, Node | None]:
    """The request's loader of nodes by id (one query for every id asked together)."""

    async def load(ids: list[str]) -> Sequence[Node | None]:
        records = await context.services.graph.read("api/mutation_targets", {"ids": ids})
        found = {
            str(r["id"]): Node(str(r["id"]), str(r["kind"]), tuple(r["tables"]), r["workspace"])
            for r in records
        }
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


async def find_node(
    context: GraceContext, argument: str, node_id: str, kinds: Sequence[str]
) -> Node:
    """The node `node_id` (argument `argument`) names if it is of one of `kinds`, else
    `NotFoundError`."""
    node = await context.loader(node_loader).load(checked_id(argument, node_id))
    if node is None or node.kind not in kinds:
        raise NotFoundError(" or ".join(k.replace("_", " ") for k in kinds), node_id)
    return node


def node_arg(name: str, *kinds: str) -> ResourceOf:
    """The resource of the node of one of `kinds` that argument `name` names."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        node_id = str(arguments[name])
        if len(node_id) > MAX_ID_CHARS:  # names nothing; the resolver says why
            return Target()
        node = await context.loader(node_loader).load(node_id)
        if node is None or node.kind not in kinds:
            return Target()
        return node.target

    return find


CHANGE_REQUEST = "change_request"
CONFLICT = "conflict"
ROW = "row"
DOCUMENT = "document"
FACT = "fact"
SCHEMA_VERSION = "schema_version"
COMMENTABLE = (CHANGE_REQUEST, CONFLICT, ROW, FACT, DOCUMENT, SCHEMA_VERSION)
"""The reviewable nodes that carry comment threads."""


async def subject_of(context: GraceContext, node: Node) -> Subject:
    """The node as a notification subject: its one table (None for several or none) and its
    workspace (its table's, else its own, else the default)."""
    table = node.tables[0] if len(node.tables) == 1 else None
    workspaces = await context.access.table_workspaces()
    workspace = (workspaces.get(table) if table else None) or node.workspace
    return Subject(node.id, node.kind, workspace or DEFAULT_WORKSPACE, table)


async def allowed_on(access: Access, node: Node, action: Action) -> bool:
    """Whether the caller may do `action` on `node`: on its resource (`Node.target`, what a
    field's `requires` checks) and on each of its tables."""
    target = node.target
    if not await access.allowed(action, table=target.table, workspace=target.workspace):
        return False
    for table in node.tables:
        if not await access.allowed(action, table=table):
            return False
    return True


async def readable_node(context: GraceContext, argument: str, node_id: str, action: Action) -> Node:
    """The reviewable node `node_id` names, with `action` checked as `allowed_on` does."""
    node = await find_node(context, argument, node_id, COMMENTABLE)
    if not await allowed_on(context.access, node, action):
        raise context.access.deny(action, "the node", "no membership allows it")
    return node
