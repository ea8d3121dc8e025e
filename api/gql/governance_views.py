"""Change requests: their stages, votes, comments, target and proposed change.

A change request is visible to a caller who may read its workspace (a request in no
workspace belongs to the default one) and, when it concerns a table (its own `table`, else
its target's), that table: a table-restricted member sees only requests about its tables,
never workspace-wide ones. Lists filter in the query, so pages stay full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from api.gql.access import Access
from api.gql.context import GraceContext, GraceInfo
from api.gql.loaders import by_id
from api.gql.pagination import Connection, after_time, connection, page_size, time_position
from api.gql.permissions import Target, optional_workspace_arg, requires
from governance.approvals import Approvals, ChangeRequestRecord, CommentRecord, Stage, Vote
from governance.errors import ChangeRequestNotFoundError
from governance.rbac import DEFAULT_WORKSPACE, Action, Resource, Role
from graph.model import ReviewStatus

__all__ = ["ReviewStatus"]

strawberry.enum(ReviewStatus, description="Where a change request or a conflict stands.")
strawberry.enum(Role, description="A member's role in a workspace, in ascending power.")

TARGET_LABELS = (
    "Row",
    "Document",
    "Entity",
    "Source",
    "Schema",
    "SchemaVersion",
    "Policy",
    "Conflict",
    "Fact",
    "User",
    "Workspace",
    "TrustModel",
)
"""The labels a change request can target (`approvals/find_target`), most specific first."""


async def request_of(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
    """The workspace of the change request argument `id` names (the resolver then checks
    its table); `ChangeRequestNotFoundError` for an unknown id."""
    request = await _request(context, str(arguments["id"]))
    return Target(workspace=request.workspace or DEFAULT_WORKSPACE, by_node=True)


@dataclass(frozen=True)
class RequestScopes:
    """What change requests a caller reads: per workspace, every request (None) or only
    those about some tables."""

    workspaces: Mapping[str, frozenset[str] | None]

    @classmethod
    def of(cls, access: Access) -> RequestScopes:
        """The scopes of the caller's memberships that allow reading."""
        principal = access.caller()
        decide = access.authorizer.decide
        scopes: dict[str, frozenset[str] | None] = {}
        for workspace, membership in principal.memberships.items():
            if not decide(principal, Action.READ, Resource(workspace)).allowed:
                continue
            scopes[workspace] = (
                None
                if membership.tables is None
                else frozenset(
                    table
                    for table in membership.tables
                    if decide(principal, Action.READ, Resource(workspace, table)).allowed
                )
            )
        return cls(scopes)

    def admits(self, workspace: str | None, table: str | None) -> bool:
        """Whether a request in `workspace` about `table` (if any) is visible."""
        tables = self.workspaces.get(workspace or DEFAULT_WORKSPACE, frozenset())
        return tables is None or (table is not None and table in tables)

    def parameters(self) -> list[dict[str, Any]]:
        """`$scopes` of `api/governance_change_requests`."""
        return [
            {"workspace": workspace, "tables": None if tables is None else sorted(tables)}
            for workspace, tables in self.workspaces.items()
        ]


@strawberry.type(description="One gate of a change request.")
class ApprovalStage:
    """`required` distinct approvers holding at least `role`."""

    name: str | None
    required: int
    role: Role
    expires_after_hours: float | None

    @classmethod
    def of(cls, stage: Stage) -> ApprovalStage:
        """The view of a stage."""
        return cls(
            name=stage.name,
            required=stage.required,
            role=stage.role,
            expires_after_hours=stage.expires_after_hours,
        )


@strawberry.type(description="An approval or a rejection.")
class ChangeRequestVote:
    """Who decided, when, with which note, at which stage (0-based)."""

    user: str
    at: datetime
    note: str
    stage: int

    @classmethod
    def of(cls, vote: Vote) -> ChangeRequestVote:
        """The view of a vote."""
        return cls(user=vote.user, at=vote.at, note=vote.note, stage=vote.stage)


@strawberry.type(description="A comment on a change request.")
class ChangeRequestComment:
    """Its author, text, the users it mentions, and when."""

    id: str
    author: str
    text: str
    mentions: list[str]
    at: datetime

    @classmethod
    def of(cls, comment: CommentRecord) -> ChangeRequestComment:
        """The view of a comment."""
        return cls(
            id=comment.id,
            author=comment.user,
            text=comment.text,
            mentions=comment.mentions,
            at=comment.at,
        )


@strawberry.type(description="The node a change request targets.")
class ChangeRequestTarget:
    """Its label, id (a schema's name) and table, if it has one."""

    type: str
    id: str
    table: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> ChangeRequestTarget:
        """From a row of `api/governance_request_targets`."""
        labels = list(row["labels"])
        known = [label for label in TARGET_LABELS if label in labels]
        return cls(type=(known or labels)[0], id=str(row["target"]), table=row["table"])


