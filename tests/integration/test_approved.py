"""Approval queues the files that waited for it at once, on the real Redis queue, and a real
arq worker ingests them: no rescan is involved."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from arq.connections import ArqRedis
from arq.worker import Worker

from governance.approvals import Approvals
from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from graph.model import ReviewStatus
from graph.settings import Settings
from ingest.approved import approval_appliers, files_awaiting_table
from ingest.queue import QUEUE_NAME, Priority, QueuedFile, enqueue_file
from ingest.watch.files import sha256_of
from ingest.worker import worker_settings
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration


async def run_worker(settings: Settings, queue: ArqRedis, path: Path) -> int:
    """Run a real worker until the queue is empty; returns how many jobs of the file at
    `path` it ran (the start-up sweep and documents' passes are jobs of their own)."""
    started = datetime.now(UTC)
    worker = Worker(**{**worker_settings(settings), "burst": True, "handle_signals": False})
    try:
        await worker.main()
    finally:
        await worker.close()
    return sum(
        1
        for result in await queue.all_job_results()
        if result.function == "ingest_file"
        and str(path) in map(str, result.args)
        and result.start_time >= started
    )


async def documents(graph: Graph, source: SourceFolder) -> list[tuple[int, str]]:
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    return sorted((d["version"], d["status"]) for d in record["documents"])


async def test_approving_a_proposed_table_queues_and_ingests_the_waiting_file_at_once(
    graph: Graph,
    bus: EventBus,
    settings: Settings,
    queue: ArqRedis,
    source: SourceFolder,
    unique: str,
) -> None:
    table = f"gauges_{unique}"
    path = source.write(f"{table}.csv", "gauge_code,level\ng-1,12.5\ng-2,13.0\n")
    item = QueuedFile(path, source.root, sha256_of(path), path.stat().st_size)
    editors = [f"ann-{unique}", f"bob-{unique}"]
    users = [{"id": editor, "role": "editor", "tables": None} for editor in editors]
    await graph.write("testing/approvals_members", {"workspace": "default", "users": users})
    try:
        # the watcher queues it; the worker finds no table, proposes one and the file waits
        assert await enqueue_file(queue, item, Priority.URGENT)
        assert await run_worker(settings, queue, path) == 1
        [run] = (await graph.read("testing/source_graph", {"source": source.id}))[0]["runs"]
        assert run["status"] == "awaiting_schema"
        [request] = await graph.read("testing/change_requests", {"source": source.id})
        assert [file.path for file in await files_awaiting_table(graph, table, 1)] == [path]

        # two editors approve (policies/approvals.yaml): the approval queues the file itself,
        # though the result of its first job still holds that job's id
        audit = AuditLog(graph)
        approvals = Approvals(graph, bus, audit, approval_appliers(graph, audit, queue))
        for editor in editors:
            decided = await approvals.approve(request["request"]["id"], editor)
        assert decided.status is ReviewStatus.APPLIED
        [queued] = await queue.queued_jobs(queue_name=QUEUE_NAME)
        assert queued.job_id == item.job_id_after(decided.id)
        assert list(queued.args[:2]) == [str(path), str(source.root)]
        assert await run_worker(settings, queue, path) == 1
        assert await documents(graph, source) == [(1, "superseded"), (2, "active")]
        [record] = await graph.read("testing/source_graph", {"source": source.id})
        assert sorted(row["key"] for row in record["rows"]) == ["g-1", "g-2"]
        assert await files_awaiting_table(graph, table, 1) == []
    finally:
        await graph.write("testing/delete_users", {"users": editors})
        await graph.write("testing/delete_tables", {"names": [table]})
