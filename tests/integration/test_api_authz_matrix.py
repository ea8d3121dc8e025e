"""The authorization matrix, generated from the schema: every root field as every kind of
caller, its answer checked against an independent oracle (`authz_matrix`) and scanned for
the seeded values of tables the caller may not read, however deep they sit.

Mutations run in their refused cases only (an allowed one would change the seed the other
cases read); their allowed paths are proved by the tests of each mutation. Subscriptions
are checked over a real websocket: the connection refusal of an anonymous caller, then each
field's refusal (or the absence of one) for every authenticated caller.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from api.gql.uploads import CSRF_HEADER
from api.schema import build_schema
from governance.approvals import Approvals
from governance.assignments import Assignments
from governance.audit import AuditLog
from governance.comments import Comments
from governance.notifications import Notifier, Subject
from governance.policy import DEFAULT_APPROVAL
from governance.rbac import Role
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Profile, Settings
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import RESTRICTED_TABLE, Caller, Callers, make_callers
from tests.integration.authz_matrix import (
    INJECTION_PAYLOADS,
    INTERNAL,
    OTHER_TABLE,
    SEEDED_TABLES,
    Case,
    Expect,
    Mismatch,
    Operation,
    RootField,
    Seed,
    SeededTable,
    action_of,
    all_codes,
    build_case,
    cases,
    declaration_problem,
    expectation,
    judge,
    leaks,
    readable,
    report,
    root_fields,
    shown,
    string_arguments,
)
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = pytest.mark.integration

ROOTS = root_fields(build_schema(Profile.DEV))
COUNT_ATTEMPTS = 3
QUIET_S = 0.2
"""Counts are compared between quiet moments, a few times: a change the payloads made
repeats, one that other tests made meanwhile does not."""
SUBSCRIPTION_WAIT_S = 2.0
"""How long subscriptions are watched while events are published: long enough for a refusal
(it takes milliseconds) and for the events to arrive."""

SEED_FILES = {
    RESTRICTED_TABLE: (
        "city_id,name,country,population,mayor\n{key},{marker} town,FR,{number},{marker} mayor\n",
        "population",
    ),
    OTHER_TABLE: (
        "org_id,name,country,employees,ceo\n{key},{marker} corp,FR,{number},{marker} ceo\n",
        "employees",
    ),
}
"""Each seeded table's CSV (its key, the marker in text values, a number that two sources
contradict) and the contradicted attribute."""


def of(operation: Operation) -> list[RootField]:
    """The root fields of one root type."""
    return [root for root in ROOTS if root.operation is operation]


@pytest.fixture(scope="module")
async def matrix_callers(graph: Graph) -> AsyncIterator[Callers]:
    """The callers of the whole module (users ending in a unique marker, removed after)."""
    unique = uuid.uuid4().hex[:10]
    yield await make_callers(graph, unique)
    await graph.write("testing/accounts_delete", {"marker": unique})


@pytest.fixture(scope="module")
async def seed(
    graph: Graph,
    settings: Settings,
    matrix_callers: Callers,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Seed]:
    """Per table, a source of its own and a source shared by both tables contradicting each
    other on one entity (a conflict, and facts), and a change request; every text value
    carries the table's marker."""
    unique = uuid.uuid4().hex[:10]
    root = tmp_path_factory.mktemp("matrix")
    shared = SourceFolder(root, f"matrix_shared_{unique}")
    folders = [shared]
    bus = EventBus.from_url(settings.redis_url)
    tables: dict[str, SeededTable] = {}
    try:
        engine, audit = await TrustEngine.create(graph, bus), AuditLog(graph)
        notifier = Notifier(graph, bus)
        assert matrix_callers.admin.user_id is not None
        seeder = Seeder(
            graph,
            await IngestionService.create(graph, bus, limits=Limits(), batch_size=100),
            engine,
            Approvals(graph, bus, audit),
            ConflictDetector(graph, bus, audit, engine.tables),
            Comments(graph, bus, audit, notifier),
            Assignments(graph, audit, notifier),
            matrix_callers.admin.user_id,
            tuple(c.user_id for c in matrix_callers.all()[1:] if c.user_id is not None),
        )
        for table in SEED_FILES:
            own = SourceFolder(root, f"matrix_{table}_{unique}")
            folders.append(own)
            tables[table] = await seeder.seed(table, f"matrix-{unique}", (shared, own))
        assert matrix_callers.admin.user_id is not None
        yield Seed(tables, user=matrix_callers.admin.user_id)
    finally:
        entities = [s.entity for s in tables.values()]
        requests = [s.change_request for s in tables.values()]
        commented = [r for s in tables.values() for r in (*s.rows, s.conflict, s.change_request)]
        await graph.write("testing/collab_comments_delete", {"targets": commented})
        await graph.write("testing/collab_assignments_delete", {"nodes": commented})
        await graph.write("testing/api_matrix_delete", {"requests": requests, "entities": entities})
        await graph.write("testing/delete_conflicts", {"entities": entities})
        for folder in folders:
            await graph.write("testing/delete_source", {"source": folder.id})
        await bus.close()


