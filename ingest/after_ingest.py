"""The after-ingest pass: the declared pipeline (`deploy/pipelines/after_ingest.yaml`) run on
each newly ingested document. The worker and `grace ingest` (so the demo of `grace up`) run
this same pass, so a file gives the same conflicts, trust and facts whichever way it came.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from pydantic import JsonValue

from graph.settings import Settings
from ingest.pipeline import (
    PIPELINES_DIR,
    Pipeline,
    PipelineInput,
    PipelineRun,
    PipelineSpec,
    StepEvent,
    load_pipeline,
)
from ingest.service import IngestOutcome, OutcomeStatus
from ingest.steps import PassContext, step_registry
from trust.embedding import Embedder, load_embedder
from trust.services import TrustServices

log = logging.getLogger(__name__)

AFTER_INGEST = "after_ingest"


@dataclass(frozen=True)
class AfterIngest:
    """The pass of one process: its pipeline, its trust services and its embedder, each
    opened once."""

    trust: TrustServices
    spec: PipelineSpec
    embedder: Embedder | None = None

    @classmethod
    def declared(cls, trust: TrustServices, embedder: Embedder | None = None) -> AfterIngest:
        """The pass declared in `deploy/pipelines/`, embedding new text when given `embedder`."""
        return cls(trust, load_pipeline(PIPELINES_DIR / f"{AFTER_INGEST}.yaml"), embedder)

    @classmethod
    async def load(cls, trust: TrustServices, settings: Settings) -> AfterIngest:
        """The declared pass, with the embedding model unless `settings` turn embedding off."""
        embedder = None
        if settings.embedding_backend != "off":
            embedder = await asyncio.to_thread(load_embedder, settings.embedding_backend)
        return cls.declared(trust, embedder)

    async def run(self, outcome: IngestOutcome) -> PipelineRun | None:
        """Run the pass on a newly ingested document (nothing for any other outcome)."""
        if outcome.status is not OutcomeStatus.INGESTED or outcome.document_id is None:
            return None
        bus = self.trust.governance.bus

        async def publish(event: StepEvent) -> None:
            await bus.publish(event.to_domain_event(path=outcome.path, table=outcome.table))

        # the tools in force now (rebuilt only when tables, policies or the model changed)
        context = PassContext(
            outcome.document_id,
            await self.trust.current(),
            self.trust.governance,
            self.trust.clock,
            self.embedder,
        )
        pipeline = Pipeline(self.spec, step_registry(context), allow_missing=True)
        data: dict[str, JsonValue] = {"table": outcome.table, "rows": outcome.rows}
        run = await pipeline.run(PipelineInput(outcome.document_id, data), on_event=publish)
        log.info("pipeline %s on %s: %s", run.pipeline, outcome.path, run.status)
        return run
