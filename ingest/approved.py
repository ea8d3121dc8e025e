"""What ingestion does once a change request is approved: the files that waited for it are
queued again at once, not at the next rescan.

A file that fits no table waits for its proposed table (`schema.create`, or a `schema`
request for a changed definition); a high-risk file waits for an `ingestion` request. The
appliers here make the approved change (the table version goes in force in its own
transaction, as `governance.appliers` does it) and then queue the waiting files, with job
ids of their own (`QueuedFile.job_id_after`). A queue that cannot be reached does not undo
an approval: the files are logged and go in at the next rescan.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from governance.appliers import SchemaActivation, activate_schema_version, default_appliers
from governance.approvals import Applier, ChangeRequestRecord
from governance.audit import AuditLog
from graph.graph import Graph
from ingest.queue import QueuedFile, enqueue_again
from ingest.sources import root_of

log = logging.getLogger(__name__)


def approval_appliers(graph: Graph, audit: AuditLog, redis: ArqRedis) -> dict[str, Applier]:
    """Grace's appliers (`default_appliers`) with the waiting files queued on `redis` once
    a table or a high-risk file is approved: what every process that approves uses."""
    return {
        **default_appliers(graph, audit),
        "schema": schema_applier(graph, audit, redis),
        "ingestion": ingestion_applier(redis),
    }


async def files_awaiting_table(graph: Graph, table: str, version: int) -> list[QueuedFile]:
    """The files whose newest version waits for version `version` of `table`."""
    records = await graph.read("ingest/awaiting_schema_files", {"table": table, "version": version})
    return [
        QueuedFile(
            path=root_of(record["location"], record["path"]) / record["path"],
            root=root_of(record["location"], record["path"]),
            sha256=record["sha256"],
            size=int(record["size"] or 0),
        )
        for record in records
    ]


def schema_applier(graph: Graph, audit: AuditLog, redis: ArqRedis) -> Applier:
    """Put the approved table version in force, then queue the files that waited for it."""

    async def apply(request: ChangeRequestRecord) -> None:
        await activate_schema_version(graph, audit, request)
        wanted = SchemaActivation.model_validate(request.payload)
        waiting = await files_awaiting_table(graph, wanted.table, wanted.version)
        await _queue_again(redis, waiting, request.id)

    return apply


def ingestion_applier(redis: ArqRedis) -> Applier:
    """On approval of an `ingestion` request, queue its file again (now admitted)."""

    async def apply(request: ChangeRequestRecord) -> None:
        payload = request.payload
        root = Path(str(payload["root"]))
        item = QueuedFile(
            path=root / str(payload["path"]),
            root=root,
            sha256=str(payload["sha256"]),
            size=int(str(payload["size"])),
        )
        await _queue_again(redis, [item], request.id)

    return apply


async def _queue_again(redis: ArqRedis, items: Sequence[QueuedFile], request: str) -> None:
    if not items:
        return
    try:
        queued = await enqueue_again(redis, items, request)
    except (RedisError, OSError) as error:
        paths = ", ".join(str(item.path) for item in items)
        log.warning(
            "approved %s, but not queued (the next rescan will): %s: %s", request, paths, error
        )
        return
    log.info("approved %s: %d of %d waiting file(s) queued", request, queued, len(items))
