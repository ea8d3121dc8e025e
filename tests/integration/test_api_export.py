"""`GET /export/rows` on the real stores: every caller, both formats, paging, personal
fields, formula-safe CSV, and a failure after the header was sent."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient

from api import export
from api.services import Services
from governance.encrypted_rows import encrypt_row_values
from graph.graph import Graph
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema
from tests.integration.api_support import RESTRICTED_TABLE, Caller, Callers

pytestmark = pytest.mark.integration

FIELDS = ["city", "code", "email", "population", "status"]
"""The test table's fields in name order; `status` collides with a fixed column."""


class Response(Protocol):
    """What the tests read of a TestClient response (httpx or httpx2, as Starlette found)."""

    status_code: int

    @property
    def text(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


@dataclass(frozen=True)
class Table:
    """One test's private table, with rows written straight into the graph."""

    graph: Graph
    schema: TableSchema
    services: Services

    @property
    def name(self) -> str:
        return self.schema.name

    def row_id(self, key: str) -> str:
        return f"row:{self.name}:{key}"

    async def rows(self, *rows: dict[str, Any], encrypt: bool = True) -> None:
        """Write rows (personal fields encrypted with the API's own cipher, unless not)."""
        now = datetime.now(UTC).isoformat()
        await self.graph.write(
            "testing/policy_rows",
            {
                "table": self.name,
                "rows": [
                    {
                        "id": self.row_id(row["key"]),
                        "key": row["key"],
                        "values": row.get("raw") or self._values(row["values"], encrypt),
                        "trust": row.get("trust", 0.5),
                        "status": row.get("status", "active"),
                        "created_at": now,
                    }
                    for row in rows
                ],
            },
        )

    def _values(self, values: dict[str, Any], encrypt: bool) -> str:
        if encrypt:
            values = encrypt_row_values(self.schema, values, self.services.cipher).values
        return json.dumps(values)


@pytest.fixture
async def table(graph: Graph, api_client: TestClient, unique: str) -> AsyncIterator[Table]:
    schema = TableSchema(
        name=f"exp_{unique}",
        description="Export test table.",
        owner="tests@grace.example",
        entity_key=["code"],
        fields={
            "code": FieldSpec(type=FieldType.STRING, required=True),
            "city": FieldSpec(type=FieldType.STRING),
            "email": FieldSpec(type=FieldType.STRING, pii=True),
            "population": FieldSpec(type=FieldType.INTEGER),
            "status": FieldSpec(type=FieldType.STRING),
        },
    )
    await sync_tables(graph, [schema])
    services: Services = api_client.app.state.services  # type: ignore[attr-defined]
    yield Table(graph, schema, services)
    await graph.write(
        "testing/delete_policy_data", {"table": schema.name, "policies": [], "source": ""}
    )
    await graph.write("testing/delete_tables", {"names": [schema.name]})


def city(key: str, **values: Any) -> dict[str, Any]:
    return {"key": key, "values": {"code": key, "city": f"City {key}", **values}}


def fetch(client: TestClient, caller: Caller | None, **params: str) -> Response:
    headers = caller.headers() if caller is not None else {}
    return client.get("/export/rows", params=params, headers=headers)


def jsonl(response: Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines()]


def csv_records(response: Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text, newline="")))


# ------------------------------------------------------------------ formats


async def test_jsonl_names_the_columns_then_gives_one_object_per_row(
    api_client: TestClient, callers: Callers, table: Table
) -> None:
    await table.rows(
        city("b", population=20, email="b@example.org"), city("a", population=10), encrypt=False
    )
    response = fetch(api_client, callers.viewer, table=table.name)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert f'filename="{table.name}.jsonl"' in response.headers["content-disposition"]
    header, *rows = jsonl(response)
    assert header == {"columns": ["id", "key", "trust", "status", *FIELDS]}
    assert rows == [
        {
            "id": table.row_id("a"),
            "key": "a",
            "trust": 0.5,
            "status": "active",
            "values": {"code": "a", "city": "City a", "population": 10},
            "redacted": [],
        },
        {
            "id": table.row_id("b"),
            "key": "b",
            "trust": 0.5,
            "status": "active",
            "values": {"code": "b", "city": "City b", "population": 20, "email": None},
            "redacted": ["email"],
        },
    ]


