"""The catalog over GraphQL on the real stores: documents with their provenance, rows,
entities and schema versions, as every kind of caller; pagination; personal fields; batching."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis

from api.services import Services
from governance.proposals import request_schema_approvals
from graph.events import EventBus
from graph.graph import Graph, Record
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema
from graph.settings import Settings
from ingest.extract import Limits
from ingest.service import IngestionService, IngestOutcome, OutcomeStatus
from tests.integration.api_support import Caller, Callers, error_codes, gql
from tests.integration.conftest import SourceFolder
from trust import lowest_rows
from trust.overview import refresh_table_trust
from trust.usage import apply_usage

pytestmark = pytest.mark.integration

HEADER = "city_id,name,country,population,area_km2,mayor,updated_at\n"
CITY_COUNT = 60
PRIVATE_ROWS = 23
PEOPLE = (
    "person_id,name,email,title,born\n"
    "p1-{u},Ada Lovell,ada@acme.example,Data Steward,1980-02-03\n"
    "p2-{u},Bo Larsen,bo@nordic.example,Chief Architect,1975-11-30\n"
)

DOCUMENT_QUERY = """
query($id: ID!, $first: Int, $after: String) {
  document(id: $id) {
    id path version status chunkCount
    source { id kind }
    versions { id version status }
    ingestionRuns { id status }
    rows(first: $first, after: $after) {
      nodes { id table key } totalCount pageInfo { hasNextPage endCursor }
    }
  }
}"""
ROWS_QUERY = """
query($table: String!, $first: Int, $after: String, $key: String, $minTrust: Float,
      $maxTrust: Float, $quarantined: Boolean, $status: RowStatus, $orderBy: RowOrder) {
  rows(table: $table, first: $first, after: $after, key: $key, minTrust: $minTrust,
       maxTrust: $maxTrust, quarantined: $quarantined, status: $status, orderBy: $orderBy) {
    nodes { id table key values redactedFields trust status quarantined }
    totalCount pageInfo { hasNextPage endCursor }
  }
}"""


def cities_csv(unique: str, count: int = CITY_COUNT) -> str:
    lines = [
        f"c{i:03d}-{unique},City {i},FR,{1000 + i},{10 + i}.5,Mayor {i},2025-06-01T10:00:00Z\n"
        for i in range(count)
    ]
    return HEADER + "".join(lines)


@dataclass(frozen=True)
class Catalog:
    """What one test ingested: a cities file, a people file (encrypted) and a text file."""

    source: SourceFolder
    cities: IngestOutcome
    people: IngestOutcome
    notes: IngestOutcome
    unique: str

    def city_keys(self) -> set[str]:
        return {f"c{i:03d}-{self.unique}" for i in range(CITY_COUNT)}


@pytest.fixture
async def catalog(
    graph: Graph, bus: EventBus, api_client: TestClient, source: SourceFolder, unique: str
) -> Catalog:
    services: Services = api_client.app.state.services  # type: ignore[attr-defined]
    service = await IngestionService.create(
        graph, bus, limits=Limits(), batch_size=100, cipher=services.cipher
    )
    cities = await service.ingest_file(source.write("cities.csv", cities_csv(unique)), source.root)
    people = await service.ingest_file(
        source.write("people.csv", PEOPLE.format(u=unique)), source.root
    )
    notes = await service.ingest_file(
        source.write("notes.txt", f"Meeting notes {unique}.\n\nNothing personal."), source.root
    )
    for outcome in (cities, people, notes):
        assert outcome.status is OutcomeStatus.INGESTED, outcome.error
    assert (cities.table, people.table, notes.table) == ("cities", "people", None)
    return Catalog(source, cities, people, notes, unique)


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def refused(body: dict[str, Any]) -> list[str]:
    """The error codes of a refused operation, after checking that no data came with them."""
    assert not any((body.get("data") or {}).values()), body
    return error_codes(body)


def walk_rows(
    client: TestClient, caller: Caller, variables: dict[str, Any], first: int
) -> list[dict[str, Any]]:
    """Every row `rows` returns for `variables`, page after page."""
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = data(gql(client, caller, ROWS_QUERY, {**variables, "first": first, "after": after}))
        seen += page["rows"]["nodes"]
        if not page["rows"]["pageInfo"]["hasNextPage"]:
            return seen
        after = page["rows"]["pageInfo"]["endCursor"]


# ------------------------------------------------------------------ documents and provenance


async def test_a_document_shows_its_provenance_and_pages_its_rows(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    ids: list[str] = []
    after = None
    while True:
        body = gql(
            api_client,
            callers.viewer,
            DOCUMENT_QUERY,
            {"id": catalog.cities.document_id, "first": 25, "after": after},
        )
        document = data(body)["document"]
        ids += [row["id"] for row in document["rows"]["nodes"]]
        if not document["rows"]["pageInfo"]["hasNextPage"]:
            break
        after = document["rows"]["pageInfo"]["endCursor"]
    assert document["id"] == catalog.cities.document_id
    assert (document["version"], document["status"], document["chunkCount"]) == (1, "ACTIVE", 0)
    assert document["source"] == {"id": catalog.source.id, "kind": "folder"}
    assert document["versions"] == [
        {"id": catalog.cities.document_id, "version": 1, "status": "ACTIVE"}
    ]
    assert document["ingestionRuns"] == [{"id": catalog.cities.run_id, "status": "COMPLETED"}]
    assert document["rows"]["totalCount"] == CITY_COUNT
    assert len(ids) == len(set(ids)) == CITY_COUNT


async def test_a_new_version_links_both_ways_through_supersedes(
    api_client: TestClient, callers: Callers, catalog: Catalog, graph: Graph, bus: EventBus
) -> None:
    service = await IngestionService.create(graph, bus, limits=Limits(), batch_size=100)
    changed = cities_csv(catalog.unique).replace(",1000,", ",999,")
    path = catalog.source.write("cities.csv", changed)
    second = await service.ingest_file(path, catalog.source.root)
    assert second.version == 2
    query = "query($id: ID!) { document(id: $id) { versions { id version status } } }"
    expected = [
        {"id": catalog.cities.document_id, "version": 1, "status": "SUPERSEDED"},
        {"id": second.document_id, "version": 2, "status": "ACTIVE"},
    ]
    for document_id in (catalog.cities.document_id, second.document_id):
        body = gql(api_client, callers.viewer, query, {"id": document_id})
        assert data(body)["document"]["versions"] == expected


async def test_documents_list_only_what_each_caller_may_read(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    query = """query($source: String, $first: Int, $after: String, $path: String) {
      documents(source: $source, first: $first, after: $after, pathContains: $path) {
        nodes { id path } pageInfo { hasNextPage endCursor } } }"""
    expected = {
        callers.admin: {"cities.csv", "people.csv", "notes.txt"},
        callers.viewer: {"cities.csv", "people.csv", "notes.txt"},
        callers.restricted: {"cities.csv"},
    }
    for caller, paths in expected.items():
        seen: list[str] = []
        after = None
        while True:
            variables = {"source": catalog.source.id, "first": 1, "after": after}
            page = data(gql(api_client, caller, query, variables))["documents"]
            seen += [item["path"].rsplit("/", 1)[-1] for item in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert sorted(seen) == sorted(paths), caller.name
    filtered = gql(api_client, callers.viewer, query, {"source": catalog.source.id, "path": "peop"})
    assert [d["id"] for d in data(filtered)["documents"]["nodes"]] == [catalog.people.document_id]


async def test_a_restricted_caller_never_reaches_another_tables_rows(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    restricted = callers.restricted
    people = gql(api_client, restricted, DOCUMENT_QUERY, {"id": catalog.people.document_id})
    assert data(people) == {"document": None}
    notes = gql(api_client, restricted, DOCUMENT_QUERY, {"id": catalog.notes.document_id})
    assert data(notes) == {"document": None}
    entity = gql(
        api_client,
        restricted,
        'query($k: String!) { entity(table: "people", key: $k) { id } }',
        {"k": f"p1-{catalog.unique}"},
    )
    assert refused(entity) == ["access_denied"]
    denied = gql(api_client, restricted, ROWS_QUERY, {"table": "people"})
    assert error_codes(denied) == ["access_denied"]
    person = await row_id(api_client, callers.admin, "people", f"p1-{catalog.unique}")
    one = gql(api_client, restricted, "query($id: ID!) { row(id: $id) { id } }", {"id": person})
    assert data(one) == {"row": None}
    city = gql(api_client, restricted, DOCUMENT_QUERY, {"id": catalog.cities.document_id})
    assert {row["table"] for row in data(city)["document"]["rows"]["nodes"]} == {"cities"}


async def test_nested_lists_drop_rows_of_tables_the_caller_may_not_read(
    api_client: TestClient, callers: Callers, catalog: Catalog, graph: Graph
) -> None:
    key = f"c001-{catalog.unique}"
    foreign = f"row:people:{catalog.unique}"
    await graph.write(
        "testing/api_catalog_foreign_row",
        {
            "document_id": catalog.cities.document_id,
            "entity_id": f"cities:{key}",
            "row": {
                "id": foreign,
                "table": "people",
                "key": key,
                "values": json.dumps({"person_id": key, "email": "x@example.org"}),
            },
        },
    )
    entity_query = """query($key: String!) { entity(table: "cities", key: $key) {
        rows { id table values redactedFields } } }"""
    document_query = """query($id: ID!) { document(id: $id) {
        rows(first: 100) { nodes { id table } totalCount } } }"""
    viewer_rows = data(gql(api_client, callers.viewer, entity_query, {"key": key}))["entity"]
    assert sorted(row["table"] for row in viewer_rows["rows"]) == ["cities", "people"]
    [person] = [row for row in viewer_rows["rows"] if row["table"] == "people"]
    assert (person["values"]["email"], person["redactedFields"]) == (None, ["email"])
    restricted_rows = data(gql(api_client, callers.restricted, entity_query, {"key": key}))
    assert [row["table"] for row in restricted_rows["entity"]["rows"]] == ["cities"]
    variables = {"id": catalog.cities.document_id}
    viewer_document = data(gql(api_client, callers.viewer, document_query, variables))
    assert viewer_document["document"]["rows"]["totalCount"] == CITY_COUNT + 1
    assert foreign in {row["id"] for row in viewer_document["document"]["rows"]["nodes"]}
    restricted_document = data(gql(api_client, callers.restricted, document_query, variables))
    restricted_page = restricted_document["document"]["rows"]
    assert restricted_page["totalCount"] == CITY_COUNT
    assert {row["table"] for row in restricted_page["nodes"]} == {"cities"}
    one = gql(
        api_client, callers.restricted, "query($id: ID!) { row(id: $id) { id } }", {"id": foreign}
    )
    assert data(one) == {"row": None}


async def test_a_stranger_sees_nothing_and_an_anonymous_caller_must_authenticate(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    listings: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("{ documents { nodes { id } } }", {}, {"documents": {"nodes": []}}),
        (DOCUMENT_QUERY, {"id": catalog.cities.document_id}, {"document": None}),
        (DOCUMENT_QUERY, {"id": catalog.notes.document_id}, {"document": None}),
        ("query($id: ID!) { row(id: $id) { id } }", {"id": "any"}, {"row": None}),
    ]
    table_fields: list[tuple[str, dict[str, Any]]] = [
        (ROWS_QUERY, {"table": "cities"}),
        ('{ entity(table: "cities", key: "x") { id } }', {}),
        ('{ entities(table: "cities") { nodes { id } } }', {}),
        ('{ schemaVersions(table: "cities") { version } }', {}),
    ]
    for query, variables, nothing in listings:
        assert gql(api_client, callers.stranger, query, variables) == {"data": nothing}, query
    for query, variables in table_fields:
        stranger = gql(api_client, callers.stranger, query, variables)
        assert refused(stranger) == ["access_denied"], query
    for query, variables in [(q, v) for q, v, _ in listings] + table_fields:
        anonymous = gql(api_client, callers.anonymous, query, variables)
        assert refused(anonymous) == ["unauthenticated"], query


# ------------------------------------------------------------------ rows and pagination


async def row_id(client: TestClient, caller: Caller, table: str, key: str) -> str:
    body = gql(client, caller, ROWS_QUERY, {"table": table, "key": key})
    [row] = data(body)["rows"]["nodes"]
    return str(row["id"])


@pytest.fixture
async def table(graph: Graph, unique: str) -> AsyncIterator[str]:
    """A private table of `PRIVATE_ROWS` rows written straight into the graph: row i has
    trust i / 100, and every fifth row is quarantined."""
    schema = TableSchema(
        name=f"cat_{unique}",
        description="Catalog test table.",
        owner="tests@grace.example",
        entity_key=["code"],
        fields={"code": FieldSpec(type=FieldType.STRING, required=True)},
    )
    await sync_tables(graph, [schema])
    rows = [
        {
            "id": f"row:{schema.name}:{i:02d}",
            "key": f"k{i:02d}",
            "values": json.dumps({"code": f"k{i:02d}"}),
            "trust": i / 100,
            "status": "quarantined" if i % 5 == 0 else "active",
            "created_at": "2025-06-01T10:00:00Z",
        }
        for i in range(PRIVATE_ROWS)
    ]
    await graph.write("testing/policy_rows", {"table": schema.name, "rows": rows})
    yield schema.name
    await graph.write(
        "testing/delete_policy_data", {"table": schema.name, "policies": [], "source": ""}
    )
    await graph.write("testing/delete_tables", {"names": [schema.name]})
    await graph.write("testing/trust_aggregate_delete", {"table": schema.name})


async def test_rows_pagination_walks_every_row_exactly_once(
    api_client: TestClient, callers: Callers, table: str
) -> None:
    for first in (1, 7, PRIVATE_ROWS, 300):
        rows = walk_rows(api_client, callers.viewer, {"table": table}, first=first)
        keys = [row["key"] for row in rows]
        assert keys == [f"k{i:02d}" for i in range(PRIVATE_ROWS)], first
    denied = gql(api_client, callers.restricted, ROWS_QUERY, {"table": table})
    assert refused(denied) == ["access_denied"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, list(range(PRIVATE_ROWS))),
        ({"quarantined": True}, [0, 5, 10, 15, 20]),
        ({"status": "QUARANTINED"}, [0, 5, 10, 15, 20]),
        ({"quarantined": False, "minTrust": 0.2}, [21, 22]),
        ({"minTrust": 0.03, "maxTrust": 0.06}, [3, 4, 5, 6]),
        ({"maxTrust": 0.0}, [0]),
        ({"status": "RETRACTED"}, []),
        ({"key": "k07"}, [7]),
        ({"key": "k07", "quarantined": True}, []),
    ],
)
async def test_rows_filters_and_total_count(
    api_client: TestClient,
    callers: Callers,
    table: str,
    filters: dict[str, Any],
    expected: list[int],
) -> None:
    body = gql(api_client, callers.viewer, ROWS_QUERY, {"table": table, "first": 3, **filters})
    page = data(body)["rows"]
    assert page["totalCount"] == len(expected)
    assert [row["key"] for row in page["nodes"]] == [f"k{i:02d}" for i in expected[:3]]
    assert page["pageInfo"]["hasNextPage"] is (len(expected) > 3)
    for row in page["nodes"]:
        assert row["quarantined"] is (row["status"] == "QUARANTINED")
    rows = walk_rows(api_client, callers.viewer, {"table": table, **filters}, first=2)
    assert [row["key"] for row in rows] == [f"k{i:02d}" for i in expected]


async def test_rows_least_trusted_first_walk_every_scored_row_once(
    api_client: TestClient, callers: Callers, graph: Graph, table: str
) -> None:
    """Rows whose trust order is not their id order: one lower than `k01` with the last id,
    one tied with `k10` (the id breaks the tie, across pages), one no pass scored, with the
    initial trust ingestion gives (left out)."""
    extra = [("z1", 0.005), ("a1", 0.10), ("n1", 0.0)]
    rows = [
        {
            "id": f"row:{table}:{key}",
            "key": key,
            "values": json.dumps({"code": key}),
            "trust": trust,
            "status": "active",
            "created_at": "2025-06-01T10:00:00Z",
        }
        for key, trust in extra
    ]
    await graph.write("testing/policy_rows", {"table": table, "rows": rows})
    await graph.write("testing/mark_rows_scored", {"table": table, "unscored": ["n1"]})
    by_trust = [f"k{i:02d}" for i in range(PRIVATE_ROWS)]
    by_trust[1:1] = ["z1"]
    by_trust.insert(by_trust.index("k10") + 1, "a1")
    for first in (2, 11, 500):
        walked = walk_rows(api_client, callers.viewer, {"table": table, "orderBy": "TRUST"}, first)
        assert [row["key"] for row in walked] == by_trust, first
    variables = {"table": table, "orderBy": "TRUST", "maxTrust": 0.03, "first": 2}
    page = data(gql(api_client, callers.viewer, ROWS_QUERY, variables))["rows"]
    assert [row["key"] for row in page["nodes"]] == ["k00", "z1"]
    assert page["totalCount"] == 5  # k00, z1, k01, k02, k03
    by_id = data(gql(api_client, callers.viewer, ROWS_QUERY, {"table": table, "first": 1}))
    cursor = by_id["rows"]["pageInfo"]["endCursor"]
    mixed = gql(api_client, callers.viewer, ROWS_QUERY, {**variables, "after": cursor})
    assert error_codes(mixed) == ["invalid_cursor"]


async def test_active_rows_least_trusted_first_are_the_sorted_pages_from_the_kept_list(
    api_client: TestClient,
    callers: Callers,
    graph: Graph,
    table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The table's least trusted rows kept (5 of them, as `trust.lowest_rows` keeps them):
    every page of its active rows least trusted first, in any window, is the page sorting the
    table gives, from the list while it holds the page and sorted past it; quarantined rows
    are never among them, and a caller who may not read the table is refused."""
    await graph.write("testing/mark_rows_scored", {"table": table, "unscored": []})
    monkeypatch.setattr(lowest_rows, "KEPT", 5)
    monkeypatch.setattr(lowest_rows, "REFILL_BELOW", 2)
    await refresh_table_trust(graph, [table])  # its aggregate, and the list by one sort
    [kept] = await graph.read("testing/lowest_rows", {"tables": [table]})
    active = [i for i in range(PRIVATE_ROWS) if i % 5]  # trust i / 100: by trust is by key
    assert kept["ids"] == [f"row:{table}:{i:02d}" for i in active[:5]]
    served: Graph = api_client.app.state.services.graph  # type: ignore[attr-defined]
    base = {"table": table, "orderBy": "TRUST", "status": "ACTIVE"}
    for window, wanted in [
        ({}, active),
        ({"minTrust": 0.03}, [i for i in active if i >= 3]),
        ({"maxTrust": 0.03}, [i for i in active if i <= 3]),
        ({"minTrust": 0.02, "maxTrust": 0.07}, [i for i in active if 2 <= i <= 7]),
        ({"quarantined": False, "maxTrust": 0.5}, active),
    ]:
        for first in (2, 4, 11, 500):
            walked = walk_rows(api_client, callers.viewer, {**base, **window}, first)
            assert [row["key"] for row in walked] == [f"k{i:02d}" for i in wanted], window
            assert all(row["status"] == "ACTIVE" for row in walked)
    sorts = served.reads["api/catalog_rows_by_trust"]
    page = data(gql(api_client, callers.viewer, ROWS_QUERY, {**base, "first": 4}))["rows"]
    assert [row["key"] for row in page["nodes"]] == ["k01", "k02", "k03", "k04"]
    assert served.reads["api/catalog_rows_by_trust"] == sorts  # the list held the page
    after = {**base, "first": 4, "after": page["pageInfo"]["endCursor"]}
    page = data(gql(api_client, callers.viewer, ROWS_QUERY, after))["rows"]
    assert [row["key"] for row in page["nodes"]] == ["k06", "k07", "k08", "k09"]
    assert served.reads["api/catalog_rows_by_trust"] == sorts + 1  # past the list: sorted
    explain = """query($table: String!) { tableTrustExplanation(table: $table, top: 3) {
      evidence { nodeIds } } }"""
    body = data(gql(api_client, callers.viewer, explain, {"table": table}))
    evidence = body["tableTrustExplanation"]["evidence"]
    assert [path["nodeIds"][1] for path in evidence] == kept["ids"][:3]
    denied = gql(api_client, callers.restricted, ROWS_QUERY, base)
    assert refused(denied) == ["access_denied"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 501}, "page_size"),
        ({"first": 0}, "page_size"),
        ({"after": "not-a-cursor"}, "invalid_cursor"),
        ({"after": "W1td"}, "invalid_cursor"),
        ({"after": "WzFd"}, "invalid_cursor"),
    ],
)
async def test_bad_page_arguments_get_clear_codes(
    api_client: TestClient, callers: Callers, catalog: Catalog, variables: dict[str, Any], code: str
) -> None:
    pages = "(first: $first, after: $after)"
    queries = [
        '{ rows(table: "cities", first: $first, after: $after) { nodes { id } } }',
        "{ documents" + pages + " { nodes { id } } }",
        '{ entities(table: "cities", first: $first, after: $after) { nodes { id } } }',
        "{ document(id: $id) { rows" + pages + " { nodes { id } } } }",
    ]
    for query in queries:
        document = "$id: ID!, " if "$id" in query else ""
        operation = f"query({document}$first: Int, $after: String) " + query
        arguments = {"id": catalog.cities.document_id, **variables} if document else variables
        body = gql(api_client, callers.viewer, operation, arguments)
        assert refused(body) == [code], query
        if code == "page_size":
            assert "between 1 and 500" in body["errors"][0]["message"]


