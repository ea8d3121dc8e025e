"""The reads the live subscriptions of one API process share, on the real graph: the comment
an event names is read once for every subscription that hears the event, a later event
reads it again (an edit is never served stale), a subscription that leaves mid-read leaves
the read to the others, and only the newest keys are kept."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest

from api.gql.shared_reads import SharedReads
from governance.audit import AuditLog
from governance.comments import CommentRecord, Comments
from governance.notifications import Notifier, Subject
from graph.events import EventBus
from graph.graph import Graph
from tests.integration.api_support import Callers
from tests.integration.conftest import ThreadRows

pytestmark = pytest.mark.integration


async def test_fifty_subscriptions_share_one_read_of_an_event_and_the_next_event_reads_again(
    graph: Graph, bus: EventBus, callers: Callers, thread_rows: ThreadRows
) -> None:
    author = callers.editor.user_id
    assert author is not None
    comments = Comments(graph, bus, AuditLog(graph), Notifier(graph, bus))
    subject = Subject(thread_rows.city, "row", "default", "cities")
    written = await comments.create(subject, author, "first words")
    shared: SharedReads[CommentRecord] = SharedReads()
    graph.reads.clear()
    heard = await asyncio.gather(
        *(shared.get("event-1", lambda: comments.get(written.id)) for _ in range(50))
    )
    assert graph.reads["collab/comment_get"] == 1
    assert {record.text for record in heard} == {"first words"}

    await comments.edit(subject, written.id, author, "second words")
    graph.reads.clear()
    again = await shared.get("event-1", lambda: comments.get(written.id))
    edited = await shared.get("event-2", lambda: comments.get(written.id))
    assert (again.text, edited.text) == ("first words", "second words")
    assert graph.reads["collab/comment_get"] == 1  # the kept read, then the new event's


async def test_a_subscription_that_leaves_mid_read_leaves_the_read_to_the_others() -> None:
    release = asyncio.Event()
    reads = []

    async def slow() -> str:
        reads.append(1)
        await release.wait()
        return "comment"

    shared: SharedReads[str] = SharedReads()
    leaving = asyncio.ensure_future(shared.get("event", slow))
    staying = asyncio.ensure_future(shared.get("event", slow))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    assert await staying == "comment"
    assert leaving.cancelled()
    assert reads == [1]


async def test_only_the_newest_keys_are_kept() -> None:
    reads: list[str] = []

    async def read(key: str) -> str:
        reads.append(key)
        return key

    shared: SharedReads[str] = SharedReads(kept=2)
    for key in ("a", "b", "c", "b", "a"):
        await shared.get(key, partial(read, key))
    assert reads == ["a", "b", "c", "a"]  # "a" was dropped when "c" came
