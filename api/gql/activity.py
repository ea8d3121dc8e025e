"""Activity feeds, read from the audit log: who did what when (ingested, resolved, approved,
commented, assigned ...) on one node, or on the nodes of one workspace, filtered by what the
caller may read.

The audit log names its targets by id (`row:...`, `conflict:...`) or by kind and id
(`change_request:<id>`, `document:<id>`); a feed resolves them to nodes with the one batched
lookup mutations use (`api.gql.targets`) and shows an entry only when the caller may read
its node. A workspace feed reads at most `SCAN_LIMIT` events per page: the page may then be
short, and its cursor resumes where the scan stopped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import strawberry
from pydantic import JsonValue

from api.gql.audit_views import before_seq
from api.gql.context import GraceContext, GraceInfo
from api.gql.pagination import Connection, PageInfo, encode_cursor, page_size
from api.gql.permissions import requires, workspace_arg
from api.gql.targets import COMMENTABLE, Node, node_arg, node_loader, readable_node
from governance.accounts import as_datetime
from governance.notifications import Subject
from governance.rbac import DEFAULT_WORKSPACE, Action

SCAN_LIMIT = 2_000
"""Audit events one page of a workspace feed reads at most."""
SCAN_BATCH = 250
_PREFIXED = ("change_request:", "document:")


@strawberry.type(description="One thing someone (or Grace) did, from the audit log.")
class ActivityEntry:
    """An audit event as a feed shows it: no digests, its node resolved."""

    seq: int
    at: datetime
    actor: str
    action: str
    node_id: strawberry.ID
    node_kind: str
    table: str | None


def node_id_of(target: str) -> str:
    """The node id an audit target names (`change_request:<id>` -> `<id>`)."""
    for prefix in _PREFIXED:
        if target.startswith(prefix):
            return target[len(prefix) :]
    return target


def _entry(record: Mapping[str, Any], node: Node) -> ActivityEntry:
    at = as_datetime(record["at"])
    assert at is not None
    table = node.tables[0] if len(node.tables) == 1 else None
    return ActivityEntry(
        seq=int(record["seq"]),
        at=at,
        actor=str(record["actor"]),
        action=str(record["action"]),
        node_id=strawberry.ID(node.id),
        node_kind=node.kind,
        table=table,
    )


async def _events(
    context: GraceContext, targets: list[str] | None, before: int | None, limit: int
) -> Sequence[Mapping[str, Any]]:
    services = context.services
    params: dict[str, Any] = {
        "chain": services.audit.chain,
        "targets": targets,
        "before_seq": before,
        "limit": limit,
    }
    return await services.graph.read("collab/activity_page", params)


async def _readable(context: GraceContext, node: Node, workspace: str | None) -> bool:
    """Whether the caller may read `node` (and it belongs to `workspace`, when given)."""
    access = context.access
    workspaces = await access.table_workspaces()
    homes = {workspaces.get(t, DEFAULT_WORKSPACE) for t in node.tables}
    if not node.tables:
        home = node.workspace or DEFAULT_WORKSPACE
        return (workspace is None or home == workspace) and access.may_read_workspace(home)
    if workspace is not None and homes != {workspace}:
        return False
    readable = await access.tables(Action.READ)
    return all(t in readable for t in node.tables)


def _page(
    entries: list[ActivityEntry], has_more: bool, last_seq: int | None
) -> Connection[ActivityEntry]:
    position: list[JsonValue] = [last_seq] if last_seq is not None else []
    end = encode_cursor(position) if position else None
    return Connection(nodes=entries, page_info=PageInfo(has_next_page=has_more, end_cursor=end))


@strawberry.type
class ActivityQuery:
    """Activity feeds."""

    @strawberry.field(
        description="What happened to one reviewable node, newest first.",
        extensions=requires(Action.READ, on=node_arg("node_id", *COMMENTABLE)),
    )
    async def activity(
        self,
        info: GraceInfo,
        node_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ActivityEntry]:
        context = info.context
        node = await readable_node(context, "nodeId", str(node_id), Action.READ)
        size = page_size(first)
        subject = Subject(node.id, node.kind, DEFAULT_WORKSPACE)
        targets = sorted({node.id, subject.audit_target})
        records = await _events(context, targets, before_seq(after), size + 1)
        entries = [_entry(record, node) for record in records[:size]]
        return _page(entries, len(records) > size, entries[-1].seq if entries else None)

    @strawberry.field(
        description="What happened in a workspace, newest first: the events of the nodes you "
        "may read. A page reads a bounded stretch of the log, so it may hold fewer entries "
        "than asked while more follow.",
        extensions=requires(Action.READ, on=workspace_arg("workspace")),
    )
    async def workspace_activity(
        self, info: GraceInfo, workspace: str, first: int | None = None, after: str | None = None
    ) -> Connection[ActivityEntry]:
        context = info.context
        size = page_size(first)
        before, scanned, entries = before_seq(after), 0, list[ActivityEntry]()
        exhausted = False
        while len(entries) < size and scanned < SCAN_LIMIT:
            records = await _events(context, None, before, SCAN_BATCH)
            exhausted = len(records) < SCAN_BATCH
            ids = [node_id_of(str(r["target"])) for r in records]
            nodes = await context.loader(node_loader).load_many(ids)
            for record, node in zip(records, nodes, strict=True):
                scanned += 1
                before = int(record["seq"])
                if node is not None and await _readable(context, node, workspace):
                    entries.append(_entry(record, node))
                    if len(entries) == size:
                        break
            if exhausted:
                break
        has_more = not exhausted or len(entries) == size
        return _page(entries, has_more, before)
