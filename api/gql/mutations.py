"""The mutations of ingestion and review: uploads and re-ingestion, decisions on change
requests and conflicts, quarantine (comments are in `api.gql.comments`). Each acts through
the service that owns the change (which audits it and publishes its event), as the caller's
user (an API key acts for its owner).

Rights: uploading needs `ingest` on the default workspace, where ingestion admits files
(a file is matched to its table by the worker, so only a member of the whole workspace may
upload); re-ingesting needs `ingest` on the document's tables; deciding a change request
`approve` on its table or workspace (the request's own rules may ask for more); the other
mutations `edit` on the table of the conflict, row or request they act on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from api.gql import actors
from api.gql.arguments import MAX_NOTE_CHARS, checked_id, checked_text
from api.gql.context import GraceContext, GraceInfo
from api.gql.governance_views import ReviewStatus
from api.gql.permissions import Target, requires
from api.gql.review import ConflictStatus, sealed_values
from api.gql.targets import (
    CHANGE_REQUEST,
    CONFLICT,
    DOCUMENT,
    ROW,
    Node,
    find_node,
    node_arg,
)
from api.gql.uploads import Outcome, Uploads
from governance.approvals import ChangeRequestRecord
from governance.audit import AuditEntry
from governance.errors import NotFoundError
from governance.rbac import DEFAULT_WORKSPACE, Action
from graph.errors import GraceError
from ingest.queue import Priority, QueuedFile, enqueue_file
from ingest.watch.files import sha256_of


class FileMissingError(GraceError):
    """The file a document was read from is no longer where it was."""

    code = "file_missing"

    def __init__(self, document_id: str, path: str) -> None:
        self.document_id = document_id
        self.path = path
        super().__init__(f"the file of document {document_id!r} is gone ({path})")


@strawberry.type
class UploadedFile:
    """One file of an upload: accepted and queued (with its job), or refused with a reason."""

    name: str
    size: int
    sha256: str | None
    accepted: bool
    queued: bool = strawberry.field(
        description="False when the same content of the file was already queued."
    )
    job_id: str | None
    refusal: str | None = strawberry.field(description="A code: bad_name, too_large, ...")
    reason: str | None

    @classmethod
    def of(cls, outcome: Outcome) -> UploadedFile:
        """The GraphQL view of an outcome."""
        return cls(
            name=outcome.name,
            size=outcome.size,
            sha256=outcome.sha256,
            accepted=outcome.refusal is None,
            queued=outcome.queued,
            job_id=outcome.job_id,
            refusal=outcome.refusal.value if outcome.refusal else None,
            reason=outcome.reason,
        )


@strawberry.type
class Reingestion:
    """A document's file queued again (for its current content)."""

    document_id: str
    path: str
    sha256: str
    job_id: str
    queued: bool = strawberry.field(description="False when this content was already queued.")


@strawberry.type
class ChangeRequestDecision:
    """A change request after a decision."""

    id: str
    status: ReviewStatus
    stage: int
    approvals: int = strawberry.field(description="Approvals of the current stage.")
    required: int
    apply_error: str | None

    @classmethod
    def of(cls, request: ChangeRequestRecord) -> ChangeRequestDecision:
        """The decision's view of a request."""
        return cls(
            id=request.id,
            status=request.status,
            stage=request.stage,
            approvals=len(request.stage_approvals()),
            required=request.required,
            apply_error=request.apply_error,
        )


@strawberry.type
class ConflictChange:
    """A conflict after a decision: which rows kept the value, which had it rejected or restored."""

    id: str
    status: ConflictStatus
    kept_value: JSON | None = None
    value_redacted: bool = False
    """Whether `kept_value` is personal data the caller may not read (then it is null)."""
    kept_rows: list[str] = strawberry.field(default_factory=list)
    rejected_rows: list[str] = strawberry.field(default_factory=list)
    restored_rows: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class RowChange:
    """A row after quarantine or release; `changed` is false when it was not in the state
    the action starts from (active for quarantine, quarantined for release)."""

    id: str
    changed: bool


