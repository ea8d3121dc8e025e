"""The statements that read the rows of some entities or documents find those rows from the
entities and documents, whatever Neo4j's statistics say.

Neo4j plans a statement once and keeps the plan until its statistics drift. Planned while the
store held (almost) no rows, on a fresh database or one just emptied, `trust/pass_inputs`
found the rows by the `Row.status` index, once per entity, and joined them to the entity: the
first after-ingest pass of 1,000 entities, run while later files were being ingested, took
110-170 s of Neo4j CPU (issue 18; 76 million page hits for 1,000 rows). These statements say
neither `Row` nor an inline property on the rows they expand to, so no index can start there.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.private_neo4j import PrivateNeo4j
from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.migrations import migrate
from graph.settings import Settings

pytestmark = pytest.mark.integration

ANCHORED = [
    "trust/pass_inputs",
    "trust/entity_claims",
    "trust/document_claims",
    "trust/documents_claims",
    "rows/low_trust",
]
"""Statements an incremental trust pass runs with many entities or documents at once."""

FINDS_NODES = re.compile(r"^Node\w*(Seek|Scan)\b")
FOUND_BY_INDEX_OR_LABEL = re.compile(r"\w+:(Row\b|Document\((?!id\)))")
"""A row by any index or its label, a document by anything but its id."""


@pytest.fixture(scope="module")
async def empty_store(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Graph]:
    """A fresh Neo4j with every migration applied and no data: the statistics of a store
    that has just been created (or emptied)."""
    home: Path = tmp_path_factory.mktemp("empty-neo4j")
    neo4j = PrivateNeo4j(settings, home, heap="256m", pagecache="16m")
    try:
        graph = await neo4j.start(CypherRegistry.load(settings.cypher_dir))
        try:
            await migrate(graph)
            yield graph
        finally:
            await graph.close()
    finally:
        neo4j.stop()


def rows_found_apart(operators: tuple[str, ...]) -> list[str]:
    """The operators of a plan that find rows (or documents) by an index or a label."""
    return [
        operator
        for operator in operators
        if FINDS_NODES.match(operator) and FOUND_BY_INDEX_OR_LABEL.search(operator)
    ]


def test_an_index_seek_of_rows_is_what_is_looked_for() -> None:
    seek = "NodeIndexSeek@neo4j RANGE INDEX r:Row(status) WHERE status = $autostring_0"
    scan = "NodeByLabelScan@neo4j anon_2:Row"
    by_status = "NodeIndexSeek@neo4j RANGE INDEX d:Document(status) WHERE status = $s"
    by_id = "NodeUniqueIndexSeek@neo4j UNIQUE doc:Document(id) WHERE id = $document_id"
    entity = "NodeUniqueIndexSeek@neo4j UNIQUE e:Entity(id) WHERE id = id"
    assert rows_found_apart((seek, scan, by_status, by_id, entity)) == [seek, scan, by_status]


@pytest.mark.parametrize("name", ANCHORED)
async def test_rows_are_found_from_their_entities_when_the_store_is_empty(
    empty_store: Graph, name: str
) -> None:
    assert rows_found_apart(await empty_store.explain(name)) == []
