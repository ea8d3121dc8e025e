"""The governance services one process holds: the policies in force, the audit log and the
policy check, opened once and brought up to date when a policy version changes.

`GovernanceServices.current()` reads the active policy versions' ids (one small round trip)
and reloads the policies only when they changed; `TrustServices` passes the ids it reads
with the rest of what is in force (`adopt`), so a pass costs no extra read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from governance.audit import AuditLog
from governance.policy import PolicySet
from governance.policy_eval import PolicyReport, StoredRow, check_document, check_graph
from governance.policy_store import active_versions, policy_set_of
from graph.events import EventBus
from graph.graph import Graph
from graph.schemas import TableSchema


class GovernanceServices:
    """Policies, audit log and policy checks of one process, over one graph."""

    def __init__(self, graph: Graph, bus: EventBus, audit: AuditLog) -> None:
        self.graph = graph
        self.bus = bus
        self.audit = audit
        self._policies = PolicySet(())
        self._version_ids: frozenset[str] | None = None

    @classmethod
    async def open(cls, graph: Graph, bus: EventBus, audit: AuditLog) -> GovernanceServices:
        """The services over the policies active in the graph now."""
        services = cls(graph, bus, audit)
        await services._load()
        return services

    async def _load(self) -> None:
        versions = await active_versions(self.graph)
        self._policies = policy_set_of(versions)
        self._version_ids = frozenset(version.id for version in versions)

    @property
    def policies(self) -> PolicySet:
        """The policies in force at the last `current` or `adopt`."""
        return self._policies

    async def current(self) -> PolicySet:
        """The policies in force now, reloaded only if a version changed."""
        records = await self.graph.read("policy/active_version_ids")
        return await self.adopt(frozenset(record["id"] for record in records))

    async def adopt(self, version_ids: Collection[str]) -> PolicySet:
        """The policies whose active versions are `version_ids` (reloaded if they differ)."""
        if frozenset(version_ids) != self._version_ids:
            await self._load()
        return self._policies

    async def check_policies(self, document_id: str | None = None) -> PolicyReport:
        """Policy versus data: the compliance rules on one document's rows, or on all."""
        return await check_graph(
            self.graph, self._policies, self.bus, self.audit, document_id=document_id
        )

    async def check_rows(
        self, schemas: Mapping[str, TableSchema], rows: Mapping[str, Sequence[StoredRow]]
    ) -> PolicyReport:
        """The compliance rules on rows already read (table -> rows), as `check_policies`
        does on one document's."""
        return await check_document(self.graph, self._policies, self.bus, self.audit, schemas, rows)
