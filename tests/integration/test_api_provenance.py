"""The provenance explorer's edges over GraphQL on the real stores: a row's conflicts, facts
and policy violations, an entity's conflicts and facts, and the Neo4j Browser link of each
kind of node, refused (naming nothing) to callers who may not see the node.

The seed: two sources describe one city (`cities`, the restricted caller's table) and one
organization, disagreeing on the population and the employees; the second writes its
city's country as `France`, which the compliance policy's pattern refuses (and which
contradicts the first's `FR`: three value conflicts in all).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from governance.audit import AuditLog
from governance.policy_eval import check_graph
from governance.policy_store import active_policy_set
from graph.browser_links import NODE_STATEMENTS
from graph.events import EventBus
from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import Callers, error_codes, gql
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.rows import read_entity_rows

pytestmark = pytest.mark.integration

CITIES = "city_id,name,country,population\npv-{u},Provton,{country},{population}\n"
ORGANIZATIONS = "org_id,name,country,employees\npvo-{u},Provcorp,FR,{employees}\n"
VALUES = {"a": ("FR", 1000, 100), "b": ("France", 5000, 900)}
ROW_QUERY = """query($id: ID!) { row(id: $id) {
  id document { id } source { id } entity { id }
  conflicts { id attribute } facts { id attribute } violations { policy name version rule at }
} }"""
ENTITY_QUERY = """query($table: String!, $key: String!) { entity(table: $table, key: $key) {
  id rows { id } conflicts { id } facts { id attribute evidence { rows { id } } }
} }"""
LINK_QUERY = "query($kind: ProvenanceKind!, $id: ID!) { browserLink(kind: $kind, id: $id) }"


@dataclass(frozen=True)
class Seed:
    """The rows by (source, table), the documents by (source, table), the sources by name."""

    unique: str
    rows: dict[tuple[str, str], str]
    documents: dict[tuple[str, str], str]
    sources: dict[str, str]

    @property
    def city(self) -> str:
        return f"cities:pv-{self.unique}"

    @property
    def organization(self) -> str:
        return f"organizations:pvo-{self.unique}"

    def conflict(self, table: str, attribute: str | None = None) -> str:
        entity = self.city if table == "cities" else self.organization
        attribute = attribute or ("population" if table == "cities" else "employees")
        return f"conflict:value:{entity}:{attribute}"


@pytest.fixture
async def seed(
    graph: Graph, bus: EventBus, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[Seed]:
    folders = {name: SourceFolder(tmp_path, f"pv{name}_{unique}") for name in VALUES}
    audit = AuditLog(graph, chain=f"test-{unique}")
    entities = [f"cities:pv-{unique}", f"organizations:pvo-{unique}"]
    try:
        documents: dict[tuple[str, str], str] = {}
        for name, (country, population, employees) in VALUES.items():
            folder = folders[name]
            for table, text in (
                ("cities", CITIES.format(u=unique, country=country, population=population)),
                ("organizations", ORGANIZATIONS.format(u=unique, employees=employees)),
            ):
                outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
                assert outcome.status is OutcomeStatus.INGESTED, outcome.error
                assert outcome.document_id is not None
                documents[(name, table)] = outcome.document_id
        engine = await TrustEngine.create(graph, bus)
        detector = ConflictDetector(graph, bus, audit, engine.tables)
        assert (await detector.scan_entities(entities)).new == 3
        await engine.update_entities(entities)
        policies = await active_policy_set(graph)
        await check_graph(graph, policies, bus, audit, document_id=documents[("b", "cities")])
        names = {folder.id: name for name, folder in folders.items()}
        rows = {(names[r.source], r.table): r.id for r in await read_entity_rows(graph, entities)}
        sources = {name: folder.id for name, folder in folders.items()}
        yield Seed(unique, rows, documents, sources)
    finally:
        cleanup = {"entities": entities, "snapshots": [], "conflicts": []}
        await graph.write("testing/review_cleanup", cleanup)
        await graph.write("testing/delete_conflicts", {"entities": entities})
        for folder in folders.values():
            await graph.write("testing/delete_source", {"source": folder.id})
        await graph.write("testing/audit_delete_chain", {"chain": f"test-{unique}"})


def answer(body: dict[str, object]) -> dict[str, object]:
    assert "errors" not in body, body["errors"]
    data = body["data"]
    assert isinstance(data, dict)
    return data


def test_a_row_shows_its_conflicts_facts_and_policy_violations(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    loser = answer(gql(api_client, callers.admin, ROW_QUERY, {"id": seed.rows[("b", "cities")]}))
    row = loser["row"]
    assert isinstance(row, dict)
    assert row["document"] == {"id": seed.documents[("b", "cities")]}
    assert row["source"] == {"id": seed.sources["b"]}
    assert row["entity"] == {"id": seed.city}
    assert sorted(row["conflicts"], key=lambda c: c["id"]) == [
        {"id": seed.conflict("cities", "country"), "attribute": "country"},
        {"id": seed.conflict("cities", "population"), "attribute": "population"},
    ]
    [violation] = row["violations"]
    assert violation["name"] == "compliance"
    assert violation["policy"] == f"compliance@{violation['version']}"
    assert "country" in violation["rule"]
    assert violation["at"] is not None
    agreeing = answer(gql(api_client, callers.admin, ROW_QUERY, {"id": seed.rows[("a", "cities")]}))
    row = agreeing["row"]
    assert isinstance(row, dict)
    assert row["violations"] == []
    assert {"id": f"fact:{seed.city}:name", "attribute": "name"} in row["facts"]


def test_an_entity_shows_its_conflicts_and_the_facts_resolved_from_its_rows(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    variables = {"table": "cities", "key": f"pv-{seed.unique}"}
    entity = answer(gql(api_client, callers.restricted, ENTITY_QUERY, variables))["entity"]
    assert isinstance(entity, dict)
    assert {c["id"] for c in entity["conflicts"]} == {
        seed.conflict("cities", "country"),
        seed.conflict("cities", "population"),
    }
    rows = {row["id"] for row in entity["rows"]}
    assert rows == {seed.rows[("a", "cities")], seed.rows[("b", "cities")]}
    assert entity["facts"]
    for fact in entity["facts"]:
        assert fact["id"].startswith(f"fact:{seed.city}:")
        assert {r["id"] for r in fact["evidence"]["rows"]} <= rows


def test_a_browser_link_opens_each_kind_of_node_with_its_named_statement(
    api_client: TestClient, callers: Callers, seed: Seed, graph: Graph
) -> None:
    row = seed.rows[("b", "cities")]
    nodes = {
        "ROW": row,
        "ENTITY": seed.city,
        "DOCUMENT": seed.documents[("b", "cities")],
        "SOURCE": seed.sources["b"],
        "CONFLICT": seed.conflict("cities"),
        "FACT": f"fact:{seed.city}:name",
    }
    for kind, node in nodes.items():
        body = gql(api_client, callers.restricted, LINK_QUERY, {"kind": kind, "id": node})
        link = answer(body)["browserLink"]
        assert isinstance(link, str)
        assert "/browser/?cmd=edit&arg=" in link
        name, parameter = NODE_STATEMENTS[kind.lower()]
        lines = [unquote(arg) for arg in link.split("&arg=")[1:]]
        assert lines[0] == f":param {parameter} => '{node}';"
        assert lines[1:] == [line for line in graph.registry[name].splitlines() if line.strip()]


async def test_each_browser_statement_finds_the_nodes_neighbourhood(
    graph: Graph, seed: Seed
) -> None:
    row = seed.rows[("b", "cities")]
    [found] = await graph.read("browser/row_provenance", {"node": row})
    assert len(found["origins"]) == 1
    assert len(found["conflicts"]) == 2
    assert len(found["violations"]) == 1
    [found] = await graph.read("browser/conflict_provenance", {"node": seed.conflict("cities")})
    assert len(found["evidence"]) == 2
    assert len(found["about"]) == 1
    document = seed.documents[("a", "cities")]
    [found] = await graph.read("browser/document_provenance", {"node": document})
    assert len(found["sources"]) == 1
    assert len(found["rows"]) == 1
    [found] = await graph.read("browser/source_provenance", {"node": seed.sources["a"]})
    assert len(found["documents"]) == 2
    [found] = await graph.read("browser/fact_provenance", {"node": f"fact:{seed.city}:name"})
    assert found["evidence"]
    assert found["entities"]


def test_a_browser_link_is_refused_for_what_the_caller_may_not_see(
    api_client: TestClient, callers: Callers, seed: Seed
) -> None:
    hidden = {
        "ROW": seed.rows[("a", "organizations")],
        "ENTITY": seed.organization,
        "CONFLICT": seed.conflict("organizations"),
        "FACT": f"fact:{seed.organization}:name",
    }
    for kind, node in hidden.items():
        body = gql(api_client, callers.restricted, LINK_QUERY, {"kind": kind, "id": node})
        assert error_codes(body) == ["access_denied"], (kind, body)
        assert "organizations" not in str(body)
    document = seed.documents[("a", "organizations")]
    body = gql(api_client, callers.restricted, LINK_QUERY, {"kind": "DOCUMENT", "id": document})
    assert error_codes(body) == ["not_found"]
    city = {"kind": "ROW", "id": seed.rows[("a", "cities")]}
    body = gql(api_client, callers.anonymous, LINK_QUERY, city)
    assert error_codes(body) == ["unauthenticated"]


@pytest.mark.parametrize("kind", ["ROW", "DOCUMENT", "SOURCE", "CONFLICT", "FACT", "ENTITY"])
def test_an_unknown_node_has_no_browser_link(
    api_client: TestClient, callers: Callers, kind: str
) -> None:
    node = "cities:no-such-key" if kind == "ENTITY" else "nothing:here"
    body = gql(api_client, callers.admin, LINK_QUERY, {"kind": kind, "id": node})
    assert error_codes(body) == ["not_found"]


def test_an_overlong_id_is_refused_with_a_code(api_client: TestClient, callers: Callers) -> None:
    body = gql(api_client, callers.admin, LINK_QUERY, {"kind": "ROW", "id": "x" * 600})
    assert error_codes(body) == ["invalid_argument"]
