"""Notifications: what tells a person that something needs them.

`Notifier.notify` turns one happening (a mention, an assignment, a conflict on a table they
own, ...) into one `Notification` per person concerned, linked `(Notification)-[:FOR]->(User)`.
Nobody is notified about a subject they may not read (decided by `Authorizer` on the subject's
table, or, when it has none, on its whole workspace, which a membership restricted to some
tables does not give), nor about kinds they muted, nor about their own
doing. One `notification.created` event names every recipient, for the live subscription; the
channels beyond the API (webhook, e-mail) are queued by the caller from `Notified`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import JsonValue

from governance.accounts import as_datetime, user_principal
from governance.rbac import Action, Authorizer, Principal, Resource
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph


class NotificationKind(StrEnum):
    """Why a person is notified."""

    MENTION = "mention"
    ASSIGNMENT = "assignment"
    VOTE_NEEDED = "vote_needed"
    CONFLICT = "conflict"
    INGESTION_FAILED = "ingestion_failed"
    LOW_TRUST = "low_trust"


class Delivery(StrEnum):
    """How channels beyond the API deliver: each at once, or gathered in a digest."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"


_PREFIXED_IN_AUDIT = frozenset({"change_request", "document"})


@dataclass(frozen=True)
class Subject:
    """What a notification is about: a node, its table (None: none) and its workspace."""

    id: str
    kind: str
    workspace: str
    table: str | None = None

    @property
    def audit_target(self) -> str:
        """How the audit log names the subject (change requests and documents by kind)."""
        return f"{self.kind}:{self.id}" if self.kind in _PREFIXED_IN_AUDIT else self.id

    @property
    def resource(self) -> Resource:
        """What a recipient must be allowed to read."""
        return Resource(self.workspace, self.table)


@dataclass(frozen=True)
class Preferences:
    """A person's choices: kinds muted, delivery beyond the API, e-mail or not."""

    muted: frozenset[NotificationKind] = frozenset()
    delivery: Delivery = Delivery.IMMEDIATE
    by_email: bool = False


@dataclass(frozen=True)
class Recipient:
    """A person who may be notified, as read from the graph."""

    principal: Principal
    email: str | None
    deactivated: bool
    preferences: Preferences

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Recipient:
        """A recipient from a `collab/recipients` record."""
        muted = frozenset(NotificationKind(k) for k in record["muted"] if k in _KINDS)
        preferences = Preferences(muted, Delivery(record["delivery"]), bool(record["by_email"]))
        principal = user_principal(str(record["user"]), record["memberships"])
        return cls(principal, record["email"], bool(record["deactivated"]), preferences)


_KINDS = frozenset(k.value for k in NotificationKind)


@dataclass(frozen=True)
class NotificationRecord:
    """One notification as listed."""

    id: str
    kind: NotificationKind
    subject: str
    subject_kind: str
    table: str | None
    workspace: str
    message: str
    actor: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> NotificationRecord:
        """A notification from a `collab/notifications_page` record."""
        created = as_datetime(record["created_at"])
        assert created is not None
        return cls(
            id=record["id"],
            kind=NotificationKind(record["kind"]),
            subject=record["subject"],
            subject_kind=record["subject_kind"],
            table=record["table"],
            workspace=record["workspace"],
            message=record["message"],
            actor=record["actor"],
            created_at=created,
            read_at=as_datetime(record["read_at"]),
        )


@dataclass(frozen=True)
class Notified:
    """Who one `notify` reached: notification id by user, the recipients themselves, the
    happening's key and its event (None when nobody was notified)."""

    ids: Mapping[str, str]
    recipients: tuple[Recipient, ...]
    event: DomainEvent | None
    key: str = ""


MAX_MESSAGE_CHARS = 500


class Outbox(Protocol):
    """Where notifications go beyond the API (`governance.channels.Channels`)."""

    async def dispatch(
        self, kind: NotificationKind, subject: Subject, message: str, notified: Notified
    ) -> list[str]:
        """Record and queue the deliveries of one happening."""
        ...


def notification_id(happening: str, user: str) -> str:
    """The id of `user`'s notification of one happening (the same however often it is told)."""
    return "notification:" + hashlib.sha256(f"{happening}\x00{user}".encode()).hexdigest()[:32]


