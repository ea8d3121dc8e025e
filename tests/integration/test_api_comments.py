"""Comment threads, mention notifications and activity feeds through GraphQL, on the real
stores: write, reply, read back page by page, edit within the window, delete as a tombstone
(audited), each thread and feed entry visible only to callers who may read its node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from governance.audit import AuditLog, digest
from governance.comments import Comments, EditWindowClosedError
from governance.notifications import Notifier, Preferences, Subject
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import Callers, error_codes, gql
from tests.integration.collab_support import open_cities_request
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

COMMENT = """
mutation($id: String!, $text: String!, $replyTo: String) {
  comment(targetId: $id, text: $text, replyTo: $replyTo) {
    targetId targetKind comment { id author text replyTo mentions deleted }
  }
}"""
THREAD = """
query($id: ID!, $first: Int, $after: String) {
  comments(targetId: $id, first: $first, after: $after) {
    nodes { id author text deleted replyCount replies(first: 10) { nodes { id text replyTo } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
EDIT = (
    "mutation($id: ID!, $text: String!) { editComment(id: $id, text: $text) { id text editedAt } }"
)
DELETE = "mutation($id: ID!) { deleteComment(id: $id) { id text deleted deletedAt } }"
NOTIFICATIONS = """
query($unread: Boolean!) {
  notifications(unread: $unread) { nodes { id kind subjectId message read } totalCount }
  notificationCounts { total unread }
}"""


@dataclass(frozen=True)
class Rows:
    """One row of `cities` and one of `organizations`, unique to a test."""

    city: str
    org: str
    city_document: str


@pytest.fixture
async def rows(
    graph: Graph, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[Rows]:
    folder = SourceFolder(tmp_path, f"comments_{unique}")
    documents = {}
    for table, text in (
        ("cities", f"city_id,name,population\nc-{unique},One,10\n"),
        ("organizations", f"org_id,name,employees\no-{unique},Org,5\n"),
    ):
        outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
        assert outcome.document_id is not None
        documents[table] = outcome.document_id
    entities = [f"cities:c-{unique}", f"organizations:o-{unique}"]
    records = {
        r["entity"]: r["id"]
        for r in await graph.read("testing/entity_rows", {"entities": entities})
    }
    built = Rows(records[entities[0]], records[entities[1]], documents["cities"])
    yield built
    targets = [built.city, built.org, built.city_document]
    await graph.write("testing/collab_comments_delete", {"targets": targets})
    await graph.write("testing/delete_source", {"source": folder.id})


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def test_a_thread_reads_back_with_replies_one_level_deep_page_by_page(
    api_client: TestClient, callers: Callers, rows: Rows
) -> None:
    editor = callers.editor
    first = data(gql(api_client, editor, COMMENT, {"id": rows.city, "text": "**one**"}), "comment")
    assert first["targetKind"] == "row"
    root = first["comment"]["id"]
    reply = data(
        gql(api_client, editor, COMMENT, {"id": rows.city, "text": "re", "replyTo": root}),
        "comment",
    )["comment"]
    nested = data(
        gql(api_client, editor, COMMENT, {"id": rows.city, "text": "re2", "replyTo": reply["id"]}),
        "comment",
    )["comment"]
    assert reply["replyTo"] == root
    assert nested["replyTo"] == root
    for text in ("two", "three"):
        gql(api_client, editor, COMMENT, {"id": rows.city, "text": text})

    page = data(gql(api_client, callers.viewer, THREAD, {"id": rows.city, "first": 2}), "comments")
    assert [c["text"] for c in page["nodes"]] == ["**one**", "two"]
    assert page["nodes"][0]["replyCount"] == 2
    assert [r["text"] for r in page["nodes"][0]["replies"]["nodes"]] == ["re", "re2"]
    assert page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = gql(api_client, callers.viewer, THREAD, {"id": rows.city, "first": 2, "after": after})
    assert [c["text"] for c in data(rest, "comments")["nodes"]] == ["three"]


def test_a_thread_is_visible_only_to_callers_who_may_read_its_node(
    api_client: TestClient, callers: Callers, rows: Rows
) -> None:
    marker = "SECRET-org-comment"
    data(gql(api_client, callers.editor, COMMENT, {"id": rows.org, "text": marker}), "comment")
    data(gql(api_client, callers.editor, COMMENT, {"id": rows.city, "text": "city"}), "comment")

    city = gql(api_client, callers.restricted, THREAD, {"id": rows.city})
    assert [c["text"] for c in data(city, "comments")["nodes"]] == ["city"]
    for caller in (callers.restricted, callers.stranger, callers.anonymous):
        body = gql(api_client, caller, THREAD, {"id": rows.org})
        assert marker not in str(body)
        assert error_codes(body) in (["access_denied"], ["unauthenticated"])
    # a viewer reads but may not write
    refused = gql(api_client, callers.viewer, COMMENT, {"id": rows.city, "text": "x"})
    assert error_codes(refused) == ["access_denied"]


def test_comments_reach_documents_and_refuse_bad_input(
    api_client: TestClient, callers: Callers, rows: Rows
) -> None:
    body = gql(api_client, callers.admin, COMMENT, {"id": rows.city_document, "text": "doc"})
    assert data(body, "comment")["targetKind"] == "document"
    blank = gql(api_client, callers.editor, COMMENT, {"id": rows.city, "text": "  "})
    assert error_codes(blank) == ["invalid_argument"]
    long = gql(api_client, callers.editor, COMMENT, {"id": rows.city, "text": "x" * 10_001})
    assert error_codes(long) == ["invalid_argument"]
    missing = {"id": rows.city, "text": "x", "replyTo": "comment:nothing"}
    assert error_codes(gql(api_client, callers.editor, COMMENT, missing)) == ["not_found"]
    unknown = gql(api_client, callers.admin, COMMENT, {"id": "row:nothing", "text": "x"})
    assert error_codes(unknown) == ["not_found"]


async def test_only_the_author_edits_and_deletes_and_a_deletion_leaves_a_tombstone(
    api_client: TestClient, callers: Callers, rows: Rows, graph: Graph
) -> None:
    written = gql(api_client, callers.editor, COMMENT, {"id": rows.city, "text": "typo"})
    comment = data(written, "comment")["comment"]["id"]
    others = gql(api_client, callers.admin, EDIT, {"id": comment, "text": "mine now"})
    assert error_codes(others) == ["access_denied"]
    edited = data(
        gql(api_client, callers.editor, EDIT, {"id": comment, "text": "fixed"}), "editComment"
    )
    assert edited["text"] == "fixed"
    assert edited["editedAt"] is not None
    assert error_codes(gql(api_client, callers.admin, DELETE, {"id": comment})) == ["access_denied"]

    deleted = data(gql(api_client, callers.editor, DELETE, {"id": comment}), "deleteComment")
    assert deleted["text"] is None
    assert deleted["deleted"]
    assert deleted["deletedAt"]
    thread = data(gql(api_client, callers.viewer, THREAD, {"id": rows.city}), "comments")["nodes"]
    assert [(c["id"], c["text"], c["deleted"]) for c in thread] == [(comment, None, True)]
    again = gql(api_client, callers.editor, DELETE, {"id": comment})
    assert error_codes(again) == ["comment_deleted"]
    assert error_codes(gql(api_client, callers.editor, EDIT, {"id": comment, "text": "x"})) == [
        "comment_deleted"
    ]
    events = [e for e in await AuditLog(graph).events(limit=None) if e.target == comment]
    assert [(e.action, e.before_digest) for e in events][-1] == (
        "comment.delete",
        digest({"text": digest("fixed"), "target": rows.city}),
    )


async def test_the_edit_window_closes(
    graph: Graph, bus: EventBus, callers: Callers, rows: Rows
) -> None:
    now = [datetime.now(UTC)]
    comments = Comments(graph, AuditLog(graph), Notifier(graph, bus), clock=lambda: now[0])
    subject = Subject(rows.city, "row", "default", "cities")
    assert callers.editor.user_id is not None
    written = await comments.create(subject, callers.editor.user_id, "draft")
    now[0] += timedelta(minutes=16)
    with pytest.raises(EditWindowClosedError):
        await comments.edit(subject, written.id, callers.editor.user_id, "late")
    assert (await comments.get(written.id)).text == "draft"


def test_a_mention_notifies_only_those_who_may_read_the_node(
    api_client: TestClient, callers: Callers, rows: Rows
) -> None:
    viewer, restricted = callers.viewer, callers.restricted
    text = f"look @{viewer.user_id} and @{restricted.user_id}"
    data(gql(api_client, callers.editor, COMMENT, {"id": rows.org, "text": text}), "comment")

    mine = gql(api_client, viewer, NOTIFICATIONS, {"unread": True})
    [note] = data(mine, "notifications")["nodes"]
    assert (note["kind"], note["subjectId"], note["read"]) == ("MENTION", rows.org, False)
    assert data(mine, "notifications")["totalCount"] == 1
    assert data(mine, "notificationCounts") == {"total": 1, "unread": 1}
    hidden = gql(api_client, restricted, NOTIFICATIONS, {"unread": False})
    assert data(hidden, "notifications")["nodes"] == []  # may not read organizations

    marked = gql(api_client, viewer, "mutation { markNotificationsRead }")
    assert data(marked, "markNotificationsRead") == 1
    after = gql(api_client, viewer, NOTIFICATIONS, {"unread": True})
    assert data(after, "notifications")["nodes"] == []
    assert data(after, "notificationCounts") == {"total": 1, "unread": 0}


def test_a_muted_kind_is_not_notified(api_client: TestClient, callers: Callers, rows: Rows) -> None:
    viewer = callers.viewer
    mute = (
        "mutation { setNotificationPreferences(muted: [MENTION], delivery: DIGEST)"
        " { muted delivery email } }"
    )
    assert data(gql(api_client, viewer, mute), "setNotificationPreferences") == {
        "muted": ["MENTION"],
        "delivery": "DIGEST",
        "email": False,
    }
    shown = gql(api_client, viewer, "{ notificationPreferences { muted delivery } }")
    assert data(shown, "notificationPreferences") == {"muted": ["MENTION"], "delivery": "DIGEST"}
    text = f"hello @{viewer.user_id}"
    data(gql(api_client, callers.editor, COMMENT, {"id": rows.city, "text": text}), "comment")
    assert data(
        gql(api_client, viewer, NOTIFICATIONS, {"unread": False}), "notificationCounts"
    ) == {
        "total": 0,
        "unread": 0,
    }


def test_a_mention_arrives_on_the_notifications_subscription(
    api_client: TestClient, callers: Callers, rows: Rows
) -> None:
    viewer = callers.viewer
    with api_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {viewer.token}"}}
        )
        assert ws.receive_json()["type"] == "connection_ack"
        query = "subscription { notifications { kind subjectId message read } }"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        # the subscription is live once a ping round trip completes after subscribing
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
        text = f"ping @{viewer.user_id}"
        for _ in range(20):  # until the Redis subscription is confirmed
            gql(api_client, callers.editor, COMMENT, {"id": rows.city, "text": text})
            ws.send_json({"type": "ping"})
            message = ws.receive_json()
            if message["type"] == "next":
                break
        assert message["type"] == "next", message
        event = message["payload"]["data"]["notifications"]
        assert event["kind"] == "MENTION"
        assert event["subjectId"] == rows.city
        assert event["read"] is False


ACTIVITY = """
query($id: ID!) { activity(nodeId: $id) { nodes { seq actor action nodeId nodeKind table } } }"""
WORKSPACE_ACTIVITY = """
query($ws: String!) {
  workspaceActivity(workspace: $ws, first: 100) {
    nodes { action nodeId table }
    pageInfo { hasNextPage }
  }
}"""


def test_activity_feeds_show_what_happened_to_what_the_caller_may_read(
    api_client: TestClient, callers: Callers, rows: Rows
) -> None:
    editor = callers.editor
    for row in (rows.city, rows.org):
        data(gql(api_client, editor, COMMENT, {"id": row, "text": "noted"}), "comment")

    feed = data(gql(api_client, callers.restricted, ACTIVITY, {"id": rows.city}), "activity")
    [entry] = [e for e in feed["nodes"] if e["action"] == "row.comment"]
    assert (entry["actor"], entry["nodeId"], entry["nodeKind"], entry["table"]) == (
        f"user:{editor.user_id}",
        rows.city,
        "row",
        "cities",
    )
    refused = gql(api_client, callers.restricted, ACTIVITY, {"id": rows.org})
    assert error_codes(refused) == ["access_denied"]

    def seen(caller: Any) -> set[str]:
        body = gql(api_client, caller, WORKSPACE_ACTIVITY, {"ws": "default"})
        return {e["nodeId"] for e in data(body, "workspaceActivity")["nodes"]}

    assert {rows.city, rows.org} <= seen(callers.viewer)
    restricted = seen(callers.restricted)
    assert rows.city in restricted
    assert rows.org not in restricted
    stranger = gql(api_client, callers.stranger, WORKSPACE_ACTIVITY, {"ws": "default"})
    assert error_codes(stranger) == ["access_denied"]


async def test_a_mention_on_a_change_request_goes_out_through_the_channels(
    graph: Graph, bus: EventBus, settings: Settings, callers: Callers
) -> None:
    request = await open_cities_request(graph, bus)
    mentioned = callers.viewer.user_id
    assert mentioned is not None
    await Notifier(graph, bus).set_preferences(mentioned, Preferences(by_email=True))
    # the e-mail is recorded and queued for the worker, not sent by the request
    mailing = settings.model_copy(update={"smtp_host": "127.0.0.1"})
    try:
        with TestClient(create_app(mailing)) as client:
            text = f"see @{mentioned} please"
            written = gql(client, callers.editor, COMMENT, {"id": request.id, "text": text})
        assert data(written, "comment")["comment"]["mentions"] == [mentioned]
        deliveries = await graph.read("testing/collab_deliveries_of", {"marker": mentioned})
        assert [(d["channel"], d["status"]) for d in deliveries] == [("email", "pending")]
    finally:
        await graph.write("testing/mutations_delete", {"targets": [], "requests": [request.id]})
        await graph.write("testing/collab_deliveries_delete", {"marker": mentioned})
