"""Building the ingestion service a process runs with: the active policies decide what is
admitted, high-risk files wait for an admin's approval, personal fields are encrypted with
the configured keys."""

from __future__ import annotations

import asyncio

from arq.connections import ArqRedis

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.encryption import open_field_cipher
from governance.policy_store import active_policy_set
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.admission import Admission
from ingest.approved import approval_appliers
from ingest.extract import Limits
from ingest.service import IngestionService


async def open_ingestion(
    graph: Graph, bus: EventBus, settings: Settings, redis: ArqRedis | None = None
) -> IngestionService:
    """The service over the graph's active tables and policies.

    With `redis` (the worker's queue), a file that waited for an approval (of its table, or
    of a high-risk file) is queued again when it is approved; without it (a one-off
    `grace ingest`), it is ingested at the next scan or ingest of the file.
    """
    audit = AuditLog(graph)
    appliers = (
        default_appliers(graph, audit) if redis is None else approval_appliers(graph, audit, redis)
    )
    approvals = Approvals(graph, bus, audit, appliers)
    policies = await active_policy_set(graph)
    store = await asyncio.to_thread(open_secret_store, settings)
    cipher = await asyncio.to_thread(open_field_cipher, settings, store)
    return await IngestionService.create(
        graph,
        bus,
        limits=Limits(max_bytes=settings.max_file_bytes),
        batch_size=settings.write_batch_size,
        admission=Admission(policies, approvals),
        cipher=cipher,
    )
