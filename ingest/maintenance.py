"""The recurring jobs the worker runs on the schedules in settings (`schedules:` in
`deploy/config/<profile>.yaml`). Each reads the policies in force at the time it runs."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.audit_verify import checkpoint_with_store
from governance.encryption import open_field_cipher
from governance.errors import AuditChainTamperedError
from governance.key_rotation import RotationServices, rotate_due_keys
from governance.policy_retention import enforce_retention
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.metrics import WORKER
from trust.services import TrustServices
from trust.training import retrain
from trust.usage import apply_usage


async def trust_recompute(ctx: dict[str, Any]) -> dict[str, Any]:
    """Full trust recompute: catches drift, applies decay, snapshots per-table aggregates,
    finds source dependence again (the `COPIES` edges the incremental passes discount with:
    new ones written, those no longer found removed)."""
    tools = await _trust(ctx).current()
    report = await tools.engine.recompute()
    return {
        "rows": report.rows,
        "mean_trust": report.mean_trust,
        "facts": report.facts,
        "copying": len(report.copying),
    }


async def conflict_scan(ctx: dict[str, Any]) -> dict[str, Any]:
    """Full scan for value and version conflicts, then the policies on every row."""
    trust = _trust(ctx)
    tools = await trust.current()
    found = await tools.detector.scan_all() + await tools.semantic.scan_all()
    checked = await trust.governance.check_policies()
    return {"conflicts": found.conflicts, "new": found.new, "violations": checked.violations}


async def policy_check(ctx: dict[str, Any]) -> dict[str, Any]:
    """The compliance policies on every active row."""
    governance = _trust(ctx).governance
    await governance.current()
    report = await governance.check_policies()
    return {"rows": report.rows, "violations": report.violations}


async def retention(ctx: dict[str, Any]) -> dict[str, Any]:
    """Erase personal data kept past its retention period (nothing else is deleted)."""
    governance = _trust(ctx).governance
    policies = await governance.current()
    report = await enforce_retention(
        governance.graph, policies, governance.audit, datetime.now(UTC)
    )
    return asdict(report)


def _trust(ctx: dict[str, Any]) -> TrustServices:
    """The worker's trust and governance services (opened at its start)."""
    services: TrustServices = ctx["trust"]
    return services


async def expire_requests(ctx: dict[str, Any]) -> dict[str, Any]:
    """Mark change requests whose time ran out as expired."""
    graph: Graph = ctx["graph"]
    bus: EventBus = ctx["bus"]
    audit = AuditLog(graph)
    expired = await Approvals(graph, bus, audit, default_appliers(graph, audit)).expire_due()
    return {"expired": expired}


async def audit_checkpoint(ctx: dict[str, Any]) -> dict[str, Any]:
    """Verify the audit chain and store a signed checkpoint of it (`grace audit checkpoint
    --out FILE` exports one to keep elsewhere)."""
    settings: Settings = ctx["settings"]
    store = await asyncio.to_thread(open_secret_store, settings)
    try:
        checkpoint = await checkpoint_with_store(AuditLog(ctx["graph"]), store)
    except AuditChainTamperedError:
        WORKER.audit_ok.set(0)
        raise
    WORKER.audit_ok.set(1)
    WORKER.audit_verified.set_to_current_time()
    return {"seq": checkpoint.seq, "root": checkpoint.root}


async def key_rotation(ctx: dict[str, Any]) -> dict[str, Any]:
    """Rotate the keys older than the policy allows (`key_rotation` in settings) and finish
    rotations an earlier run left undone; each step audited."""
    settings: Settings = ctx["settings"]
    graph: Graph = ctx["graph"]
    store = await asyncio.to_thread(open_secret_store, settings)
    cipher = await asyncio.to_thread(open_field_cipher, settings, store)
    services = RotationServices(graph, store, cipher, AuditLog(graph))
    done = await rotate_due_keys(services, settings.key_rotation, datetime.now(UTC))
    return {rotation.kind.value: asdict(rotation) for rotation in done}


async def usage_flush(ctx: dict[str, Any]) -> dict[str, Any]:
    """Add the reads the API counted in Redis to the rows' usage (`Row.reads`)."""
    return asdict(await apply_usage(ctx["graph"], ctx["redis"]))


MAINTENANCE_TASKS = {
    "trust_train": retrain,
    "trust_recompute": trust_recompute,
    "conflict_scan": conflict_scan,
    "policy_check": policy_check,
    "retention": retention,
    "expire_requests": expire_requests,
    "audit_checkpoint": audit_checkpoint,
    "usage_flush": usage_flush,
    "key_rotation": key_rotation,
}
"""Every recurring job by the name schedules use."""
