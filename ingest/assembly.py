"""The services a process that ingests holds (the worker, `grace ingest`), opened once: the
trust and governance services (`trust.services`), the ingestion service and the after-ingest
pass. The active policies decide what is admitted, high-risk files wait for an admin's
approval, personal fields are encrypted with the configured keys; models and tables load,
and loading a file is rehearsed in a transaction rolled back (`ingest.warm_up`), here,
before the first file: the worker reports ready (takes its first job) only then."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from arq.connections import ArqRedis

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.encryption import open_field_cipher
from governance.secrets import open_secret_store
from graph.errors import GraceError
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.admission import Admission
from ingest.after_ingest import AfterIngest
from ingest.approved import approval_appliers
from ingest.extract import Limits
from ingest.extract.sandbox import single_threaded_blas
from ingest.service import IngestionService
from trust.services import TrustServices

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestServices:
    """What one ingesting process works with."""

    trust: TrustServices
    ingestion: IngestionService
    after_ingest: AfterIngest

    @classmethod
    async def open(
        cls, graph: Graph, bus: EventBus, settings: Settings, redis: ArqRedis | None = None
    ) -> IngestServices:
        """The services over the graph's active tables, policies and trust model.

        With `redis` (the worker's queue), a file that waited for an approval (of its table,
        or of a high-risk file) is queued again when it is approved; without it (a one-off
        `grace ingest`), it is ingested at the next scan or ingest of the file.
        """
        single_threaded_blas()  # the sandbox forks beside the embedder's matrix products
        audit = AuditLog(graph)
        trust = await TrustServices.open(graph, bus, audit)
        ingestion = await _ingestion(trust, settings, redis)
        await _warm_up(ingestion)
        after_ingest = await AfterIngest.load(trust, settings)
        return cls(trust, ingestion, after_ingest)


async def _warm_up(ingestion: IngestionService) -> None:
    """Rehearse loading a file before the first one; a failed rehearsal is logged and the
    process starts anyway (its first file then plans the statements itself)."""
    try:
        await ingestion.warm_up()
    except GraceError as error:
        log.warning("the warm-up before the first file failed; starting without it: %s", error)


async def _ingestion(
    trust: TrustServices, settings: Settings, redis: ArqRedis | None
) -> IngestionService:
    governance = trust.governance
    graph, bus, audit = governance.graph, governance.bus, governance.audit
    appliers = (
        default_appliers(graph, audit) if redis is None else approval_appliers(graph, audit, redis)
    )
    approvals = Approvals(graph, bus, audit, appliers)
    store = await asyncio.to_thread(open_secret_store, settings)
    cipher = await asyncio.to_thread(open_field_cipher, settings, store)
    return await IngestionService.create(
        graph,
        bus,
        limits=Limits(max_bytes=settings.max_file_bytes),
        batch_size=settings.write_batch_size,
        admission=Admission(governance.policies, approvals),
        cipher=cipher,
    )
