"""Changes that need approval before they take effect: a changed policy in `policies/` and
a changed table definition in `schemas/` are stored as proposed versions, each with a change
request under the approval rules in force (`policies/approvals.yaml`); new ones are in force
at once. Approval applies them (`governance.appliers`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.policy import load_policies
from governance.policy_store import PolicyVersion, active_policy_set, sync_policies
from graph.events import EventBus
from graph.graph import Graph
from graph.schema_store import SyncedVersion
from graph.settings import Settings

WORKSPACE = "default"


@dataclass(frozen=True)
class PolicySync:
    """What a sync stored, and the change requests it opened for changed policies."""

    versions: list[PolicyVersion]
    requests: list[str]


async def sync_policy_files(graph: Graph, bus: EventBus, settings: Settings) -> PolicySync:
    """Validate every file in `policies/` (all or nothing), store new versions, and open a
    change request (under the rules in force) for each changed policy."""
    audit = AuditLog(graph)
    in_force = await active_policy_set(graph)
    created = await sync_policies(graph, load_policies(settings.policies_dir), audit)
    approvals = Approvals(graph, bus, audit, default_appliers(graph, audit))
    requests = []
    for version in created:
        if version.status != "proposed":
            continue
        request = await approvals.open(
            kind="policy",
            title=f"put policy {version.name} version {version.version} in force",
            payload={"name": version.name, "version": version.version},
            requested_by="system:policy",
            workspace=WORKSPACE,
            rule=in_force.approval_rule("policy"),
        )
        requests.append(request.id)
    return PolicySync(created, requests)


async def request_schema_approvals(
    graph: Graph, bus: EventBus, versions: Sequence[SyncedVersion]
) -> list[str]:
    """A `schema` change request for each proposed table version; returns their ids."""
    audit = AuditLog(graph)
    rule = (await active_policy_set(graph)).approval_rule("schema")
    approvals = Approvals(graph, bus, audit, default_appliers(graph, audit))
    requests = []
    for version in versions:
        if version.status != "proposed":
            continue
        request = await approvals.open(
            kind="schema",
            title=f"put table {version.table} version {version.version} in force",
            payload={"table": version.table, "version": version.version},
            requested_by="system:schemas",
            workspace=WORKSPACE,
            rule=rule,
        )
        requests.append(request.id)
    return requests
