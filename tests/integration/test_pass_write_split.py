"""An after-ingest pass writes its rows' scores in one transaction, the tables' trust aggregates
locked first, and its facts in another that locks none (`TrustEngine.write_settled`): a file's
activation waits for the first only, and a pass cut short between the two leaves what a clean
run leaves once it runs again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from graph.graph import Graph, GraphTransaction
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from tests.integration.test_document_pass import (  # its fixtures too
    BOTH_THRESHOLDS,
    NOW,
    Corpus,
    corpus,  # noqa: F401  (a fixture)
    differences,
    files,
    run_pass,
    services,  # noqa: F401  (a fixture)
    with_thresholds,
)
from trust.document_pass import DocumentPass, load_documents
from trust.services import TrustServices, TrustTools

pytestmark = pytest.mark.integration

WAIT_SECONDS = 60.0
"""A hang guard: how long a step may go without the progress the test waits for."""


@asynccontextmanager
async def facts_held(graph: Graph, entities: Sequence[str]) -> AsyncIterator[None]:
    """The write locks of the entities' facts, held by another transaction meanwhile."""
    held, release = asyncio.Event(), asyncio.Event()

    async def hold(tx: GraphTransaction) -> None:
        [record] = await tx.run("testing/hold_facts", {"entities": list(entities)})
        assert record["held"] > 0
        held.set()
        await release.wait()

    holder = asyncio.create_task(graph.transaction(hold))
    await asyncio.wait_for(held.wait(), WAIT_SECONDS)
    try:
        yield
    finally:
        release.set()
        await holder


async def healed(tools: TrustTools, opened: TrustServices, document_id: str) -> DocumentPass:
    """A pass over the document run up to its write (`sync`), as the pipeline runs it."""
    state = await load_documents(tools, [document_id])
    document = DocumentPass(tools, opened.governance, state, NOW)
    await document.detect()
    await document.score()
    await document.heal()
    return document


async def rows_scored(graph: Graph, source: str, sync: asyncio.Task[Any]) -> None:
    """Until every active row of `source` is scored (the pass's rows' transaction
    committed) while `sync` is still writing."""
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            assert not sync.done(), "the pass's write ended: its facts were not held back"
            records = await graph.read("testing/row_trust", {"source": source})
            if records and all(record["propagated"] is not None for record in records):
                return
            await asyncio.sleep(0.05)


async def documents(graph: Graph, made: Corpus) -> dict[str, Any]:
    """The stored trust of the corpus's documents."""
    sources = [folder.id for folder in made.folders.values()]
    records = await graph.read("testing/source_document_trust", {"sources": sources})
    return {f"document {r['source']} {r['path']}": dict(r) for r in records}


@BOTH_THRESHOLDS
async def test_a_pass_cut_between_its_rows_and_its_facts_converges_when_run_again(
    graph: Graph,
    service: IngestionService,
    services: TrustServices,  # noqa: F811  (the fixture imported above)
    corpus: Corpus,  # noqa: F811
    thresholds: Any,
) -> None:
    tools = with_thresholds(services, await services.current(), thresholds)
    corpus_files = files(corpus, tools)
    facts = []
    for position, file in enumerate(corpus_files):
        await run_pass(tools, services, await corpus.ingest(graph, service, position, file))
        facts.append(facts_of(await corpus.state(graph)))
    clean = {**await corpus.state(graph), **await documents(graph, corpus)}
    await corpus.forget(graph)
    cut = max(p for p in range(1, len(facts)) if changed_facts(facts[p - 1], facts[p]))

    for position, file in enumerate(corpus_files):
        document_id = await corpus.ingest(graph, service, position, file)
        if position == cut:
            await cut_between_rows_and_facts(graph, corpus, tools, services, file, document_id)
            assert facts_of(await corpus.state(graph)) == facts[cut - 1]  # facts not written
        await run_pass(tools, services, document_id)  # at the cut: the pass owed, run again
    after = {**await corpus.state(graph), **await documents(graph, corpus)}
    assert differences(clean, after) == []


def facts_of(state: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in state.items() if key.startswith("fact ")}


def changed_facts(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a fact of `before` is stored otherwise in `after` (a pass wrote it again)."""
    return any(after.get(key) != value for key, value in before.items())


async def cut_between_rows_and_facts(
    graph: Graph,
    made: Corpus,
    tools: TrustTools,
    opened: TrustServices,
    file: tuple[str, str, str],
    document_id: str,
) -> None:
    """The document's pass, its worker dying once the rows' transaction committed while the
    facts' transaction waits (for the facts' locks, held meanwhile)."""
    document = await healed(tools, opened, document_id)
    async with facts_held(graph, made.entities):
        sync = asyncio.create_task(document.sync())
        await rows_scored(graph, made.folders[file[0]].id, sync)
        sync.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sync


async def test_an_activation_waits_for_a_pass_s_rows_not_for_its_facts(
    graph: Graph,
    service: IngestionService,
    services: TrustServices,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    unique: str,
) -> None:
    first, second, third = (SourceFolder(tmp_path, f"{n}_{unique}") for n in ("a", "b", "c"))
    keys = [f"w{i}{unique}-xx" for i in range(5)]

    def cities(population: int, names: Sequence[str]) -> str:
        lines = [f"{key},City {key},{population}\n" for key in names]
        return "city_id,name,population\n" + "".join(lines)

    try:
        tools = await services.current()
        outcome = await service.ingest_file(
            first.write("cities.csv", cities(1000, keys)), first.root
        )
        assert outcome.document_id is not None
        await run_pass(tools, services, outcome.document_id)
        outcome = await service.ingest_file(
            second.write("cities.csv", cities(2000, keys)), second.root
        )
        assert outcome.document_id is not None
        document = await healed(tools, services, outcome.document_id)
        async with facts_held(graph, [f"cities:{key}" for key in keys]):
            sync = asyncio.create_task(document.sync())
            await rows_scored(graph, second.id, sync)
            # a file of the same table: its activation locks the aggregate the pass moved
            other = third.write("cities.csv", cities(3000, [f"v{unique}-xx"]))
            activated = await asyncio.wait_for(service.ingest_file(other, third.root), WAIT_SECONDS)
            assert activated.status is OutcomeStatus.INGESTED
            assert not sync.done()  # the pass still waits to write its facts
        await asyncio.wait_for(sync, WAIT_SECONDS)
    finally:
        await graph.write("testing/delete_facts", {"entities": [f"cities:{k}" for k in keys]})
        for folder in (first, second, third):
            await graph.write("testing/delete_source", {"source": folder.id})
