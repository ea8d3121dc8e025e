"""Change requests with N-of-M approval: open, approve, reject, comment, expire, apply.

A request passes one or more stages, each an `ApprovalRule`: `required` distinct people,
each holding at least `role` in the request's workspace (and allowed to approve by
`Authorizer`). The requester never approves their own request and nobody approves twice.
When the last stage has its approvals the request is approved and the applier registered
for its kind runs once: success makes it applied, a failure apply_failed with the error.
One rejection rejects it and nothing is applied. A request past its expiry is expired.

Every decision is one write transaction that first takes the request's write lock, then
reads its state and checks the rules, then writes: two concurrent decisions are checked
one after the other, so they can neither count one person twice nor pass the threshold
twice. Every change publishes `change_request.updated` and appends an audit entry.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, model_validator

from governance.accounts import Accounts
from governance.audit import AuditEntry, AuditLog
from governance.comments import CommentRecord as ThreadComment
from governance.comments import Comments
from governance.errors import (
    ApplyError,
    ChangeRequestExpiredError,
    ChangeRequestNotFoundError,
    ChangeRequestNotOpenError,
    ChangeRequestTargetNotFoundError,
    DuplicateApproverError,
    InsufficientRoleError,
    NotFoundError,
    SelfApprovalError,
)
from governance.notifications import Subject
from governance.policy import ApprovalRule
from governance.rbac import (
    DEFAULT_WORKSPACE,
    Action,
    Authorizer,
    Membership,
    Principal,
    PrincipalKind,
    Resource,
    Role,
    role_at_least,
)
from graph.errors import EventBusError, GraceError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph, GraphTransaction
from graph.model import ReviewStatus, Timestamp

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:approvals"
"""How the audit log names Grace when it expires or applies a request."""
DEFAULT_LIMIT = 100


def _json(value: Any) -> Any:
    """Maps and lists are stored as JSON strings (Neo4j properties cannot hold maps)."""
    return json.loads(value) if isinstance(value, str) else value


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Stage(BaseModel):
    """One gate of a request: `required` distinct approvers of at least `role`."""

    model_config = ConfigDict(frozen=True)

    required: int = Field(ge=1)
    role: Role
    expires_after_hours: float | None = None
    name: str | None = None

    @classmethod
    def of(cls, rule: ApprovalRule) -> Stage:
        """The stage an approval rule describes."""
        return cls(
            required=rule.required,
            role=rule.role,
            expires_after_hours=rule.expires_after_hours,
            name=rule.stage,
        )

    def expiry(self, opened: datetime) -> datetime | None:
        """When a stage opened at `opened` expires (None: never)."""
        if self.expires_after_hours is None:
            return None
        return opened + timedelta(hours=self.expires_after_hours)


class Vote(BaseModel):
    """One approval or rejection: who, when, with which note, at which stage."""

    model_config = ConfigDict(frozen=True)

    user: str
    at: Timestamp
    note: str = ""
    stage: int = 0


class CommentRecord(BaseModel):
    """A comment on a request, with the users it mentions."""

    model_config = ConfigDict(frozen=True)

    id: str
    user: str
    text: str
    at: Timestamp
    mentions: list[str] = Field(default_factory=list)


class ChangeRequestRecord(BaseModel):
    """A change request as stored, with its approvals and rejections.

    `required` and `role` are those of the current stage (`stages[stage]`).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    kind: str
    title: str = ""
    payload: Annotated[dict[str, JsonValue], BeforeValidator(_json)] = Field(default_factory=dict)
    status: ReviewStatus
    required: int
    role: Role
    stage: int = 0
    stages: Annotated[list[Stage], BeforeValidator(_json)]
    approvals: list[Vote] = Field(default_factory=list)
    rejections: list[Vote] = Field(default_factory=list)
    requested_by: str | None = None
    workspace: str | None = None
    table: str | None = None
    target: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    expires_at: Timestamp | None = None
    applied_at: Timestamp | None = None
    apply_error: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_stage(cls, data: Any) -> Any:
        """A request stored without stages (opened by ingestion) has one: its own rule.

        Without a stored role, only admins may decide it.
        """
        if isinstance(data, dict):
            role = data.get("role") or Role.ADMIN
            data = {**data, "role": role}
            if data.get("stages") is None:
                data["stages"] = [{"required": data.get("required", 1), "role": role}]
        return data

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Parse a record of `approvals/get` or `approvals/list`."""
        targets = record.get("targets") or []
        return cls.model_validate(
            {
                **record["request"],
                "approvals": record["approvals"],
                "rejections": record["rejections"],
                "target": targets[0] if targets else None,
            }
        )

    @property
    def current_stage(self) -> Stage:
        """The stage collecting approvals now (the last one once decided)."""
        return self.stages[min(self.stage, len(self.stages) - 1)]

    def stage_approvals(self) -> list[Vote]:
        """The approvals the current stage has."""
        return [vote for vote in self.approvals if vote.stage == self.stage]

    def expired_at(self, now: datetime) -> bool:
        """Whether the request's expiry has passed at `now`."""
        return self.expires_at is not None and self.expires_at <= now

    def summary(self) -> dict[str, JsonValue]:
        """The state the audit log digests and events carry."""
        return {
            "status": self.status.value,
            "stage": self.stage,
            "required": self.required,
            "approvals": [vote.user for vote in self.approvals],
            "rejections": [vote.user for vote in self.rejections],
        }


