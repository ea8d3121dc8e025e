"""Conflicts, facts and trust over GraphQL on the real stores, as every kind of caller.

The seed: three sources describe one city (`cities`, the restricted caller's table), one
organization and one person; two sources agree and the third disagrees on one attribute of
each, so the detector finds a value conflict in each table and the trust engine scores the
rows and resolves their facts. Two notes that contradict each other give a semantic conflict.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.conflict_values import ShownValue, readable_conflict, readable_conflicts, sealed
from api.gql.trust_views import (
    ContributionScale,
    NotScoredError,
    TrustNodeRecord,
    explanation_of,
)
from api.services import Services
from governance.accounts import load_principal
from governance.audit import AuditLog
from governance.policy_store import active_policy_set
from governance.rbac import Principal, Role
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import (
    EXPLANATION_QUERY,
    Caller,
    Callers,
    error_codes,
    gql,
    make_caller,
)
from tests.integration.conftest import SourceFolder
from trust.aggregates import table_snapshots
from trust.claims import build_claims
from trust.detector import ConflictDetector
from trust.embed_step import embed_document
from trust.embedding import load_embedder
from trust.engine import TrustEngine, source_records
from trust.healing import Healer
from trust.learning import ModelMetrics, TrainedModel
from trust.rows import read_entity_rows
from trust.semantic_detector import SemanticDetector
from trust.signals import Signal
from trust.truth import discover

pytestmark = pytest.mark.integration

SOURCES = ("a", "b", "c")
CITIES = "city_id,name,population\nrv-{u},Riverton,{population}\n"
ORGANIZATIONS = "org_id,name,employees\nrvo-{u},Rivercorp,{employees}\n"
PEOPLE = "person_id,name,email\nrvp-{u},Ria Vale,{email}\n"
VALUES = {
    "a": (1000, 100, "ria@vale.example"),
    "b": (1000, 100, "ria@vale.example"),
    "c": (5000, 900, "ria@elsewhere.example"),
}
NOTE = """# River gauge {u}

The river gauge network {u} was {verdict} by the county board in May 2025.
"""

CONFLICT_FIELDS = """
  id kind status attribute score
  entity { id table key }
  rows { id table values }
  chunks { id documentId text }
  suggestion {
    value valueRedacted confidence supportingSources contradictingSources reason
    supportingRows { id } wouldReject { id }
  }
  evidence
  decision { resolvedBy resolution }