@dataclass(frozen=True)
class Seeder:
    """Seeds one table through the real services."""

    graph: Graph
    service: IngestionService
    engine: TrustEngine
    approvals: Approvals
    detector: ConflictDetector
    comments: Comments
    assignments: Assignments
    user: str
    """Who comments (a reply mentions `mentioned`) and assigns the conflict to viewers."""
    mentioned: tuple[str, ...]

    async def seed(
        self, table: str, key: str, folders: tuple[SourceFolder, SourceFolder]
    ) -> SeededTable:
        """One entity of `table` described differently by two sources, the first of them
        `folders[0]` (the shared one)."""
        text, attribute = SEED_FILES[table]
        marker = f"LEAK-{table}-{key}"
        for folder, number in zip(folders, (900_000, 100_000), strict=True):
            content = text.format(key=key, marker=marker, number=number)
            written = folder.write(f"{table}.csv", content)
            outcome = await self.service.ingest_file(written, folder.root)
            assert outcome.status is OutcomeStatus.INGESTED, outcome
        entity = f"{table}:{key}"
        detected = await self.detector.scan_entities([entity])
        assert detected.new == 1, detected
        await self.engine.update_entities([entity])
        records = await self.graph.read("testing/api_matrix_seed", {"entities": [entity]})
        records.sort(key=lambda record: record["source"] != folders[0].id)
        facts = await self.graph.read("testing/api_matrix_facts", {"entities": [entity]})
        request = await self.approvals.open(
            kind="matrix.review",
            title=f"{marker} review",
            payload={"table": table, "note": marker},
            requested_by="system:tests",
            workspace="default",
            rule=DEFAULT_APPROVAL,
            target_id=records[0]["row"],
        )
        await self._collaborate(
            table, marker, records[0]["row"], f"conflict:value:{entity}:{attribute}"
        )
        return SeededTable(
            table=table,
            marker=marker,
            key=key,
            attribute=attribute,
            rows=tuple(r["row"] for r in records),
            documents=tuple(r["document"] for r in records),
            paths=tuple(r["path"] for r in records),
            sources=tuple(r["source"] for r in records),
            conflict=f"conflict:value:{entity}:{attribute}",
            change_request=request.id,
            fact=next(f["fact"] for f in facts if f["attribute"] == "name"),
        )

    async def _collaborate(self, table: str, marker: str, row: str, conflict: str) -> None:
        """A thread carrying the marker on the row (a reply mentions someone, so there is a
        notification), and the conflict assigned: comments, notifications, queues and
        activity then have something of each table to leak."""
        subject = Subject(row, "row", "default", table)
        first = await self.comments.create(subject, self.user, f"{marker} comment")
        everyone = " ".join(f"@{user}" for user in self.mentioned)
        await self.comments.create(
            subject, self.user, f"{marker} reply {everyone}", reply_to=first.id
        )
        on_conflict = Subject(conflict, "conflict", "default", table)
        await self.assignments.assign(
            on_conflict, by=f"user:{self.user}", role=Role.VIEWER, note=f"{marker} note"
        )