Applier = Callable[[ChangeRequestRecord], Awaitable[None]]
"""Applies an approved request's change, in one transaction of its own."""
Records = list[ChangeRequestRecord]


def after_approval(request: ChangeRequestRecord, now: datetime) -> dict[str, Any]:
    """The properties one more approval changes: the next stage opens, or it is approved."""
    changes: dict[str, Any] = {"updated_at": now}
    if len(request.stage_approvals()) + 1 < request.current_stage.required:
        return changes
    following = request.stage + 1
    if following < len(request.stages):
        stage = request.stages[following]
        return {
            **changes,
            "stage": following,
            "required": stage.required,
            "role": stage.role.value,
            "expires_at": stage.expiry(now),
        }
    return {**changes, "status": ReviewStatus.APPROVED.value, "approved_at": now}


def is_system(requested_by: str) -> bool:
    """Whether a requester is Grace itself (`system:<component>`) rather than a user id."""
    return requested_by.startswith("system:")


def actor_of(requested_by: str) -> str:
    """The audit actor of a requester: `user:<id>`, or the system actor as given."""
    return requested_by if is_system(requested_by) else f"user:{requested_by}"


@dataclass(frozen=True)
class _Change:
    """What one transaction did to a request."""

    action: str
    before: ChangeRequestRecord | None
    after: ChangeRequestRecord