class Notifier:
    """Creates, lists and marks notifications; publishes them for live subscribers."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        authorizer: Authorizer | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._authorizer = authorizer or Authorizer()
        self._outbox = outbox

    async def recipients(self, users: Iterable[str]) -> list[Recipient]:
        """The people of `users` that exist, with their rights and preferences."""
        records = await self._graph.read("collab/recipients", {"users": sorted(set(users))})
        return [Recipient.of(record) for record in records]

    def may_read(self, recipient: Recipient, subject: Subject) -> bool:
        """Whether `recipient` is active and may read `subject`."""
        if recipient.deactivated:
            return False
        if subject.table is None:  # as the API shows what belongs to no table
            return self._authorizer.may_read_workspace(recipient.principal, subject.workspace)
        decision = self._authorizer.decide(recipient.principal, Action.READ, subject.resource)
        return decision.allowed

    def may_receive(self, recipient: Recipient, kind: NotificationKind, subject: Subject) -> bool:
        """Whether `recipient` gets a notification of `kind` about `subject`."""
        return kind not in recipient.preferences.muted and self.may_read(recipient, subject)

    async def notify(
        self,
        kind: NotificationKind,
        subject: Subject,
        users: Iterable[str],
        *,
        message: str,
        actor: str,
        key: str | None = None,
    ) -> Notified:
        """Notify each of `users` who may read `subject` and wants `kind` (never the actor).

        `key` names the happening (an event's id): notifying it again notifies nobody twice."""
        candidates = await self.recipients(u for u in users if f"user:{u}" != actor)
        chosen = tuple(r for r in candidates if self.may_receive(r, kind, subject))
        if not chosen:
            return Notified({}, (), None)
        at = datetime.now(UTC)
        happening = key or uuid.uuid4().hex
        ids = {r.principal.id: notification_id(happening, r.principal.id) for r in chosen}
        rows = [
            {
                "id": ids[r.principal.id],
                "user": r.principal.id,
                "kind": kind.value,
                "subject": subject.id,
                "subject_kind": subject.kind,
                "table": subject.table,
                "workspace": subject.workspace,
                "message": message[:MAX_MESSAGE_CHARS],
                "actor": actor,
                "at": at,
                "delivery": r.preferences.delivery.value,
            }
            for r in chosen
        ]
        created = await self._graph.write("collab/notifications_create", {"notifications": rows})
        ids = {str(record["user"]): str(record["id"]) for record in created}
        chosen = tuple(r for r in chosen if r.principal.id in ids)
        if not chosen:
            return Notified({}, (), None)
        payload: dict[str, JsonValue] = {
            "kind": kind.value,
            "subject_kind": subject.kind,
            "message": message[:MAX_MESSAGE_CHARS],
            "actor": actor,
            "notifications": dict(ids),
        }
        if subject.table is not None:
            payload["table"] = subject.table
        event = DomainEvent(
            type=EventType.NOTIFICATION_CREATED,
            subject=subject.id,
            payload=payload,
            workspace=subject.workspace,
            at=at,
        )
        await self._bus.publish(event)
        notified = Notified(ids, chosen, event, happening)
        if self._outbox is not None:
            await self._outbox.dispatch(kind, subject, message[:MAX_MESSAGE_CHARS], notified)
        return notified

    async def page(
        self,
        user: str,
        *,
        unread: bool,
        limit: int,
        before: tuple[datetime, str] | None,
        tables: Sequence[str],
        workspaces: Sequence[str],
    ) -> list[NotificationRecord]:
        """Up to `limit` of `user`'s notifications, newest first, before `before`, about
        `tables` or (about no table) the whole of `workspaces`."""
        records = await self._graph.read(
            "collab/notifications_page",
            {
                "user": user,
                "tables": list(tables),
                "workspaces": list(workspaces),
                "unread": unread,
                "limit": limit,
                "before_at": before[0] if before else None,
                "before_id": before[1] if before else None,
            },
        )
        return [NotificationRecord.of(record) for record in records]

    async def counts(
        self, user: str, *, tables: Sequence[str], workspaces: Sequence[str]
    ) -> tuple[int, int]:
        """How many notifications `user` has about `tables` or `workspaces` (as `page`), and
        how many of them are unread."""
        params = {"user": user, "tables": list(tables), "workspaces": list(workspaces)}
        [record] = await self._graph.read("collab/notification_counts", params)
        return int(record["total"]), int(record["unread"])

    async def mark_read(self, user: str, ids: Sequence[str] | None) -> int:
        """Mark `user`'s notifications of `ids` (all when None) read; returns how many changed."""
        params = {"user": user, "ids": list(ids) if ids is not None else None}
        records = await self._graph.write(
            "collab/notifications_mark_read", {**params, "at": datetime.now(UTC)}
        )
        return int(records[0]["marked"]) if records else 0

    async def preferences(self, user: str) -> Preferences:
        """`user`'s preferences (the defaults until they choose)."""
        found = await self.recipients([user])
        return found[0].preferences if found else Preferences()

    async def set_preferences(self, user: str, preferences: Preferences) -> Preferences:
        """Store `user`'s preferences."""
        await self._graph.write(
            "collab/preferences_set",
            {
                "user": user,
                "muted": sorted(k.value for k in preferences.muted),
                "delivery": preferences.delivery.value,
                "by_email": preferences.by_email,
            },
        )
        return preferences
