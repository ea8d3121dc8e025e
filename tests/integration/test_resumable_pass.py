"""The after-ingest pass is resumable (issue 20, item 3): each document's pass state is in the
graph, and a pass that did not finish is run again by the re-run of the file's job (which finds
the content unchanged) and by the worker's recovery sweep."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from arq.connections import ArqRedis

from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.after_ingest import AfterIngest
from ingest.lane import Lane
from ingest.pass_state import MAX_ATTEMPTS, PassLedger
from ingest.pipeline import RunStatus
from ingest.queue import AFTER_INGEST_QUEUE_NAME, QUEUE_NAME, Priority, QueuedFile, enqueue_file
from ingest.service import IngestionService, IngestOutcome, OutcomeStatus
from ingest.watch.files import sha256_of
from ingest.worker import Lanes, resume_passes
from tests.integration.conftest import SourceFolder
from trust.services import TrustServices

pytestmark = pytest.mark.integration

ROWS = "city_id,name,population\n" + "".join(f"p{i}-xx,City {i},{1000 + i}\n" for i in range(40))


async def pass_of(graph: Graph, document_id: str) -> dict[str, Any]:
    [record] = await graph.read("testing/document_pass", {"document_id": document_id})
    return dict(record)


async def ingested(service: IngestionService, source: SourceFolder) -> IngestOutcome:
    """A file ingested with its pass never run, as when its worker died right after."""
    path = source.write("cities.csv", ROWS)
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.INGESTED
    assert outcome.document_id is not None
    return outcome


async def test_an_activated_document_owes_its_pass_and_the_rerun_of_its_job_runs_it(
    graph: Graph, bus: EventBus, service: IngestionService, source: SourceFolder
) -> None:
    outcome = await ingested(service, source)
    document = str(outcome.document_id)
    assert (await pass_of(graph, document))["state"] == "pending"

    rerun = await service.ingest_file(source.folder / "cities.csv", source.root)
    assert rerun.status is OutcomeStatus.UNCHANGED
    after_ingest = AfterIngest.declared(await TrustServices.open(graph, bus, AuditLog(graph)))
    run = await after_ingest.run(rerun)
    assert run is not None
    assert run.status is RunStatus.SUCCEEDED
    state = await pass_of(graph, document)
    assert (state["state"], state["step"], state["attempts"]) == ("done", None, 1)
    [facts] = await graph.read("testing/document_facts", {"document_id": document})
    assert facts["facts"] == 40 * 2  # the name and the population of each city

    assert await after_ingest.run(rerun) is None  # done: a later re-run does not redo it


async def test_a_pass_cancelled_inside_a_step_is_recorded_and_the_sweep_resumes_it(
    graph: Graph,
    bus: EventBus,
    settings: Settings,
    queue: ArqRedis,
    service: IngestionService,
    source: SourceFolder,
) -> None:
    outcome = await ingested(service, source)
    document = str(outcome.document_id)
    after_ingest = AfterIngest.declared(await TrustServices.open(graph, bus, AuditLog(graph)))
    steps = [step.name for step in after_ingest.spec.steps]
    task = asyncio.create_task(after_ingest.run(outcome))
    while (under_way := (await pass_of(graph, document))["step"]) is None:
        assert not task.done(), "the pass ended before a step was seen under way"
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    state = await pass_of(graph, document)
    assert state["state"] == "failed"
    assert state["step"] in steps[steps.index(under_way) :]
    assert state["error"] == "CancelledError"

    assert await resume_passes({"redis": queue, "graph": graph}) >= 1
    assert await queue.exists(f"arq:job:pass:{document}")
    await run_lanes(Lanes(settings, burst=True))
    state = await pass_of(graph, document)
    assert (state["state"], state["attempts"]) == ("done", 2)
    [facts] = await graph.read("testing/document_facts", {"document_id": document})
    assert facts["facts"] == 40 * 2  # the name and the population of each city
    assert await queue.zcard(QUEUE_NAME) == 0


async def test_concurrent_claims_of_one_pass_have_one_winner(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    document = str((await ingested(service, source)).document_id)
    ledger = PassLedger(graph)
    claims = await asyncio.gather(*(ledger.claim(document) for _ in range(8)))
    assert len([claim for claim in claims if claim is not None]) == 1


async def test_a_pass_whose_worker_died_is_owed_again_once_its_lease_runs_out(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    document = str((await ingested(service, source)).document_id)
    ledger = PassLedger(graph)
    assert await ledger.claim(document) is not None  # and its worker dies
    assert document not in [owed.document_id for owed in await ledger.owed(10_000)]
    assert await ledger.claim(document) is None  # its lease still holds

    await graph.write("testing/expire_pass_lease", {"document_id": document})
    owed = {owed.document_id: owed for owed in await ledger.owed(10_000)}
    assert (owed[document].path, owed[document].table) == (f"{source.name}/cities.csv", "cities")
    claim = await ledger.claim(document)
    assert claim is not None
    assert claim.attempt == 2


async def test_a_pass_that_keeps_failing_is_left_for_a_person_after_its_attempts(
    graph: Graph, service: IngestionService, source: SourceFolder
) -> None:
    document = str((await ingested(service, source)).document_id)
    ledger = PassLedger(graph)
    for _ in range(MAX_ATTEMPTS):
        claim = await ledger.claim(document)
        assert claim is not None
        await ledger.finish([claim], failed_step="update_trust", error="boom")
    assert await ledger.claim(document) is None
    assert document not in [owed.document_id for owed in await ledger.owed(10_000)]
    state = await pass_of(graph, document)
    assert (state["state"], state["step"], state["error"]) == ("failed", "update_trust", "boom")


async def test_a_files_job_queues_its_pass_for_the_pass_lane_of_another_process(
    graph: Graph, settings: Settings, queue: ArqRedis, source: SourceFolder
) -> None:
    """The pass does not eat into the time of the file's job (issue 20, item 5), and a
    process running only the ingest lane leaves it to one running only the pass lane."""
    path = source.write("cities.csv", ROWS)
    await enqueue_file(
        queue, QueuedFile(path, source.root, sha256_of(path), path.stat().st_size), Priority.URGENT
    )
    await run_lanes(Lanes(settings, burst=True, only=Lane.INGEST))
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    [document] = [d["id"] for d in record["documents"]]
    assert (await pass_of(graph, document))["state"] == "pending"
    assert f"pass:{document}" in {
        job.job_id for job in await queue.queued_jobs(queue_name=AFTER_INGEST_QUEUE_NAME)
    }

    await run_lanes(Lanes(settings, burst=True, only=Lane.PASSES))
    assert (await pass_of(graph, document))["state"] == "done"
    assert await queue.zcard(QUEUE_NAME) == 0  # the pass lane alone queues no sweep of its own


async def run_lanes(lanes: Lanes) -> None:
    """Run `lanes` in burst mode until their queues are empty, then close them."""
    try:
        await lanes.run()
    finally:
        await lanes.close()


async def test_the_passes_of_one_process_run_one_at_a_time(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    source: SourceFolder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Concurrent passes on documents sharing a source and entities deadlocked and split one
    thread; a process's passes now run one after the other, each step of one before any of
    the next."""
    outcomes = []
    for n in range(3):
        path = source.write(f"cities{n}.csv", ROWS.replace("City", f"Town{n}"))
        outcomes.append(await service.ingest_file(path, source.root))
    after_ingest = AfterIngest.declared(await TrustServices.open(graph, bus, AuditLog(graph)))
    caplog.set_level(logging.INFO, logger="ingest.after_ingest")
    runs = await asyncio.gather(*(after_ingest.run(outcome) for outcome in outcomes))
    assert [run.status if run else None for run in runs] == [RunStatus.SUCCEEDED] * 3
    files = [  # "step update_trust on src/cities0.csv: succeeded in 0.4 s" -> the file
        record.getMessage().split(" on ", 1)[1].rsplit(": ", 1)[0]
        for record in caplog.records
        if record.name == "ingest.after_ingest" and record.getMessage().startswith("step ")
    ]
    steps = len(after_ingest.spec.steps)
    assert len(files) == 3 * steps
    assert [files[i] for i in range(0, len(files), steps)] == list(dict.fromkeys(files))
    assert all(len(set(files[i : i + steps])) == 1 for i in range(0, len(files), steps))
