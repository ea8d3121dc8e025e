"""The trust services one process holds: the engine, the conflict detectors, the healer and
the fact writer (the engine), opened once per process (API, worker, `grace ingest`).

They are built over what is in force: the active table versions, the active policies and the
trust model. `TrustServices.current()` reads the ids of those three in one round trip and
rebuilds only when one changed, the way `IngestionService` refreshes its tables; everything
that scores, detects or heals (GraphQL mutations, commands, the after-ingest pass, the
scheduled jobs) takes its tools from there, and nothing else builds an engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from governance.audit import AuditLog
from governance.policy import PolicySet
from governance.services import GovernanceServices
from graph.events import EventBus
from graph.graph import Graph
from graph.schema_store import active_versions
from graph.schemas import TableSchema
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.healing import Healer
from trust.semantic import ContradictionClassifier
from trust.semantic_detector import SemanticDetector

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The time a pass scores at, by default."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class InForce:
    """What the services are built from: active table and policy versions, the model."""

    tables: frozenset[str]
    policies: frozenset[str]
    model: int
    """The version of the trust model in force (0: rows are scored with the combined score)."""


@dataclass(frozen=True)
class TrustTools:
    """The tools over one state of what is in force; a pass keeps the one it started with."""

    in_force: InForce
    policies: PolicySet
    engine: TrustEngine
    detector: ConflictDetector
    semantic: SemanticDetector
    healer: Healer

    @property
    def tables(self) -> dict[str, TableSchema]:
        """The table definitions in force."""
        return self.engine.tables


class TrustServices:
    """The owner of a process's trust tools: builds them once, rebuilds them on change."""

    def __init__(
        self,
        governance: GovernanceServices,
        classifier: ContradictionClassifier,
        clock: Clock,
    ) -> None:
        self.governance = governance
        self._classifier = classifier
        self._clock = clock
        self._tools: TrustTools | None = None

    @classmethod
    async def open(
        cls, graph: Graph, bus: EventBus, audit: AuditLog, *, clock: Clock = utc_now
    ) -> TrustServices:
        """The governance and trust services over what is in force in the graph now (the
        semantic classifier's tables are loaded here, not on the first file)."""
        governance = await GovernanceServices.open(graph, bus, audit)
        services = cls(governance, ContradictionClassifier(), clock)
        await services.current()
        return services

    @property
    def clock(self) -> Clock:
        """The time passes score at."""
        return self._clock

    @property
    def graph(self) -> Graph:
        """The graph the services read and write."""
        return self.governance.graph

    async def current(self) -> TrustTools:
        """The tools over what is in force now (one read; rebuilt only if it changed)."""
        [record] = await self.graph.read_plain("trust/in_force")
        in_force = InForce(
            frozenset(record["tables"]), frozenset(record["policies"]), int(record["model"])
        )
        tools = self._tools
        if tools is not None and tools.in_force == in_force:
            return tools
        policies = await self.governance.adopt(in_force.policies)
        if tools is None or tools.in_force.tables != in_force.tables:
            tables = await _tables_in_force(self.graph)
        else:
            tables = tools.tables
        self._tools = self._build(in_force, policies, tables)
        if in_force.model:
            await self._tools.engine.refresh_model()
        return self._tools

    def _build(
        self, in_force: InForce, policies: PolicySet, tables: dict[str, TableSchema]
    ) -> TrustTools:
        governance = self.governance
        graph, bus, audit = governance.graph, governance.bus, governance.audit
        engine = TrustEngine(
            graph,
            bus,
            tables,
            sync_above=lambda table: policies.thresholds(table).auto_sync_above,
            quarantine_below=lambda table: policies.thresholds(table).quarantine_below,
            clock=self._clock,
        )
        detector = ConflictDetector(graph, bus, audit, tables)
        semantic = SemanticDetector(graph, bus, audit, self._classifier)
        healer = Healer(graph, bus, audit, policies, engine, detector)
        return TrustTools(in_force, policies, engine, detector, semantic, healer)


async def _tables_in_force(graph: Graph) -> dict[str, TableSchema]:
    return {
        schema.name: TableSchema.model_validate(version.definition)
        for schema, version in await active_versions(graph)
    }
