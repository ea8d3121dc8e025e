"""An ingesting process is ready for its first file once its services open: the embedding
model loaded, the tables read and loading a file rehearsed in a transaction rolled back
(`ingest.warm_up`), so that the first file costs what a later one does (issue 18, item 4).
A rehearsal that fails is logged and the process opens anyway."""

from __future__ import annotations

import logging

import pytest

from graph.cypher_registry import CypherRegistry
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.assembly import IngestServices
from ingest.warm_up import ROWS, rehearse_loading

pytestmark = pytest.mark.integration

LOAD_STATEMENTS = {
    "ingest/latest_document",
    "ingest/begin_document",
    "ingest/link_schema",
    "ingest/upsert_rows",
    "ingest/upsert_chunks",
    "trust/lock_table_aggregates",
    "ingest/activate_document",
    "trust/shift_table_trust",
    "schemas/active_version_ids",
}
"""What loading a file runs (the reads before it, its three phases, the activation's move of
its table's trust aggregate)."""


async def _state(graph: Graph) -> tuple[list[dict[str, object]], ...]:
    """What a rehearsal must leave as it found it: the counts, the tables' aggregates."""
    return (
        await graph.read("testing/count_everything"),
        await graph.read("testing/trust_aggregates"),
    )


async def test_rehearsing_a_file_activates_its_rows_and_leaves_nothing(
    graph: Graph, bus: EventBus, settings: Settings
) -> None:
    services = await IngestServices.open(graph, bus, settings)
    before = await _state(graph)
    ran = graph.statements.copy()
    activation = await services.ingestion.warm_up()
    assert activation.activated == ROWS
    assert set((graph.statements - ran).keys()) >= LOAD_STATEMENTS
    assert await _state(graph) == before


async def test_a_rehearsal_without_a_table_loads_the_version_alone(graph: Graph) -> None:
    before = await _state(graph)
    activation = await rehearse_loading(graph, 100, None)
    assert activation.activated == 0
    assert await _state(graph) == before


async def test_an_ingesting_process_has_its_model_and_plans_before_its_first_file(
    graph: Graph, bus: EventBus, settings: Settings
) -> None:
    ran = graph.statements.copy()
    services = await IngestServices.open(graph, bus, settings)
    assert services.after_ingest.embedder is not None
    assert (graph.statements - ran).keys() >= LOAD_STATEMENTS


async def test_a_failed_rehearsal_is_logged_undone_and_the_process_opens(
    graph: Graph,
    bus: EventBus,
    settings: Settings,
    registry: CypherRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = CypherRegistry({**registry, "ingest/upsert_rows": registry["testing/broken_syntax"]})
    failing = await Graph.connect(settings, broken)
    try:
        before = await _state(graph)
        with caplog.at_level(logging.WARNING, logger="ingest.assembly"):
            services = await IngestServices.open(failing, bus, settings)
        assert services.ingestion is not None
        assert failing.statements["ingest/begin_document"] == 1  # written, then rolled back
        assert "the warm-up before the first file failed" in caplog.text
        assert "ingest/upsert_rows" in caplog.text
        assert await _state(graph) == before
    finally:
        await failing.close()


async def test_no_model_loads_when_embedding_is_off(
    graph: Graph, bus: EventBus, settings: Settings
) -> None:
    off = settings.model_copy(update={"embedding_backend": "off"})
    services = await IngestServices.open(graph, bus, off)
    assert services.after_ingest.embedder is None
