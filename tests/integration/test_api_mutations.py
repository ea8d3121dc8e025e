"""The GraphQL mutations on the real stores: every mutation as every kind of caller, with the
graph compared before and after each refusal; injection payloads in every string argument;
uploads over the multipart request spec, through the queue and the worker into the graph."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import Job, JobDef
from fastapi.testclient import TestClient
from opentelemetry.trace import get_tracer
from pydantic import JsonValue

from api.app import create_app
from api.gql.uploads import CSRF_HEADER, MAX_FILES
from governance.accounts import Accounts
from governance.api_keys import ApiKeys
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.policy import ApprovalRule
from governance.rbac import DEFAULT_WORKSPACE, Role
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest import identity
from ingest.after_ingest import AfterIngest
from ingest.extract import Limits
from ingest.queue import QUEUE_NAME, QueuedFile, deserialize, serialize
from ingest.service import IngestionService, OutcomeStatus
from ingest.worker import ingest_file
from tests.integration.api_support import SYSTEM, Caller, Callers, error_codes, gql
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.services import TrustServices

pytestmark = pytest.mark.integration

MAX_TEST_FILE_BYTES = 64 * 1024
INJECTIONS = [
    '"}) DETACH DELETE n //',
    "' OR 1=1 --",
    "x` }) MATCH (n) DETACH DELETE n RETURN 1 //",
    "$id} CALL db.clearQueryCaches() //",
    "ünïcødé ✓ 🚀 \u202eevil\u202c",
    "a" * 100_000,
    "nul \x00 inside",
]

QUARANTINE = (
    "mutation($id: String!, $reason: String!)"
    " { quarantineRow(id: $id, reason: $reason) { id changed } }"
)
RELEASE = "mutation($id: String!) { releaseRow(id: $id) { id changed } }"
RESOLVE = (
    'mutation($id: String!, $rowId: String, $note: String! = "") {'
    " resolveConflict(id: $id, rowId: $rowId, note: $note)"
    " { id status keptValue keptRows rejectedRows } }"
)
DISMISS = (
    'mutation($id: String!, $note: String! = "")'
    " { dismissConflict(id: $id, note: $note) { id status } }"
)
REOPEN = "mutation($id: String!) { reopenConflict(id: $id) { id status restoredRows } }"
APPROVE = (
    'mutation($id: String!, $note: String! = "") { approveChangeRequest(id: $id, note: $note)'
    " { id status stage approvals required applyError } }"
)
REJECT = (
    'mutation($id: String!, $note: String! = "") { rejectChangeRequest(id: $id, note: $note)'
    " { id status approvals required } }"
)
COMMENT = (
    "mutation($id: String!, $text: String!) { comment(targetId: $id, text: $text)"
    " { targetId targetKind } }"
)
REINGEST = (
    "mutation($id: String!) { reingest(documentId: $id) { documentId path sha256 jobId queued } }"
)
UPLOAD = (
    "mutation($files: [Upload!]!) { uploadFiles(files: $files)"
    " { name size sha256 accepted queued jobId refusal reason } }"
)


@dataclass(frozen=True)
class World:
    """Two sources that disagree about two cities and one organization, and change requests
    on both tables, unique to one test."""

    unique: str
    rows: dict[str, list[str]]
    documents: dict[str, str]
    requests: dict[str, str]
    folders: list[SourceFolder]

    def conflict(self, table: str, key: str, attribute: str) -> str:
        return f"conflict:value:{table}:{key}-{self.unique}:{attribute}"

    @property
    def city_conflicts(self) -> list[str]:
        return [self.conflict("cities", k, "population") for k in ("c1", "c2")]

    @property
    def org_conflict(self) -> str:
        return self.conflict("organizations", "o1", "employees")

    @property
    def entities(self) -> list[str]:
        u = self.unique
        return [f"cities:c1-{u}", f"cities:c2-{u}", f"organizations:o1-{u}"]

    def ids(self) -> list[str]:
        return [
            *self.rows["cities"],
            *self.rows["organizations"],
            *self.documents.values(),
            *self.requests.values(),
            *self.city_conflicts,
            self.org_conflict,
        ]


@dataclass(frozen=True)
class Cast:
    """The callers of one test: the standard ones and an editor of table `cities` only."""

    callers: Callers
    table_editor: Caller

    def refused_on_cities(self) -> list[Caller]:
        c = self.callers
        return [c.viewer, c.restricted, c.stranger, c.anonymous]

    def actors(self) -> list[str]:
        people = [*self.callers.all(), self.table_editor]
        return [f"user:{c.user_id}" for c in people if c.user_id]


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("watched")


@pytest.fixture(scope="module")
def client(settings: Settings, watched: Path) -> Iterator[TestClient]:
    """The real app with a private watched folder and a small file-size cap."""
    configured = settings.model_copy(
        update={"watch_dirs": [watched], "max_file_bytes": MAX_TEST_FILE_BYTES}
    )
    with TestClient(create_app(configured)) as api:
        yield api


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url),
        job_serializer=serialize,
        job_deserializer=deserialize,
    )
    yield pool
    await pool.aclose()


async def queued_job(queue: ArqRedis, job_id: str) -> JobDef | None:
    """The job as queued, or as run if a worker of another test took it; None if never queued
    (read from its own keys: another test may empty the queue's sorted set)."""
    return await Job(job_id, queue, _queue_name=QUEUE_NAME, _deserializer=deserialize).info()


async def forget_job(queue: ArqRedis, job_id: str) -> None:
    await queue.zrem(QUEUE_NAME, job_id)
    await queue.delete(job_key_prefix + job_id, result_key_prefix + job_id)


@pytest.fixture
async def cast(graph: Graph, callers: Callers, unique: str) -> Cast:
    audit = AuditLog(graph)
    accounts, keys = Accounts(graph, audit), ApiKeys(graph, audit)
    user_id = f"tableeditor-{unique}"
    await accounts.create_user(user_id, name="te", email=f"{user_id}@example.org", by=SYSTEM)
    await accounts.grant(
        DEFAULT_WORKSPACE, user_id, Role.EDITOR, tables=frozenset({"cities"}), by=SYSTEM
    )
    issued = await keys.create_key(user_id, name="tests", scopes=None, expires_at=None, by=SYSTEM)
    table_editor = Caller(
        "table_editor", user_id, issued.token.get_secret_value(), Role.EDITOR, frozenset({"cities"})
    )
    return Cast(callers, table_editor)


async def open_request(
    graph: Graph, bus: EventBus, table: str, requester: str, rule: ApprovalRule
) -> str:
    approvals = Approvals(graph, bus, AuditLog(graph), {})
    request = await approvals.open(
        kind="test.noop",
        title=f"a change to {table}",
        payload={"table": table},
        requested_by=requester,
        workspace=DEFAULT_WORKSPACE,
        rule=rule,
    )
    return request.id


@pytest.fixture
async def world(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    cast: Cast,
    tmp_path: Path,
    unique: str,
) -> AsyncIterator[World]:
    u = unique
    folders = [SourceFolder(tmp_path, f"{name}_{u}") for name in ("left", "right")]
    documents: dict[str, str] = {}
    for number, folder in enumerate(folders, start=1):
        cities = (
            f"city_id,name,population\nc1-{u},One,{1000 * number}\nc2-{u},Two,{5000 * number}\n"
        )
        orgs = f"org_id,name,employees\no1-{u},Org,{100 * number}\n"
        for table, text in (("cities", cities), ("organizations", orgs)):
            outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
            assert outcome.status is OutcomeStatus.INGESTED, outcome
            assert outcome.document_id is not None
            documents.setdefault(table, outcome.document_id)
    engine = await TrustEngine.create(graph, bus)
    detector = ConflictDetector(graph, bus, AuditLog(graph), engine.tables)
    entities = [f"cities:c1-{u}", f"cities:c2-{u}", f"organizations:o1-{u}"]
    await detector.scan_entities(entities)
    records = await graph.read("testing/entity_rows", {"entities": entities})
    rows: dict[str, list[str]] = {"cities": [], "organizations": []}
    for record in sorted(records, key=lambda r: (r["entity"], r["source"])):
        rows[record["entity"].split(":", 1)[0]].append(record["id"])
    requester = cast.callers.editor.user_id
    assert requester is not None
    three = ApprovalRule(required=3, role=Role.EDITOR, expires_after_hours=None)
    admins = ApprovalRule(required=1, role=Role.ADMIN, expires_after_hours=None)
    requests = {
        "cities": await open_request(graph, bus, "cities", requester, three),
        "organizations": await open_request(graph, bus, "organizations", requester, three),
        "cities_admins": await open_request(graph, bus, "cities", "system:tests", admins),
    }
    built = World(u, rows, documents, requests, folders)
    yield built
    await graph.write(
        "testing/mutations_delete",
        {"targets": built.ids(), "requests": list(requests.values())},
    )
    await graph.write("testing/delete_conflicts", {"entities": entities})
    for folder in folders:
        await graph.write("testing/delete_source", {"source": folder.id})


async def snapshot(graph: Graph, world: World, cast: Cast, ids: list[str] | None = None) -> Any:
    """The test's nodes (or those of `ids`) with their edges, and the test users' audit events."""
    [record] = await graph.read(
        "testing/mutations_snapshot",
        {"ids": world.ids() if ids is None else ids, "actors": cast.actors()},
    )
    return record


def untouched(world: World, table: str) -> list[str]:
    """Nodes an action on a row of `table` must leave alone: the other table's rows and
    conflict, and the change requests (rescoring the row's entity may change its siblings)."""
    other = "organizations" if table == "cities" else "cities"
    conflicts = [world.org_conflict] if other == "organizations" else world.city_conflicts
    return [*world.rows[other], *conflicts, *world.requests.values()]


async def refused(
    graph: Graph,
    client: TestClient,
    world: World,
    cast: Cast,
    caller: Caller,
    query: str,
    variables: dict[str, Any],
) -> list[str]:
    """Run a mutation that must be refused; the graph is unchanged. Returns the error codes."""
    before = await snapshot(graph, world, cast)
    body = gql(client, caller, query, variables)
    assert body.get("data") is None, (caller.name, body)
    assert await snapshot(graph, world, cast) == before, caller.name
    return error_codes(body)


async def refused_to_all_but_editors(
    graph: Graph,
    client: TestClient,
    world: World,
    cast: Cast,
    query: str,
    city: dict[str, Any],
    org: dict[str, Any],
) -> None:
    """Viewers, strangers and anonymous callers may not act on a city; the editor of
    `cities` only may not act on an organization."""
    for caller in cast.refused_on_cities():
        codes = await refused(graph, client, world, cast, caller, query, city)
        expected = "unauthenticated" if caller.user_id is None else "access_denied"
        assert codes == [expected], caller.name
    codes = await refused(graph, client, world, cast, cast.table_editor, query, org)
    assert codes == ["access_denied"]


def data(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


async def row_state(graph: Graph, row_id: str) -> dict[str, Any]:
    [record] = await graph.read("testing/mutations_snapshot", {"ids": [row_id], "actors": []})
    [[_, properties, _]] = record["nodes"]
    return dict(properties)


async def test_quarantine_and_release_by_role_and_table(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    city, other_city = world.rows["cities"][0], world.rows["cities"][1]
    org = world.rows["organizations"][0]
    await refused_to_all_but_editors(
        graph,
        client,
        world,
        cast,
        QUARANTINE,
        {"id": city, "reason": "bad"},
        {"id": org, "reason": "bad"},
    )
    te, editor, admin = cast.table_editor, cast.callers.editor, cast.callers.admin
    for caller, row in ((te, city), (editor, org), (admin, other_city)):
        table = "organizations" if row == org else "cities"
        others = await snapshot(graph, world, cast, untouched(world, table))
        body = gql(client, caller, QUARANTINE, {"id": row, "reason": f"by {caller.name}"})
        assert data(body, "quarantineRow") == {"id": row, "changed": True}
        state = await row_state(graph, row)
        assert (state["status"], state["quarantine_reason"]) == ("quarantined", f"by {caller.name}")
        assert state["quarantined_by"] == f"user:{caller.user_id}"
        after = await snapshot(graph, world, cast, untouched(world, table))
        assert after["nodes"] == others["nodes"]
        assert after["audited"] == others["audited"] + 1
    again = gql(client, te, QUARANTINE, {"id": city, "reason": "twice"})
    assert data(again, "quarantineRow") == {"id": city, "changed": False}

    await refused_to_all_but_editors(graph, client, world, cast, RELEASE, {"id": city}, {"id": org})
    for caller, row in ((te, city), (editor, org), (admin, other_city)):
        assert data(gql(client, caller, RELEASE, {"id": row}), "releaseRow")["changed"] is True
        assert (await row_state(graph, row))["status"] == "active"


async def test_quarantine_needs_a_reason_and_a_known_row(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    admin = cast.callers.admin
    row = world.rows["cities"][0]
    codes = await refused(graph, client, world, cast, admin, QUARANTINE, {"id": row, "reason": " "})
    assert codes == ["invalid_argument"]
    unknown = {"id": "row:nothing", "reason": "x"}
    assert await refused(graph, client, world, cast, admin, QUARANTINE, unknown) == ["not_found"]
    # an id of another kind of node is not a row
    other = {"id": world.requests["cities"], "reason": "x"}
    assert await refused(graph, client, world, cast, admin, QUARANTINE, other) == ["not_found"]
    # a caller without rights learns nothing about whether an id exists
    stranger = cast.callers.stranger
    assert await refused(graph, client, world, cast, stranger, QUARANTINE, unknown) == [
        "access_denied"
    ]


async def test_resolve_reopen_and_dismiss_conflicts_by_role_and_table(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    c1, c2 = world.city_conflicts
    org = world.org_conflict
    await refused_to_all_but_editors(graph, client, world, cast, RESOLVE, {"id": c1}, {"id": org})
    te, editor, admin = cast.table_editor, cast.callers.editor, cast.callers.admin
    resolved = data(
        gql(client, te, RESOLVE, {"id": c1, "note": "register wins"}), "resolveConflict"
    )
    assert resolved["status"] == "RESOLVED"
    assert len(resolved["keptRows"]) == 1
    assert len(resolved["rejectedRows"]) == 1
    chosen = world.rows["organizations"][1]
    by_row = gql(client, editor, RESOLVE, {"id": org, "rowId": chosen})
    assert data(by_row, "resolveConflict")["keptRows"] == [chosen]
    assert data(gql(client, admin, RESOLVE, {"id": c2}), "resolveConflict")["status"] == "RESOLVED"
    [record] = await graph.read("conflicts/get", {"id": c1})
    assert record["conflict"]["status"] == "resolved"
    assert record["conflict"]["resolved_by"] == f"user:{te.user_id}"
    # a decided conflict cannot be decided again
    codes = await refused(graph, client, world, cast, admin, RESOLVE, {"id": c1})
    assert codes == ["conflict_state"]

    await refused_to_all_but_editors(graph, client, world, cast, REOPEN, {"id": c1}, {"id": org})
    reopened = data(gql(client, te, REOPEN, {"id": c1}), "reopenConflict")
    assert reopened == {"id": c1, "status": "OPEN", "restoredRows": resolved["rejectedRows"]}
    assert data(gql(client, editor, REOPEN, {"id": org}), "reopenConflict")["status"] == "OPEN"

    await refused_to_all_but_editors(graph, client, world, cast, DISMISS, {"id": c1}, {"id": org})
    dismissed = gql(client, te, DISMISS, {"id": c1, "note": "census years differ"})
    assert data(dismissed, "dismissConflict") == {"id": c1, "status": "DISMISSED"}
    assert (
        data(gql(client, editor, DISMISS, {"id": org}), "dismissConflict")["status"] == "DISMISSED"
    )
    [record] = await graph.read("conflicts/get", {"id": c1})
    assert json.loads(record["conflict"]["resolution"]) == {
        "dismissed": True,
        "note": "census years differ",
    }


async def test_resolving_refuses_a_row_outside_the_conflict(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    c1 = world.city_conflicts[0]
    outsider = {"id": c1, "rowId": world.rows["organizations"][0]}
    codes = await refused(graph, client, world, cast, cast.callers.admin, RESOLVE, outsider)
    assert codes == ["unknown_choice"]


async def test_approve_and_reject_change_requests_by_role_and_table(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    city, org = world.requests["cities"], world.requests["organizations"]
    await refused_to_all_but_editors(graph, client, world, cast, APPROVE, {"id": city}, {"id": org})
    te, admin = cast.table_editor, cast.callers.admin
    first = data(gql(client, te, APPROVE, {"id": city, "note": "fine"}), "approveChangeRequest")
    assert first == {
        "id": city,
        "status": "OPEN",
        "stage": 0,
        "approvals": 1,
        "required": 3,
        "applyError": None,
    }
    second = data(gql(client, admin, APPROVE, {"id": city}), "approveChangeRequest")
    assert second["approvals"] == 2
    assert data(gql(client, admin, APPROVE, {"id": org}), "approveChangeRequest")["approvals"] == 1
    # a second vote by the same person, the requester's own vote, a role below the stage's
    codes = await refused(graph, client, world, cast, te, APPROVE, {"id": city})
    assert codes == ["duplicate_approver"]
    codes = await refused(graph, client, world, cast, cast.callers.editor, APPROVE, {"id": org})
    assert codes == ["self_approval"]
    admins_only = {"id": world.requests["cities_admins"]}
    assert await refused(graph, client, world, cast, te, APPROVE, admins_only) == [
        "insufficient_role"
    ]
    assert await refused(graph, client, world, cast, admin, APPROVE, {"id": "cr:none"}) == [
        "not_found"
    ]

    await refused_to_all_but_editors(graph, client, world, cast, REJECT, {"id": city}, {"id": org})
    rejected = data(gql(client, te, REJECT, {"id": city, "note": "no"}), "rejectChangeRequest")
    assert rejected["status"] == "REJECTED"
    codes = await refused(graph, client, world, cast, admin, APPROVE, {"id": city})
    assert codes == ["change_request_not_open"]
    [record] = await graph.read("approvals/get", {"id": city})
    assert [v["user"] for v in record["rejections"]] == [te.user_id]


async def test_approving_an_ingestion_request_queues_its_file(
    graph: Graph, bus: EventBus, client: TestClient, world: World, queue: ArqRedis, cast: Cast
) -> None:
    folder = world.folders[0]
    payload: dict[str, JsonValue] = {
        "source": folder.id,
        "path": f"{folder.name}/held.csv",
        "root": str(folder.root),
        "sha256": "0" * 64,
        "size": 10,
    }
    request = await Approvals(graph, bus, AuditLog(graph), {}).open(
        kind="ingestion",
        title="a high-risk file",
        payload=payload,
        requested_by="system:tests",
        workspace=DEFAULT_WORKSPACE,
        rule=ApprovalRule(required=1, role=Role.EDITOR, expires_after_hours=None),
    )
    held = QueuedFile(folder.root / folder.name / "held.csv", folder.root, "0" * 64, 10)
    job_id = held.job_id_after(request.id)  # its own job: the file's first may block its id
    try:
        body = gql(client, cast.callers.admin, APPROVE, {"id": request.id})
        assert data(body, "approveChangeRequest")["status"] == "APPLIED"
        assert await queued_job(queue, job_id) is not None
    finally:
        await forget_job(queue, job_id)
        await graph.write("testing/mutations_delete", {"targets": [], "requests": [request.id]})


async def test_comments_on_requests_conflicts_and_rows(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    city_row, org_row = world.rows["cities"][0], world.rows["organizations"][0]
    await refused_to_all_but_editors(
        graph,
        client,
        world,
        cast,
        COMMENT,
        {"id": city_row, "text": "hi"},
        {"id": org_row, "text": "hi"},
    )
    te, admin = cast.table_editor, cast.callers.admin
    text = f"please look, @{admin.user_id} and @nobody-{world.unique}"
    targets = {
        world.requests["cities"]: "change_request",
        world.city_conflicts[0]: "conflict",
        city_row: "row",
    }
    for target, kind in targets.items():
        body = gql(client, te, COMMENT, {"id": target, "text": text})
        assert data(body, "comment") == {"targetId": target, "targetKind": kind}
        [comment] = await graph.read("testing/mutations_comments", {"target": target})
        assert (comment["text"], comment["user"]) == (text, te.user_id)
        assert comment["mentions"] == [admin.user_id]
    editor = cast.callers.editor
    assert data(gql(client, editor, COMMENT, {"id": org_row, "text": "ok"}), "comment")
    blank = {"id": city_row, "text": "   "}
    assert await refused(graph, client, world, cast, te, COMMENT, blank) == ["invalid_argument"]


async def test_reingest_queues_the_documents_file_again(
    graph: Graph, client: TestClient, world: World, cast: Cast, queue: ArqRedis
) -> None:
    city, org = world.documents["cities"], world.documents["organizations"]
    await refused_to_all_but_editors(
        graph, client, world, cast, REINGEST, {"id": city}, {"id": org}
    )
    folder = world.folders[0]
    path = folder.folder / "cities.csv"
    try:
        body = gql(client, cast.table_editor, REINGEST, {"id": city})
        queued = data(body, "reingest")
        assert queued["path"] == f"{folder.name}/cities.csv"
        assert queued["jobId"] == identity.job_id(str(path.resolve()), queued["sha256"])
        assert queued["queued"] is True
        job = await queued_job(queue, queued["jobId"])
        assert job is not None
        assert (job.function, list(job.args)) == ("ingest_file", [str(path), str(folder.root)])
        again = data(gql(client, cast.callers.editor, REINGEST, {"id": city}), "reingest")
        assert again["queued"] is False  # the same content is queued once
    finally:
        await forget_job(queue, identity.job_id(str(path.resolve()), queued["sha256"]))
    path.unlink()
    codes = await refused(graph, client, world, cast, cast.callers.admin, REINGEST, {"id": city})
    assert codes == ["file_missing"]


async def test_injection_payloads_in_ids_change_nothing(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    admin = cast.callers.admin
    cases = [
        (QUARANTINE, "id", {"reason": "x"}),
        (RELEASE, "id", {}),
        (RESOLVE, "id", {}),
        (DISMISS, "id", {}),
        (REOPEN, "id", {}),
        (APPROVE, "id", {}),
        (REJECT, "id", {}),
        (COMMENT, "id", {"text": "x"}),
        (REINGEST, "id", {}),
        (RESOLVE, "rowId", {"id": world.city_conflicts[0]}),
    ]
    for query, argument, others in cases:
        for payload in INJECTIONS:
            variables = {**others, argument: payload}
            codes = await refused(graph, client, world, cast, admin, query, variables)
            assert codes[0] in {"not_found", "invalid_argument", "unknown_choice"}, codes


async def test_injection_payloads_in_texts_are_stored_verbatim_or_refused(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    admin = cast.callers.admin
    row, conflict = world.rows["cities"][0], world.city_conflicts[0]
    for payload in INJECTIONS:
        if "\x00" in payload or len(payload) > 10_000:
            for query, variables in (
                (QUARANTINE, {"id": row, "reason": payload}),
                (COMMENT, {"id": row, "text": payload}),
                (DISMISS, {"id": conflict, "note": payload}),
                (APPROVE, {"id": world.requests["cities"], "note": payload}),
            ):
                codes = await refused(graph, client, world, cast, admin, query, variables)
                assert codes == ["invalid_argument"]
            continue
        others = await snapshot(graph, world, cast, untouched(world, "cities"))
        changed = gql(client, admin, QUARANTINE, {"id": row, "reason": payload})
        assert data(changed, "quarantineRow")["changed"] is True
        assert (await row_state(graph, row))["quarantine_reason"] == payload
        assert data(gql(client, admin, RELEASE, {"id": row}), "releaseRow")["changed"] is True
        after = await snapshot(graph, world, cast, untouched(world, "cities"))
        assert after["nodes"] == others["nodes"]
        assert data(gql(client, admin, COMMENT, {"id": row, "text": payload}), "comment")
        texts = [c["text"] for c in await graph.read("testing/mutations_comments", {"target": row})]
        assert texts[-1] == payload
        assert data(
            gql(client, admin, DISMISS, {"id": conflict, "note": payload}), "dismissConflict"
        )
        [record] = await graph.read("conflicts/get", {"id": conflict})
        assert json.loads(record["conflict"]["resolution"])["note"] == payload
        assert data(gql(client, admin, REOPEN, {"id": conflict}), "reopenConflict")


def upload(
    client: TestClient,
    caller: Caller,
    files: list[tuple[str, bytes]],
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a GraphQL multipart request (the spec's operations, map and file parts), with
    the file names as raw bytes (httpx would percent-encode control characters)."""
    boundary = uuid.uuid4().hex
    operations = {"query": UPLOAD, "variables": {"files": [None] * len(files)}}
    mapping = {str(i): [f"variables.files.{i}"] for i in range(len(files))}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'.encode()
        + json.dumps(value).encode()
        + b"\r\n"
        for field, value in (("operations", operations), ("map", mapping))
    ]
    for i, (name, content) in enumerate(files):
        disposition = f'form-data; name="{i}"; filename="{name}"'.encode()
        parts.append(
            f"--{boundary}\r\nContent-Disposition: ".encode()
            + disposition
            + b"\r\nContent-Type: text/csv\r\n\r\n"
            + content
            + b"\r\n"
        )
    return client.post(
        "/graphql",
        content=b"".join(parts) + f"--{boundary}--\r\n".encode(),
        headers={
            **caller.headers(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            CSRF_HEADER: "1",
            **(headers or {}),
        },
    )


def uploaded_files(watched: Path) -> list[str]:
    folder = watched / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_multipart_request_without_the_csrf_header_is_refused(
    client: TestClient, cast: Cast, watched: Path, unique: str
) -> None:
    before = uploaded_files(watched)
    response = upload(
        client, cast.callers.admin, [(f"x-{unique}.csv", b"a,b\n1,2\n")], headers={CSRF_HEADER: ""}
    )
    assert response.status_code == 400
    assert CSRF_HEADER in response.text
    assert uploaded_files(watched) == before


async def test_uploads_need_ingest_on_the_whole_workspace(
    client: TestClient, cast: Cast, watched: Path, queue: ArqRedis, unique: str
) -> None:
    before = uploaded_files(watched)
    name, content = f"x-{unique}.csv", b"a,b\n1,2\n"
    job_id = identity.job_id(
        str((watched / "uploads" / name).resolve()), identity.content_sha256(content)
    )
    c = cast.callers
    for caller in (c.viewer, c.restricted, c.stranger, c.anonymous, cast.table_editor):
        body = upload(client, caller, [(name, content)]).json()
        expected = "unauthenticated" if caller.user_id is None else "access_denied"
        assert error_codes(body) == [expected], caller.name
        assert body["data"] is None
    assert uploaded_files(watched) == before
    assert await queued_job(queue, job_id) is None


async def test_untrusted_names_sizes_and_counts_are_refused(
    client: TestClient, cast: Cast, watched: Path, queue: ArqRedis, unique: str
) -> None:
    before = uploaded_files(watched)
    good = f"good-{unique}.csv"
    names = {
        "../../etc/passwd": "bad_name",
        "..\\..\\windows\\win.ini": "bad_name",
        "nul\x00.csv": "bad_name",
        "tab\there.csv": "bad_name",
        ".hidden.csv": "bad_name",
        "..": "bad_name",
        "x" * 300 + ".csv": "bad_name",
        good: "",
        f"cafe\u0301-{unique}.csv": "",
        f"big-{unique}.csv": "too_large",
        f"empty-{unique}.csv": "empty",
    }
    files = [(name, b"a,b\n1,2\n") for name in names]
    files[-2] = (files[-2][0], b"x" * (MAX_TEST_FILE_BYTES + 1))
    files[-1] = (files[-1][0], b"")
    files.append((good, b"a,b\n3,4\n"))
    body = upload(client, cast.callers.editor, files).json()
    results = data(body, "uploadFiles")
    assert [r["refusal"] or "" for r in results] == [*names.values(), "duplicate_name"]
    assert all(r["reason"] for r in results if r["refusal"])
    accepted = [r for r in results if r["accepted"]]
    try:
        unicode = f"caf\u00e9-{unique}.csv"  # stored NFC-normalized
        assert [r["name"] for r in accepted] == [good, unicode]
        assert uploaded_files(watched) == sorted([*before, good, unicode])
        assert (watched / "uploads" / good).read_bytes() == b"a,b\n1,2\n"
        assert await queued_job(queue, accepted[0]["jobId"]) is not None
    finally:
        for result in accepted:
            await forget_job(queue, result["jobId"])
            (watched / "uploads" / result["name"]).unlink()
    too_many = [(f"f{i}-{unique}.csv", b"a\n1\n") for i in range(MAX_FILES + 1)]
    assert error_codes(upload(client, cast.callers.editor, too_many).json()) == ["too_many_files"]
    assert uploaded_files(watched) == before
    # a JSON request cannot pass a string where a file belongs
    body = gql(client, cast.callers.admin, UPLOAD, {"files": ["not a file"]})
    assert data(body, "uploadFiles")[0]["refusal"] == "not_a_file"


async def test_an_uploaded_csv_is_queued_and_the_worker_makes_it_a_document(
    settings: Settings,
    graph: Graph,
    bus: EventBus,
    client: TestClient,
    cast: Cast,
    service: IngestionService,
    queue: ArqRedis,
    watched: Path,
    unique: str,
) -> None:
    name = f"cities-{unique}.csv"
    content = f"city_id,name,population\nu1-{unique},Up,10\nu2-{unique},Load,20\n".encode()
    response = upload(client, cast.callers.admin, [(name, content)])
    [result] = data(response.json(), "uploadFiles")
    path = watched / "uploads" / name
    assert result == {
        "name": name,
        "size": len(content),
        "sha256": identity.content_sha256(content),
        "accepted": True,
        "queued": True,
        "jobId": identity.job_id(str(path.resolve()), identity.content_sha256(content)),
        "refusal": None,
        "reason": None,
    }
    try:
        job = await queued_job(queue, result["jobId"])
        await forget_job(queue, result["jobId"])
        assert job is not None
        assert job.function == "ingest_file"
        ctx = {
            "tracer": get_tracer(__name__),
            "service": service,
            "bus": bus,
            "graph": graph,
            "after_ingest": AfterIngest.declared(
                await TrustServices.open(graph, bus, AuditLog(graph))
            ),
            "settings": settings,
            "job_id": result["jobId"],
            "redis": queue,  # where the document's pass is queued
        }
        outcome = await ingest_file(ctx, *job.args, **job.kwargs)
        assert (outcome["status"], outcome["table"], outcome["rows"]) == ("ingested", "cities", 2)
        [record] = await graph.read("testing/source_graph", {"source": "folder:uploads"})
        [document] = [d for d in record["documents"] if d["id"] == outcome["document_id"]]
        assert document["sha256"] == result["sha256"]
        keys = sorted(r["key"] for r in record["rows"] if r["key"].endswith(unique))
        assert keys == [f"u1-{unique}", f"u2-{unique}"]
    finally:
        await forget_job(queue, result["jobId"])
        await graph.write("testing/delete_source", {"source": "folder:uploads"})
        path.unlink(missing_ok=True)


async def test_a_version_conflict_is_guarded_by_the_table_of_its_files_rows(
    graph: Graph, client: TestClient, world: World, cast: Cast
) -> None:
    conflict, entity = f"conflict:version:{world.unique}", f"file:{world.unique}"
    [created] = await graph.write(
        "testing/mutations_version_conflict",
        {"id": conflict, "entity": entity, "documents": [world.documents["organizations"]]},
    )
    assert created["documents"] == 1
    try:
        codes = await refused(
            graph, client, world, cast, cast.table_editor, DISMISS, {"id": conflict, "note": ""}
        )
        assert codes == ["access_denied"]
        dismissed = gql(client, cast.callers.editor, DISMISS, {"id": conflict, "note": "ok"})
        assert data(dismissed, "dismissConflict") == {"id": conflict, "status": "DISMISSED"}
    finally:
        await graph.write("testing/delete_conflicts", {"entities": [entity]})


async def test_resolving_a_conflict_on_personal_data_does_not_show_the_value(
    graph: Graph, bus: EventBus, client: TestClient, cast: Cast, tmp_path: Path, unique: str
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    service = await IngestionService.create(
        graph, bus, limits=Limits(), batch_size=100, cipher=services.cipher
    )
    folders = [SourceFolder(tmp_path, f"{name}_{unique}") for name in ("hr", "crm")]
    for folder, email in zip(folders, ("ann@one.example", "ann@two.example"), strict=True):
        text = f"person_id,name,email\np-{unique},Ann,{email}\n"
        outcome = await service.ingest_file(folder.write("people.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
    entity = f"people:p-{unique}"
    engine = await TrustEngine.create(graph, bus)
    await ConflictDetector(graph, bus, AuditLog(graph), engine.tables).scan_entities([entity])
    conflict = f"conflict:value:{entity}:email"
    query = RESOLVE.replace("keptValue", "keptValue valueRedacted")
    try:
        resolved = data(
            gql(client, cast.callers.editor, query, {"id": conflict}), "resolveConflict"
        )
        assert (resolved["keptValue"], resolved["valueRedacted"]) == (None, True)
        reopen = gql(client, cast.callers.admin, REOPEN, {"id": conflict})
        assert data(reopen, "reopenConflict")["status"] == "OPEN"
        shown = data(gql(client, cast.callers.admin, query, {"id": conflict}), "resolveConflict")
        assert shown["valueRedacted"] is False
        assert shown["keptValue"] is not None
    finally:
        await graph.write("testing/delete_conflicts", {"entities": [entity]})
        for folder in folders:
            await graph.write("testing/delete_source", {"source": folder.id})
