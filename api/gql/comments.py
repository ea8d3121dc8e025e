"""Comment threads in GraphQL: `comments(targetId)` reads a node's thread, `comment` writes
(or replies), `editComment` changes one's own comment, `deleteComment` deletes one's own (or,
for an admin of the node, anyone's).

A thread is readable by whoever may read its node, writable by whoever may edit it
(`governance.comments` owns the rules of threads: one level of replies, the edit window,
tombstones). Each comment says whether its reader may edit or delete it now (`mayEdit`,
`mayDelete`), so a client offers only what the API allows. Text is Markdown as written:
clients render it safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from api.gql import actors
from api.gql.arguments import InvalidArgumentError, checked_id, checked_text
from api.gql.context import GraceContext, GraceInfo
from api.gql.pagination import Connection, after_time, connection, page_size, time_position
from api.gql.permissions import ResourceOf, Target, requires
from api.gql.targets import (
    CHANGE_REQUEST,
    COMMENTABLE,
    Node,
    allowed_on,
    node_arg,
    node_loader,
    readable_node,
    subject_of,
)
from governance.comments import MAX_COMMENT_CHARS, CommentRecord, within_edit_window
from governance.errors import NotFoundError
from governance.rbac import Action


@dataclass(frozen=True)
class Reader:
    """Who reads a thread, and what they may do to its comments: the context the thread was
    read in (a request's, or one subscription event's) and the rights it found on the node."""

    context: GraceContext
    user: str | None
    writes: bool
    """May edit the node (write in its thread, change their own comments)."""
    moderates: bool
    """May administer the node (delete anyone's comment)."""


async def reader_of(context: GraceContext, node: Node) -> Reader:
    """The caller of `context` as a reader of the thread on `node`."""
    principal = context.access.caller()
    return Reader(
        context,
        principal.user_id,
        await allowed_on(context.access, node, Action.EDIT),
        await allowed_on(context.access, node, Action.ADMINISTER),
    )


@strawberry.type(description="A comment of a thread; a deleted one keeps its place without text.")
class Comment:
    """One comment: Markdown text as written (null once deleted), its author and its replies."""

    id: strawberry.ID
    target_id: strawberry.ID
    author: str | None
    text: str | None
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    mentions: list[str]
    reply_to: strawberry.ID | None = strawberry.field(
        description="The thread's first comment, for a reply."
    )
    reply_count: int
    reader: strawberry.Private[Reader]

    @strawberry.field(description="Whether the comment was deleted (its text is gone).")
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def _mine(self) -> bool:
        return self.deleted_at is None and self.reader.writes and self.author == self.reader.user

    @strawberry.field(
        description="Whether the caller may change its text now: their own comment, within "
        "the edit window."
    )
    def may_edit(self) -> bool:
        return self._mine() and within_edit_window(self.created_at, datetime.now(UTC))

    @strawberry.field(
        description="Whether the caller may delete it: their own comment, or anyone's for an "
        "admin of its node."
    )
    def may_delete(self) -> bool:
        return self.deleted_at is None and (self._mine() or self.reader.moderates)

    @strawberry.field(description="The replies to this comment, oldest first.")
    async def replies(
        self, info: GraceInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Comment]:
        reader = self.reader
        if after is not None:
            return await thread_page(reader, str(self.target_id), str(self.id), first, after)
        size = page_size(first)
        records = await reader.context.loader(first_replies_loader).load((str(self.id), size + 1))
        views = [Comment.of(record, reader) for record in records]
        return connection(views, size, lambda c: time_position(c.created_at, str(c.id)))

    @classmethod
    def of(cls, record: CommentRecord, reader: Reader) -> Comment:
        """The view of a comment for `reader`."""
        return cls(
            id=strawberry.ID(record.id),
            target_id=strawberry.ID(record.target),
            author=record.author,
            text=record.text,
            created_at=record.created_at,
            edited_at=record.edited_at,
            deleted_at=record.deleted_at,
            mentions=list(record.mentions),
            reply_to=strawberry.ID(record.parent) if record.parent else None,
            reply_count=record.replies,
            reader=reader,
        )


@strawberry.type
class CommentResult:
    """A comment written on a reviewable node."""

    target_id: str
    target_kind: str
    comment: Comment


def first_replies_loader(
    context: GraceContext,
) -> DataLoader[tuple[str, int], list[CommentRecord]]:
    """The request's loader of first reply pages, keyed by (comment, size): one read per
    page size for every thread of a page."""

    async def load(keys: list[tuple[str, int]]) -> list[list[CommentRecord]]:
        comments = actors.comments(context.services)
        pages: dict[tuple[str, int], list[CommentRecord]] = {}
        for size in {size for _, size in keys}:
            parents = [parent for parent, wanted in keys if wanted == size]
            found = await comments.first_replies(parents, size)
            pages.update({(parent, size): found[parent] for parent in parents})
        return [pages[key] for key in keys]

    return DataLoader(load_fn=load)


async def thread_page(
    reader: Reader, target: str, parent: str | None, first: int | None, after: str | None
) -> Connection[Comment]:
    """One page of the thread on `target` (the replies to `parent` when given)."""
    size = page_size(first)
    records = await actors.comments(reader.context.services).page(
        target, parent=parent, limit=size + 1, after=after_time(after)
    )
    views = [Comment.of(record, reader) for record in records]
    return connection(views, size, lambda c: time_position(c.created_at, str(c.id)))


async def _node_of_comment(context: GraceContext, comment_id: str) -> Node:
    """The node a comment is on (`NotFoundError` when either is gone)."""
    comment = await actors.comments(context.services).get(checked_id("id", comment_id))
    node = await context.loader(node_loader).load(comment.target)
    if node is None:
        raise NotFoundError("comment", comment_id)
    return node


async def _editor_and_node(context: GraceContext, comment_id: str) -> tuple[str, Node]:
    """The acting user and the node a comment is on, with `edit` checked on that node (the
    comments service checks the user is its author)."""
    user = actors.acting_user(context, Action.EDIT)
    node = await _node_of_comment(context, comment_id)
    return user, await readable_node(context, "id", node.id, Action.EDIT)


def comment_arg(name: str) -> ResourceOf:
    """The resource of the node the comment named by argument `name` is on."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        try:
            node = await _node_of_comment(context, str(arguments[name]))
        except (NotFoundError, InvalidArgumentError):  # the resolver says why
            return Target()
        return node.target

    return find


@strawberry.type
class CommentQuery:
    """Reading threads."""

    @strawberry.field(
        description="The comment thread on a reviewable node (row, conflict, change request, "
        "fact, document, schema version), oldest first, each with its replies.",
        extensions=requires(Action.READ, on=node_arg("target_id", *COMMENTABLE)),
    )
    async def comments(
        self,
        info: GraceInfo,
        target_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Comment]:
        node = await readable_node(info.context, "targetId", str(target_id), Action.READ)
        return await thread_page(await reader_of(info.context, node), node.id, None, first, after)


@strawberry.type
class CommentMutation:
    """Writing threads."""

    @strawberry.mutation(
        description="Comment on a reviewable node, or reply (`replyTo`) in one of its threads; "
        "`@user` mentions notify that user if they may read the node.",
        extensions=requires(Action.EDIT, on=node_arg("target_id", *COMMENTABLE)),
    )
    async def comment(
        self, info: GraceInfo, target_id: str, text: str, reply_to: str | None = None
    ) -> CommentResult:
        context = info.context
        user = actors.acting_user(context, Action.EDIT)
        node = await readable_node(context, "targetId", target_id, Action.EDIT)
        text = checked_text("text", text, MAX_COMMENT_CHARS, required=True)
        parent = checked_id("replyTo", reply_to) if reply_to is not None else None
        subject = await subject_of(context, node)
        if node.kind == CHANGE_REQUEST:  # its voters follow it through its events
            approvals = actors.approvals(context.services)
            thread = actors.comments(context.services)
            written = await approvals.comment(thread, node.id, user, text, reply_to=parent)
        else:
            written = await actors.comments(context.services).create(
                subject, user, text, reply_to=parent
            )
        view = Comment.of(written, await reader_of(context, node))
        return CommentResult(target_id=node.id, target_kind=node.kind, comment=view)

    @strawberry.mutation(
        description="Change the text of your own comment, within the edit window.",
        extensions=requires(Action.EDIT, on=comment_arg("id")),
    )
    async def edit_comment(self, info: GraceInfo, id: strawberry.ID, text: str) -> Comment:
        user, node = await _editor_and_node(info.context, str(id))
        text = checked_text("text", text, MAX_COMMENT_CHARS, required=True)
        subject = await subject_of(info.context, node)
        edited = await actors.comments(info.context.services).edit(subject, str(id), user, text)
        return Comment.of(edited, await reader_of(info.context, node))

    @strawberry.mutation(
        description="Delete your own comment (an admin of its node: anyone's): it stays in its "
        "thread without text; the audit log keeps the digest of what it said and its author.",
        extensions=requires(Action.EDIT, on=comment_arg("id")),
    )
    async def delete_comment(self, info: GraceInfo, id: strawberry.ID) -> Comment:
        context = info.context
        user, node = await _editor_and_node(context, str(id))
        reader = await reader_of(context, node)
        subject = await subject_of(context, node)
        comments = actors.comments(context.services)
        deleted = await comments.delete(subject, str(id), user, moderator=reader.moderates)
        return Comment.of(deleted, reader)
