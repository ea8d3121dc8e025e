"""The after-ingest pass: the declared pipeline (`deploy/pipelines/after_ingest.yaml`) run on
each newly ingested document. The worker and `grace ingest` (so the demo of `grace up`) run
this same pass, so a file gives the same conflicts, trust and facts whichever way it came.

The pass is resumable: each document's pass state is kept in the graph (`ingest.pass_state`),
and a pass a crash or a time-out cut short is claimed again by the re-run of the file's job
(which finds the content unchanged) or by the worker's recovery sweep.

The pass lane coalesces: when it takes a document's pass while others wait behind it, one
pass runs over all of them (up to `PassBatch`), so a burst of files costs a few passes, not
one each. Each document's items are resolved from their own claims with the sources' stored
trust held fixed, so the pass over all leaves what their passes one by one leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
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
    RunStatus,
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
class PassBatch:
    """The most one pass takes when it coalesces the passes waiting behind it: documents,
    and rows of theirs (the pass's own document counts, whatever its size). One document
    (`ALONE`) coalesces nothing."""

    documents: int
    rows: int

    @classmethod
    def of(cls, settings: Settings) -> PassBatch:
        """The bound `settings` give (`worker_pass_batch_documents`, `..._rows`)."""
        return cls(settings.worker_pass_batch_documents, settings.worker_pass_batch_rows)

    def take(self, owed: OwedPass, waiting: Sequence[OwedPass]) -> list[OwedPass]:
        """Those of `waiting` that join `owed`'s pass: in their order, while the pass holds
        at most `documents` documents and `rows` rows (the first that would not fit ends
        the batch, so passes are taken in the order they were queued)."""
        taken: list[OwedPass] = []
        rows = owed.rows
        seen = {owed.document_id}
        for other in waiting:
            if other.document_id in seen:
                continue
            if len(taken) + 1 >= self.documents or rows + other.rows > self.rows:
                break
            seen.add(other.document_id)
            taken.append(other)
            rows += other.rows
        return taken


ALONE = PassBatch(documents=1, rows=0)
"""Each pass alone (the pass lane's at `worker_pass_batch_documents: 1`)."""


@dataclass(frozen=True)
class _Member:
    """One document of a pass, with its claim."""

    claim: Claim
    owed: OwedPass


@dataclass(frozen=True)
class AfterIngest:
    """The pass of one process: its pipeline, its trust services and its embedder, each
    opened once, its gate and how many waiting passes one pass may take."""

    trust: TrustServices
    spec: PipelineSpec
    embedder: Embedder | None = None
    batch: PassBatch = ALONE
    gate: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)
    """One pass at a time per process: concurrent passes deadlocked on the Source, Entity
    and Fact nodes they share and split one Python thread, so each took several times as
    long (the first jobs on a fresh database ran out of time, issue 20 item 5)."""

    @classmethod
    def declared(
        cls,
        trust: TrustServices,
        embedder: Embedder | None = None,
        batch: PassBatch = ALONE,
    ) -> AfterIngest:
        """The pass declared in `deploy/pipelines/`, embedding new text when given `embedder`,
        coalescing waiting passes up to `batch`."""
        return cls(trust, load_pipeline(PIPELINES_DIR / f"{AFTER_INGEST}.yaml"), embedder, batch)

    @classmethod
    async def load(cls, trust: TrustServices, settings: Settings) -> AfterIngest:
        """The declared pass, with the embedding model loaded and run once, unless `settings`
        turn embedding off, coalescing as `settings` bound it."""
        embedder = None
        if settings.embedding_backend != "off":
            embedder = await asyncio.to_thread(load_embedder, settings.embedding_backend)
            # its first encoding sets up what later ones reuse (ONNX Runtime's session, the
            # buffers of the matrix products): done here, not in the first file's pass
            await asyncio.to_thread(embedder.encode, ["warm-up"])
        return cls.declared(trust, embedder, PassBatch.of(settings))

    async def run(self, outcome: IngestOutcome) -> PipelineRun | None:
        """Run the pass on a newly ingested document, or on an unchanged one whose pass is
        still owed (a crash or a time-out cut it short); nothing for any other outcome, nor
        when the pass is done or another process runs it."""
        if outcome.status not in OWING or outcome.document_id is None:
            return None
        owed = OwedPass(outcome.document_id, outcome.path, outcome.table, outcome.rows)
        return await self.resume(owed)

    async def resume(self, owed: OwedPass, waiting: Sequence[OwedPass] = ()) -> PipelineRun | None:
        """Claim the document's pass and run it, recording `done`, or `failed` with the step
        (also when cancelled: a job's time ran out, the worker stops); None when not owed.

        `waiting` are passes queued behind it, oldest first: as many as `batch` allows that
        are still pending join this pass, one pass over all their documents, each recorded
        `done` (or `failed`, owed again, when the pass is cut short). When that pass fails,
        each document's pass runs again alone, so one document's failure is its own. A
        retry (a pass that failed or was cut short before) takes no others."""
        async with self.gate:  # claimed only once the gate is ours: waiting costs no attempt
            ledger = PassLedger(self.trust.graph)
            claim = await ledger.claim(owed.document_id)
            if claim is None:
                return None
            members = [_Member(claim, owed)]
            joining = self.batch.take(owed, waiting) if claim.attempt == 1 else []
            if joining:
                claims = await ledger.claim_waiting([other.document_id for other in joining])
                claimed = {c.document_id: c for c in claims}
                members += [
                    _Member(claimed[o.document_id], o) for o in joining if o.document_id in claimed
                ]
            return await self._claimed(ledger, members)

    async def _claimed(self, ledger: PassLedger, members: list[_Member]) -> PipelineRun:
        """The pass over `members`, recorded; when a pass over several fails, each runs again
        alone (under the claim it holds) and the first one's run is returned."""
        run = await self._attempt(ledger, members)
        if run.status is RunStatus.FAILED and len(members) > 1:
            log.warning(
                "pipeline %s over %d documents failed; each runs alone", run.pipeline, len(members)
            )
            alone = []
            for index, member in enumerate(members):
                try:
                    alone.append(await self._claimed(ledger, [member]))
                except BaseException as error:
                    await _give_up(ledger, members[index + 1 :], self.spec.steps[0].name, error)
                    raise
            return alone[0]
        failed = [s for s in run.steps.values() if s.status is StepStatus.FAILED]
        claims = [member.claim for member in members]
        if failed:
            await ledger.finish(claims, failed_step=failed[0].name, error=failed[0].error)
        else:
            await ledger.finish(claims)
        log.info("pipeline %s on %s: %s", run.pipeline, _named(members), run.status)
        return run

    async def _attempt(self, ledger: PassLedger, members: list[_Member]) -> PipelineRun:
        """Run the pipeline over `members` under their renewed claims, each step's events
        published for each document; a pass cut short is recorded `failed` at its step."""
        claims = [member.claim for member in members]
        under_way: dict[str, None] = {}

        async def publish(event: StepEvent) -> None:
            if event.phase is StepPhase.STARTED:
                under_way[event.step] = None
                await ledger.renew(claims, event.step)
            else:
                under_way.pop(event.step, None)
                if event.result is not None:
                    result = event.result
                    log.info(
                        "step %s on %s: %s in %.1f s",
                        result.name,
                        _named(members),
                        result.status,
                        result.duration_seconds,
                    )
            for member in members:
                owed = member.owed
                await self.trust.governance.bus.publish(
                    event.to_domain_event(
                        path=owed.path,
                        table=owed.table,
                        document_id=owed.document_id,
                        documents=len(members),
                    )
                )

        try:
            async with _renewed(ledger, claims):
                return await self._pipeline(members, publish)
        except BaseException as error:
            await _give_up(ledger, members, next(iter(under_way), self.spec.steps[0].name), error)
            raise

    async def _pipeline(self, members: list[_Member], publish: EventCallback) -> PipelineRun:
        # the tools in force now (rebuilt only when tables, policies or the model changed)
        context = PassContext(
            [member.owed.document_id for member in members],
            await self.trust.current(),
            self.trust.governance,
            self.trust.clock,
            self.embedder,
        )
        pipeline = Pipeline(self.spec, step_registry(context), allow_missing=True)
        first = members[0].owed
        data: dict[str, JsonValue] = {"table": first.table, "rows": first.rows}
        return await pipeline.run(PipelineInput(first.document_id, data), on_event=publish)


async def _give_up(
    ledger: PassLedger, members: Sequence[_Member], step: str, error: BaseException
) -> None:
    """Record the passes of `members` `failed` at `step` with `error` (owed again while
    attempts are left); when Neo4j is away, their leases run out instead."""
    if not members:
        return
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    claims = [member.claim for member in members]
    with contextlib.suppress(GraphUnavailableError):
        await asyncio.shield(ledger.finish(claims, failed_step=step, error=reason))


def _named(members: Sequence[_Member]) -> str:
    """The files of a pass as its log lines name them: the first, and how many more."""
    more = f" and {len(members) - 1} more" if len(members) > 1 else ""
    return members[0].owed.path + more


OWING = frozenset({OutcomeStatus.INGESTED, OutcomeStatus.UNCHANGED})
"""Outcomes after which a document's pass may be owed (an unchanged file's, when the run
that ingested it died before its pass finished)."""


@asynccontextmanager
async def _renewed(ledger: PassLedger, claims: Sequence[Claim]) -> AsyncIterator[None]:
    """Renew the claims' leases every `RENEW_SECONDS` while the block runs."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await ledger.renew(claims)
            except GraphUnavailableError as error:  # the next renewal may get through
                log.warning("pass lease of %s not renewed: %s", claims[0].document_id, error)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
