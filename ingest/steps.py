"""The step implementations the after-ingest pipeline binds to, by name.

`step_registry` is built once per worker, over that worker's services; steps of later stages
(embedding, contradiction detection, healing) are added here as they are built. Steps
declared in `deploy/pipelines/` but not registered pass through (see `ingest.pipeline`).
"""

from __future__ import annotations

from ingest.pipeline import StepContext, StepOutput, StepRegistry
from trust.engine import TrustEngine


def step_registry(trust: TrustEngine) -> StepRegistry:
    """Every step this process can run."""
    registry = StepRegistry()

    async def update_trust(context: StepContext) -> StepOutput:
        report = await trust.update_document(context.input.document_id, facts=False)
        return {"trust": report.mean_trust, "rows": report.rows, "items": report.items}

    async def sync_facts(context: StepContext) -> StepOutput:
        report = await trust.update_document(context.input.document_id, facts=True)
        return {"facts": report.facts}

    registry.register("update_trust", update_trust)
    registry.register("sync_facts", sync_facts)
    return registry
