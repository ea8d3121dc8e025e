"""Comment threads, mention notifications and activity feeds through GraphQL, on the real
stores: write, reply, read back page by page, edit within the window, delete as a tombstone
(audited), each thread and feed entry visible only to callers who may read its node."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from governance.audit import AuditLog, digest
from governance.comments import Comments
from governance.notifications import Notifier, Preferences, Subject
from governance.rbac import Role
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.api_support import Caller, Callers, error_codes, gql, make_caller
from tests.integration.collab_support import open_cities_request
from tests.integration.conftest import ThreadRows

pytestmark = pytest.mark.integration

COMMENT = """
mutation($id: String!, $text: String!, $replyTo: String) {
  comment(targetId: $id, text: $text, replyTo: $replyTo) {
    targetId targetKind comment { id author text replyTo mentions deleted mayEdit mayDelete }
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
RIGHTS = "query($id: ID!) { comments(targetId: $id) { nodes { id mayEdit mayDelete } } }"
NOTIFICATIONS = """
query($unread: Boolean!) {
  notifications(unread: $unread) { nodes { id kind subjectId message read } totalCount }
  notificationCounts { total unread }
}"""


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def test_a_thread_reads_back_with_replies_one_level_deep_page_by_page(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    editor = callers.editor
    first = data(
        gql(api_client, editor, COMMENT, {"id": thread_rows.city, "text": "**one**"}), "comment"
    )
    assert first["targetKind"] == "row"
    root = first["comment"]["id"]
    reply = data(
        gql(api_client, editor, COMMENT, {"id": thread_rows.city, "text": "re", "replyTo": root}),
        "comment",
    )["comment"]
    nested = data(
        gql(
            api_client,
            editor,
            COMMENT,
            {"id": thread_rows.city, "text": "re2", "replyTo": reply["id"]},
        ),
        "comment",
    )["comment"]
    assert reply["replyTo"] == root
    assert nested["replyTo"] == root
    for text in ("two", "three"):
        gql(api_client, editor, COMMENT, {"id": thread_rows.city, "text": text})

    page = data(
        gql(api_client, callers.viewer, THREAD, {"id": thread_rows.city, "first": 2}), "comments"
    )
    assert [c["text"] for c in page["nodes"]] == ["**one**", "two"]
    assert page["nodes"][0]["replyCount"] == 2
    assert [r["text"] for r in page["nodes"][0]["replies"]["nodes"]] == ["re", "re2"]
    assert page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = gql(
        api_client, callers.viewer, THREAD, {"id": thread_rows.city, "first": 2, "after": after}
    )
    assert [c["text"] for c in data(rest, "comments")["nodes"]] == ["three"]


def test_a_thread_is_visible_only_to_callers_who_may_read_its_node(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    marker = "SECRET-org-comment"
    data(
        gql(api_client, callers.editor, COMMENT, {"id": thread_rows.org, "text": marker}), "comment"
    )
    data(
        gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "city"}),
        "comment",
    )

    city = gql(api_client, callers.restricted, THREAD, {"id": thread_rows.city})
    assert [c["text"] for c in data(city, "comments")["nodes"]] == ["city"]
    for caller in (callers.restricted, callers.stranger, callers.anonymous):
        body = gql(api_client, caller, THREAD, {"id": thread_rows.org})
        assert marker not in str(body)
        assert error_codes(body) in (["access_denied"], ["unauthenticated"])
    # a viewer reads but may not write
    refused = gql(api_client, callers.viewer, COMMENT, {"id": thread_rows.city, "text": "x"})
    assert error_codes(refused) == ["access_denied"]


def test_comments_reach_documents_and_refuse_bad_input(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    body = gql(api_client, callers.admin, COMMENT, {"id": thread_rows.city_document, "text": "doc"})
    assert data(body, "comment")["targetKind"] == "document"
    blank = gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "  "})
    assert error_codes(blank) == ["invalid_argument"]
    long = gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "x" * 10_001})
    assert error_codes(long) == ["invalid_argument"]
    missing = {"id": thread_rows.city, "text": "x", "replyTo": "comment:nothing"}
    assert error_codes(gql(api_client, callers.editor, COMMENT, missing)) == ["not_found"]
    unknown = gql(api_client, callers.admin, COMMENT, {"id": "row:nothing", "text": "x"})
    assert error_codes(unknown) == ["not_found"]


