"""The after-ingest pass: the declared pipeline (`deploy/pipelines/after_ingest.yaml`) run on
each newly ingested document. The worker and `grace ingest` (so the demo of `grace up`) run
this same pass, so a file gives the same conflicts, trust and facts whichever way it came.

The pass is resumable: each document's pass state is kept in the graph (`ingest.pass_state`),
and a pass a crash or a time-out cut short is claimed again by the re-run of the file's job
(which finds the content unchanged) or by the worker's recovery sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pydantic import JsonValue

from graph.errors import GraphUnavailableError
from graph.settings import Settings
from ingest.pass_state import RENEW_SECONDS, Claim, OwedPass, PassLedger
from ingest.pipeline import (
    PIPELINES_DIR,
    EventCallback,
    Pipeline,
    PipelineInput,
    PipelineRun,
    PipelineSpec,
    StepEvent,
    StepPhase,
    StepStatus,
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
    opened once, and its gate."""

    trust: TrustServices
    spec: PipelineSpec
    embedder: Embedder | None = None
    gate: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)
    """One pass at a time per process: concurrent passes deadlocked on the Source, Entity
    and Fact nodes they share and split one Python thread, so each took several times as
    long (the first jobs on a fresh database ran out of time, issue 20 item 5)."""

    @classmethod
    def declared(cls, trust: TrustServices, embedder: Embedder | None = None) -> AfterIngest:
        """The pass declared in `deploy/pipelines/`, embedding new text when given `embedder`."""
        return cls(trust, load_pipeline(PIPELINES_DIR / f"{AFTER_INGEST}.yaml"), embedder)

    @classmethod
    async def load(cls, trust: TrustServices, settings: Settings) -> AfterIngest:
        """The declared pass, with the embedding model loaded and run once, unless `settings`
        turn embedding off."""
        embedder = None
        if settings.embedding_backend != "off":
            embedder = await asyncio.to_thread(load_embedder, settings.embedding_backend)
            # its first encoding sets up what later ones reuse (ONNX Runtime's session, the
            # buffers of the matrix products): done here, not in the first file's pass
            await asyncio.to_thread(embedder.encode, ["warm-up"])
        return cls.declared(trust, embedder)

    async def run(self, outcome: IngestOutcome) -> PipelineRun | None:
        """Run the pass on a newly ingested document, or on an unchanged one whose pass is
        still owed (a crash or a time-out cut it short); nothing for any other outcome, nor
        when the pass is done or another process runs it."""
        if outcome.status not in OWING or outcome.document_id is None:
            return None
        owed = OwedPass(outcome.document_id, outcome.path, outcome.table, outcome.rows)
        return await self.resume(owed)

    async def resume(self, owed: OwedPass) -> PipelineRun | None:
        """Claim the document's pass and run it, recording `done`, or `failed` with the step
        (also when cancelled: a job's time ran out, the worker stops); None when not owed."""
        async with self.gate:  # claimed only once the gate is ours: waiting costs no attempt
            return await self._claimed(owed)

    async def _claimed(self, owed: OwedPass) -> PipelineRun | None:
        ledger = PassLedger(self.trust.graph)
        claim = await ledger.claim(owed.document_id)
        if claim is None:
            return None
        under_way: dict[str, None] = {}

        async def publish(event: StepEvent) -> None:
            if event.phase is StepPhase.STARTED:
                under_way[event.step] = None
                await ledger.renew(claim, event.step)
            else:
                under_way.pop(event.step, None)
                if event.result is not None:
                    result = event.result
                    log.info(
                        "step %s on %s: %s in %.1f s",
                        result.name,
                        owed.path,
                        result.status,
                        result.duration_seconds,
                    )
            await self.trust.governance.bus.publish(
                event.to_domain_event(path=owed.path, table=owed.table)
            )

        try:
            async with _renewed(ledger, claim):
                run = await self._pipeline(owed, publish)
        except BaseException as error:
            step = next(iter(under_way), self.spec.steps[0].name)
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            with contextlib.suppress(GraphUnavailableError):  # then its lease runs out
                await asyncio.shield(ledger.finish(claim, failed_step=step, error=reason))
            raise
        failed = [s for s in run.steps.values() if s.status is StepStatus.FAILED]
        if failed:
            await ledger.finish(claim, failed_step=failed[0].name, error=failed[0].error)
        else:
            await ledger.finish(claim)
        log.info("pipeline %s on %s: %s", run.pipeline, owed.path, run.status)
        return run

    async def _pipeline(self, owed: OwedPass, publish: EventCallback) -> PipelineRun:
        # the tools in force now (rebuilt only when tables, policies or the model changed)
        context = PassContext(
            owed.document_id,
            await self.trust.current(),
            self.trust.governance,
            self.trust.clock,
            self.embedder,
        )
        pipeline = Pipeline(self.spec, step_registry(context), allow_missing=True)
        data: dict[str, JsonValue] = {"table": owed.table, "rows": owed.rows}
        return await pipeline.run(PipelineInput(owed.document_id, data), on_event=publish)


OWING = frozenset({OutcomeStatus.INGESTED, OutcomeStatus.UNCHANGED})
"""Outcomes after which a document's pass may be owed (an unchanged file's, when the run
that ingested it died before its pass finished)."""


@asynccontextmanager
async def _renewed(ledger: PassLedger, claim: Claim) -> AsyncIterator[None]:
    """Renew the claim's lease every `RENEW_SECONDS` while the block runs."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await ledger.renew(claim)
            except GraphUnavailableError as error:  # the next renewal may get through
                log.warning("pass lease of %s not renewed: %s", claim.document_id, error)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
