"""The pass lane coalesces (issue 18): a pass takes the pending passes waiting behind it and runs
one pass over all their documents, each document's state recorded as its own; a document whose
pass fails does not take the others' results with it; a pass cut short leaves each owed; a
retry runs alone; the pass lane reads what waits from its queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from arq.connections import ArqRedis
from arq.jobs import Job

from governance.audit import AuditLog
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings
from ingest.after_ingest import AfterIngest, PassBatch
from ingest.lane import Lane
from ingest.pass_state import OwedPass, PassLedger
from ingest.pipeline import RunStatus
from ingest.queue import AFTER_INGEST_QUEUE_NAME, deserialize, enqueue_pass, waiting_passes
from ingest.service import IngestionService, OutcomeStatus
from ingest.worker import Lanes
from tests.integration.conftest import SourceFolder
from tests.integration.hearing import Heard, hearing
from tests.integration.test_resumable_pass import pass_of, run_lanes
from trust.services import TrustServices

pytestmark = pytest.mark.integration

CITIES = 20
BATCH = PassBatch(documents=8, rows=100_000)


def cities(prefix: str) -> str:
    """A file of `CITIES` cities of its own (no entity shared with another prefix's)."""
    lines = [f"{prefix}{i}-xx,City {prefix} {i},{1000 + i}\n" for i in range(CITIES)]
    return "city_id,name,population\n" + "".join(lines)


async def burst(service: IngestionService, source: SourceFolder, files: int) -> list[OwedPass]:
    """`files` files ingested with their passes not yet run, as when they arrive faster than
    passes: the pass each owes, oldest first."""
    owed = []
    for n in range(files):
        path = source.write(f"cities{n}.csv", cities(f"c{n}x"))
        outcome = await service.ingest_file(path, source.root)
        assert outcome.status is OutcomeStatus.INGESTED
        assert outcome.document_id is not None
        owed.append(OwedPass(outcome.document_id, outcome.path, outcome.table, outcome.rows))
    return owed


async def facts_of(graph: Graph, document_id: str) -> int:
    [record] = await graph.read("testing/document_facts", {"document_id": document_id})
    return int(record["facts"])


@pytest.fixture
async def after_ingest(graph: Graph, bus: EventBus) -> AfterIngest:
    return AfterIngest.declared(await TrustServices.open(graph, bus, AuditLog(graph)), batch=BATCH)


@pytest.fixture
async def steps(bus: EventBus) -> AsyncIterator[Heard]:
    """The `pipeline.step` events published while the test runs."""
    async with hearing(bus, [EventType.PIPELINE_STEP]) as heard:
        yield heard


async def test_a_pass_takes_the_passes_waiting_behind_it_and_records_each_done(
    graph: Graph,
    service: IngestionService,
    source: SourceFolder,
    after_ingest: AfterIngest,
    steps: Heard,
) -> None:
    owed = await burst(service, source, 3)
    graph.reads.clear()
    run = await after_ingest.resume(owed[0], owed)
    assert run is not None
    assert run.status is RunStatus.SUCCEEDED
    assert graph.reads["trust/pass_inputs"] == 1  # one pass over the three
    # each document hears its steps, each naming the pass it ran in
    last = after_ingest.spec.steps[-1].name

    def finished(events: list[DomainEvent]) -> list[DomainEvent]:
        return [e for e in events if (e.payload["step"], e.payload["phase"]) == (last, "finished")]

    await steps.until(lambda events: len(finished(events)) == 3)
    assert sorted(e.subject for e in finished(steps.events)) == sorted(o.document_id for o in owed)
    assert {(e.payload["pass"], e.payload["documents"]) for e in finished(steps.events)} == {
        (owed[0].document_id, 3)
    }
    assert {e.payload["path"] for e in finished(steps.events)} == {o.path for o in owed}
    for document in owed:
        state = await pass_of(graph, document.document_id)
        assert (state["state"], state["step"], state["attempts"]) == ("done", None, 1)
        assert await facts_of(graph, document.document_id) == CITIES * 2  # name, population
    # the jobs of the passes it took find them done
    assert await after_ingest.resume(owed[1], owed) is None
    assert await after_ingest.resume(owed[2]) is None


async def test_a_pass_takes_no_more_than_its_batch(
    graph: Graph, bus: EventBus, service: IngestionService, source: SourceFolder
) -> None:
    owed = await burst(service, source, 3)
    trust = await TrustServices.open(graph, bus, AuditLog(graph))
    two = AfterIngest.declared(trust, batch=PassBatch(documents=2, rows=100_000))
    run = await two.resume(owed[0], owed)
    assert run is not None
    assert run.status is RunStatus.SUCCEEDED
    states = [(await pass_of(graph, o.document_id))["state"] for o in owed]
    assert states == ["done", "done", "pending"]


async def test_a_document_whose_pass_fails_leaves_the_others_results_alone(
    graph: Graph, service: IngestionService, source: SourceFolder, after_ingest: AfterIngest
) -> None:
    owed = await burst(service, source, 3)
    broken = owed[1].document_id
    [row, *_] = await graph.read("testing/document_rows", {"document_id": broken})
    await graph.write("testing/api_catalog_set_row_values", {"id": row["id"], "values": '{"na'})

    run = await after_ingest.resume(owed[0], owed)
    assert run is not None
    assert run.status is RunStatus.SUCCEEDED  # the first document's pass, run again alone
    for document in (owed[0], owed[2]):
        state = await pass_of(graph, document.document_id)
        assert (state["state"], state["attempts"]) == ("done", 1)
        assert await facts_of(graph, document.document_id) == CITIES * 2
    state = await pass_of(graph, broken)
    assert (state["state"], state["step"], state["attempts"]) == (
        "failed",
        "detect_contradictions",
        1,
    )
    assert "JSONDecodeError" in state["error"]
    assert broken in [o.document_id for o in await PassLedger(graph).owed(10_000)]


async def test_a_coalesced_pass_cut_short_leaves_each_document_owed(
    graph: Graph, service: IngestionService, source: SourceFolder, after_ingest: AfterIngest
) -> None:
    owed = await burst(service, source, 3)
    task = asyncio.create_task(after_ingest.resume(owed[0], owed))
    while (await pass_of(graph, owed[2].document_id))["step"] is None:
        assert not task.done(), "the pass ended before a step was seen under way"
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    still_owed = {o.document_id for o in await PassLedger(graph).owed(10_000)}
    for document in owed:
        state = await pass_of(graph, document.document_id)
        assert (state["state"], state["error"], state["attempts"]) == (
            "failed",
            "CancelledError",
            1,
        )
        assert document.document_id in still_owed


async def test_a_retry_runs_alone(
    graph: Graph, service: IngestionService, source: SourceFolder, after_ingest: AfterIngest
) -> None:
    owed = await burst(service, source, 3)
    ledger = PassLedger(graph)
    claim = await ledger.claim(owed[0].document_id)
    assert claim is not None
    await ledger.finish([claim], failed_step="heal", error="boom")

    run = await after_ingest.resume(owed[0], owed)
    assert run is not None
    assert run.status is RunStatus.SUCCEEDED
    states = [await pass_of(graph, o.document_id) for o in owed]
    assert [(s["state"], s["attempts"]) for s in states] == [
        ("done", 2),
        ("pending", 0),
        ("pending", 0),
    ]


async def test_concurrent_claims_of_waiting_passes_claim_each_once(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    owed = await burst(service, source, 4)
    ledger = PassLedger(graph)
    ids = [o.document_id for o in owed]
    claimed = await asyncio.gather(*(ledger.claim_waiting(ids[::step]) for step in (1, -1, 2)))
    won = [claim.document_id for claims in claimed for claim in claims]
    assert sorted(won) == sorted(ids)
    assert await ledger.claim_waiting(ids) == []  # running now: none is pending


async def test_the_pass_queue_is_read_oldest_first(
    queue: ArqRedis, service: IngestionService, source: SourceFolder
) -> None:
    owed = await burst(service, source, 3)
    for document in owed:
        assert await enqueue_pass(queue, document)
        await asyncio.sleep(0.002)  # a job's place is the millisecond it was queued
    await queue.enqueue_job("not_a_pass", _job_id="other", _queue_name=AFTER_INGEST_QUEUE_NAME)
    assert await waiting_passes(queue, 10) == owed
    assert await waiting_passes(queue, 2) == owed[:2]


async def test_the_pass_lane_runs_one_pass_for_a_burst(
    graph: Graph,
    settings: Settings,
    queue: ArqRedis,
    service: IngestionService,
    source: SourceFolder,
) -> None:
    assert settings.worker_pass_batch_documents >= 3
    owed = await burst(service, source, 3)
    for document in owed:
        assert await enqueue_pass(queue, document)
    await run_lanes(Lanes(settings, burst=True, only=Lane.PASSES))
    results = [await job_result(queue, f"pass:{o.document_id}") for o in owed]
    # one job ran the pass (the first arq took: jobs queued in one millisecond run in the
    # order of their ids); the others found their passes done
    assert sorted(results, key=str) == [None, None, "succeeded"]
    for document in owed:
        assert (await pass_of(graph, document.document_id))["state"] == "done"


async def job_result(queue: ArqRedis, job_id: str) -> Any:
    info = await Job(job_id, queue, _deserializer=deserialize).result_info()
    assert info is not None, f"no result kept for {job_id}"
    assert info.success, info.result
    return info.result
