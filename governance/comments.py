"""Comment threads on reviewable nodes: write, reply, edit within a window, delete, read.

A `Comment` is written by a user (`WROTE`) on one node (`ON`: a row, conflict, change request,
fact, document or schema version); a reply points at the thread's first comment (`REPLY_TO`,
one level deep). Text is Markdown stored as written (clients render it safely), bounded by
`MAX_COMMENT_CHARS`. Only the author edits, within `EDIT_WINDOW`; the author or a moderator
(an admin of the node, as the caller decides) deletes: a deleted comment stays in its thread
as a tombstone without text, and the audit log keeps the digest of what it said. Every change
is audited and published (`comment.added`, `comment.edited`, `comment.deleted`: ids only, for
live threads); `@user` mentions notify (`governance.notifications`). Who may read or write a
thread is decided by the caller (the API) from the node's table.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import JsonValue

from governance.accounts import as_datetime
from governance.audit import AuditEntry, AuditLog, digest
from governance.errors import AccessDeniedError, NotFoundError
from governance.notifications import NotificationKind, Notifier, Subject
from graph.errors import EventBusError, GraceError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 10_000
EDIT_WINDOW = timedelta(minutes=15)
"""How long after writing a comment its author may still change its text."""
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9_][A-Za-z0-9_.\-]*)")


def within_edit_window(written_at: datetime, now: datetime) -> bool:
    """Whether a comment written at `written_at` may still have its text changed at `now`."""
    return now - written_at <= EDIT_WINDOW


def mentions(text: str) -> list[str]:
    """The user ids a comment mentions as `@user`, once each, in order."""
    found = (match.rstrip(".-") for match in MENTION.findall(text))
    return list(dict.fromkeys(name for name in found if name))


class EditWindowClosedError(GraceError):
    """A comment's author tried to change it after `EDIT_WINDOW`."""

    code = "edit_window_closed"

    def __init__(self, comment_id: str, minutes: int) -> None:
        self.comment_id = comment_id
        super().__init__(
            f"comment {comment_id!r} can be edited only {minutes} minutes after writing"
        )


class CommentDeletedError(GraceError):
    """An edit, a deletion or a reply aimed at a deleted comment."""

    code = "comment_deleted"

    def __init__(self, comment_id: str) -> None:
        self.comment_id = comment_id
        super().__init__(f"comment {comment_id!r} was deleted")


@dataclass(frozen=True)
class CommentRecord:
    """One comment of a thread; a deleted one has no text."""

    id: str
    author: str | None
    target: str
    parent: str | None
    text: str | None
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    mentions: tuple[str, ...]
    replies: int

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> CommentRecord:
        """A comment from a `collab/comment_get` or `collab/comments_page` record."""
        created = as_datetime(record["created_at"])
        assert created is not None
        return cls(
            id=record["id"],
            author=record["author"],
            target=record["target"],
            parent=record["parent"],
            text=record["text"],
            created_at=created,
            edited_at=as_datetime(record["edited_at"]),
            deleted_at=as_datetime(record["deleted_at"]),
            mentions=tuple(record["mentions"]),
            replies=int(record["replies"]),
        )