async def fingerprint(graph: Graph, seed: Seed) -> list[dict[str, Any]]:
    """The seed as comparable values (rows and their edges, conflicts, change requests)."""
    return await graph.read(
        "testing/api_matrix_fingerprint",
        {
            "entities": [s.entity for s in seed.tables.values()],
            "requests": [s.change_request for s in seed.tables.values()],
        },
    )


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: its status and its decoded body (status and text when not JSON)."""

    status: int
    body: dict[str, Any]

    @property
    def crashed(self) -> bool:
        """A 5xx, or a resolver that crashed behind a 200."""
        return self.status >= 500 or INTERNAL in all_codes(self.body)


def send(client: TestClient, caller: Caller, case: Case, **overrides: Any) -> Answer:
    """POST `case` as `caller` (multipart when it uploads files); `overrides` replace
    variables."""
    variables = {**case.variables, **overrides}
    if not case.uploads:
        payload = {"query": case.document, "variables": variables}
        response = client.post("/graphql", json=payload, headers=caller.headers())
    else:
        operations = {"query": case.document, "variables": variables}
        files = {
            str(i): (f"upload{i}.csv", content.encode(), "text/csv")
            for i, content in enumerate(case.uploads.values())
        }
        mapping = {str(i): [f"variables.{path}"] for i, path in enumerate(case.uploads)}
        response = client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
            files=files,
            headers={**caller.headers(), CSRF_HEADER: "matrix"},
        )
    if not response.headers.get("content-type", "").startswith("application/json"):
        return Answer(response.status_code, {"text": response.text[:200]})
    return Answer(response.status_code, response.json())


@dataclass
class Tally:
    """Cases run against one seed, and what broke the oracle."""

    seed: Seed
    cases: int = 0
    skipped: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    seen: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(caller, table) -> the root fields whose answers showed that table's seeded values."""

    def check(self, case: Case, caller: Caller, body: dict[str, Any]) -> None:
        """Judge one answer and scan it for the markers of tables hidden from the caller."""
        expect = expectation(case.root, caller, case.table, omitted=case.omitted)
        self.cases += 1
        found = list(judge(case, caller, expect, body))
        hidden = self.seed.markers_hidden_from(readable(caller, action_of(case.root)))
        found += [f"leaks {table}" for table in leaks(body, hidden)]
        markers = {table: seeded.marker for table, seeded in self.seed.tables.items()}
        for table in shown(body, markers):
            self.seen.setdefault((caller.name, table), set()).add(case.root.name)
        self.mismatches += [
            Mismatch(case.label, caller.name, expect.value, problem) for problem in found
        ]


def test_every_root_field_declares_exactly_one_permission() -> None:
    problems = {f"{r.operation} {r.name}": declaration_problem(r) for r in ROOTS}
    assert ROOTS
    assert {label: p for label, p in problems.items() if p is not None} == {}


def test_queries_answer_every_caller_as_the_oracle_says(
    api_client: TestClient, matrix_callers: Callers, seed: Seed
) -> None:
    tally = Tally(seed)
    for root in of(Operation.QUERY):
        for case in cases(root, seed):
            for caller in matrix_callers.all():
                tally.check(case, caller, send(api_client, caller, case).body)
    showing = {f"{c}/{t}": len(fields) for (c, t), fields in sorted(tally.seen.items())}
    print(f"authorization matrix: {len(of(Operation.QUERY))} query fields, {tally.cases} cases")
    print(f"fields whose answers showed seeded values (caller/table): {showing}")
    assert not tally.mismatches, report(tally.mismatches)
    # the seed is reachable, so the leak scan above could have found something
    assert {("admin", t) for t in SEEDED_TABLES} | {("restricted", RESTRICTED_TABLE)} <= set(
        tally.seen
    )


async def test_refused_mutations_are_refused_and_change_nothing(
    api_client: TestClient, matrix_callers: Callers, seed: Seed, graph: Graph
) -> None:
    before = await fingerprint(graph, seed)
    tally = Tally(seed)
    for root in of(Operation.MUTATION):
        for case in cases(root, seed):
            for caller in matrix_callers.all():
                if expectation(root, caller, case.table) is not Expect.DENIED:
                    tally.skipped += 1  # allowed: it would change the seed
                    continue
                tally.check(case, caller, send(api_client, caller, case).body)
    print(f"mutations: {tally.cases} refused cases run, {tally.skipped} allowed ones skipped")
    assert not tally.mismatches, report(tally.mismatches)
    assert await fingerprint(graph, seed) == before


def test_an_anonymous_subscriber_is_refused_at_connection(api_client: TestClient) -> None:
    with api_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        with pytest.raises(WebSocketDisconnect) as refused:
            ws.receive_json()
    assert refused.value.code == 4403