"""
CONFLICT_QUERY = f"query($id: ID!) {{ conflict(id: $id) {{ {CONFLICT_FIELDS} }} }}"
CONFLICTS_QUERY = """
query($table: String, $kind: ConflictKind, $status: ConflictStatus, $first: Int,
      $after: String) {
  conflicts(table: $table, kind: $kind, status: $status, first: $first, after: $after) {
    nodes { id entity { table } }
    pageInfo { hasNextPage endCursor }
  }
}"""
NESTED_CONFLICTS_QUERY = """
query($first: Int) {
  conflicts(status: OPEN, kind: VALUE, first: $first) {
    nodes { id rows { table entity { table } } suggestion { wouldReject { table } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
FACTS_QUERY = """
query($table: String!, $key: String, $attribute: String, $first: Int, $after: String) {
  facts(table: $table, key: $key, attribute: $attribute, first: $first, after: $after) {
    nodes {
      id table key attribute value valueRedacted confidence status
      evidence {
        supportingCount contradictingCount supportingSources contradictingSources
        rows { id table }
      }
    }
    pageInfo { hasNextPage endCursor } totalCount
  }
}"""
TABLE_REFRESHED = DomainEvent(
    type=EventType.TRUST_UPDATED,
    subject="cities",
    payload={"table": "cities", "kind": "table", "before": None, "after": None},
)
DASHBOARD_QUERY = """
query($table: String!, $points: Int) {
  trustDashboard(table: $table) {
    table rows scored mean lowThreshold highThreshold lowCount highCount
    distribution { lower upper count }
    trend(points: $points) { at rows mean low high histogram }
    scoring { mode modelVersion metrics { rocAuc baselineRocAuc } }
  }
}"""


@dataclass(frozen=True)
class Seed:
    """What one test seeded: the folders, the rows by (source, table) and the conflicts."""

    folders: dict[str, SourceFolder]
    rows: dict[tuple[str, str], str]
    unique: str
    audit: AuditLog
    healer: Healer

    @property
    def entities(self) -> list[str]:
        u = self.unique
        return [f"cities:rv-{u}", f"organizations:rvo-{u}", f"people:rvp-{u}"]

    def conflict(self, table: str, attribute: str) -> str:
        key = {"cities": "rv", "organizations": "rvo", "people": "rvp"}[table]
        return f"conflict:value:{table}:{key}-{self.unique}:{attribute}"

    @property
    def city(self) -> str:
        return self.conflict("cities", "population")

    @property
    def organization(self) -> str:
        return self.conflict("organizations", "employees")

    def source_ids(self, *names: str) -> list[str]:
        return sorted(self.folders[name].id for name in names)


@pytest.fixture
def api_services(api_client: TestClient) -> Services:
    """The services of the app under test (its field cipher encrypts personal values)."""
    services: Services = api_client.app.state.services  # type: ignore[attr-defined]
    return services


@pytest.fixture
async def seed(
    graph: Graph, bus: EventBus, api_services: Services, tmp_path: Path, unique: str
) -> AsyncIterator[Seed]:
    service = await IngestionService.create(
        graph, bus, limits=Limits(), batch_size=100, cipher=api_services.cipher
    )
    folders = {name: SourceFolder(tmp_path, f"rv{name}_{unique}") for name in SOURCES}
    audit = AuditLog(graph, chain=f"test-{unique}")
    try:
        rows: dict[tuple[str, str], str] = {}
        for name, (population, employees, email) in VALUES.items():
            folder = folders[name]
            for table, text in (
                ("cities", CITIES.format(u=unique, population=population)),
                ("organizations", ORGANIZATIONS.format(u=unique, employees=employees)),
                ("people", PEOPLE.format(u=unique, email=email)),
            ):
                outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
                assert outcome.status is OutcomeStatus.INGESTED, outcome.error
        engine = await TrustEngine.create(graph, bus)
        detector = ConflictDetector(graph, bus, audit, engine.tables)
        entities = [f"cities:rv-{unique}", f"organizations:rvo-{unique}", f"people:rvp-{unique}"]
        assert (await detector.scan_entities(entities)).new == 3
        await engine.update_entities(entities)
        names = {folder.id: name for name, folder in folders.items()}
        for row in await read_entity_rows(graph, entities):
            rows[(names[row.source], row.table)] = row.id
        policies = await active_policy_set(graph)
        healer = Healer(graph, bus, audit, policies, engine, detector)
        yield Seed(folders, rows, unique, audit, healer)
    finally:
        entities = [f"cities:rv-{unique}", f"organizations:rvo-{unique}", f"people:rvp-{unique}"]
        await graph.write(
            "testing/review_cleanup", {"entities": entities, "snapshots": [], "conflicts": []}
        )
        await graph.write("testing/delete_conflicts", {"entities": entities})
        for folder in folders.values():
            await graph.write("testing/delete_source", {"source": folder.id})
        await graph.write("testing/audit_delete_chain", {"chain": f"test-{unique}"})


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def walk_conflicts(
    client: TestClient, caller: Caller, variables: dict[str, Any], first: int
) -> list[dict[str, Any]]:
    """Every conflict `conflicts` returns for `variables`, page after page."""
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        body = gql(client, caller, CONFLICTS_QUERY, {**variables, "first": first, "after": after})
        page = data(body)["conflicts"]
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


# ------------------------------------------------------------------ conflicts


async def test_a_conflict_shows_its_rows_suggestion_and_evidence(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    conflict = data(gql(api_client, callers.viewer, CONFLICT_QUERY, {"id": seed.city}))["conflict"]
    assert (conflict["kind"], conflict["status"], conflict["attribute"]) == (
        "VALUE",
        "OPEN",
        "population",
    )
    assert conflict["entity"] == {
        "id": f"cities:rv-{seed.unique}",
        "table": "cities",
        "key": f"rv-{seed.unique}",
    }
    assert sorted(r["id"] for r in conflict["rows"]) == sorted(
        seed.rows[(s, "cities")] for s in SOURCES
    )
    suggestion = conflict["suggestion"]
    assert (suggestion["value"], suggestion["valueRedacted"]) == (1000, False)
    assert suggestion["confidence"] == pytest.approx(conflict["score"])
    assert suggestion["supportingSources"] == seed.source_ids("a", "b")
    assert suggestion["contradictingSources"] == seed.source_ids("c")
    assert "2 source(s) assert the suggested value" in suggestion["reason"]
    assert sorted(r["id"] for r in suggestion["supportingRows"]) == sorted(
        seed.rows[(s, "cities")] for s in ("a", "b")
    )
    assert suggestion["wouldReject"] == [{"id": seed.rows[("c", "cities")]}]
    assert sorted(claim["value"] for claim in conflict["evidence"]) == [1000, 5000]
    assert conflict["chunks"] == []
    assert conflict["decision"] is None


async def test_a_decision_shows_on_the_conflict(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    await seed.healer.reconcile(seed.organization, actor="user:ada", note="payroll says 100")
    body = gql(api_client, callers.viewer, CONFLICT_QUERY, {"id": seed.organization})
    conflict = data(body)["conflict"]
    assert conflict["status"] == "RESOLVED"
    assert conflict["decision"]["resolvedBy"] == "user:ada"
    assert conflict["decision"]["resolution"]["value"] == 100
    assert conflict["decision"]["resolution"]["note"] == "payroll says 100"
    assert conflict["decision"]["resolution"]["rejected_rows"] == [
        seed.rows[("c", "organizations")]
    ]


async def test_each_caller_reads_only_the_conflicts_of_its_tables(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    for caller in (callers.admin, callers.viewer, callers.restricted):
        body = gql(api_client, caller, CONFLICT_QUERY, {"id": seed.city})
        assert data(body)["conflict"]["rows"], caller.name
    for caller in (callers.admin, callers.viewer):
        body = gql(api_client, caller, CONFLICT_QUERY, {"id": seed.organization})
        assert len(data(body)["conflict"]["rows"]) == 3, caller.name
    restricted = gql(api_client, callers.restricted, CONFLICT_QUERY, {"id": seed.organization})
    assert (restricted["data"], error_codes(restricted)) == (None, ["access_denied"])
    assert "organizations" not in json.dumps(restricted)  # an id's refusal names no table
    for caller in (callers.stranger, callers.anonymous):
        body = gql(api_client, caller, CONFLICT_QUERY, {"id": seed.city})
        expected = "access_denied" if caller is callers.stranger else "unauthenticated"
        assert (body["data"], error_codes(body)) == (None, [expected]), caller.name
    organizations = {"table": "organizations", "status": "OPEN"}
    listed = walk_conflicts(api_client, callers.viewer, organizations, first=500)
    assert seed.organization in {c["id"] for c in listed}
    denied = gql(api_client, callers.restricted, CONFLICTS_QUERY, organizations)
    assert (denied["data"], error_codes(denied)) == (None, ["access_denied"])
    assert data(gql(api_client, callers.stranger, CONFLICTS_QUERY))["conflicts"]["nodes"] == []
    anonymous = gql(api_client, callers.anonymous, CONFLICTS_QUERY)
    assert error_codes(anonymous) == ["unauthenticated"]


async def test_the_restricted_list_holds_only_its_tables_conflicts_however_deep(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    seen = walk_conflicts(api_client, callers.restricted, {"status": "OPEN"}, first=500)
    ids = {c["id"] for c in seen}
    assert seed.city in ids
    assert seed.organization not in ids
    assert seed.conflict("people", "email") not in ids
    assert {c["entity"]["table"] for c in seen if c["entity"]} == {"cities"}
    nested = gql(api_client, callers.restricted, NESTED_CONFLICTS_QUERY, {"first": 20})
    page = data(nested)["conflicts"]["nodes"]
    tables = {row["table"] for c in page for row in c["rows"]}
    tables |= {row["entity"]["table"] for c in page for row in c["rows"]}
    tables |= {row["table"] for c in page for row in c["suggestion"]["wouldReject"]}
    assert tables == {"cities"}


async def test_conflict_pages_neither_repeat_nor_skip(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    variables = {"table": "organizations", "kind": "VALUE"}
    whole = walk_conflicts(api_client, callers.admin, variables, first=500)
    paged = walk_conflicts(api_client, callers.admin, variables, first=1)
    assert [c["id"] for c in paged] == [c["id"] for c in whole]
    assert len({c["id"] for c in paged}) == len(paged) >= 1
    assert seed.organization in {c["id"] for c in paged}


def may_read_personal_data(caller: Caller) -> bool:
    """The oracle: an admin, or a member granted personal data, reads it (`people` is in
    the default workspace)."""
    return caller.role is Role.ADMIN or caller.name == "pii-viewer"


def sealed_strings(body: Any) -> list[str]:
    """Every keyed hash or field token anywhere in a response."""
    text = json.dumps(body)
    return [marker for marker in ("kh:v1:", "enc:v1:") if marker in text]


async def test_personal_values_of_a_conflict_show_decrypted_to_pii_readers_only(
    api_client: TestClient, callers: Callers, graph: Graph, seed: Seed, unique: str
) -> None:
    pii_viewer = await make_caller(graph, unique, "pii-viewer", Role.VIEWER, pii=True)
    email = seed.conflict("people", "email")
    emails = {"ria@vale.example", "ria@elsewhere.example"}
    facts_variables = {"table": "people", "key": f"rvp-{unique}", "attribute": "email"}
    for caller in (callers.admin, pii_viewer, callers.editor, callers.viewer):
        body = gql(api_client, caller, CONFLICT_QUERY, {"id": email})
        facts = gql(api_client, caller, FACTS_QUERY, facts_variables)
        assert sealed_strings(body) == sealed_strings(facts) == [], caller.name
        conflict = data(body)["conflict"]
        suggestion = conflict["suggestion"]
        claimed = {claim["value"] for claim in conflict["evidence"]}
        [fact] = data(facts)["facts"]["nodes"]
        if may_read_personal_data(caller):
            assert suggestion == {**suggestion, "value": "ria@vale.example", "valueRedacted": False}
            assert claimed == {row["values"]["email"] for row in conflict["rows"]} == emails
            assert (fact["value"], fact["valueRedacted"]) == ("ria@vale.example", False)
        else:
            assert (suggestion["value"], suggestion["valueRedacted"]) == (None, True), caller.name
            assert claimed == {row["values"]["email"] for row in conflict["rows"]} == {None}
            assert {claim["value_redacted"] for claim in conflict["evidence"]} == {True}
            assert (fact["value"], fact["valueRedacted"]) == (None, True)


async def test_conflicts_read_for_the_command_line_are_decrypted_or_redacted_by_reader(
    graph: Graph, api_services: Services, callers: Callers, seed: Seed
) -> None:
    email = seed.conflict("people", "email")
    assert callers.admin.user_id is not None
    assert callers.viewer.user_id is not None
    admin = await load_principal(graph, callers.admin.user_id)
    viewer = await load_principal(graph, callers.viewer.user_id)
    operator = Principal.system("cli")  # the CLI without --as: whoever holds the keys
    for reader, readable in ((admin, True), (viewer, False), (operator, True)):
        view = await readable_conflict(graph, api_services.cipher, email, reader)
        assert view is not None
        assert view.suggestion is not None
        shown = json.dumps([view.conflict, view.suggestion, view.rows], default=str)
        assert "kh:v1:" not in shown
        assert "enc:v1:" not in shown
        values = {row["values"]["email"] for row in view.rows}
        listed = await readable_conflicts(
            graph, api_services.cipher, reader, table="people", limit=10_000
        )
        assert not any(sealed(str(conflict.suggested.value)) for conflict in listed)
        [suggested] = [conflict.suggested for conflict in listed if conflict.id == email]
        assert suggested == ShownValue(view.suggestion["value"], not readable)
        if readable:
            assert view.suggestion["value"] == "ria@vale.example"
            assert values == {"ria@vale.example", "ria@elsewhere.example"}
        else:
            assert (view.suggestion["value"], view.suggestion["value_redacted"]) == (None, True)
            assert values == {None}
            assert all(row["redacted"] == ["email"] for row in view.rows)
    assert await readable_conflict(graph, api_services.cipher, "conflict:none", admin) is None
    assert await readable_conflicts(graph, api_services.cipher, None, table="people") == []
    unread = await readable_conflict(graph, api_services.cipher, email, None)
    assert unread is not None
    assert unread.suggestion is not None
    assert (unread.suggestion["value"], unread.suggestion["value_redacted"]) == (None, True)


async def test_a_semantic_conflict_shows_its_text_to_readers_of_documents(
    api_client: TestClient, callers: Callers, graph: Graph, bus: EventBus, seed: Seed
) -> None:
    service = await IngestionService.create(
        graph, bus, limits=Limits(max_chunk_chars=120), batch_size=100
    )
    embedder = load_embedder("numpy")
    documents = []
    for name, verdict in (("a", "approved"), ("b", "rejected")):
        folder = seed.folders[name]
        text = NOTE.format(u=seed.unique, verdict=verdict)
        outcome = await service.ingest_file(folder.write("gauge.md", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED
        assert outcome.document_id is not None
        await embed_document(graph, embedder, outcome.document_id)
        documents.append(outcome.document_id)
    await SemanticDetector(graph, bus, seed.audit).scan_document(documents[1])
    [found] = await graph.read("testing/semantic_conflicts", {"document_id": documents[1]})
    cleanup = {"entities": [], "snapshots": [], "conflicts": [found["id"]]}
    try:
        await _check_semantic(api_client, callers, found["id"], documents)
    finally:
        await graph.write("testing/review_cleanup", cleanup)


async def _check_semantic(
    api_client: TestClient, callers: Callers, conflict_id: str, documents: list[str]
) -> None:
    conflict = data(gql(api_client, callers.viewer, CONFLICT_QUERY, {"id": conflict_id}))[
        "conflict"
    ]
    assert conflict["kind"] == "SEMANTIC"
    assert {c["documentId"] for c in conflict["chunks"]} == set(documents)
    texts = " ".join(c["text"] for c in conflict["chunks"])
    assert "approved" in texts
    assert "rejected" in texts
    assert conflict["rows"] == []
    # text belongs to no table: a member restricted to some tables reads none of it
    for caller, code in ((callers.restricted, "not_found"), (callers.stranger, "access_denied")):
        refused = gql(api_client, caller, CONFLICT_QUERY, {"id": conflict_id})
        assert (refused["data"], error_codes(refused)) == (None, [code])


async def test_a_file_version_conflict_shows_to_readers_of_the_files_table(
    api_client: TestClient,
    callers: Callers,
    graph: Graph,
    bus: EventBus,
    api_services: Services,
    seed: Seed,
) -> None:
    service = await IngestionService.create(
        graph, bus, limits=Limits(), batch_size=100, cipher=api_services.cipher
    )
    folder = seed.folders["a"]
    detector = ConflictDetector(graph, bus, seed.audit, {})
    conflicts = {}
    for table, text in (
        ("cities", CITIES.format(u=seed.unique, population=1001)),
        ("organizations", ORGANIZATIONS.format(u=seed.unique, employees=101)),
    ):
        second = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
        assert second.version == 2
        file = {"source": folder.id, "path": f"{folder.name}/{table}.csv"}
        await graph.write("testing/set_document_status", {**file, "version": 1, "status": "active"})
        await detector.scan_versions(folder.id, file["path"])
        conflicts[table] = f"conflict:version:document:{folder.id}:{file['path']}"
    cleanup = {"entities": [], "snapshots": [], "conflicts": list(conflicts.values())}
    try:
        query = "query($id: ID!) { conflict(id: $id) { kind members suggestion { keep } } }"
        for conflict_id in conflicts.values():
            found = data(gql(api_client, callers.viewer, query, {"id": conflict_id}))["conflict"]
            assert found["kind"] == "VERSION"
            assert len(found["members"]) == 2
            assert found["suggestion"]["keep"] in found["members"]
        city = gql(api_client, callers.restricted, query, {"id": conflicts["cities"]})
        assert data(city)["conflict"]["kind"] == "VERSION"
        denied = gql(api_client, callers.restricted, query, {"id": conflicts["organizations"]})
        assert (denied["data"], error_codes(denied)) == (None, ["access_denied"])
        versions = {"kind": "VERSION", "status": "OPEN"}
        seen = {c["id"] for c in walk_conflicts(api_client, callers.restricted, versions, 500)}
        assert conflicts["cities"] in seen
        assert conflicts["organizations"] not in seen
    finally:
        await graph.write("testing/review_cleanup", cleanup)


# ------------------------------------------------------------------ facts


async def test_facts_show_their_value_and_evidence(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    variables = {
        "table": "cities",
        "key": f"rv-{seed.unique}",
        "attribute": "population",
        "first": 10,
    }
    [fact] = data(gql(api_client, callers.viewer, FACTS_QUERY, variables))["facts"]["nodes"]
    assert (fact["value"], fact["status"], fact["valueRedacted"]) == (1000, "ACTIVE", False)
    assert 0.5 < fact["confidence"] <= 1.0
    evidence = fact["evidence"]
    assert (evidence["supportingCount"], evidence["contradictingCount"]) == (2, 1)
    assert evidence["supportingSources"] == seed.source_ids("a", "b")
    assert evidence["contradictingSources"] == seed.source_ids("c")
    assert sorted(r["id"] for r in evidence["rows"]) == sorted(
        seed.rows[(s, "cities")] for s in ("a", "b")
    )
    query = "query($id: ID!) { fact(id: $id) { id value evidence { rows { id } } } }"
    one = data(gql(api_client, callers.restricted, query, {"id": fact["id"]}))["fact"]
    assert (one["id"], one["value"], len(one["evidence"]["rows"])) == (fact["id"], 1000, 2)


async def test_facts_are_refused_outside_the_callers_tables(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    variables = {"table": "organizations", "key": f"rvo-{seed.unique}", "first": 10}
    facts = data(gql(api_client, callers.viewer, FACTS_QUERY, variables))["facts"]["nodes"]
    assert {f["attribute"] for f in facts} >= {"employees", "name"}
    query = "query($id: ID!) { fact(id: $id) { id } }"
    for caller, code in (
        (callers.restricted, "access_denied"),
        (callers.stranger, "access_denied"),
        (callers.anonymous, "unauthenticated"),
    ):
        body = gql(api_client, caller, FACTS_QUERY, variables)
        assert (body["data"], error_codes(body)) == (None, [code]), caller.name
        one = gql(api_client, caller, query, {"id": facts[0]["id"]})
        assert (one["data"], error_codes(one)) == (None, [code]), caller.name


async def test_personal_fact_values_show_only_to_pii_readers(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    variables = {
        "table": "people",
        "key": f"rvp-{seed.unique}",
        "attribute": "email",
        "first": 10,
    }
    [viewer] = data(gql(api_client, callers.viewer, FACTS_QUERY, variables))["facts"]["nodes"]
    assert (viewer["value"], viewer["valueRedacted"]) == (None, True)
    [admin] = data(gql(api_client, callers.admin, FACTS_QUERY, variables))["facts"]["nodes"]
    assert admin["valueRedacted"] is False
    assert admin["value"] is not None


async def test_fact_pages_neither_repeat_nor_skip(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    variables = {"table": "cities", "key": f"rv-{seed.unique}", "first": 10}
    whole = data(gql(api_client, callers.admin, FACTS_QUERY, variables))["facts"]["nodes"]
    assert {f["attribute"] for f in whole} >= {"name", "population"}
    seen: list[str] = []
    after = None
    while True:
        body = gql(
            api_client, callers.admin, FACTS_QUERY, {**variables, "first": 1, "after": after}
        )
        page = data(body)["facts"]
        assert len(page["nodes"]) == 1
        assert page["totalCount"] == len(whole)  # every page counts them all
        seen += [f["id"] for f in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f["id"] for f in whole]


# ------------------------------------------------------------------ trust


async def test_the_dashboard_shows_distribution_thresholds_trend_and_mode(
    api_client: TestClient, callers: Callers, graph: Graph, bus: EventBus, seed: Seed
) -> None:
    rows = await read_entity_rows(graph, [f"cities:rv-{seed.unique}"])
    trust = [row.trust or 0.0 for row in rows]
    [snapshot] = table_snapshots(rows, np.array(trust, dtype=np.float64))
    [written] = await graph.write("trust/create_snapshot", snapshot)
    try:  # as a full pass does after its snapshots: the API forgets the dashboard it held
        await bus.publish(TABLE_REFRESHED)
        for _ in range(500):  # the event reaches the API's cache within a few ms
            body = gql(api_client, callers.restricted, DASHBOARD_QUERY, {"table": "cities"})
            dashboard = data(body)["trustDashboard"]
            if dashboard["trend"] and dashboard["trend"][-1]["histogram"] == snapshot["histogram"]:
                break
            await asyncio.sleep(0.02)
    finally:
        await graph.write(
            "testing/review_cleanup",
            {"entities": [], "snapshots": [written["id"]], "conflicts": []},
        )
    thresholds = (await active_policy_set(graph)).thresholds("cities")
    assert dashboard["lowThreshold"] == thresholds.quarantine_below
    assert dashboard["highThreshold"] == thresholds.auto_sync_above
    assert dashboard["rows"] >= dashboard["scored"] >= 3
    assert sum(b["count"] for b in dashboard["distribution"]) == dashboard["scored"]
    bounds = [(b["lower"], b["upper"]) for b in dashboard["distribution"]]
    assert bounds[3] == (0.3, 0.4)  # exact decimals, not 0.30000000000000004
    assert [lower for lower, _ in bounds] == [i / 10 for i in range(10)]  # exactly, no approx
    assert bounds[-1][1] == 1.0
    assert 0.0 <= dashboard["mean"] <= 1.0
    assert dashboard["lowCount"] + dashboard["highCount"] <= dashboard["scored"]
    latest = dashboard["trend"][-1]
    assert (latest["rows"], latest["histogram"]) == (3, snapshot["histogram"])
    assert latest["mean"] == pytest.approx(snapshot["mean"])
    scoring = dashboard["scoring"]
    assert scoring["mode"] in {"PROPAGATED", "LEARNED"}
    assert (scoring["mode"] == "LEARNED") == (scoring["modelVersion"] is not None)


async def test_the_dashboard_is_refused_outside_the_callers_tables(
    api_client: TestClient, callers: Callers
) -> None:
    viewer = data(gql(api_client, callers.viewer, DASHBOARD_QUERY, {"table": "organizations"}))
    assert viewer["trustDashboard"]["table"] == "organizations"
    for caller, code in (
        (callers.restricted, "access_denied"),
        (callers.stranger, "access_denied"),
        (callers.anonymous, "unauthenticated"),
    ):
        body = gql(api_client, caller, DASHBOARD_QUERY, {"table": "organizations"})
        assert (body["data"], error_codes(body)) == (None, [code]), caller.name


async def test_an_explanation_adds_up_to_the_score(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    row = seed.rows[("a", "cities")]
    body = gql(api_client, callers.restricted, EXPLANATION_QUERY, {"id": row, "top": 5})
    explanation = data(body)["trustExplanation"]
    assert (explanation["nodeId"], explanation["table"]) == (row, "cities")
    assert (explanation["mode"], explanation["sumsTo"]) == ("PROPAGATED", "SCORE")
    parts = [c["value"] for c in explanation["contributions"]]
    assert math.fsum(parts) == pytest.approx(explanation["score"], abs=1e-9)
    assert {c["name"] for c in explanation["contributions"]} >= {"propagated", "consistency"}
    magnitudes = [abs(p) for p in parts]
    assert magnitudes == sorted(magnitudes, reverse=True)
    descriptions = " | ".join(path["description"] for path in explanation["evidence"])
    assert seed.folders["a"].id in descriptions
    assert "fact on population" in descriptions
    weights = [path["weight"] for path in explanation["evidence"]]
    assert weights == sorted(weights, reverse=True)
    assert explanation["summary"].startswith(f"{explanation['score']:.2f} = ")
    loser = seed.rows[("c", "cities")]
    body = gql(api_client, callers.viewer, EXPLANATION_QUERY, {"id": loser, "top": 20})
    paths = data(body)["trustExplanation"]["evidence"]
    winners = {seed.rows[(s, "cities")] for s in ("a", "b")}
    assert any(
        path["description"].startswith("contradicts row") and winners & set(path["nodeIds"])
        for path in paths
    )
    one = data(gql(api_client, callers.viewer, EXPLANATION_QUERY, {"id": row, "top": 1}))
    assert len(one["trustExplanation"]["evidence"]) == 1


async def test_an_explanation_is_refused_outside_the_callers_tables(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    row = seed.rows[("a", "organizations")]
    assert data(gql(api_client, callers.admin, EXPLANATION_QUERY, {"id": row}))["trustExplanation"]
    for caller, code in (
        (callers.restricted, "access_denied"),
        (callers.stranger, "access_denied"),
        (callers.anonymous, "unauthenticated"),
    ):
        body = gql(api_client, caller, EXPLANATION_QUERY, {"id": row})
        assert (body["data"], error_codes(body)) == (None, [code]), caller.name


def test_a_learned_explanation_adds_up_to_the_log_odds() -> None:
    model = TrainedModel(
        version=3,
        feature_names=("consistency", "propagated"),
        scaler_mean=(0.5, 0.5),
        scaler_scale=(0.25, 0.5),
        coefficients=(0.4, 1.0),
        intercept=-0.2,
        metrics=ModelMetrics(
            roc_auc=0.9,
            accuracy=0.8,
            brier=0.1,
            baseline_roc_auc=0.8,
            baseline_accuracy=0.7,
            baseline_brier=0.2,
            n_train=60,
            n_validation=20,
            positive_rate=0.5,
        ),
        trained_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    signals = [0.0] * len(Signal)
    signals[list(Signal).index(Signal.CONSISTENCY)] = 1.0
    logit = 0.4 * (1.0 - 0.5) / 0.25 + 1.0 * (0.75 - 0.5) / 0.5 - 0.2  # 0.8 + 0.5 - 0.2
    score = 1.0 / (1.0 + math.exp(-logit))
    record = TrustNodeRecord(
        id="row:x",
        table="cities",
        trust=score,
        mode="learned",
        model=3,
        signals=signals,
        propagated=0.75,
    )
    explanation = explanation_of(record, top=3, model=model)
    assert (explanation.sums_to, explanation.model_version) == (ContributionScale.LOG_ODDS, 3)
    total = math.fsum(c.value for c in explanation.contributions)
    assert total == pytest.approx(math.log(score / (1.0 - score)))
    assert explanation.summary.startswith(f"{score:.2f} = sigmoid(0.80 consistency + ")
    assert explanation.evidence == []
    with pytest.raises(NotScoredError):  # the model that scored it is no longer stored
        explanation_of(record, top=3)


def test_a_row_never_scored_has_no_explanation() -> None:
    with pytest.raises(NotScoredError) as raised:
        explanation_of(TrustNodeRecord(id="row:x", table="cities"), top=3)
    assert raised.value.code == "not_scored"


# ------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (CONFLICTS_QUERY, {"first": 0}, "page_size"),
        (CONFLICTS_QUERY, {"first": 501}, "page_size"),
        (CONFLICTS_QUERY, {"after": "not-a-cursor"}, "invalid_cursor"),
        (CONFLICTS_QUERY, {"after": "WyJ4Il0"}, "invalid_cursor"),  # ["x"]: not (score, id)
        (CONFLICTS_QUERY, {"table": "no_such_table"}, "not_found"),
        (CONFLICT_QUERY, {"id": "conflict:value:nowhere"}, "not_found"),
        (CONFLICT_QUERY, {"id": "x" * 600}, "invalid_argument"),
        (FACTS_QUERY, {"table": "no_such_table", "first": 10}, "not_found"),
        (FACTS_QUERY, {"table": "cities", "first": 10, "after": "%%%"}, "invalid_cursor"),
        ('query { fact(id: "fact:nowhere") { id } }', {}, "not_found"),
        (DASHBOARD_QUERY, {"table": "no_such_table"}, "not_found"),
        (DASHBOARD_QUERY, {"table": "cities", "points": 0}, "invalid_argument"),
        (EXPLANATION_QUERY, {"id": "row:nowhere"}, "not_found"),
        (EXPLANATION_QUERY, {"id": "row:nowhere", "top": 99}, "invalid_argument"),
    ],
)
def test_bad_arguments_get_a_clear_code(
    api_client: TestClient, callers: Callers, query: str, variables: dict[str, Any], code: str
) -> None:
    body = gql(api_client, callers.admin, query, variables)
    assert error_codes(body) == [code], body


def test_unknown_ids_are_refused_like_unreadable_ones_to_outsiders(
    api_client: TestClient, callers: Callers
) -> None:
    for query, variables in (
        (CONFLICT_QUERY, {"id": "conflict:value:nowhere"}),
        (EXPLANATION_QUERY, {"id": "row:nowhere"}),
        ('query { fact(id: "fact:nowhere") { id } }', {}),
    ):
        body = gql(api_client, callers.stranger, query, variables)
        assert error_codes(body) == ["access_denied"], query


def test_an_unknown_enum_value_is_a_validation_error(
    api_client: TestClient, callers: Callers
) -> None:
    body = gql(api_client, callers.admin, CONFLICTS_QUERY, {"kind": "BOGUS"})
    assert body["data"] is None
    assert "BOGUS" in body["errors"][0]["message"]


DOCUMENT_OF_ROW = "query($id: ID!) { row(id: $id) { document { id } } }"


async def test_a_document_explanation_adds_up_to_the_mean_of_its_rows(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    def document_of(row: str) -> str:
        body = gql(api_client, callers.admin, DOCUMENT_OF_ROW, {"id": row})
        return str(data(body)["row"]["document"]["id"])

    row = seed.rows[("a", "cities")]
    document = document_of(row)
    body = gql(api_client, callers.restricted, EXPLANATION_QUERY, {"id": document, "top": 5})
    explanation = data(body)["trustExplanation"]
    assert (explanation["nodeId"], explanation["table"]) == (document, "cities")
    assert (explanation["mode"], explanation["sumsTo"]) == ("PROPAGATED", "SCORE")
    parts = [c["value"] for c in explanation["contributions"]]
    assert math.fsum(parts) == pytest.approx(explanation["score"], abs=1e-9)
    row_body = gql(api_client, callers.restricted, EXPLANATION_QUERY, {"id": row, "top": 0})
    assert explanation["score"] == pytest.approx(data(row_body)["trustExplanation"]["score"])
    assert explanation["summary"].startswith("the mean of 1 rows' trust: ")
    evidence = {node for path in explanation["evidence"] for node in path["nodeIds"]}
    assert {row, seed.folders["a"].id} <= evidence

    elsewhere = document_of(seed.rows[("a", "organizations")])
    for caller, code in ((callers.restricted, "not_found"), (callers.stranger, "access_denied")):
        refused = gql(api_client, caller, EXPLANATION_QUERY, {"id": elsewhere})
        assert (refused["data"], error_codes(refused)) == (None, [code]), caller.name


async def test_a_source_explanation_adds_up_to_its_trust_by_table(
    api_client: TestClient, callers: Callers, seed: Seed, graph: Graph, bus: EventBus
) -> None:
    engine = await TrustEngine.create(graph, bus)
    index = build_claims(await read_entity_rows(graph, seed.entities), engine.tables)
    records = source_records(index, discover(index.claims))
    await graph.write("trust/write_source_trust", {"sources": records})  # as a full pass does
    source = seed.folders["a"].id
    body = gql(api_client, callers.viewer, EXPLANATION_QUERY, {"id": source, "top": 3})
    explanation = data(body)["trustExplanation"]
    parts = {c["name"]: c["value"] for c in explanation["contributions"]}
    assert set(parts) == {"cities", "organizations", "people"}
    assert math.fsum(parts.values()) == pytest.approx(explanation["score"], abs=1e-3)
    assert explanation["summary"].startswith("the mean confidence of its claims, by table: ")
    # its claims span tables the restricted caller may not read: nothing is shown
    refused = gql(api_client, callers.restricted, EXPLANATION_QUERY, {"id": source})
    assert (refused["data"], error_codes(refused)) == (None, ["not_found"])
