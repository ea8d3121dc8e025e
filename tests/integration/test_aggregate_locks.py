"""A file's activation locks its table's trust aggregate before it changes anything, so it
waits for a pass's write holding nothing that write could want.

Both move the table's `TrustAggregate`; each used to take it last, holding its rows and
documents meanwhile, and the two deadlocked: Neo4j killed one, which the driver retried
after about a second (8 times in a 62-file latency run, one file 9.9 s; issue 18).
"""

from __future__ import annotations

import asyncio

import pytest

from graph.graph import Graph, GraphTransaction
from ingest.loader import RowDraft
from ingest.service import IngestionService
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

CITIES = "city_id,name,country,population\nlyon-fr,Lyon,FR,522000\n"
UNDER_WAY_SECONDS = 2.0
"""Time for the activation to reach Neo4j and wait there."""


async def test_an_activation_waits_for_the_aggregate_before_locking_its_document(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    first = await service.ingest_file(source.write("cities.csv", CITIES), source.root)
    loader = service.loader
    draft, run = await source.begin_version(loader, first.path, "e" * 64)
    row = RowDraft(
        id=f"row:{source.id}:locks",
        key="locks-xx",
        entity_id="cities:locks-xx",
        values="{}",
        sha256="1",
        locator="line 2",
    )
    await loader.load_rows(draft.id, "cities", "cities@1", [row])
    held, release = asyncio.Event(), asyncio.Event()

    async def hold(tx: GraphTransaction) -> None:  # a pass's write, under way
        await tx.run("trust/lock_table_aggregates", {"tables": ["cities"]})
        held.set()
        await release.wait()

    holder = asyncio.create_task(graph.transaction(hold))
    await held.wait()
    activation = asyncio.create_task(
        loader.activate(draft.id, run.id, rows=1, chunks=0, warnings=[], tables=["cities"])
    )
    try:
        await asyncio.sleep(UNDER_WAY_SECONDS)
        assert not activation.done()  # it waits for the aggregate
        # ... holding nothing: its document can be written meanwhile
        shift = {"documents": [{"id": draft.id, "added": 1, "delta": 0.5}]}
        await asyncio.wait_for(graph.write("trust/shift_document_trust", shift), 10)
    finally:
        release.set()
        await holder
    assert (await activation).activated == 1
