"""The step implementations the after-ingest pipeline binds to, by name.

`step_registry` is built once per worker, over that worker's services. Steps declared in
`deploy/pipelines/` but not registered pass through (see `ingest.pipeline`).
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.audit import AuditLog
from governance.policy import PolicySet
from governance.policy_eval import PolicyReport, check_graph
from governance.policy_store import active_policy_set
from graph.events import EventBus
from graph.graph import Graph
from ingest.pipeline import StepContext, StepOutput, StepRegistry
from trust.detector import ConflictDetector
from trust.embed_step import embed_document
from trust.embedding import Embedder
from trust.engine import TrustEngine
from trust.healing import Healer
from trust.rows import document_entities
from trust.semantic_detector import SemanticDetector


@dataclass(frozen=True)
class StepServices:
    """What the steps work with: one of each per worker process."""

    trust: TrustEngine
    detector: ConflictDetector
    healer: Healer
    policies: PolicySet
    audit: AuditLog
    bus: EventBus
    semantic: SemanticDetector
    embedder: Embedder | None = None

    @classmethod
    async def open(
        cls, graph: Graph, bus: EventBus, embedder: Embedder | None = None
    ) -> StepServices:
        """Services over the active table versions and policies in the graph; with an
        `embedder` (loaded once per process) new text is embedded (the semantic detector
        compares embedded text either way)."""
        policies = await active_policy_set(graph)
        trust = await TrustEngine.create(
            graph,
            bus,
            sync_above=lambda table: policies.thresholds(table).auto_sync_above,
            quarantine_below=lambda table: policies.thresholds(table).quarantine_below,
        )
        audit = AuditLog(graph)
        detector = ConflictDetector(graph, bus, audit, trust.tables)
        healer = Healer(graph, bus, audit, policies, trust, detector)
        semantic = SemanticDetector(graph, bus, audit)
        return cls(trust, detector, healer, policies, audit, bus, semantic, embedder)

    async def check_policies(self, document_id: str | None = None) -> PolicyReport:
        """Policy versus data: the compliance rules on one document's rows, or on all."""
        return await check_graph(
            self.trust.graph, self.policies, self.bus, self.audit, document_id=document_id
        )


def step_registry(services: StepServices) -> StepRegistry:
    """Every step this process can run."""
    registry = StepRegistry()

    async def detect_contradictions(context: StepContext) -> StepOutput:
        document = context.input.document_id
        report = await services.detector.scan_document(document)
        report += await services.semantic.scan_document(document)
        checked = await services.check_policies(document)
        return {
            "conflicts": report.conflicts,
            "new": report.new,
            "closed": report.closed,
            "violations": checked.violations,
        }

    async def update_trust(context: StepContext) -> StepOutput:
        report = await services.trust.update_document(context.input.document_id, facts=False)
        return {"trust": report.mean_trust, "rows": report.rows, "items": report.items}

    async def heal(context: StepContext) -> StepOutput:
        entities = await document_entities(services.trust.graph, context.input.document_id)
        report = await services.healer.heal_entities(entities)
        return {
            "quarantined": len(report.quarantined),
            "reconciled": len(report.reconciled),
            "for_review": len(report.left_for_review),
        }

    async def sync_facts(context: StepContext) -> StepOutput:
        report = await services.trust.update_document(context.input.document_id, facts=True)
        return {"facts": report.facts}

    if services.embedder is not None:
        embedder = services.embedder

        async def embed(context: StepContext) -> StepOutput:
            graph = services.trust.graph
            report = await embed_document(graph, embedder, context.input.document_id)
            return {"embedded": report.embedded, "unchanged": report.skipped}

        registry.register("embed", embed)
    registry.register("detect_contradictions", detect_contradictions)
    registry.register("update_trust", update_trust)
    registry.register("heal", heal)
    registry.register("sync_facts", sync_facts)
    return registry