@strawberry.type(description="A change that needs approval.")
class ChangeRequest:
    """A request with its stages, votes, comments and proposed change."""

    id: str
    kind: str
    title: str
    status: ReviewStatus
    requested_by: str | None = strawberry.field(
        description="A user id, or Grace itself as `system:<component>`."
    )
    workspace: str
    table: str | None = strawberry.field(description="The table the change concerns, if any.")
    stage: int = strawberry.field(description="The stage collecting approvals now (0-based).")
    required: int = strawberry.field(description="Approvals the current stage needs.")
    stages: list[ApprovalStage]
    approvals: list[ChangeRequestVote]
    rejections: list[ChangeRequestVote]
    opened_at: datetime | None
    updated_at: datetime | None
    expires_at: datetime | None
    applied_at: datetime | None
    apply_error: str | None
    payload: JSON = strawberry.field(description="The proposed change.")

    @classmethod
    def of(cls, request: ChangeRequestRecord) -> ChangeRequest:
        """The view of a stored request."""
        return cls(
            id=request.id,
            kind=request.kind,
            title=request.title,
            status=request.status,
            requested_by=request.requested_by,
            workspace=request.workspace or DEFAULT_WORKSPACE,
            table=request.table,
            stage=request.stage,
            required=request.required,
            stages=[ApprovalStage.of(stage) for stage in request.stages],
            approvals=[ChangeRequestVote.of(vote) for vote in request.approvals],
            rejections=[ChangeRequestVote.of(vote) for vote in request.rejections],
            opened_at=request.created_at,
            updated_at=request.updated_at,
            expires_at=request.expires_at,
            applied_at=request.applied_at,
            apply_error=request.apply_error,
            payload=cast(JSON, request.payload),
        )

    @strawberry.field(description="The node the request targets, if any.")
    async def target(self, info: GraceInfo) -> ChangeRequestTarget | None:
        return await info.context.loader(targets_loader).load(self.id)

    @strawberry.field(description="Comments, oldest first.")
    async def comments(self, info: GraceInfo) -> list[ChangeRequestComment]:
        comments = await info.context.loader(comments_loader).load(self.id)
        return [ChangeRequestComment.of(comment) for comment in comments]


def targets_loader(context: GraceContext) -> DataLoader[str, ChangeRequestTarget | None]:
    """The target of each change request, batched per request."""

    async def load(ids: list[str]) -> Sequence[ChangeRequestTarget | None]:
        rows = await context.services.graph.read("api/governance_request_targets", {"ids": ids})
        return by_id(rows, ids, ChangeRequestTarget.of, None)

    return DataLoader(load_fn=load)


def comments_loader(context: GraceContext) -> DataLoader[str, list[CommentRecord]]:
    """The comments on each change request, batched per request."""

    async def load(ids: list[str]) -> Sequence[list[CommentRecord]]:
        rows = await context.services.graph.read("api/governance_request_comments", {"ids": ids})
        found = {
            row["request"]: [CommentRecord.model_validate(c) for c in row["comments"]]
            for row in rows
        }
        return [found.get(one, []) for one in ids]

    return DataLoader(load_fn=load)


def requests_loader(context: GraceContext) -> DataLoader[str, ChangeRequestRecord | None]:
    """Change requests by id, every id asked together read at once (`Approvals.get_many`)."""
    services = context.services
    approvals = Approvals(services.graph, services.bus, services.audit)

    async def load(ids: list[str]) -> Sequence[ChangeRequestRecord | None]:
        found = await approvals.get_many(ids)
        return [found.get(one) for one in ids]

    return DataLoader(load_fn=load)


async def _request(context: GraceContext, request_id: str) -> ChangeRequestRecord:
    request = await context.loader(requests_loader).load(request_id)
    if request is None:
        raise ChangeRequestNotFoundError(request_id)
    return request


@strawberry.type
class GovernanceQuery:
    """Change requests."""

    @strawberry.field(
        description="Change requests the caller may read, newest first.",
        extensions=requires(Action.READ, on=optional_workspace_arg()),
    )
    async def change_requests(
        self,
        info: GraceInfo,
        status: ReviewStatus | None = None,
        workspace: str | None = None,
        kind: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ChangeRequest]:
        limit = page_size(first)
        after_at, after_id = after_time(after) or (None, None)
        scopes = RequestScopes.of(info.context.access)
        rows = await info.context.services.graph.read(
            "api/governance_change_requests",
            {
                "status": None if status is None else status.value,
                "workspace": workspace,
                "kind": kind,
                "after_at": after_at,
                "after_id": after_id,
                "scopes": scopes.parameters(),
                "default": DEFAULT_WORKSPACE,
                "limit": limit + 1,
            },
        )
        requests = [ChangeRequest.of(ChangeRequestRecord.from_record(row)) for row in rows]
        return connection(requests, limit, lambda r: time_position(r.opened_at, r.id))

    @strawberry.field(
        description="One change request the caller may read.",
        extensions=requires(Action.READ, on=request_of),
    )
    async def change_request(self, info: GraceInfo, id: strawberry.ID) -> ChangeRequest:
        access = info.context.access
        request = await _request(info.context, str(id))
        target = await info.context.loader(targets_loader).load(request.id)
        table = request.table or (target.table if target is not None else None)
        if not RequestScopes.of(access).admits(request.workspace, table):
            what = f"change request {request.id}"
            raise access.deny(Action.READ, what, "it concerns a table outside the membership")
        return ChangeRequest.of(request)
