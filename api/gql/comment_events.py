"""Live comment threads: `commentEvents(targetId)` streams the comments added, edited and
deleted on one node, from whichever API process wrote them (Redis pub/sub, ids only).

A subscriber gets what the `comments` query would show it: the subscription starts only for a
caller who may read the node, and each event is delivered only while it still may (its
rights checked again as for every live event, `subscriptions.checked_deliveries`, with the
node's rule, `targets.allowed_on`); the comment is then read from the graph (once per event
for all the process's subscriptions, `shared_reads`) and shown with those rights, so its
text never travels over Redis.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Self

import strawberry

from api.gql import actors
from api.gql.access import Access
from api.gql.comments import Comment, reader_of
from api.gql.context import GraceContext, GraceInfo
from api.gql.permissions import requires
from api.gql.subscriptions import LiveEvent, Wanted, checked_deliveries, common_fields
from api.gql.targets import COMMENTABLE, Node, allowed_on, node_arg, readable_node
from governance.comments import CommentRecord
from governance.errors import NotFoundError
from governance.rbac import Action
from graph.events import DomainEvent, EventType

COMMENT_TYPES = (EventType.COMMENT_ADDED, EventType.COMMENT_EDITED, EventType.COMMENT_DELETED)


@strawberry.type(description="A comment was added to, edited in or deleted from a thread.")
class CommentEvent(LiveEvent):
    """`comment.added`, `comment.edited` or `comment.deleted`: the subject is the comment."""

    target_id: strawberry.ID = strawberry.field(description="The node the thread is on.")
    comment: Comment = strawberry.field(description="The comment as it is now.")

    @classmethod
    def of(cls, event: DomainEvent, target: str, comment: Comment) -> Self:
        """The GraphQL view of a domain event and the comment it names."""
        return cls(**common_fields(event), target_id=strawberry.ID(target), comment=comment)


def _on(target: str) -> Wanted:
    """Events about the thread on `target`."""

    def wanted(event: DomainEvent) -> bool:
        return event.payload.get("target") == target

    return wanted


async def _view(context: GraceContext, node: Node, event: DomainEvent) -> Comment | None:
    """The comment `event` names, as the subscriber may see it (None once it is gone): read
    once for every subscription of the process that hears the event (`shared_reads`)."""

    async def read() -> CommentRecord | None:
        try:
            return await actors.comments(context.services).get(event.subject)
        except NotFoundError:
            return None

    record = await context.services.live_comments.get(event.id, read)
    if record is None:
        return None
    return Comment.of(record, await reader_of(context.with_new_loaders(), node))


@strawberry.type
class CommentSubscription:
    """Live comment threads."""

    @strawberry.subscription(
        description="Comments added, edited or deleted on one reviewable node (row, conflict, "
        "change request, fact, document, schema version), for callers who may read it.",
        extensions=requires(Action.READ, on=node_arg("target_id", *COMMENTABLE)),
    )
    async def comment_events(
        self, info: GraceInfo, target_id: strawberry.ID
    ) -> AsyncGenerator[CommentEvent, None]:
        node = await readable_node(info.context, "targetId", str(target_id), Action.READ)

        async def readable(access: Access, event: DomainEvent) -> bool:
            return await allowed_on(access, node, Action.READ)

        live = checked_deliveries(info.context, COMMENT_TYPES, _on(node.id), readable)
        async with aclosing(live) as events:
            async for event, checked in events:
                view = await _view(checked, node, event)
                if view is not None:
                    yield CommentEvent.of(event, node.id, view)
