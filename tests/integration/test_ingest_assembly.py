"""An ingesting process is ready for its first file once its services open: the embedding
model loaded, the tables read and the statements of loading a file planned by Neo4j, so
that the first file costs what a later one does (issue 18, item 4)."""

from __future__ import annotations

import pytest

from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.assembly import IngestServices
from ingest.loader import GraphLoader

pytestmark = pytest.mark.integration

LOAD_STATEMENTS = {
    "ingest/latest_document",
    "ingest/link_schema",
    "ingest/upsert_rows",
    "ingest/upsert_chunks",
    "ingest/activate_document",
}
"""What loading a file runs after `begin_document` (which creates its version)."""


async def test_warming_the_loader_runs_every_load_statement_and_writes_nothing(
    graph: Graph,
) -> None:
    [before] = await graph.read("testing/count_everything")
    ran = graph.statements.copy()
    await GraphLoader(graph, batch_size=100).warm()
    assert set((graph.statements - ran).keys()) == LOAD_STATEMENTS
    assert await graph.read("testing/count_everything") == [before]


async def test_an_ingesting_process_has_its_model_and_plans_before_its_first_file(
    graph: Graph, bus: EventBus, settings: Settings
) -> None:
    ran = graph.statements.copy()
    services = await IngestServices.open(graph, bus, settings)
    assert services.after_ingest.embedder is not None
    assert (graph.statements - ran).keys() >= LOAD_STATEMENTS


async def test_no_model_loads_when_embedding_is_off(
    graph: Graph, bus: EventBus, settings: Settings
) -> None:
    off = settings.model_copy(update={"embedding_backend": "off"})
    services = await IngestServices.open(graph, bus, off)
    assert services.after_ingest.embedder is None