async def test_csv_has_a_header_and_one_record_per_row(
    api_client: TestClient, callers: Callers, table: Table
) -> None:
    await table.rows(city("a", population=10, status="open"), city("b"))
    response = fetch(api_client, callers.viewer, table=table.name, format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert csv_records(response) == [
        [
            "id",
            "key",
            "trust",
            "status",
            "city",
            "code",
            "email",
            "population",
            "values.status",
            "redacted",
        ],
        [table.row_id("a"), "a", "0.5", "active", "City a", "a", "", "10", "open", ""],
        [table.row_id("b"), "b", "0.5", "active", "City b", "b", "", "", "", ""],
    ]


async def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(
    api_client: TestClient, callers: Callers, table: Table
) -> None:
    payloads = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "plain", "a=b"]
    await table.rows(
        *(city(f"k{i}", status=text) for i, text in enumerate(payloads)),
        {"key": "=key", "values": {"code": "=key", "population": -5}},
    )
    records = csv_records(fetch(api_client, callers.viewer, table=table.name, format="csv"))
    by_key = {record[1]: record for record in records[1:]}
    quoted = [by_key[f"k{i}"][8] for i in range(len(payloads))]
    assert quoted == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "plain", "a=b"]
    assert "'=key" in by_key  # keys are text from files too
    assert by_key["'=key"][7] == "-5"  # numbers are not formulas: left as they are


# ------------------------------------------------------------------ rows and pages


async def test_pages_follow_each_other_in_id_order_without_gaps_or_repeats(
    api_client: TestClient, callers: Callers, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PAGE_SIZE", 2)
    keys = [f"k{i:02d}" for i in range(7)]
    await table.rows(*(city(key) for key in reversed(keys)))
    _, *rows = jsonl(fetch(api_client, callers.viewer, table=table.name))
    assert [row["key"] for row in rows] == keys
    records = csv_records(fetch(api_client, callers.viewer, table=table.name, format="csv"))
    assert [record[1] for record in records[1:]] == keys


async def test_quarantined_rows_come_with_their_status_and_status_filters(
    api_client: TestClient, callers: Callers, table: Table
) -> None:
    await table.rows(
        city("live"),
        {**city("held"), "status": "quarantined", "trust": 0.1},
        {**city("gone"), "status": "retracted"},
    )

    def statuses(**params: str) -> dict[str, str]:
        _, *rows = jsonl(fetch(api_client, callers.viewer, table=table.name, **params))
        return {row["key"]: row["status"] for row in rows}

    assert statuses() == {"live": "active", "held": "quarantined"}
    assert statuses(status="quarantined") == {"held": "quarantined"}
    assert statuses(status="retracted") == {"gone": "retracted"}
    assert statuses(status="superseded") == {}


async def test_personal_fields_are_decrypted_only_for_callers_who_may_read_them(
    api_client: TestClient, callers: Callers, table: Table
) -> None:
    await table.rows(city("a", email="a@example.org"))
    [stored] = await table.graph.read("testing/policy_row_state", {"table": table.name})
    assert "a@example.org" not in json.dumps(stored)  # at rest it is a token

    def row(caller: Caller, file_format: str) -> tuple[Any, Any]:
        response = fetch(api_client, caller, table=table.name, format=file_format)
        if file_format == "csv":
            record = csv_records(response)[1]
            return record[6], record[9]
        [_, exported] = jsonl(response)
        return exported["values"]["email"], exported["redacted"]

    assert row(callers.admin, "jsonl") == ("a@example.org", [])
    assert row(callers.admin, "csv") == ("a@example.org", "")
    for caller in (callers.editor, callers.viewer):
        assert row(caller, "jsonl") == (None, ["email"])
        assert row(caller, "csv") == ("", "email")


# ------------------------------------------------------------------ who may export


async def test_each_caller_gets_what_its_role_allows(
    api_client: TestClient, callers: Callers, table: Table
) -> None:
    await table.rows(city("a"))
    expected = {
        callers.admin: (200, None),
        callers.editor: (200, None),
        callers.viewer: (200, None),
        callers.restricted: (403, "access_denied"),
        callers.stranger: (403, "access_denied"),
        callers.anonymous: (401, "unauthenticated"),
    }
    for caller, (status, code) in expected.items():
        response = fetch(api_client, caller, table=table.name)
        assert response.status_code == status, caller.name
        if code is None:
            assert [row["key"] for row in jsonl(response)[1:]] == ["a"]
        else:
            assert response.json()["errors"][0]["extensions"]["code"] == code, caller.name
            assert table.row_id("a") not in response.text


def test_the_restricted_caller_may_export_its_one_table(
    api_client: TestClient, callers: Callers
) -> None:
    # retracted rows only, to keep the export small on a shared database
    params = {"table": RESTRICTED_TABLE, "status": "retracted", "format": "csv"}
    response = fetch(api_client, callers.restricted, **params)
    assert response.status_code == 200
    header = csv_records(response)[0]
    assert header[:4] == ["id", "key", "trust", "status"]
    assert "population" in header


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer grace_0000000000000000_nope"}, {"Authorization": "Basic eDp5"}],
)
def test_a_bad_credential_is_refused_with_401(
    api_client: TestClient, headers: dict[str, str]
) -> None:
    response = api_client.get("/export/rows", params={"table": "cities"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "invalid_export_request"),
        ({"table": ""}, 400, "invalid_export_request"),
        ({"table": "cities", "format": "xlsx"}, 400, "invalid_export_request"),
        ({"table": "cities", "status": "deleted"}, 400, "invalid_export_request"),
        ({"table": "no_such_table"}, 404, "unknown_table"),
        ({"table": "x' OR 1=1 //"}, 404, "unknown_table"),
    ],
)
def test_bad_requests_are_refused_before_any_row_is_read(
    api_client: TestClient, callers: Callers, params: dict[str, str], status: int, code: str
) -> None:
    response = fetch(api_client, callers.viewer, **params)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