async def test_only_the_author_edits_a_comment_and_the_edit_is_audited(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows, graph: Graph, unique: str
) -> None:
    other_editor = await make_caller(graph, unique, "editor2", Role.EDITOR)
    written = gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "typo"})
    comment = data(written, "comment")["comment"]["id"]
    for caller in (callers.admin, other_editor, callers.viewer, callers.stranger):
        refused = gql(api_client, caller, EDIT, {"id": comment, "text": "mine now"})
        assert error_codes(refused) == ["access_denied"], caller.name
    assert error_codes(gql(api_client, callers.anonymous, EDIT, {"id": comment, "text": "x"})) == [
        "unauthenticated"
    ]
    edited = data(
        gql(api_client, callers.editor, EDIT, {"id": comment, "text": "fixed"}), "editComment"
    )
    assert edited["text"] == "fixed"
    assert edited["editedAt"] is not None
    [shown] = data(gql(api_client, callers.viewer, THREAD, {"id": thread_rows.city}), "comments")[
        "nodes"
    ]
    assert shown["text"] == "fixed"
    events = [e for e in await AuditLog(graph).events(limit=None) if e.target == comment]
    assert [(e.actor, e.action) for e in events] == [
        (f"user:{callers.editor.user_id}", "comment.edit")
    ]
    assert events[0].before_digest == digest({"text": digest("typo")})
    assert events[0].after_digest == digest({"text": digest("fixed")})


def test_an_edit_of_bad_text_or_of_no_comment_is_refused_with_its_code(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    written = gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "draft"})
    comment = data(written, "comment")["comment"]["id"]
    for text in ("  ", "x" * 10_001):
        refused = gql(api_client, callers.editor, EDIT, {"id": comment, "text": text})
        assert error_codes(refused) == ["invalid_argument"]
    unknown = gql(api_client, callers.editor, EDIT, {"id": "comment:nothing", "text": "x"})
    assert error_codes(unknown) == ["not_found"]
    too_long_id = gql(api_client, callers.editor, DELETE, {"id": "c" * 1_000})
    assert error_codes(too_long_id) == ["invalid_argument"]
    [shown] = data(gql(api_client, callers.viewer, THREAD, {"id": thread_rows.city}), "comments")[
        "nodes"
    ]
    assert shown["text"] == "draft"


async def test_the_author_or_an_admin_of_its_node_deletes_a_comment_leaving_a_tombstone(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows, graph: Graph, unique: str
) -> None:
    other_editor = await make_caller(graph, unique, "editor2", Role.EDITOR)
    table_admin = await make_caller(graph, unique, "tadmin", Role.ADMIN, frozenset({"cities"}))
    first = gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "spam"})
    second = gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "mine"})
    moderated = data(first, "comment")["comment"]["id"]
    own = data(second, "comment")["comment"]["id"]
    # an editor who did not write it, and an admin whose membership is cut to some tables
    # (administering needs the whole workspace), may not delete it
    for caller in (other_editor, table_admin, callers.viewer, callers.restricted):
        refused = gql(api_client, caller, DELETE, {"id": moderated})
        assert error_codes(refused) == ["access_denied"], caller.name

    by_admin = data(gql(api_client, callers.admin, DELETE, {"id": moderated}), "deleteComment")
    by_author = data(gql(api_client, callers.editor, DELETE, {"id": own}), "deleteComment")
    for deleted in (by_admin, by_author):
        assert (deleted["text"], deleted["deleted"]) == (None, True)
        assert deleted["deletedAt"]
    thread = data(gql(api_client, callers.viewer, THREAD, {"id": thread_rows.city}), "comments")[
        "nodes"
    ]
    assert [(c["id"], c["text"], c["deleted"]) for c in thread] == [
        (moderated, None, True),
        (own, None, True),
    ]
    for caller in (callers.editor, callers.admin):
        again = gql(api_client, caller, DELETE, {"id": own})
        assert error_codes(again) == ["comment_deleted"]
    assert error_codes(gql(api_client, callers.editor, EDIT, {"id": own, "text": "x"})) == [
        "comment_deleted"
    ]
    log = await AuditLog(graph).events(limit=None)
    deletions = [(e.actor, e.target, e.before_digest) for e in log if e.action == "comment.delete"]
    author = callers.editor.user_id
    assert [d for d in deletions if d[1] in (moderated, own)] == [
        (
            f"user:{callers.admin.user_id}",
            moderated,
            digest({"text": digest("spam"), "target": thread_rows.city, "author": author}),
        ),
        (
            f"user:{author}",
            own,
            digest({"text": digest("mine"), "target": thread_rows.city, "author": author}),
        ),
    ]


