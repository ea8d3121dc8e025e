"""Ingestion runs over GraphQL and for the command line, on the real stores: failed files are
visible with their code and message, skipped rows are counted and named with their reasons,
and a caller sees the runs of what they may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.events import EventBus
from graph.graph import Graph
from graph.model import RunStatus
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema
from ingest.extract import Limits
from ingest.runs import RUN_COLUMNS, list_runs, run_cells
from ingest.service import IngestionService, IngestOutcome, OutcomeStatus
from tests.integration.api_support import Callers, error_codes, gql
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

RUNS_QUERY = """
query($status: IngestionRunStatus, $source: String, $since: DateTime, $first: Int,
      $after: String) {
  ingestionRuns(status: $status, source: $source, since: $since, first: $first,
                after: $after) {
    nodes {
      id path source documentId status summary code message rows rowsSkipped warnings
      startedAt finishedAt
    }
    totalCount pageInfo { hasNextPage endCursor }
  }
}"""
GOOD_ROWS = 3
BAD_KEYS = ("x", "2.5")


@dataclass(frozen=True)
class Ingested:
    """A file with rows skipped for a key that is not an integer, and a file that failed."""

    source: SourceFolder
    skipping: IngestOutcome
    failed: IngestOutcome


@pytest.fixture
async def ingested(graph: Graph, bus: EventBus, source: SourceFolder, unique: str) -> Ingested:
    table = TableSchema(
        name=f"runs_{unique}",
        description="Runs test table with an integer key.",
        owner="tests@grace.example",
        entity_key=["seq"],
        fields={
            "seq": FieldSpec(type=FieldType.INTEGER, required=True),
            "label": FieldSpec(type=FieldType.STRING, pii=True),
        },
    )
    await sync_tables(graph, [table])
    service = await IngestionService.create(graph, bus, limits=Limits(), batch_size=100)
    lines = [f"{i},row {i}" for i in range(1, GOOD_ROWS + 1)]
    lines += [f"{key},bad key" for key in BAD_KEYS]
    text = "seq,label\n" + "\n".join(lines) + "\n"
    skipping = await service.ingest_file(source.write(f"{table.name}.csv", text), source.root)
    failed = await service.ingest_file(
        source.write("cities.json", '[{"city_id": "lyon-fr", "name": "Ly'), source.root
    )
    return Ingested(source, skipping, failed)


def runs(client: TestClient, caller: Any, **variables: Any) -> dict[str, Any]:
    body = gql(client, caller, RUNS_QUERY, variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["ingestionRuns"]
    return result


async def test_a_file_with_skipped_rows_says_how_many_in_its_outcome_and_its_run(
    api_client: TestClient, callers: Callers, ingested: Ingested
) -> None:
    outcome = ingested.skipping
    assert outcome.status is OutcomeStatus.INGESTED
    assert (outcome.rows, outcome.skipped) == (GOOD_ROWS, len(BAD_KEYS))
    assert outcome.summary == "ingested, 2 rows skipped"

    page = runs(api_client, callers.admin, source=ingested.source.id, status="COMPLETED")
    [run] = page["nodes"]
    assert run["id"] == outcome.run_id
    assert run["documentId"] == outcome.document_id
    assert (run["status"], run["summary"]) == ("COMPLETED", "ingested, 2 rows skipped")
    assert (run["rows"], run["rowsSkipped"]) == (GOOD_ROWS, len(BAD_KEYS))
    assert (run["code"], run["message"]) == (None, None)
    skipped = [w for w in run["warnings"] if "row skipped" in w]
    assert len(skipped) == len(BAD_KEYS)
    assert skipped[0].startswith("line 5: row skipped: no entity key (seq); field 'seq': 'x'")
    assert "'2.5'" in skipped[1]
    assert run["finishedAt"] >= run["startedAt"]
    # a reason can quote a value: a caller who may not read the table's personal data sees
    # how many rows were skipped, not the reasons
    [seen] = runs(api_client, callers.viewer, source=ingested.source.id, status="COMPLETED")[
        "nodes"
    ]
    assert (seen["rowsSkipped"], seen["warnings"]) == (len(BAD_KEYS), None)


async def test_failed_files_are_listed_with_their_code_and_message_and_no_document(
    api_client: TestClient, callers: Callers, ingested: Ingested
) -> None:
    assert ingested.failed.status is OutcomeStatus.FAILED
    page = runs(api_client, callers.viewer, source=ingested.source.id, status="FAILED")
    [run] = page["nodes"]
    assert run["id"] == ingested.failed.run_id
    assert run["path"] == ingested.failed.path
    assert run["source"] == ingested.source.id
    assert (run["status"], run["code"]) == ("FAILED", "malformed_file")
    assert run["summary"] == "failed (malformed_file)"
    assert run["message"] == ingested.failed.error
    assert "line 1" in run["message"]
    assert (run["documentId"], run["rows"], run["rowsSkipped"]) == (None, 0, 0)
    documents = gql(
        api_client,
        callers.viewer,
        "query($s: String) { documents(source: $s) { nodes { path } } }",
        {"s": ingested.source.id},
    )
    assert [d["path"] for d in documents["data"]["documents"]["nodes"]] == [ingested.skipping.path]


async def test_runs_page_newest_first_and_filter_by_date(
    api_client: TestClient, callers: Callers, ingested: Ingested
) -> None:
    first = runs(api_client, callers.admin, source=ingested.source.id, first=1)
    assert [r["id"] for r in first["nodes"]] == [ingested.failed.run_id]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["totalCount"] is None  # filtered by the caller's rights: not counted
    after = first["pageInfo"]["endCursor"]
    second = runs(api_client, callers.admin, source=ingested.source.id, first=1, after=after)
    assert [r["id"] for r in second["nodes"]] == [ingested.skipping.run_id]
    assert second["pageInfo"]["hasNextPage"] is False
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert runs(api_client, callers.admin, source=ingested.source.id, since=tomorrow)["nodes"] == []
    bad = gql(api_client, callers.admin, RUNS_QUERY, {"after": "not-a-cursor"})
    assert error_codes(bad) == ["invalid_cursor"]


async def test_a_caller_sees_only_runs_of_what_they_may_read(
    api_client: TestClient, callers: Callers, ingested: Ingested
) -> None:
    # restricted to `cities`: neither the failed file (no table) nor the other table's run
    assert runs(api_client, callers.restricted, source=ingested.source.id)["nodes"] == []
    seen = runs(api_client, callers.viewer, source=ingested.source.id)["nodes"]
    assert {r["id"] for r in seen} == {ingested.failed.run_id, ingested.skipping.run_id}
    # a user of no team sees nothing (as with `documents`); an anonymous caller is refused
    assert runs(api_client, callers.stranger, source=ingested.source.id)["nodes"] == []
    body = gql(api_client, callers.anonymous, RUNS_QUERY, {"source": ingested.source.id})
    assert body["data"] is None
    assert error_codes(body) == ["unauthenticated"]


async def test_the_command_line_reads_every_run_as_a_table(
    graph: Graph, ingested: Ingested
) -> None:
    found = await list_runs(graph, source=ingested.source.id)
    assert [listing.run.id for listing in found] == [
        ingested.failed.run_id,
        ingested.skipping.run_id,
    ]
    failed = await list_runs(graph, source=ingested.source.id, status=RunStatus.FAILED)
    assert [listing.document for listing in failed] == [None]
    cells = [dict(zip(RUN_COLUMNS, run_cells(listing), strict=True)) for listing in found]
    assert cells[0]["outcome"] == "failed (malformed_file)"
    assert cells[0]["file"] == f"{ingested.source.id}:{ingested.failed.path}"
    assert "line 1" in cells[0]["message"]
    assert cells[1]["outcome"] == "ingested, 2 rows skipped"
    assert cells[1]["rows"] == str(GOOD_ROWS)
    assert cells[1]["message"].startswith("line 5: row skipped")
    assert "(+1 more)" in cells[1]["message"]