# ------------------------------------------------------------------ entities


async def test_an_entity_shows_every_row_that_describes_it_with_sources(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    key = f"c003-{catalog.unique}"
    query = """query($key: String!) { entity(table: "cities", key: $key) {
        id table key factIds rows { id key trust source { id } document { id } } } }"""
    entity = data(gql(api_client, callers.restricted, query, {"key": key}))["entity"]
    assert (entity["table"], entity["key"], entity["factIds"]) == ("cities", key, [])
    [row] = entity["rows"]
    assert row["source"] == {"id": catalog.source.id}
    assert row["document"] == {"id": catalog.cities.document_id}
    missing = gql(api_client, callers.restricted, query, {"key": "no-such-city"})
    assert data(missing) == {"entity": None}


async def test_entities_page_through_a_table(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    query = """query($after: String) { entities(table: "people", first: 2, after: $after) {
        nodes { key } pageInfo { hasNextPage endCursor } totalCount } }"""
    keys: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        page = data(gql(api_client, callers.viewer, query, {"after": after}))["entities"]
        keys += [item["key"] for item in page["nodes"]]
        totals.add(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(keys) == len(set(keys))
    assert totals == {len(keys)}
    assert {f"p1-{catalog.unique}", f"p2-{catalog.unique}"} <= set(keys)


# ------------------------------------------------------------------ personal fields


PERSON_QUERY = """query($key: String!) { rows(table: "people", key: $key, first: 1) {
    nodes { values redactedFields entity { rows { values redactedFields } } } } }"""


async def test_personal_fields_are_redacted_unless_the_caller_may_read_them(
    api_client: TestClient, callers: Callers, catalog: Catalog
) -> None:
    key = f"p1-{catalog.unique}"
    [viewer] = data(gql(api_client, callers.viewer, PERSON_QUERY, {"key": key}))["rows"]["nodes"]
    assert viewer["values"]["name"] == "Ada Lovell"
    assert (viewer["values"]["email"], viewer["values"]["born"]) == (None, None)
    assert sorted(viewer["redactedFields"]) == ["born", "email"]
    assert viewer["entity"]["rows"] == [
        {"values": viewer["values"], "redactedFields": viewer["redactedFields"]}
    ]
    [admin] = data(gql(api_client, callers.admin, PERSON_QUERY, {"key": key}))["rows"]["nodes"]
    assert admin["values"]["email"] == "ada@acme.example"
    assert admin["values"]["born"] == "1980-02-03"
    assert admin["redactedFields"] == []


async def test_a_token_that_does_not_decrypt_is_redacted_without_breaking_the_list(
    api_client: TestClient,
    callers: Callers,
    catalog: Catalog,
    graph: Graph,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = await row_id(api_client, callers.admin, "people", f"p2-{catalog.unique}")
    [stored] = await graph.read("testing/api_catalog_row_values", {"id": target})
    values = json.loads(stored["values"])
    token = values["email"]
    values["email"] = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    await graph.write(
        "testing/api_catalog_set_row_values", {"id": target, "values": json.dumps(values)}
    )
    query = """query($id: ID!) { document(id: $id) {
        rows { nodes { key values redactedFields } } } }"""
    body = gql(api_client, callers.admin, query, {"id": catalog.people.document_id})
    mine = {row["key"]: row for row in data(body)["document"]["rows"]["nodes"]}
    assert mine[f"p2-{catalog.unique}"]["values"]["email"] is None
    assert mine[f"p2-{catalog.unique}"]["redactedFields"] == ["email"]
    assert mine[f"p2-{catalog.unique}"]["values"]["born"] == "1975-11-30"
    assert mine[f"p1-{catalog.unique}"]["values"]["email"] == "ada@acme.example"
    assert "bo@nordic.example" not in caplog.text
    assert token not in caplog.text


# ------------------------------------------------------------------ schema versions


async def test_schema_versions_show_fields_status_and_pii(
    api_client: TestClient, callers: Callers
) -> None:
    query = """{ schemaVersions(table: "people") {
        id version status entityKey previousVersion approval { status } fields piiFields } }"""
    versions = data(gql(api_client, callers.viewer, query))["schemaVersions"]
    active = [v for v in versions if v["status"] == "ACTIVE"]
    assert len(active) == 1
    assert active[0]["piiFields"] == ["born", "email", "phones"]
    assert active[0]["fields"]["email"]["pii"] is True
    assert active[0]["fields"]["person_id"]["required"] is True
    assert active[0]["entityKey"] == ["person_id"]
    restricted = gql(api_client, callers.restricted, query)
    assert error_codes(restricted) == ["access_denied"]


async def test_a_proposed_table_version_shows_its_approval_state(
    api_client: TestClient, callers: Callers, graph: Graph, bus: EventBus, unique: str
) -> None:
    name = f"catv_{unique}"
    code = FieldSpec(type=FieldType.STRING, required=True)
    email = FieldSpec(type=FieldType.STRING, pii=True)
    first = TableSchema(
        name=name,
        description="v1",
        owner="o@grace.example",
        entity_key=["code"],
        fields={"code": code},
    )
    second = TableSchema(
        name=name,
        description="v2",
        owner="o@grace.example",
        entity_key=["code"],
        fields={"code": code, "email": email},
    )
    await sync_tables(graph, [first])
    requests = await request_schema_approvals(graph, bus, await sync_tables(graph, [second]))
    try:
        query = """query($t: String!) { schemaVersions(table: $t) {
            version status previousVersion piiFields
            approval { requestId status required approvals } } }"""
        versions = data(gql(api_client, callers.viewer, query, {"t": name}))["schemaVersions"]
        [request] = requests
        assert versions == [
            {
                "version": 2,
                "status": "PROPOSED",
                "previousVersion": 1,
                "piiFields": ["email"],
                "approval": {
                    "requestId": request,
                    "status": "OPEN",  # the one vocabulary of change requests
                    "required": versions[0]["approval"]["required"],
                    "approvals": 0,
                },
            },
            {
                "version": 1,
                "status": "ACTIVE",
                "previousVersion": None,
                "piiFields": [],
                "approval": None,
            },
        ]
        assert versions[0]["approval"]["required"] >= 1
    finally:
        await graph.write("testing/api_catalog_delete_requests", {"ids": requests})
        await graph.write("testing/delete_tables", {"names": [name]})


# ------------------------------------------------------------------ batching


ReadFn = Callable[[str, Mapping[str, Any] | None], Awaitable[list[Record]]]


async def test_a_page_of_rows_with_their_documents_and_entities_costs_a_constant_number_of_reads(
    api_client: TestClient, callers: Callers, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    services: Services = api_client.app.state.services  # type: ignore[attr-defined]
    real: ReadFn = services.graph.read
    calls: list[str] = []

    async def counted(name: str, params: Mapping[str, Any] | None = None) -> list[Record]:
        calls.append(name)
        return await real(name, params)

    monkeypatch.setattr(services.graph, "read", counted)
    query = """query($first: Int) { rows(table: "cities", first: $first) { nodes {
        id values document { id source { id } } source { id } locator
        entity { id factIds rows { id } } } } }"""
    reads = {}
    for first in (5, 50):
        calls.clear()
        body = gql(api_client, callers.viewer, query, {"first": first})
        assert len(data(body)["rows"]["nodes"]) == first
        reads[first] = list(calls)
    assert len(reads[50]) == len(reads[5])
    assert len(reads[50]) <= 12, reads[50]


async def test_rows_read_through_the_api_count_toward_their_usage(
    api_client: TestClient, callers: Callers, catalog: Catalog, graph: Graph, settings: Settings
) -> None:
    key = f"c003-{catalog.unique}"
    query = """query($key: String!) { entity(table: "cities", key: $key) { rows { id } } }"""
    [row] = data(gql(api_client, callers.viewer, query, {"key": key}))["entity"]["rows"]
    data(gql(api_client, callers.viewer, query, {"key": key}))
    refused_read = gql(api_client, callers.stranger, query, {"key": key})
    assert refused_read["data"]["entity"] is None or not refused_read["data"]["entity"]["rows"]

    services: Services = api_client.app.state.services  # type: ignore[attr-defined]
    api_client.portal.call(services.usage.flush)  # type: ignore[union-attr]
    async with Redis.from_url(settings.redis_url) as redis:
        await apply_usage(graph, redis)
    [stored] = await graph.read("testing/usage_rows_reads", {"ids": [row["id"]]})
    assert stored["reads"] == 2