class Comments:
    """Writes and reads comment threads, audited; mentions notify."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        audit: AuditLog,
        notifier: Notifier,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._audit = audit
        self._notifier = notifier
        self._clock = clock

    async def create(
        self, subject: Subject, user: str, text: str, *, reply_to: str | None = None
    ) -> CommentRecord:
        """`user`'s comment on `subject` (a reply in the thread of `reply_to` when given)."""
        if reply_to is not None:
            parent = await self.get(reply_to)
            if parent.target != subject.id:
                raise NotFoundError(f"comment on {subject.id}", reply_to)
        comment_id = f"comment:{uuid.uuid4().hex}"
        records = await self._graph.write(
            "collab/comment_create",
            {
                "target": subject.id,
                "user": user,
                "parent": reply_to,
                "comment": {"id": comment_id, "text": text, "at": self._clock()},
                "mentions": mentions(text),
            },
        )
        if not records:
            raise NotFoundError(f"user or {subject.kind}", user)
        mentioned: list[JsonValue] = list(records[0]["mentioned"])
        after: dict[str, JsonValue] = {
            "comment": comment_id,
            "parent": records[0]["parent"],
            "text": digest(text),
            "mentions": mentioned,
        }
        await self._audit.append(
            [
                AuditEntry(
                    f"user:{user}", f"{subject.kind}.comment", subject.audit_target, after=after
                )
            ]
        )
        await self._notify_mentions(subject, user, [str(m) for m in mentioned])
        written = await self.get(comment_id)
        await self._publish(EventType.COMMENT_ADDED, subject, written)
        return written

    async def edit(self, subject: Subject, comment_id: str, user: str, text: str) -> CommentRecord:
        """Replace the text of `user`'s own comment on `subject`, within `EDIT_WINDOW` of
        writing it (users newly mentioned are notified)."""
        comment = await self._own(comment_id, user, "edit")
        if not within_edit_window(comment.created_at, self._clock()):
            raise EditWindowClosedError(comment_id, int(EDIT_WINDOW.total_seconds() // 60))
        records = await self._graph.write(
            "collab/comment_edit",
            {"id": comment_id, "text": text, "at": self._clock(), "mentions": mentions(text)},
        )
        if not records:
            raise CommentDeletedError(comment_id)
        entry = AuditEntry(
            f"user:{user}",
            "comment.edit",
            comment_id,
            before={"text": digest(comment.text)},
            after={"text": digest(text)},
        )
        await self._audit.append([entry])
        new = sorted(set(records[0]["mentioned"]) - set(comment.mentions))
        await self._notify_mentions(subject, user, new)
        edited = await self.get(comment_id)
        await self._publish(EventType.COMMENT_EDITED, subject, edited)
        return edited

    async def delete(
        self, subject: Subject, comment_id: str, user: str, *, moderator: bool = False
    ) -> CommentRecord:
        """Delete a comment on `subject`: `user`'s own, or anyone's when `user` is a
        `moderator` of it. A tombstone stays; the audit log keeps its digest and author."""
        comment = await self._own(comment_id, user, "delete", anyone=moderator)
        records = await self._graph.write(
            "collab/comment_delete", {"id": comment_id, "at": self._clock()}
        )
        if not records:
            raise CommentDeletedError(comment_id)
        entry = AuditEntry(
            f"user:{user}",
            "comment.delete",
            comment_id,
            before={
                "text": digest(comment.text),
                "target": comment.target,
                "author": comment.author,
            },
        )
        await self._audit.append([entry])
        deleted = await self.get(comment_id)
        await self._publish(EventType.COMMENT_DELETED, subject, deleted)
        return deleted

    async def get(self, comment_id: str) -> CommentRecord:
        """One comment, or `NotFoundError`."""
        records = await self._graph.read("collab/comment_get", {"id": comment_id})
        if not records:
            raise NotFoundError("comment", comment_id)
        return CommentRecord.of(records[0])

    async def page(
        self,
        target: str,
        *,
        parent: str | None,
        limit: int,
        after: tuple[datetime, str] | None,
    ) -> list[CommentRecord]:
        """Up to `limit` comments of a thread, oldest first: the first comments on `target`,
        or the replies to `parent`."""
        records = await self._graph.read(
            "collab/comments_page",
            {
                "target": target,
                "parent": parent,
                "limit": limit,
                "after_at": after[0] if after else None,
                "after_id": after[1] if after else None,
            },
        )
        return [CommentRecord.of(record) for record in records]

    async def first_replies(
        self, parents: Sequence[str], limit: int
    ) -> dict[str, list[CommentRecord]]:
        """The first `limit` replies of each comment of `parents`, oldest first, in one read."""
        records = await self._graph.read(
            "collab/replies_first_pages", {"parents": list(parents), "limit": limit}
        )
        found: dict[str, list[CommentRecord]] = {parent: [] for parent in parents}
        for record in records:
            found[record["parent"]].append(CommentRecord.of(record))
        return found

    async def _own(
        self, comment_id: str, user: str, what: str, *, anyone: bool = False
    ) -> CommentRecord:
        comment = await self.get(comment_id)
        if comment.deleted_at is not None:
            raise CommentDeletedError(comment_id)
        if comment.author != user and not anyone:
            reason = "only its author may" + (" or an admin" if what == "delete" else "")
            raise AccessDeniedError(f"user:{user}", f"{what} comment", comment_id, reason)
        return comment

    async def _publish(self, kind: EventType, subject: Subject, comment: CommentRecord) -> None:
        """Tell live threads: ids only (readers fetch the comment with their own rights)."""
        event = DomainEvent(
            type=kind,
            subject=comment.id,
            workspace=subject.workspace,
            payload={
                "target": subject.id,
                "kind": subject.kind,
                "table": subject.table,
                "parent": comment.parent,
            },
        )
        try:
            await self._bus.publish(event)
        except EventBusError as error:
            # Events feed live views; the graph and the audit log are the record.
            log.warning("event for comment %s not published: %s", comment.id, error)

    async def _notify_mentions(self, subject: Subject, user: str, mentioned: list[str]) -> None:
        if mentioned:
            await self._notifier.notify(
                NotificationKind.MENTION,
                subject,
                mentioned,
                message=f"{user} mentioned you on {subject.id}",
                actor=f"user:{user}",
            )
