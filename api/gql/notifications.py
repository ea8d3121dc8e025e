"""Notifications in GraphQL: the caller's list and counts, marking them read, preferences, and
the live `notifications` subscription.

Everything here is about the caller themselves (`authenticated()`), and filtered by what they
may read now: a notification about a table they lost access to no longer shows, though it was
created when they could read it (`governance.notifications` decides who is notified).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime

import strawberry

from api.gql import actors
from api.gql.access import Access
from api.gql.arguments import InvalidArgumentError, checked_id
from api.gql.context import GraceInfo
from api.gql.pagination import (
    Connection,
    after_time,
    connection,
    page_size,
    time_position,
)
from api.gql.permissions import authenticated
from api.gql.subscriptions import deliveries
from governance.notifications import (
    Delivery,
    NotificationKind,
    NotificationRecord,
    Preferences,
)
from governance.rbac import DEFAULT_WORKSPACE, Action
from graph.events import DomainEvent, EventType

MAX_MARKED = 500
"""Ids one `markNotificationsRead` takes (without ids it marks all)."""

strawberry.enum(NotificationKind, name="NotificationKind", description="Why you are notified.")
strawberry.enum(Delivery, name="NotificationDelivery", description="At once, or in a digest.")


@strawberry.type(description="Something that needs you: a mention, an assignment, a conflict...")
class Notification:
    """One notification of the caller."""

    id: strawberry.ID
    kind: NotificationKind
    subject_id: strawberry.ID = strawberry.field(description="The node it is about.")
    subject_kind: str
    table: str | None
    workspace: str
    message: str
    actor: str = strawberry.field(description="Who caused it: user:<id> or system:<component>.")
    created_at: datetime
    read_at: datetime | None

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def of(cls, record: NotificationRecord) -> Notification:
        """The view of a stored notification."""
        return cls(
            id=strawberry.ID(record.id),
            kind=record.kind,
            subject_id=strawberry.ID(record.subject),
            subject_kind=record.subject_kind,
            table=record.table,
            workspace=record.workspace,
            message=record.message,
            actor=record.actor,
            created_at=record.created_at,
            read_at=record.read_at,
        )


@strawberry.type(description="How many notifications you have, and how many are unread.")
class NotificationCounts:
    """The caller's counts (of what they may still read)."""

    total: int
    unread: int


@strawberry.type(description="Which notifications you get and how channels deliver them.")
class NotificationPreferences:
    """The caller's choices."""

    muted: list[NotificationKind]
    delivery: Delivery
    email: bool

    @classmethod
    def of(cls, preferences: Preferences) -> NotificationPreferences:
        """The view of stored preferences."""
        return cls(
            muted=sorted(preferences.muted),
            delivery=preferences.delivery,
            email=preferences.by_email,
        )


async def readable_scope(access: Access) -> dict[str, list[str]]:
    """The tables and the whole workspaces the caller may read, as statement parameters."""
    principal = access.caller()
    workspaces = [w for w in principal.memberships if access.may_read_workspace(w)]
    return {"tables": sorted(await access.tables(Action.READ)), "workspaces": sorted(workspaces)}


@strawberry.type
class NotificationQuery:
    """The caller's notifications."""

    @strawberry.field(
        description="Your notifications, newest first (only unread ones with `unread: true`).",
        extensions=authenticated(),
    )
    async def notifications(
        self,
        info: GraceInfo,
        unread: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Notification]:
        context = info.context
        user = actors.acting_user(context, Action.READ)
        size = page_size(first)
        notifier = actors.notifier(context.services)
        scope = await readable_scope(context.access)
        records = await notifier.page(
            user, unread=unread, limit=size + 1, before=after_time(after), **scope
        )

        async def count() -> int:
            total, unread_count = await notifier.counts(user, **scope)
            return unread_count if unread else total

        views = [Notification.of(record) for record in records]
        return connection(views, size, lambda n: time_position(n.created_at, str(n.id)), count)

    @strawberry.field(
        description="How many notifications you have, and how many are unread.",
        extensions=authenticated(),
    )
    async def notification_counts(self, info: GraceInfo) -> NotificationCounts:
        context = info.context
        user = actors.acting_user(context, Action.READ)
        scope = await readable_scope(context.access)
        total, unread = await actors.notifier(context.services).counts(user, **scope)
        return NotificationCounts(total=total, unread=unread)

    @strawberry.field(
        description="Which kinds you get, and how e-mail and webhooks deliver them.",
        extensions=authenticated(),
    )
    async def notification_preferences(self, info: GraceInfo) -> NotificationPreferences:
        user = actors.acting_user(info.context, Action.READ)
        preferences = await actors.notifier(info.context.services).preferences(user)
        return NotificationPreferences.of(preferences)


@strawberry.type
class NotificationMutation:
    """The caller's own notifications and preferences."""

    @strawberry.mutation(
        description="Mark your notifications read: those of `ids`, or all when none are given. "
        "Returns how many changed.",
        extensions=authenticated(),
    )
    async def mark_notifications_read(
        self, info: GraceInfo, ids: list[strawberry.ID] | None = None
    ) -> int:
        user = actors.acting_user(info.context, Action.READ)
        chosen = None
        if ids is not None:
            chosen = [checked_id("ids", str(i)) for i in ids[: MAX_MARKED + 1]]
            if len(chosen) > MAX_MARKED:
                raise InvalidArgumentError("ids", f"holds more than {MAX_MARKED} ids")
        return await actors.notifier(info.context.services).mark_read(user, chosen)

    @strawberry.mutation(
        description="Choose the kinds you are not notified of, and how channels deliver.",
        extensions=authenticated(),
    )
    async def set_notification_preferences(
        self,
        info: GraceInfo,
        muted: list[NotificationKind],
        delivery: Delivery = Delivery.IMMEDIATE,
        email: bool = False,
    ) -> NotificationPreferences:
        user = actors.acting_user(info.context, Action.READ)
        preferences = Preferences(frozenset(muted), delivery, email)
        stored = await actors.notifier(info.context.services).set_preferences(user, preferences)
        return NotificationPreferences.of(stored)


@strawberry.type
class NotificationSubscription:
    """Your notifications as they are created."""

    @strawberry.subscription(
        description="Your notifications as they are created (of subjects you may read).",
        extensions=authenticated(),
    )
    async def notifications(self, info: GraceInfo) -> AsyncGenerator[Notification, None]:
        user = actors.acting_user(info.context, Action.READ)

        def wanted(event: DomainEvent) -> bool:
            mine = event.payload.get("notifications")
            return isinstance(mine, dict) and isinstance(mine.get(user), str)

        types = (EventType.NOTIFICATION_CREATED,)
        async with aclosing(deliveries(info.context, types, wanted)) as events:
            async for event in events:
                yield live_notification(event, user)


def live_notification(event: DomainEvent, user: str) -> Notification:
    """The view of `user`'s notification in a `notification.created` event."""
    payload = event.payload
    ids = payload["notifications"]
    assert isinstance(ids, dict)
    table = payload.get("table")
    return Notification(
        id=strawberry.ID(str(ids[user])),
        kind=NotificationKind(str(payload["kind"])),
        subject_id=strawberry.ID(event.subject),
        subject_kind=str(payload.get("subject_kind")),
        table=table if isinstance(table, str) else None,
        workspace=event.workspace or DEFAULT_WORKSPACE,
        message=str(payload.get("message", "")),
        actor=str(payload.get("actor", "")),
        created_at=event.at,
        read_at=None,
    )
