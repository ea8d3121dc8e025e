"""Ingestion of files into the real graph: provenance, versions, retraction, failures."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from graph.model import ReviewStatus
from ingest.extract import Limits
from ingest.loader import RowDraft
from ingest.runs import list_runs
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

CITIES = """city_id,name,country,population,area_km2,mayor,updated_at
lyon-fr,Lyon,FR,522250,47.87,Grégory Doucet,2025-06-01T10:00:00Z
porto-pt,Porto,PT,231800,41.42,Rui Moreira,2025-06-01T10:00:00Z
graz-at,Graz,AT,298479,127.57,Elke Kahr,2025-06-01T10:00:00Z
"""


async def state(graph: Graph, source: SourceFolder) -> dict[str, Any]:
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    return record


def rows_by_key(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in record["rows"]:
        grouped.setdefault(row["key"], []).append(row)
    return grouped


async def test_a_csv_becomes_a_document_rows_and_provenance(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.INGESTED
    assert (outcome.table, outcome.rows, outcome.version) == ("cities", 3, 1)
    record = await state(graph, source)
    assert [d["status"] for d in record["documents"]] == ["active"]
    assert {row["status"] for row in record["rows"]} == {"active"}
    lyon = rows_by_key(record)["lyon-fr"][0]
    assert json.loads(lyon["values"])["population"] == 522250
    assert (lyon["path"], lyon["locator"]) == (outcome.path, "line 2")  # for Neo4j Browser
    [links] = await graph.read("testing/row_links", {"row_id": lyon["id"]})
    assert links == {
        "entity": "cities:lyon-fr",
        "tables": ["cities"],
        "schema_versions": ["cities@1"],
        "versions": [1],
        "locators": ["line 2"],
    }
    assert record["runs"] == [{"status": "completed", "error_code": None, "path": outcome.path}]


async def test_the_same_content_again_writes_nothing(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    await service.ingest_file(path, source.root)
    [before] = await graph.read("testing/count_everything")
    again = await service.ingest_file(path, source.root)
    assert again.status is OutcomeStatus.UNCHANGED
    assert await graph.read("testing/count_everything") == [before]


async def test_a_changed_file_is_a_new_version_that_retracts_what_disappeared(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    await service.ingest_file(path, source.root)
    first = rows_by_key(await state(graph, source))
    changed = (
        CITIES.replace("231800", "232000").replace(
            "graz-at,Graz,AT,298479,127.57,Elke Kahr,2025-06-01T10:00:00Z\n", ""
        )
        + "turin-it,Turin,IT,841600,130.01,Stefano Lo Russo,2025-06-01T10:00:00Z\n"
    )
    path.write_text(changed, encoding="utf-8")
    outcome = await service.ingest_file(path, source.root)
    assert (outcome.status, outcome.version, outcome.retracted) == (OutcomeStatus.INGESTED, 2, 2)
    record = await state(graph, source)
    assert sorted((d["version"], d["status"]) for d in record["documents"]) == [
        (1, "superseded"),
        (2, "active"),
    ]
    assert await graph.read("testing/supersedes", {"source": source.id, "path": outcome.path}) == [
        {"new": 2, "old": 1}
    ]
    rows = rows_by_key(record)
    # unchanged: same identity, now extracted from both versions
    assert [row["id"] for row in rows["lyon-fr"]] == [first["lyon-fr"][0]["id"]]
    [links] = await graph.read("testing/row_links", {"row_id": first["lyon-fr"][0]["id"]})
    assert sorted(links["versions"]) == [1, 2]
    # changed: the old row is superseded by a new active one; removed: retracted, not deleted
    assert sorted(row["status"] for row in rows["porto-pt"]) == ["active", "superseded"]
    assert [row["status"] for row in rows["graz-at"]] == ["retracted"]
    assert [row["status"] for row in rows["turin-it"]] == ["active"]


async def test_a_row_that_moves_in_a_new_version_shows_its_new_line(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    await service.ingest_file(path, source.root)
    header, rest = CITIES.split("\n", 1)
    turin = "turin-it,Turin,IT,841600,130.01,Stefano Lo Russo,2025-06-01T10:00:00Z"
    path.write_text(f"{header}\n{turin}\n{rest}", encoding="utf-8")
    outcome = await service.ingest_file(path, source.root)
    [lyon] = rows_by_key(await state(graph, source))["lyon-fr"]
    assert (lyon["path"], lyon["locator"]) == (outcome.path, "line 3")
    [links] = await graph.read("testing/row_links", {"row_id": lyon["id"]})
    assert sorted(links["versions"]) == [1, 2]
    assert sorted(links["locators"]) == ["line 2", "line 3"]  # each version's edge keeps its own


async def test_a_record_repeated_in_a_file_is_one_row_at_its_last_line(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    lyon = CITIES.splitlines()[1]
    path = source.write("cities.csv", f"{CITIES}{lyon}\n{lyon}\n")  # lines 2, 5 and 6
    outcome = await service.ingest_file(path, source.root)
    assert (outcome.status, outcome.rows) == (OutcomeStatus.INGESTED, 5)
    [row] = rows_by_key(await state(graph, source))["lyon-fr"]
    assert (row["status"], row["locator"]) == ("active", "line 6")
    [links] = await graph.read("testing/row_links", {"row_id": row["id"]})
    assert (links["entity"], links["locators"]) == ("cities:lyon-fr", ["line 2"])


async def test_a_file_changed_back_reactivates_its_rows(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    await service.ingest_file(path, source.root)
    path.write_text(CITIES.replace("graz-at", "graz-xx"), encoding="utf-8")
    await service.ingest_file(path, source.root)
    path.write_text(CITIES, encoding="utf-8")
    outcome = await service.ingest_file(path, source.root)
    assert outcome.version == 3
    rows = rows_by_key(await state(graph, source))
    assert [row["status"] for row in rows["graz-at"]] == ["active"]
    assert [row["status"] for row in rows["graz-xx"]] == ["retracted"]


async def test_a_truncated_file_fails_with_a_specific_error_and_writes_no_document(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.json", '[{"city_id": "lyon-fr", "name": "Ly')
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.error is not None
    assert "line 1" in outcome.error
    record = await state(graph, source)
    assert record["documents"] == []
    assert record["rows"] == []
    assert record["runs"] == [
        {"status": "failed", "error_code": "malformed_file", "path": outcome.path}
    ]


async def test_a_bad_value_is_a_recorded_warning_not_a_lost_row(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES.replace("298479", "about 300000"))
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.INGESTED
    assert outcome.rows == 3
    assert any("population" in w and "about 300000" in w for w in outcome.warnings)
    graz = rows_by_key(await state(graph, source))["graz-at"][0]
    assert "population" not in json.loads(graz["values"])


async def test_a_file_with_half_its_records_bad_fails_as_a_whole(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    broken = CITIES.replace("298479", "about 300000").replace("Rui Moreira", "Moreira, Rui")
    path = source.write("cities.csv", broken)
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.code == "too_many_bad_records"
    assert outcome.error is not None
    assert "2 of 3 records are bad" in outcome.error
    assert "line 3: expected 7 fields, found 8" in outcome.error
    assert "line 4: field 'population'" in outcome.error
    record = await state(graph, source)
    assert (record["documents"], record["rows"]) == ([], [])
    assert record["runs"] == [
        {"status": "failed", "error_code": "too_many_bad_records", "path": outcome.path}
    ]


@contextlib.asynccontextmanager
async def table_reviewers(
    graph: Graph, bus: EventBus, unique: str, table: str
) -> AsyncIterator[tuple[Approvals, list[str]]]:
    """Approvals and the two editors of the default workspace that a new table needs
    (policies/approvals.yaml); the editors and `table` are deleted afterwards."""
    audit = AuditLog(graph)
    approvals = Approvals(graph, bus, audit, default_appliers(graph, audit))
    editors = [f"ann-{unique}", f"bob-{unique}"]
    users = [{"id": editor, "role": "editor", "tables": None} for editor in editors]
    await graph.write("testing/approvals_members", {"workspace": "default", "users": users})
    try:
        yield approvals, editors
    finally:
        await graph.write("testing/delete_users", {"users": editors})
        await graph.write("testing/delete_tables", {"names": [table]})


async def test_rows_that_fit_no_table_propose_a_schema_instead_of_guessing(
    graph: Graph, bus: EventBus, service: IngestionService, source: SourceFolder, unique: str
) -> None:
    table = f"sensors_{unique}"
    text = (
        "sensor_code,reading,taken_at\n"
        "s-1,12.5,2026-01-01T00:00:00Z\n"
        "s-2,13.0,2026-01-01T00:00:00Z\n"
    )
    path = source.write(f"{table}.csv", text)
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.AWAITING_SCHEMA
    assert outcome.rows == 0
    [request] = await graph.read("testing/change_requests", {"source": source.id})
    assert request["request"]["kind"] == "schema.create"
    assert request["request"]["status"] == "open"
    proposal = json.loads(request["request"]["payload"])
    assert proposal["table"] == table
    definition = proposal["definition"]  # structured, not JSON inside a string
    assert definition["entity_key"] == ["sensor_code"]
    assert definition["fields"]["reading"]["type"] == "float"
    record = await state(graph, source)
    assert record["rows"] == []
    assert record["runs"][0]["status"] == "awaiting_schema"
    [run] = await list_runs(graph, source=source.id)
    assert run.run.warnings[0] == (  # what `grace runs list` and the web app say of the run
        f"waiting for table '{table}' to be approved (change request {outcome.change_request})"
    )
    again = await service.ingest_file(path, source.root)  # waits, proposes nothing new
    assert again.status is OutcomeStatus.UNCHANGED
    assert len(await graph.read("testing/change_requests", {"source": source.id})) == 1

    # two editors approve (policies/approvals.yaml): the table is in force, the file goes in
    async with table_reviewers(graph, bus, unique, table) as (approvals, editors):
        for editor in editors:
            decided = await approvals.approve(request["request"]["id"], editor)
        assert decided.status is ReviewStatus.APPLIED
        loaded = await service.ingest_file(path, source.root)
        assert loaded.status is OutcomeStatus.INGESTED
        assert (loaded.table, loaded.rows, loaded.version) == (table, 2, 2)


async def test_a_file_whose_proposed_table_was_rejected_fails_with_a_code_until_a_table_fits(
    graph: Graph, bus: EventBus, service: IngestionService, source: SourceFolder, unique: str
) -> None:
    table = f"gauges_{unique}"
    header = "gauge_code,level,taken_at\n"
    path = source.write(f"{table}.csv", header + "g-1,1.5,2026-01-01T00:00:00Z\n")
    waiting = await service.ingest_file(path, source.root)
    assert waiting.status is OutcomeStatus.AWAITING_SCHEMA
    async with table_reviewers(graph, bus, unique, table) as (approvals, editors):
        assert waiting.change_request is not None
        rejected = await approvals.reject(waiting.change_request, editors[0], "not this way")
        assert rejected.status is ReviewStatus.REJECTED

        # the same content would propose the refused table again: a failed run with its code
        refused = await service.ingest_file(path, source.root)
        assert refused.status is OutcomeStatus.FAILED
        assert refused.code == "table_refused"
        assert table in (refused.error or "")
        assert len(await graph.read("testing/change_requests", {"source": source.id})) == 1

        # another file proposes the same table and it is approved: the refused file now fits
        (source.folder / "more").mkdir()
        other = source.write(f"more/{table}.csv", header + "g-2,2.5,2026-01-01T00:00:00Z\n")
        proposed = await service.ingest_file(other, source.root)
        assert proposed.status is OutcomeStatus.AWAITING_SCHEMA
        assert proposed.change_request not in (None, waiting.change_request)
        for editor in editors:
            decided = await approvals.approve(proposed.change_request or "", editor)
        assert decided.status is ReviewStatus.APPLIED
        loaded = await service.ingest_file(path, source.root)
        assert loaded.status is OutcomeStatus.INGESTED
        assert (loaded.table, loaded.rows) == (table, 1)


async def test_files_of_one_shape_named_apart_wait_for_one_proposed_table_and_meet_in_it(
    graph: Graph, bus: EventBus, service: IngestionService, source: SourceFolder, unique: str
) -> None:
    table, other_name = f"stock_{unique}", f"catalogue_{unique}"
    header = "sku,price,updated_at\n"
    first = source.write(f"{table}.csv", header + "a-1,10.0,2026-01-01T00:00:00Z\n")
    second = source.write(f"{other_name}.csv", header + "a-1,12.0,2026-01-01T00:00:00Z\n")
    proposed = await service.ingest_file(first, source.root)
    joined = await service.ingest_file(second, source.root)
    assert proposed.status is joined.status is OutcomeStatus.AWAITING_SCHEMA
    assert joined.change_request == proposed.change_request
    assert len(await graph.read("testing/change_requests", {"source": source.id})) == 1
    async with table_reviewers(graph, bus, unique, table) as (approvals, editors):
        for editor in editors:
            decided = await approvals.approve(proposed.change_request or "", editor)
        assert decided.status is ReviewStatus.APPLIED
        loaded = [await service.ingest_file(path, source.root) for path in (first, second)]
        assert [(o.status, o.table, o.rows) for o in loaded] == [
            (OutcomeStatus.INGESTED, table, 1),
            (OutcomeStatus.INGESTED, table, 1),
        ]


async def test_twenty_concurrent_ingestions_of_one_file_load_it_once(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    outcomes = await asyncio.gather(
        *(service.ingest_file(path, source.root) for _ in range(20)), return_exceptions=True
    )
    statuses = [o if isinstance(o, BaseException) else o.status for o in outcomes]
    assert OutcomeStatus.INGESTED in statuses
    record = await state(graph, source)
    assert [(d["version"], d["status"]) for d in record["documents"]] == [(1, "active")]
    assert sorted(row["key"] for row in record["rows"]) == ["graz-at", "lyon-fr", "porto-pt"]
    assert {row["status"] for row in record["rows"]} == {"active"}
    assert record["provenance"] == 3


def zip_bomb() -> bytes:
    """An XLSX-looking archive whose one entry inflates 50 MB of zeros from ~50 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * 50_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("bomb.xlsx", zip_bomb(), "unsafe_archive"),
        ("random.bin", bytes(range(256)) * 64, "unsupported_format"),
        ("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100, "malformed_file"),
        ("evil.yaml", b"!!python/object/apply:os.system ['true']\n", "malformed_file"),
    ],
)
async def test_a_hostile_file_is_a_failed_run_and_the_service_goes_on(
    graph: Graph,
    service: IngestionService,
    source: SourceFolder,
    name: str,
    content: bytes,
    code: str,
) -> None:
    bad = source.folder / name
    bad.write_bytes(content)
    outcome = await service.ingest_file(bad, source.root)
    assert outcome.status is OutcomeStatus.FAILED
    good = await service.ingest_file(source.write("cities.csv", CITIES), source.root)
    assert good.status is OutcomeStatus.INGESTED
    record = await state(graph, source)
    assert [d["status"] for d in record["documents"]] == ["active"]  # only the good file
    failed = [run for run in record["runs"] if run["status"] == "failed"]
    assert failed == [{"status": "failed", "error_code": code, "path": f"{source.name}/{name}"}]


