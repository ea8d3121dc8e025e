"""The after-ingest pass of one document, or of several at once, in one typed in-memory state.

`load_documents` reads, in one round trip (`trust.pass_inputs`, as the engine's incremental
passes do), everything the pass works on: the entities the documents' rows describe, the
active rows that describe them, the documents' own rows as the policy check reads them, their
sources' stored trust and the entities' stored facts. The
stages then work from that state and only write:

- `detect`: value conflicts (from the rows in memory), version conflicts of each document's
  file, semantic conflicts of each one's text, and the policy check of their rows (whose
  violations the rows take);
- `score`: the incremental trust of the rows, computed, not written;
- `heal`: low-trust rows quarantined (by the scores just computed, as if written) and the
  conflicts policy lets Grace decide reconciled; the rows in memory follow both (a quarantined
  row leaves, a rejected value is marked) and conflicts are detected again after a quarantine;
- `sync`: the final scores and facts, written in two transactions (more only past
  `trust.engine.WRITE_BATCH` rows): the rows' scores under their tables' aggregate locks, then
  the facts with the open conflicts' confidences and the sources' starting parts;
  a quarantined row's score is written as it leaves, in the quarantine's own transaction.

The result equals the step-by-step pass it replaced (each step read the rows again) when
healing changes nothing; after a quarantine or reconciliation a row's stored trust may differ
from what that pass stored by less than `trust.engine.INCREMENTAL_TOLERANCE` (it wrote the
intermediate scores too, and the tolerance made later writes depend on them). A pass over
several documents (the pass lane coalescing a burst, `ingest.after_ingest`) leaves what their
passes one after the other leave: each item is resolved from its own claims with the sources'
stored trust held fixed, so the union of their entities settles as each part would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from governance.policy_eval import PolicyReport, StoredRow, stored_row
from governance.services import GovernanceServices
from trust.claims import RowRecord
from trust.conflicts import ValueConflict
from trust.detector import DetectionReport
from trust.engine import Settled, TrustReport, scored_by
from trust.healing import SYSTEM, low_trust_reason
from trust.offload import off_loop
from trust.pass_inputs import PassInputs, read_pass_inputs
from trust.services import TrustTools


@dataclass
class DocumentState:
    """What one pass read of its documents, once, and what it changed in memory since."""

    documents: list[str]
    read: PassInputs
    """What the pass read (`rows` follows what it changed since)."""
    rows: list[RowRecord]
    """The active rows of the entities (rejected values included; quarantined rows leave)."""
    own: dict[str, list[StoredRow]]
    """The documents' rows as the policy check reads them, by table."""
    found: list[ValueConflict] = field(default_factory=list)
    """The value conflicts among `rows` at the last detection."""
    open_conflicts: set[str] = field(default_factory=set)
    """The ids of those open now."""


@dataclass(frozen=True)
class Detected:
    """What `detect` found: conflicts (value, version, semantic) and policy violations."""

    conflicts: DetectionReport
    policy: PolicyReport | None


@dataclass(frozen=True)
class Healed:
    """What `heal` changed."""

    quarantined: list[str]
    reconciled: list[str]
    left_for_review: list[str]


async def load_documents(tools: TrustTools, documents: Sequence[str]) -> DocumentState:
    """Read everything the pass of `documents` works on, in one round trip."""
    inputs = await read_pass_inputs(
        tools.engine.graph, scored_by(tools.engine.model), documents=documents, own=True
    )
    own: dict[str, list[StoredRow]] = {}
    for fields in inputs.own:
        own.setdefault(fields[0], []).append(stored_row(fields[0], fields[1:]))
    return DocumentState(list(documents), inputs, inputs.rows, own)


