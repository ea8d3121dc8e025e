"""The step implementations the after-ingest pipeline binds to, by name.

The steps of one run share a typed `PassContext`: the trust tools in force when the run
started and, once a step needs it, the `DocumentPass` of the run's documents (one, or a burst
the pass lane coalesced: their rows, claims and stored truth, read once). Each step works on
that state; none reads again what an earlier one read.
Steps declared in `deploy/pipelines/` but not registered pass through (see `ingest.pipeline`).
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.services import GovernanceServices
from ingest.pipeline import StepContext, StepOutput, StepRegistry
from trust.document_pass import DocumentPass, load_documents
from trust.embed_step import embed_document
from trust.embedding import Embedder
from trust.services import Clock, TrustTools


@dataclass
class PassContext:
    """What the steps of one run share."""

    documents: list[str]
    tools: TrustTools
    governance: GovernanceServices
    clock: Clock
    embedder: Embedder | None = None
    _pass: DocumentPass | None = None

    async def document(self) -> DocumentPass:
        """The documents' pass, its state read on first use."""
        if self._pass is None:
            state = await load_documents(self.tools, self.documents)
            self._pass = DocumentPass(self.tools, self.governance, state, self.clock())
        return self._pass


def step_registry(context: PassContext) -> StepRegistry:
    """Every step of one run over `context`."""
    registry = StepRegistry()

    async def detect_contradictions(_: StepContext) -> StepOutput:
        detected = await (await context.document()).detect()
        report = detected.conflicts
        violations = detected.policy.violations if detected.policy is not None else 0
        return {
            "conflicts": report.conflicts,
            "new": report.new,
            "closed": report.closed,
            "violations": violations,
        }

    async def update_trust(_: StepContext) -> StepOutput:
        report = await (await context.document()).score()
        return {"trust": report.mean_trust, "rows": report.rows, "items": report.items}

    async def heal(_: StepContext) -> StepOutput:
        healed = await (await context.document()).heal()
        return {
            "quarantined": len(healed.quarantined),
            "reconciled": len(healed.reconciled),
            "for_review": len(healed.left_for_review),
        }

    async def sync_facts(_: StepContext) -> StepOutput:
        report = await (await context.document()).sync()
        return {"facts": report.facts}

    if context.embedder is not None:
        embedder = context.embedder

        async def embed(_: StepContext) -> StepOutput:
            graph = context.governance.graph
            embedded = unchanged = 0
            for document in context.documents:
                report = await embed_document(graph, embedder, document)
                embedded, unchanged = embedded + report.embedded, unchanged + report.skipped
            return {"embedded": embedded, "unchanged": unchanged}

        registry.register("embed", embed)
    registry.register("detect_contradictions", detect_contradictions)
    registry.register("update_trust", update_trust)
    registry.register("heal", heal)
    registry.register("sync_facts", sync_facts)
    return registry
