"""Reading the active rows a full trust pass works on (`trust.rows.read_active_rows`): page
by page, the next page asked for while the one before is parsed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.cypher_registry import CypherRegistry
from graph.errors import QueryFailedError
from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from trust import rows as trust_rows
from trust.rows import read_active_rows

pytestmark = pytest.mark.integration

HEADER = "city_id,name,population\n"


@pytest.fixture
async def folders(graph: Graph, tmp_path: Path, unique: str) -> AsyncIterator[list[SourceFolder]]:
    made = [SourceFolder(tmp_path, f"rows_{name}_{unique}") for name in "ab"]
    yield made
    for folder in made:
        await graph.write("testing/delete_source", {"source": folder.id})


async def ingest_cities(
    service: IngestionService, folder: SourceFolder, unique: str, count: int
) -> None:
    text = HEADER + "".join(f"k{i}-{unique},K{i},{1000 + i}\n" for i in range(count))
    outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
    assert outcome.status is OutcomeStatus.INGESTED, outcome


async def test_rows_read_in_small_pages_are_every_active_row_once(
    graph: Graph,
    service: IngestionService,
    folders: list[SourceFolder],
    unique: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for folder, count in zip(folders, (5, 2), strict=True):
        await ingest_cities(service, folder, unique, count)
    ours = {folder.id for folder in folders}
    whole = [row for row in await read_active_rows(graph) if row.source in ours]
    # pages of two rows: the five-row document is read as a large one, after each last id
    monkeypatch.setattr(trust_rows, "PAGE_ROWS", 2)
    paged = [row for row in await read_active_rows(graph) if row.source in ours]
    assert len(whole) == 7
    assert sorted(row.id for row in paged) == sorted(row.id for row in whole)
    assert {row.id: row for row in paged} == {row.id: row for row in whole}


async def test_a_page_that_fails_fails_the_read_with_its_error(
    graph: Graph, service: IngestionService, folders: list[SourceFolder], unique: str
) -> None:
    await ingest_cities(service, folders[0], unique, 2)
    broken = CypherRegistry(
        {
            **graph.registry,
            "trust/documents_claims": "UNWIND $documents AS document RETURN 1 / 0 AS rows",
        }
    )
    failing = Graph(graph._driver, broken, graph.database, graph.uri)
    with pytest.raises(QueryFailedError, match="trust/documents_claims"):
        await asyncio.wait_for(read_active_rows(failing), timeout=60)


async def test_a_full_pass_writes_a_row_by_its_node_only_while_the_node_is_still_that_row(
    graph: Graph, service: IngestionService, folders: list[SourceFolder], unique: str
) -> None:
    """Rows are read with their `elementId` (`RowRecord.node`), and `trust/set_row_trust`
    finds them by it; a node that no longer holds the row read (an element id is reused once
    its node is deleted) is not written."""
    await ingest_cities(service, folders[0], unique, 2)
    first, second = sorted(
        (row for row in await read_active_rows(graph) if row.source == folders[0].id),
        key=lambda row: row.id,
    )
    assert first.node
    assert second.node
    assert first.node != second.node
    features = [0.5] * 7
    await graph.write(
        "trust/set_row_trust",
        {
            "rows": [
                [first.node, first.id, 0.31, features],
                [first.node, second.id, 0.32, features],
            ],
            "mode": "propagated",
            "model": None,
        },
    )
    stored = {
        row.id: row.trust for row in await read_active_rows(graph) if row.source == folders[0].id
    }
    assert stored == {first.id: 0.31, second.id: None}  # never scored


async def test_a_full_pass_finds_the_rows_it_writes_by_element_id_not_the_id_index(
    graph: Graph,
) -> None:
    """The planner seeks the id index instead as soon as the MATCH names the label or the id."""
    plan = await graph.plan_checked(graph.registry["trust/set_row_trust"])
    rows = [op for op in plan.operators if "Seek" in op]
    assert any(op.startswith("NodeByElementIdSeek") for op in plan.operators), plan.operators
    assert rows.count("NodeUniqueIndexSeek(Locking)@neo4j") == 0
