"""Review assignments through GraphQL on the real stores: assign and reassign, each queue
showing what waits for its person or role (oldest first, due dates from policy, closed
reviews gone), assignees told, every change audited, bad assignees refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import Callers, error_codes, gql
from tests.integration.collab_support import open_cities_request
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = pytest.mark.integration

ASSIGN = """
mutation($id: String!, $user: String, $role: Role) {
  assign(nodeId: $id, user: $user, role: $role) {
    nodeId nodeKind user role assignedBy assignedAt dueAt table
  }
}"""
QUEUE = "{ myQueue { nodes { nodeId nodeKind user role dueAt } pageInfo { hasNextPage } } }"
DISMISS = 'mutation($id: String!) { dismissConflict(id: $id, note: "") { id } }'


@dataclass(frozen=True)
class Reviews:
    """An open conflict on `cities` and an open change request on it."""

    conflict: str
    request: str
    request_expires: datetime | None


@pytest.fixture
async def reviews(
    graph: Graph, bus: EventBus, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[Reviews]:
    folders = [SourceFolder(tmp_path, f"{side}_{unique}") for side in ("left", "right")]
    for number, folder in enumerate(folders, start=1):
        text = f"city_id,name,population\nc-{unique},One,{1000 * number}\n"
        outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
    entity = f"cities:c-{unique}"
    engine = await TrustEngine.create(graph, bus)
    await ConflictDetector(graph, bus, AuditLog(graph), engine.tables).scan_entities([entity])
    request = await open_cities_request(graph, bus)
    yield Reviews(f"conflict:value:{entity}:population", request.id, request.expires_at)
    await graph.write("testing/mutations_delete", {"targets": [], "requests": [request.id]})
    await graph.write("testing/delete_conflicts", {"entities": [entity]})
    for folder in folders:
        await graph.write("testing/delete_source", {"source": folder.id})


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def queue(client: TestClient, caller: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = data(gql(client, caller, QUEUE), "myQueue")["nodes"]
    return nodes


async def test_assigning_and_reassigning_moves_a_review_between_queues(
    api_client: TestClient, callers: Callers, reviews: Reviews, graph: Graph
) -> None:
    viewer, editor = callers.viewer, callers.editor
    variables = {"id": reviews.conflict, "user": viewer.user_id}
    given = data(gql(api_client, editor, ASSIGN, variables), "assign")
    assert (given["nodeKind"], given["user"], given["table"]) == (
        "conflict",
        viewer.user_id,
        "cities",
    )
    assert given["assignedBy"] == f"user:{editor.user_id}"
    due = datetime.fromisoformat(given["dueAt"]) - datetime.fromisoformat(given["assignedAt"])
    assert due == timedelta(hours=168)  # the approvals policy's default rule
    assert [q["nodeId"] for q in queue(api_client, viewer)] == [reviews.conflict]
    notes = gql(api_client, viewer, "{ notifications { nodes { kind subjectId } } }")
    assert {"kind": "ASSIGNMENT", "subjectId": reviews.conflict} in data(notes, "notifications")[
        "nodes"
    ]

    to_role = {"id": reviews.conflict, "role": "ADMIN"}
    data(gql(api_client, editor, ASSIGN, to_role), "assign")
    assert queue(api_client, viewer) == []
    assert [
        q["role"] for q in queue(api_client, callers.admin) if q["nodeId"] == reviews.conflict
    ] == ["ADMIN"]
    assert reviews.conflict not in [q["nodeId"] for q in queue(api_client, editor)]  # below admin

    events = [e for e in await AuditLog(graph).events(limit=None) if e.target == reviews.conflict]
    assert [e.action for e in events if e.action.startswith("assignment.")] == [
        "assignment.create",
        "assignment.reassign",
    ]


def test_a_queue_is_oldest_first_with_due_dates_and_drops_closed_reviews(
    api_client: TestClient, callers: Callers, reviews: Reviews
) -> None:
    editor = callers.editor
    for node in (reviews.request, reviews.conflict):
        data(gql(api_client, editor, ASSIGN, {"id": node, "user": editor.user_id}), "assign")
    mine = [
        q for q in queue(api_client, editor) if q["nodeId"] in (reviews.request, reviews.conflict)
    ]
    assert [q["nodeId"] for q in mine] == [reviews.request, reviews.conflict]
    assert reviews.request_expires is not None
    assert datetime.fromisoformat(mine[0]["dueAt"]) == reviews.request_expires  # its stage's expiry

    data(gql(api_client, editor, DISMISS, {"id": reviews.conflict}), "dismissConflict")
    assert reviews.conflict not in [q["nodeId"] for q in queue(api_client, editor)]


def test_bad_assignments_are_refused(
    api_client: TestClient, callers: Callers, reviews: Reviews
) -> None:
    editor = callers.editor
    cases: dict[str, list[dict[str, Any]]] = {
        "invalid_assignee": [
            {"id": reviews.conflict, "user": callers.stranger.user_id},  # may not read it
            {"id": reviews.conflict, "user": editor.user_id, "role": "EDITOR"},
            {"id": reviews.conflict},
        ],
        "not_found": [{"id": reviews.conflict, "user": "nobody-at-all"}],
    }
    for code, variable_sets in cases.items():
        for variables in variable_sets:
            assert error_codes(gql(api_client, editor, ASSIGN, variables)) == [code], variables
    viewer_try = {"id": reviews.conflict, "user": editor.user_id}
    assert error_codes(gql(api_client, callers.viewer, ASSIGN, viewer_try)) == ["access_denied"]
    assert reviews.conflict not in [q["nodeId"] for q in queue(api_client, editor)]