class Approvals:
    """Opens change requests and carries them through approval to their change."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        audit: AuditLog,
        appliers: Mapping[str, Applier] | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._audit = audit
        self._appliers = dict(appliers or {})
        self._clock = clock
        self._authorizer = Authorizer()

    async def open(
        self,
        *,
        kind: str,
        title: str,
        payload: dict[str, JsonValue],
        requested_by: str,
        workspace: str,
        rule: ApprovalRule,
        target_id: str | None = None,
        stages: Sequence[ApprovalRule] | None = None,
    ) -> ChangeRequestRecord:
        """Open a request; `stages`, when given, is the whole gate and starts with `rule`.

        `requested_by` is an existing user's id, or a system actor such as `system:ingest`.
        A table the change concerns is read from `payload["table"]`.
        """
        gate = [Stage.of(stage) for stage in (stages or [rule])]
        if gate[0] != Stage.of(rule):
            raise ValueError("`stages` must start with `rule`")
        if workspace == DEFAULT_WORKSPACE:  # created on first use, perhaps before any admin
            accounts = Accounts(self._graph, self._audit)
            await accounts.ensure_default_workspace(by=Principal.system("approvals"))
        now = self._clock()
        request_id = f"cr:{uuid.uuid4().hex}"
        table = payload.get("table")
        request = {
            "id": request_id,
            "kind": kind,
            "title": title,
            "payload": json.dumps(payload, sort_keys=True),
            "status": ReviewStatus.OPEN.value,
            "required": gate[0].required,
            "role": gate[0].role.value,
            "stage": 0,
            "stages": json.dumps([stage.model_dump(mode="json") for stage in gate]),
            "requested_by": requested_by,
            "workspace": workspace,
            "table": table if isinstance(table, str) else None,
            "created_at": now,
            "updated_at": now,
            "expires_at": gate[0].expiry(now),
        }

        async def work(tx: GraphTransaction) -> _Change:
            target = None
            if target_id is not None:
                found = await tx.run("approvals/find_target", {"id": target_id})
                if not found:
                    raise ChangeRequestTargetNotFoundError(target_id)
                target = found[0]["element"]
            created = await tx.run("approvals/create", {"request": request, "target": target})
            if not created:
                raise NotFoundError("workspace", workspace)
            if not created[0]["requester_found"] and not is_system(requested_by):
                raise NotFoundError("user", requested_by)
            return _Change("open", None, await _read(tx, request_id))

        change = await self._graph.transaction(work)
        await self._record(change, actor_of(requested_by))
        return change.after

    async def approve(self, request_id: str, user_id: str, note: str = "") -> ChangeRequestRecord:
        """Approve as `user_id`; the last approval of the last stage applies the change."""
        now = self._clock()

        async def work(tx: GraphTransaction) -> _Change:
            request = await _locked(tx, request_id)
            if expired := await _expire_if_due(tx, request, now):
                return expired
            if user_id == request.requested_by:
                raise SelfApprovalError(request_id, user_id)
            if any(vote.user == user_id for vote in request.approvals):
                raise DuplicateApproverError(request_id, user_id)
            await self._check_role(tx, request, user_id, "approve")
            changes = after_approval(request, now)
            await tx.run(
                "approvals/record_approval",
                {
                    "id": request_id,
                    "user": user_id,
                    "at": now,
                    "note": note,
                    "stage": request.stage,
                    "ordinal": len(request.approvals),
                    "changes": changes,
                },
            )
            return _Change("approve", request, await _read(tx, request_id))

        change = await self._decide(work, f"user:{user_id}")
        if change.after.status is ReviewStatus.APPROVED:
            return await self._apply(change.after)
        return change.after

    async def reject(self, request_id: str, user_id: str, note: str = "") -> ChangeRequestRecord:
        """Reject as `user_id` (who needs the current stage's role): nothing is applied."""
        now = self._clock()

        async def work(tx: GraphTransaction) -> _Change:
            request = await _locked(tx, request_id)
            if expired := await _expire_if_due(tx, request, now):
                return expired
            await self._check_role(tx, request, user_id, "reject")
            changes = {"status": ReviewStatus.REJECTED.value, "updated_at": now, "rejected_at": now}
            await tx.run(
                "approvals/record_rejection",
                {
                    "id": request_id,
                    "user": user_id,
                    "at": now,
                    "note": note,
                    "stage": request.stage,
                    "ordinal": len(request.rejections),
                    "changes": changes,
                },
            )
            return _Change("reject", request, await _read(tx, request_id))

        return (await self._decide(work, f"user:{user_id}")).after

    async def comment(
        self,
        comments: Comments,
        request_id: str,
        user_id: str,
        text: str,
        *,
        reply_to: str | None = None,
    ) -> ThreadComment:
        """Comment on a request in any status, or reply in one of its threads, through the
        process's one `comments` (which audits it and notifies the `@user`s mentioned over
        its notifier and channels), published as a `comment` action."""
        request = await self.get(request_id)
        workspace = request.workspace or DEFAULT_WORKSPACE
        subject = Subject(request.id, "change_request", workspace, request.table)
        written = await comments.create(subject, user_id, text, reply_to=reply_to)
        note: dict[str, JsonValue] = {"comment": written.id, "mentions": list(written.mentions)}
        await self._publish(request, "comment", f"user:{user_id}", note)
        return written

    async def expire_due(self, now: datetime | None = None) -> int:
        """Mark every open request past its expiry as expired; returns how many."""
        moment = now or self._clock()
        due = await self._graph.read("approvals/due", {"now": moment})
        expired = 0
        for record in due:
            request_id: str = record["id"]

            async def work(tx: GraphTransaction, request_id: str = request_id) -> _Change | None:
                request = await _locked(tx, request_id)
                if request.status is not ReviewStatus.OPEN:
                    return None
                return await _expire_if_due(tx, request, moment)

            change = await self._graph.transaction(work)
            if change is not None:
                await self._record(change, SYSTEM_ACTOR)
                expired += 1
        return expired

    async def get(self, request_id: str) -> ChangeRequestRecord:
        """One request, or `ChangeRequestNotFoundError`."""
        found = await self.get_many([request_id])
        if request_id not in found:
            raise ChangeRequestNotFoundError(request_id)
        return found[request_id]

    async def get_many(self, request_ids: Sequence[str]) -> dict[str, ChangeRequestRecord]:
        """The requests of `request_ids` that exist, by id, in one read."""
        records = await self._graph.read("approvals/get_many", {"ids": list(request_ids)})
        requests = (ChangeRequestRecord.from_record(record) for record in records)
        return {request.id: request for request in requests}

    async def comments(self, request_id: str) -> list[CommentRecord]:
        """The comments on a request, oldest first."""
        records = await self._graph.read("approvals/comments", {"id": request_id})
        return [CommentRecord.model_validate(record) for record in records]

    async def list(
        self,
        status: ReviewStatus | None = None,
        kind: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> Records:
        """Requests by status and kind (each optional), newest first."""
        records = await self._graph.read(
            "approvals/list",
            {"status": status.value if status else None, "kind": kind, "limit": limit},
        )
        return [ChangeRequestRecord.from_record(record) for record in records]

    async def _decide(
        self, work: Callable[[GraphTransaction], Awaitable[_Change]], actor: str
    ) -> _Change:
        """Run a decision; an expired request is recorded as such, then refused."""
        change = await self._graph.transaction(work)
        if change.action == "expire":
            await self._record(change, SYSTEM_ACTOR)
            expires_at = change.after.expires_at or self._clock()
            raise ChangeRequestExpiredError(change.after.id, expires_at)
        await self._record(change, actor)
        return change

    async def _check_role(
        self, tx: GraphTransaction, request: ChangeRequestRecord, user_id: str, action: str
    ) -> None:
        """`user_id` exists, may approve in the request's workspace and holds the stage's role."""
        [member] = await tx.run(
            "approvals/membership", {"user": user_id, "workspace": request.workspace}
        )
        if not member["user_found"]:
            raise NotFoundError("user", user_id)
        if request.workspace is None:
            reason = "the request belongs to no workspace, so no one holds a role to decide it"
            raise InsufficientRoleError(request.id, user_id, action, reason)
        memberships = {}
        if member["role"] is not None:
            tables = member["tables"]
            memberships[request.workspace] = Membership(
                request.workspace,
                Role(member["role"]),
                None if tables is None else frozenset(tables),
                member["pii"],
            )
        principal = Principal(user_id, PrincipalKind.USER, user_id, memberships)
        decision = self._authorizer.decide(
            principal, Action.APPROVE, Resource(request.workspace, request.table)
        )
        if not decision.allowed:
            raise InsufficientRoleError(request.id, user_id, action, decision.reason)
        stage = request.current_stage
        held = memberships[request.workspace].role
        if not role_at_least(held, stage.role):
            which = f"stage {stage.name!r}" if stage.name else "this request"
            reason = f"role {held} is below {stage.role}, which {which} needs"
            raise InsufficientRoleError(request.id, user_id, action, reason)

    async def _apply(self, request: ChangeRequestRecord) -> ChangeRequestRecord:
        """Run the applier of an approved request once; record applied or apply_failed."""
        applier = self._applier_for(request.kind)
        now = self._clock()
        try:
            if applier is None:
                raise ApplyError(request.kind, "no applier is registered for this kind")
            await applier(request)
        except Exception as error:  # any applier failure is recorded on the request, not raised
            log.warning(
                "change request %s could not be applied: %s",
                request.id,
                error,
                exc_info=not isinstance(error, GraceError),
            )
            action = "apply_failed"
            changes: dict[str, Any] = {
                "status": ReviewStatus.APPLY_FAILED.value,
                "apply_error": _describe(error),
                "updated_at": now,
            }
        else:
            action = "apply"
            changes = {"status": ReviewStatus.APPLIED.value, "applied_at": now, "updated_at": now}
        await self._graph.write(
            "approvals/update",
            {"id": request.id, "from": ReviewStatus.APPROVED.value, "changes": changes},
        )
        change = _Change(action, request, await self.get(request.id))
        await self._record(change, SYSTEM_ACTOR)
        return change.after

    def _applier_for(self, kind: str) -> Applier | None:
        """The applier of `kind`, else of its nearest dotted prefix (`schema.create`: `schema`)."""
        parts = kind.split(".")
        for end in range(len(parts), 0, -1):
            applier = self._appliers.get(".".join(parts[:end]))
            if applier is not None:
                return applier
        return None

    async def _record(self, change: _Change, actor: str) -> None:
        """Audit a change that was written, then announce it."""
        after = change.after
        await self._audit.append(
            [
                AuditEntry(
                    actor=actor,
                    action=f"change_request.{change.action}",
                    target=f"change_request:{after.id}",
                    before=change.before.summary() if change.before else None,
                    after=after.summary(),
                )
            ]
        )
        await self._publish(after, change.action, actor, after.summary())

    async def _publish(
        self,
        request: ChangeRequestRecord,
        action: str,
        actor: str,
        detail: Mapping[str, JsonValue],
    ) -> None:
        event = DomainEvent(
            type=EventType.CHANGE_REQUEST_UPDATED,
            subject=request.id,
            workspace=request.workspace,
            payload={
                "kind": request.kind,
                "table": request.table,
                "action": action,
                "actor": actor,
                **detail,
            },
        )
        try:
            await self._bus.publish(event)
        except EventBusError as error:
            # Events feed live views; the graph and the audit log are the record.
            log.warning("event for change request %s not published: %s", request.id, error)


async def _read(tx: GraphTransaction, request_id: str) -> ChangeRequestRecord:
    records = await tx.run("approvals/get", {"id": request_id})
    if not records:
        raise ChangeRequestNotFoundError(request_id)
    return ChangeRequestRecord.from_record(records[0])


async def _locked(tx: GraphTransaction, request_id: str) -> ChangeRequestRecord:
    """Lock the request for the rest of the transaction, then read it."""
    if not await tx.run("approvals/lock", {"id": request_id}):
        raise ChangeRequestNotFoundError(request_id)
    return await _read(tx, request_id)


async def _expire_if_due(
    tx: GraphTransaction, request: ChangeRequestRecord, now: datetime
) -> _Change | None:
    """Refuse a request that is not open; mark one past its expiry expired (a change)."""
    if request.status is not ReviewStatus.OPEN:
        raise ChangeRequestNotOpenError(request.id, request.status.value)
    if not request.expired_at(now):
        return None
    changes = {"status": ReviewStatus.EXPIRED.value, "updated_at": now}
    await tx.run(
        "approvals/update",
        {"id": request.id, "from": ReviewStatus.OPEN.value, "changes": changes},
    )
    return _Change("expire", request, await _read(tx, request.id))


def _describe(error: Exception) -> str:
    """What a request records of its applier's failure: a Grace error's message, or only
    the kind of a defect (its text may carry driver messages or Cypher; the log has it)."""
    if isinstance(error, GraceError):
        return str(error)
    return f"internal error ({type(error).__name__}); the worker's log has the details"