class DocumentPass:
    """The stages of one pass over its documents' `DocumentState`, with the tools in force."""

    def __init__(
        self,
        tools: TrustTools,
        governance: GovernanceServices,
        state: DocumentState,
        now: datetime,
    ) -> None:
        self.tools = tools
        self.governance = governance
        self.state = state
        self.now = now
        self.seconds: dict[str, float] = {}
        """Wall-clock seconds of each stage (`detect`, `trust`, `heal`, `write`)."""
        self._scored: Settled | None = None
        self.final: Settled | None = None
        """What `sync` computed and wrote."""

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    async def detect(self) -> Detected:
        """Value, version and semantic conflicts, then the policies on the documents' rows."""
        state, tools = self.state, self.tools
        with self._timed("detect"):
            report = DetectionReport(0, 0, 0, 0, 0, 0)
            if state.read.entities:
                report = await self._record_value_conflicts()
            for source, path in dict.fromkeys(state.read.files):
                report += await tools.detector.scan_versions(source, path)
            for document in state.documents:
                report += await tools.semantic.scan_document(document)
            policy = None
            if state.own:
                policy = await self.governance.check_rows(tools.tables, state.own)
                self._take_violations(policy.violations_of)
        return Detected(report, policy)

    async def _record_value_conflicts(self) -> DetectionReport:
        state = self.state
        state.found = self.tools.detector.find_in(state.rows, state.read.source_trust)
        report, state.open_conflicts = await self.tools.detector.record(
            state.rows, state.found, state.read.entities
        )
        return report

    def _take_violations(self, counts: Mapping[str, int]) -> None:
        if counts:
            self.state.rows = [
                replace(row, violations=counts[row.id]) if row.id in counts else row
                for row in self.state.rows
            ]

    async def score(self) -> TrustReport:
        """The incremental trust of the rows in memory (computed; written by `sync`)."""
        with self._timed("trust"):
            self._scored = await self._settle(facts=False)
        return self.tools.engine.report(self._scored, {"computing": self.seconds["trust"]})

    async def _settle(self, *, facts: bool) -> Settled:
        """`TrustEngine.settle` on the state, off the event loop (seconds of CPU when large,
        while the loop serves the worker's other jobs, health checks and signals)."""
        state = self.state
        disputed = {
            (conflict.item.entity, conflict.item.attribute)
            for conflict in state.found
            if conflict.id in state.open_conflicts
        }
        return await off_loop(
            partial(
                self.tools.engine.settle,
                state.rows,
                state.read.source_trust,
                state.read.facts if facts else None,
                disputed,
                self.tools.engine.model,
                self.now,
                state.read.copying,
                state.read.attribute_trust,
                state.read.calibrations,
                state.read.evidence,
            )
        )

    async def heal(self) -> Healed:
        """Quarantine low-trust rows, then reconcile what policy lets Grace decide alone."""
        with self._timed("heal"):
            quarantined = await self._quarantine()
            if quarantined:  # conflicts whose dissenting rows left may have closed
                gone = set(quarantined)
                self.state.rows = [row for row in self.state.rows if row.id not in gone]
                await self._record_value_conflicts()
            state = self.state
            decided = await self.tools.healer.reconcile_found(
                state.found, state.open_conflicts, rescore=False
            )
            for conflict in decided.reconciled:
                self._reject_losers(conflict)
                state.open_conflicts.discard(conflict.id)
        return Healed(quarantined, [c.id for c in decided.reconciled], decided.left)

    async def _quarantine(self) -> list[str]:
        """The rows whose trust, as `score` left it stored, is under their table's threshold."""
        scored = self._scored or await self._settle(facts=False)
        trust = _stored_after(scored)
        policies = self.tools.policies
        reasons: dict[str, str] = {}
        for row, value in zip(self.state.rows, trust, strict=True):
            threshold = policies.thresholds(row.table).quarantine_below
            if value < threshold and row.id not in self.state.read.exempt:
                reasons[row.id] = low_trust_reason(value, threshold)
        if not reasons:
            return []
        # a quarantined row keeps the score it was quarantined for (`sync` scores the others)
        leaving = [p for p in scored.changed if scored.rows[p].id in reasons]
        await self.tools.engine.write_scores(scored, leaving)
        return await self.tools.healer.quarantine(reasons, actor=SYSTEM, rescore=False)

    def _reject_losers(self, conflict: ValueConflict) -> None:
        """The rows as `conflicts/apply_resolution` left them: the winning value's rows keep
        the attribute, every other involved row has it rejected."""
        attribute = conflict.item.attribute
        winning = set(conflict.winner.rows)
        losing = {row for value in conflict.losers for row in value.rows} - winning
        self.state.rows = [
            _with_rejection(row, attribute, row.id in losing)
            if row.id in winning or row.id in losing
            else row
            for row in self.state.rows
        ]

    async def sync(self) -> TrustReport:
        """Score the rows as healing left them, resolve their facts, write it all."""
        engine = self.tools.engine
        with self._timed("trust"):
            final = self.final = await self._settle(facts=True)
        with self._timed("write"):
            changes = await engine.write_settled(self.state.read.entities, final, self.now)
        await engine.publish_document_changes(changes)
        seconds = {"computing": self.seconds.get("trust", 0.0), "writing": self.seconds["write"]}
        return engine.report(final, seconds)


def _stored_after(scored: Settled) -> list[float]:
    """Each row's stored trust once `scored` is written: the new score where it is stale,
    the stored one elsewhere."""
    trust = [row.trust if row.trust is not None else 0.0 for row in scored.rows]
    values = scored.scores.trust
    for position in scored.changed:
        trust[position] = float(values[position])
    return trust


def _with_rejection(row: RowRecord, attribute: str, rejected: bool) -> RowRecord:
    kept = row.rejected - {attribute}
    return replace(row, rejected=kept | {attribute} if rejected else kept)