async def test_may_edit_and_may_delete_say_what_each_reader_may_do(
    api_client: TestClient,
    callers: Callers,
    thread_rows: ThreadRows,
    graph: Graph,
    bus: EventBus,
    unique: str,
) -> None:
    other_editor = await make_caller(graph, unique, "editor2", Role.EDITOR)
    table_admin = await make_caller(graph, unique, "tadmin", Role.ADMIN, frozenset({"cities"}))
    fresh = data(
        gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": "now"}), "comment"
    )
    assert (fresh["comment"]["mayEdit"], fresh["comment"]["mayDelete"]) == (True, True)
    author = callers.editor.user_id
    assert author is not None
    past = datetime.now(UTC) - timedelta(minutes=20)
    comments = Comments(graph, bus, AuditLog(graph), Notifier(graph, bus), clock=lambda: past)
    old = await comments.create(
        Subject(thread_rows.city, "row", "default", "cities"), author, "old"
    )

    def rights(caller: Caller) -> dict[str, tuple[bool, bool]]:
        body = gql(api_client, caller, RIGHTS, {"id": thread_rows.city})
        return {c["id"]: (c["mayEdit"], c["mayDelete"]) for c in data(body, "comments")["nodes"]}

    new = fresh["comment"]["id"]
    assert rights(callers.editor) == {old.id: (False, True), new: (True, True)}
    assert rights(callers.admin) == {old.id: (False, True), new: (False, True)}
    for caller in (other_editor, table_admin, callers.viewer, callers.restricted):
        assert rights(caller) == {old.id: (False, False), new: (False, False)}, caller.name
    late = gql(api_client, callers.editor, EDIT, {"id": old.id, "text": "late"})
    assert error_codes(late) == ["edit_window_closed"]
    assert (await comments.get(old.id)).text == "old"
    gql(api_client, callers.editor, DELETE, {"id": new})
    assert rights(callers.editor)[new] == (False, False)  # a tombstone offers nothing
    assert rights(callers.admin)[new] == (False, False)


def test_a_mention_notifies_only_those_who_may_read_the_node(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    viewer, restricted = callers.viewer, callers.restricted
    text = f"look @{viewer.user_id} and @{restricted.user_id}"
    data(gql(api_client, callers.editor, COMMENT, {"id": thread_rows.org, "text": text}), "comment")

    mine = gql(api_client, viewer, NOTIFICATIONS, {"unread": True})
    [note] = data(mine, "notifications")["nodes"]
    assert (note["kind"], note["subjectId"], note["read"]) == ("MENTION", thread_rows.org, False)
    assert data(mine, "notifications")["totalCount"] == 1
    assert data(mine, "notificationCounts") == {"total": 1, "unread": 1}
    hidden = gql(api_client, restricted, NOTIFICATIONS, {"unread": False})
    assert data(hidden, "notifications")["nodes"] == []  # may not read organizations

    marked = gql(api_client, viewer, "mutation { markNotificationsRead }")
    assert data(marked, "markNotificationsRead") == 1
    after = gql(api_client, viewer, NOTIFICATIONS, {"unread": True})
    assert data(after, "notifications")["nodes"] == []
    assert data(after, "notificationCounts") == {"total": 1, "unread": 0}


def test_a_muted_kind_is_not_notified(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
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
    data(
        gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": text}), "comment"
    )
    assert data(
        gql(api_client, viewer, NOTIFICATIONS, {"unread": False}), "notificationCounts"
    ) == {
        "total": 0,
        "unread": 0,
    }


def test_a_mention_arrives_on_the_notifications_subscription(
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
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
            gql(api_client, callers.editor, COMMENT, {"id": thread_rows.city, "text": text})
            ws.send_json({"type": "ping"})
            message = ws.receive_json()
            if message["type"] == "next":
                break
        assert message["type"] == "next", message
        event = message["payload"]["data"]["notifications"]
        assert event["kind"] == "MENTION"
        assert event["subjectId"] == thread_rows.city
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
    api_client: TestClient, callers: Callers, thread_rows: ThreadRows
) -> None:
    editor = callers.editor
    for row in (thread_rows.city, thread_rows.org):
        data(gql(api_client, editor, COMMENT, {"id": row, "text": "noted"}), "comment")

    feed = data(gql(api_client, callers.restricted, ACTIVITY, {"id": thread_rows.city}), "activity")
    [entry] = [e for e in feed["nodes"] if e["action"] == "row.comment"]
    assert (entry["actor"], entry["nodeId"], entry["nodeKind"], entry["table"]) == (
        f"user:{editor.user_id}",
        thread_rows.city,
        "row",
        "cities",
    )
    refused = gql(api_client, callers.restricted, ACTIVITY, {"id": thread_rows.org})
    assert error_codes(refused) == ["access_denied"]

    def seen(caller: Any) -> set[str]:
        body = gql(api_client, caller, WORKSPACE_ACTIVITY, {"ws": "default"})
        return {e["nodeId"] for e in data(body, "workspaceActivity")["nodes"]}

    assert {thread_rows.city, thread_rows.org} <= seen(callers.viewer)
    restricted = seen(callers.restricted)
    assert thread_rows.city in restricted
    assert thread_rows.org not in restricted
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