async def test_subscriptions_answer_every_caller_as_the_oracle_says(
    api_client: TestClient, matrix_callers: Callers, seed: Seed, bus: EventBus
) -> None:
    """Every subscription as every authenticated caller on one connection each, while
    events of every type about each seeded table (carrying its marker) are published."""
    subscriptions = [case for root in of(Operation.SUBSCRIPTION) for case in cases(root, seed)]
    events = [
        DomainEvent(
            type=kind,
            subject=seeded.rows[0],
            payload={"table": table, "note": seeded.marker},
            workspace=seed.workspace,
        )
        for kind in EventType
        for table, seeded in seed.tables.items()
    ]
    tally = Tally(seed)
    for caller in matrix_callers.all()[:-1]:  # the anonymous caller never gets a connection
        with api_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {caller.token}"}}
            )
            assert ws.receive_json()["type"] == "connection_ack"
            for number, case in enumerate(subscriptions):
                payload = {"query": case.document, "variables": case.variables}
                ws.send_json({"id": str(number), "type": "subscribe", "payload": payload})
            answers = await _collect(ws, len(subscriptions), bus, events)
        for number, case in enumerate(subscriptions):
            tally.check(case, caller, answers[number])
    print(f"subscriptions: {len(of(Operation.SUBSCRIPTION))} fields, {tally.cases} cases")
    assert not tally.mismatches, report(tally.mismatches)
    # the events reached those who may read them, so the leak scan could have found some
    assert {("admin", t) for t in SEEDED_TABLES} | {("restricted", RESTRICTED_TABLE)} <= set(
        tally.seen
    )


async def _collect(
    ws: WebSocketTestSession, count: int, bus: EventBus, events: list[DomainEvent]
) -> dict[int, dict[str, Any]]:
    """The answers to subscriptions 0..count-1 as one body each: a refusal's errors, or the
    events that arrived while `events` were published again and again (pings keep each
    wait bounded; a subscription may start listening late)."""
    answers: dict[int, dict[str, Any]] = {n: {"data": None} for n in range(count)}
    deadline = time.monotonic() + SUBSCRIPTION_WAIT_S
    while time.monotonic() < deadline:
        for event in events:
            await bus.publish(event)
        ws.send_json({"type": "ping"})
        while (message := ws.receive_json())["type"] != "pong":
            answer = answers[int(message["id"])]
            if message["type"] == "error":
                answer["errors"] = message["payload"]
            elif message["type"] == "next":
                answer.setdefault("events", []).append(message["payload"])
                answer["errors"] = answer.get("errors", []) + message["payload"].get("errors", [])
        await asyncio.sleep(0.2)
    for answer in answers.values():
        if not answer.get("errors"):
            answer.pop("errors", None)
    return answers


async def test_injection_payloads_in_string_arguments_change_nothing(
    api_client: TestClient, matrix_callers: Callers, seed: Seed, graph: Graph
) -> None:
    """Every payload in every string argument of every query, as the admin: no crash, and
    the graph's node and relationship counts unchanged around each argument's payloads
    (measured between quiet moments: other tests write to the same database), nothing
    marked by a payload, the seed as it was."""
    before = await fingerprint(graph, seed)
    targets = [(r, a) for r in of(Operation.QUERY) for a in string_arguments(r)]
    failures: list[str] = []
    verdicts: dict[str, int] = {}
    for root, argument in targets:
        case = build_case(root, seed, RESTRICTED_TABLE, optional=False, value_of=argument)
        label = f"{root.name}({argument})"
        verdict = "unchecked"
        for attempt in range(COUNT_ATTEMPTS):
            counts = await settled_counts(graph)
            for payload in INJECTION_PAYLOADS:
                answer = send(api_client, matrix_callers.admin, case, **{argument: payload})
                if attempt == 0 and answer.crashed:
                    failures.append(f"{label}={payload[:20]!r}: {answer}"[:300])
            after = await settled_counts(graph)
            if counts is not None and after is not None:
                verdict = "unchanged" if after == counts else "changed"
                if verdict == "unchanged":
                    break
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        if verdict == "changed":
            failures.append(f"{label}: the graph's counts changed")
    print(f"injection: {len(targets)} arguments x {len(INJECTION_PAYLOADS)} payloads, {verdicts}")
    assert targets
    assert failures == []
    assert await graph.read("testing/api_matrix_injected") == [{"injected": 0}]
    assert await fingerprint(graph, seed) == before


async def settled_counts(graph: Graph) -> list[dict[str, Any]] | None:
    """The graph's node and relationship counts, the audit log aside (an audited `ask`
    records itself), if they hold still for `QUIET_S`; else None."""
    first = await graph.read("testing/count_all_but_audit")
    await asyncio.sleep(QUIET_S)
    return first if await graph.read("testing/count_all_but_audit") == first else None