async def _user_and_node(
    info: GraceInfo, node_id: str, action: Action, *kinds: str, argument: str = "id"
) -> tuple[str, Node]:
    """The acting user and the node, with `action` checked on each of the node's tables."""
    context = info.context
    user = actors.acting_user(context, action)
    node = await find_node(context, argument, node_id, kinds)
    for table in node.tables:
        await context.access.require(action, table=table)
    return user, node


async def _document_file(context: GraceContext, document_id: str) -> QueuedFile:
    """The file a document was read from, hashed as it is now."""
    records = await context.services.graph.read("api/mutation_document_file", {"id": document_id})
    if not records or records[0]["kind"] != "folder":
        raise NotFoundError("file of document", document_id)
    location, relative = Path(records[0]["location"]), PurePosixPath(records[0]["path"])
    root = location.parent if len(relative.parts) > 1 else location
    path = root / relative
    try:
        sha256 = await asyncio.to_thread(sha256_of, path)
        size = path.stat().st_size
    except OSError:
        raise FileMissingError(document_id, str(relative)) from None
    return QueuedFile(path=path, root=root, sha256=sha256, size=size)


async def ingestion_workspace(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
    """The workspace ingestion admits files in (uploads are matched to tables later)."""
    return Target(workspace=DEFAULT_WORKSPACE)


@strawberry.type
class ReviewMutation:
    """Every change a person makes through the API."""

    @strawberry.mutation(
        description="Upload files (GraphQL multipart request, with the X-Grace-CSRF header) "
        "to be ingested; each is accepted and queued, or refused with a reason.",
        extensions=requires(Action.INGEST, on=ingestion_workspace),
    )
    async def upload_files(self, info: GraceInfo, files: list[Upload]) -> list[UploadedFile]:
        services = info.context.services
        actor = f"user:{actors.acting_user(info.context, Action.INGEST)}"
        uploads = Uploads(services.settings, services.queue, services.audit)
        return [UploadedFile.of(o) for o in await uploads.accept(list(files), actor)]

    @strawberry.mutation(
        description="Queue a document's file again, to ingest its current content.",
        extensions=requires(Action.INGEST, on=node_arg("document_id", DOCUMENT)),
    )
    async def reingest(self, info: GraceInfo, document_id: str) -> Reingestion:
        user, node = await _user_and_node(
            info, document_id, Action.INGEST, DOCUMENT, argument="documentId"
        )
        item = await _document_file(info.context, node.id)
        services = info.context.services
        queued = await enqueue_file(services.queue, item, Priority.URGENT)
        job_id = item.job_id
        entry = AuditEntry(
            f"user:{user}",
            "document.reingest",
            f"document:{node.id}",
            after={"sha256": item.sha256, "job": job_id},
        )
        await services.audit.append([entry])
        relative = item.path.relative_to(item.root).as_posix()
        return Reingestion(
            document_id=node.id, path=relative, sha256=item.sha256, job_id=job_id, queued=queued
        )

    @strawberry.mutation(
        description="Approve a change request; the last approval applies its change.",
        extensions=requires(Action.APPROVE, on=node_arg("id", CHANGE_REQUEST)),
    )
    async def approve_change_request(
        self, info: GraceInfo, id: str, note: str = ""
    ) -> ChangeRequestDecision:
        user, node = await _user_and_node(info, id, Action.APPROVE, CHANGE_REQUEST)
        note = checked_text("note", note, MAX_NOTE_CHARS)
        decided = await actors.approvals(info.context.services).approve(node.id, user, note)
        return ChangeRequestDecision.of(decided)

    @strawberry.mutation(
        description="Reject a change request: it closes and nothing is applied.",
        extensions=requires(Action.APPROVE, on=node_arg("id", CHANGE_REQUEST)),
    )
    async def reject_change_request(
        self, info: GraceInfo, id: str, note: str = ""
    ) -> ChangeRequestDecision:
        user, node = await _user_and_node(info, id, Action.APPROVE, CHANGE_REQUEST)
        note = checked_text("note", note, MAX_NOTE_CHARS)
        decided = await actors.approvals(info.context.services).reject(node.id, user, note)
        return ChangeRequestDecision.of(decided)

    @strawberry.mutation(
        description="Resolve an open value conflict: keep the suggested value, or that of "
        "`rowId`; the other rows have it rejected (reversible with reopenConflict).",
        extensions=requires(Action.EDIT, on=node_arg("id", CONFLICT)),
    )
    async def resolve_conflict(
        self, info: GraceInfo, id: str, row_id: str | None = None, note: str = ""
    ) -> ConflictChange:
        user, node = await _user_and_node(info, id, Action.EDIT, CONFLICT)
        note = checked_text("note", note, MAX_NOTE_CHARS)
        chosen = checked_id("rowId", row_id) if row_id is not None else None
        healer = await actors.healer(info.context.services)
        conflict = await healer.reconcile(
            node.id, actor=f"user:{user}", choose_row=chosen, note=note
        )
        values = (conflict.winner, *conflict.losers)
        kept = conflict.kept(chosen)
        rejected = sorted({row for v in values if v is not kept for row in v.rows})
        item = conflict.item
        view = await sealed_values(info.context, item.table, kept.rows)
        shown = await view.show(item.table, item.attribute, kept.value, kept.rows)
        return ConflictChange(
            id=node.id,
            status=ConflictStatus.RESOLVED,
            kept_value=cast(JSON, shown.value),
            value_redacted=shown.redacted,
            kept_rows=list(kept.rows),
            rejected_rows=rejected,
        )

    @strawberry.mutation(
        description="Close an open conflict without changing any row.",
        extensions=requires(Action.EDIT, on=node_arg("id", CONFLICT)),
    )
    async def dismiss_conflict(self, info: GraceInfo, id: str, note: str = "") -> ConflictChange:
        user, node = await _user_and_node(info, id, Action.EDIT, CONFLICT)
        note = checked_text("note", note, MAX_NOTE_CHARS)
        healer = await actors.healer(info.context.services)
        await healer.dismiss(node.id, actor=f"user:{user}", note=note)
        return ConflictChange(id=node.id, status=ConflictStatus.DISMISSED)

    @strawberry.mutation(
        description="Undo a resolution or dismissal: rejected values count again.",
        extensions=requires(Action.EDIT, on=node_arg("id", CONFLICT)),
    )
    async def reopen_conflict(self, info: GraceInfo, id: str) -> ConflictChange:
        user, node = await _user_and_node(info, id, Action.EDIT, CONFLICT)
        healer = await actors.healer(info.context.services)
        restored = await healer.reopen(node.id, actor=f"user:{user}")
        return ConflictChange(id=node.id, status=ConflictStatus.OPEN, restored_rows=restored)

    @strawberry.mutation(
        description="Quarantine an active row (reversible with releaseRow).",
        extensions=requires(Action.EDIT, on=node_arg("id", ROW)),
    )
    async def quarantine_row(self, info: GraceInfo, id: str, reason: str) -> RowChange:
        user, node = await _user_and_node(info, id, Action.EDIT, ROW)
        reason = checked_text("reason", reason, MAX_NOTE_CHARS, required=True)
        healer = await actors.healer(info.context.services)
        changed = await healer.quarantine({node.id: reason}, actor=f"user:{user}")
        return RowChange(id=node.id, changed=node.id in changed)

    @strawberry.mutation(
        description="Release a quarantined row; it is exempt from automatic quarantine after.",
        extensions=requires(Action.EDIT, on=node_arg("id", ROW)),
    )
    async def release_row(self, info: GraceInfo, id: str) -> RowChange:
        user, node = await _user_and_node(info, id, Action.EDIT, ROW)
        healer = await actors.healer(info.context.services)
        changed = await healer.release([node.id], actor=f"user:{user}")
        return RowChange(id=node.id, changed=node.id in changed)
