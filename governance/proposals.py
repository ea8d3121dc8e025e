"""Changes that need approval before they take effect: a changed policy in `policies/` and
a changed table definition in `schemas/` are stored as proposed versions, each with a change
request under the approval rules in force (`policies/approvals.yaml`); new ones are in force
at once. Approval applies them (`governance.appliers`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.policy import ApprovalRule, load_policies
from governance.policy_store import (
    PolicyVersion,
    active_policy_set,
    active_versions,
    policy_set_of,
    sync_policies,
)
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
    change request (under the rules in force) for each changed policy. Its payload carries
    the proposed `definition` and the one in force (`previous`), so a reviewer sees the
    difference with the request (whoever may read the request may read both)."""
    active = await active_versions(graph)
    in_force = {version.name: version.definition for version in active}
    created = await sync_policies(graph, load_policies(settings.policies_dir), AuditLog(graph))
    proposed: list[tuple[str, dict[str, JsonValue]]] = [
        (
            f"put policy {version.name} version {version.version} in force",
            {
                "name": version.name,
                "version": version.version,
                "definition": version.definition,
                "previous": in_force.get(version.name),
            },
        )
        for version in created
        if version.status == "proposed"
    ]
    rule = policy_set_of(active).approval_rule("policy")
    requests = await _open_requests(graph, bus, "policy", "system:policy", rule, proposed)
    return PolicySync(created, requests)


async def request_schema_approvals(
    graph: Graph, bus: EventBus, versions: Sequence[SyncedVersion]
) -> list[str]:
    """A `schema` change request for each proposed table version; returns their ids."""
    proposed: list[tuple[str, dict[str, JsonValue]]] = [
        (
            f"put table {version.table} version {version.version} in force",
            {"table": version.table, "version": version.version},
        )
        for version in versions
        if version.status == "proposed"
    ]
    rule = (await active_policy_set(graph)).approval_rule("schema")
    return await _open_requests(graph, bus, "schema", "system:schemas", rule, proposed)


async def _open_requests(
    graph: Graph,
    bus: EventBus,
    kind: str,
    requester: str,
    rule: ApprovalRule,
    proposed: Sequence[tuple[str, dict[str, JsonValue]]],
) -> list[str]:
    """One change request of `kind` per (title, payload); returns their ids."""
    if not proposed:
        return []
    audit = AuditLog(graph)
    approvals = Approvals(graph, bus, audit, default_appliers(graph, audit))
    requests = []
    for title, payload in proposed:
        request = await approvals.open(
            kind=kind,
            title=title,
            payload=payload,
            requested_by=requester,
            workspace=WORKSPACE,
            rule=rule,
        )
        requests.append(request.id)
    return requests
