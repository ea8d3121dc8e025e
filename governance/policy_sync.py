"""Bringing `policies/` into the graph: a new policy is in force at once; a changed one is
proposed and becomes a `policy` change request, put in force only when approved."""

from __future__ import annotations

from dataclasses import dataclass

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.policy import load_policies
from governance.policy_store import PolicyVersion, active_policy_set, sync_policies
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings

REQUESTER = "system:policy"
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
            requested_by=REQUESTER,
            workspace=WORKSPACE,
            rule=in_force.approval_rule("policy"),
        )
        requests.append(request.id)
    return PolicySync(created, requests)