def test_an_anonymous_caller_is_asked_to_authenticate_before_anything_else(
    api_client: TestClient,
) -> None:
    response = fetch(api_client, None, format="xlsx")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"


def test_a_caller_without_read_learns_nothing_about_unknown_tables(
    api_client: TestClient, callers: Callers
) -> None:
    for caller in (callers.restricted, callers.stranger):
        response = fetch(api_client, caller, table="no_such_table")
        assert response.status_code == 403


# ------------------------------------------------------------------ failures


async def broken_export(
    client: TestClient, caller: Caller, table: Table, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> Response:
    """An export whose second page holds a row that cannot be read."""
    monkeypatch.setattr(export, "PAGE_SIZE", 2)
    await table.rows(city("a"), city("b"), city("c"), {"key": "d", "raw": "{not json"})
    response = fetch(client, caller, table=table.name, format=fmt)
    assert response.status_code == 200  # sent before the failure: the marker says it
    assert "not json" not in response.text
    return response


async def test_a_failure_after_the_header_ends_jsonl_with_an_error_line(
    api_client: TestClient, callers: Callers, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await broken_export(api_client, callers.viewer, table, monkeypatch, "jsonl")
    header, *rows, last = jsonl(response)
    assert "columns" in header
    assert [row["key"] for row in rows] == ["a", "b"]
    assert last == {"error": {"code": "internal", "message": export.INTERRUPTED, "rows": 2}}


async def test_a_failure_after_the_header_ends_csv_with_an_error_record(
    api_client: TestClient, callers: Callers, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await broken_export(api_client, callers.viewer, table, monkeypatch, "csv")
    _, *records, last = csv_records(response)
    assert [record[1] for record in records] == ["a", "b"]
    assert last == [export.ERROR_MARKER, "internal", f"{export.INTERRUPTED} after 2 rows"]