async def test_a_file_over_the_size_limit_is_refused_before_parsing(
    graph: Graph, bus: EventBus, source: SourceFolder
) -> None:
    small = await IngestionService.create(graph, bus, limits=Limits(max_bytes=100), batch_size=10)
    outcome = await small.ingest_file(source.write("cities.csv", CITIES), source.root)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.error is not None
    assert "100" in outcome.error
    assert (await state(graph, source))["runs"][0]["error_code"] == "file_too_large"


async def test_an_interrupted_load_is_undone_and_earlier_rows_stay(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    path = source.write("cities.csv", CITIES)
    first = await service.ingest_file(path, source.root)
    before = await state(graph, source)
    loader = service.loader
    draft, _ = await source.begin_version(loader, first.path, "f" * 64)
    [lyon] = [row for row in before["rows"] if row["key"] == "lyon-fr"]
    new_row = RowDraft(
        id="row:interrupted",
        key="new-xx",
        entity_id="cities:new-xx",
        values="{}",
        sha256="0",
        locator="line 9",
    )
    shared_row = RowDraft(
        id=lyon["id"],
        key="lyon-fr",
        entity_id="cities:lyon-fr",
        values=lyon["values"],
        sha256="",
        locator="line 7",  # moved in the aborted version: the row gets its line 2 back
    )
    await loader.load_rows(draft.id, "cities", "cities@1", [new_row, shared_row])
    await loader.abort(draft.id)  # what the service does when phase 2 fails
    after = await state(graph, source)
    assert after["documents"] == before["documents"]
    assert after["rows"] == before["rows"]
    assert after["provenance"] == before["provenance"]
