"""The trust engine: reads claims from the graph, resolves them, scores, writes back.

`recompute` is the full pass (source trust re-estimated, decay applied to every row, source
dependence found again and stored as `(copier)-[:COPIES]->(original)` edges, see
`trust.dependence`). `update_entities` is the incremental pass after an ingest: the items of
the touched entities are resolved again with the current source trust and the copying the
last full pass stored, and only their rows, documents and facts
are written; of their rows already scored, only those that moved by `INCREMENTAL_TOLERANCE`
or more (the full pass rewrites any that moved by `TRUST_EPSILON`). A document's trust is
the mean of its rows': a full pass recomputes it, an incremental pass moves it by the change
of its rewritten rows (a quarantined row stays in that mean until the next full pass).

Every pass leaves trust, facts and conflicts agreeing: the open value conflicts of its items
take the confidences it resolved (`conflicts/refresh_open`), as their facts do; and the
incremental pass stores the parts of a source no full pass has scored yet (its starting
trust, split by table), so every source's trust can be explained from its first ingest.

Rows are scored with the combined score, or with the learned model in force when there is
one (`trust.model_store`). Only what changed is written: a row whose trust moved by less than
the pass's tolerance (and was scored the same way) keeps its stored score, and a fact is
written again only when it changed (`trust.facts`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import (
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np
from pydantic import JsonValue

from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph, GraphTransaction
from graph.schema_store import active_versions
from graph.schemas import TableSchema
from trust.aggregate_shift import lock_table_aggregates, shift_table_trust
from trust.aggregates import document_means, document_shifts, table_snapshots
from trust.attribute_trust import numbered
from trust.calibration import stored as stored_calibration
from trust.claims import NAMED_SOURCE_PREFIX, ClaimIndex, RowRecord, build_claims
from trust.conflicts import find_value_conflicts
from trust.dependence import Dependence
from trust.detector import conflict_params
from trust.facts import (
    FactChanges,
    StoredFact,
    fact_changes,
    read_fact_states,
    resolve_facts,
)
from trust.features import FROM_CLOCK, stored_lists
from trust.learning import ScoringMode, TrainedModel, scoring_mode
from trust.model_store import latest_in_force
from trust.offload import off_loop
from trust.overview import refresh_table_trust
from trust.pass_inputs import PassInputs, read_pass_inputs
from trust.rows import Progress, ScoredBy, read_active_rows, read_clock, read_source_trust
from trust.scoring import NEUTRAL, Bools, RowScores, keep_stored, score_rows
from trust.truth import INITIAL_TRUST, TruthResult, discover, resolve

log = logging.getLogger(__name__)

WRITE_BATCH = 10_000
"""Rows an incremental pass writes in one transaction; a larger write goes in batches of it."""
ROW_BATCH = 2_000
"""Rows per write transaction of a full pass. A transaction's state lives in Neo4j's heap
until it commits: at 10,000 rows it outlived the young collections and the copying cost
0.7-4.4 s of garbage collection per 200,000 rows (1 GB heap), at 2,000 about 0.1 s, for the
same CPU otherwise (bench/trust_recompute.py prints each pass's GC seconds)."""
FACT_BATCH = 250
"""Facts per write transaction. When each fact had an edge per supporting row (ten or so), at
5,000 Neo4j spent 6-7 s collecting garbage while writing 20,000 new facts (1 GB heap), at
1,000 5-6 s, at 250 1.4 s, and 28 % less CPU in all."""
WRITERS = 2
"""Write batches in flight at once: while Neo4j writes one, the next is built and sent (1.5x
faster than one at a time on two cores, measured)."""
EVENT_THRESHOLD = 0.01
"""A source or document whose trust moves by at least this much publishes `trust.updated`."""
TRUST_EPSILON = 1e-4
"""In a full pass, a row whose trust moved by less than this keeps its stored score."""
CLOCK_STEP = timedelta(hours=1)
"""A full pass takes freshness at the time of the last one (`TrustClock.at`) until this has
passed since, and at its own start after: rows scored by full passes read their freshness at
that time (`trust.features`), so it moves in steps, each rewriting every aging row's trust."""
FEATURE_TOLERANCE = TRUST_EPSILON
"""In a full pass, a row's stored features (all but freshness) that moved by less than this
are kept (`keep_stored`): its list is not written again, and its trust is computed from them."""
CLOCK_MOVED = 1e-12
"""A full pass that moves the clock rewrites every row whose trust moved by this much: less
than rounding can tell from nothing, so a row's stored trust and its explanation agree."""
INCREMENTAL_TOLERANCE = 0.005
"""In an incremental pass, a row already scored whose trust moved by less than this (and not
across its quarantine threshold) keeps its stored score until the next full pass, so stored
trust stays within 0.005 of its current value. A new document nudges most rows of its
entities by a few thousandths (its source's support), and rewriting those was two thirds of
the pass (bench/trust_recompute.py)."""


@dataclass(frozen=True)
class TrustReport:
    """What a trust computation did."""

    rows: int
    mean_trust: float
    items: int
    sources: int
    facts: int
    iterations: int
    converged: bool
    copying: list[tuple[str, str, float]]
    seconds_reading: float = 0.0
    seconds_computing: float = 0.0
    seconds_writing: float = 0.0
    mode: ScoringMode = ScoringMode.PROPAGATED
    rows_written: int = 0
    facts_written: int = 0


@dataclass
class Settled:
    """One computation: what was read, what it resolved and scored, and what it writes."""

    rows: Sequence[RowRecord]
    index: ClaimIndex
    result: TruthResult
    scores: RowScores
    facts: FactChanges | None
    changed: list[int] = field(default_factory=list)
    """Positions of the rows whose stored score is rewritten."""
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    """The value conflicts among the pass's items as it resolved them
    (`conflicts/refresh_open` brings the open ones stored to them)."""
    sources: list[dict[str, Any]] = field(default_factory=list)
    """Of an incremental pass: its sources with the trust it held fixed
    (`trust/write_initial_source_parts`)."""
    scored_at: float = FROM_CLOCK
    """What the rows' stored lists say they were scored at (`trust.features`): the pass's
    time, or `FROM_CLOCK` for a full pass."""
    kept: Bools | None = None
    """Of a full pass: the rows whose stored lists stay as they are (`keep_stored`); their
    trust is written alone."""

    def shifts(self) -> list[dict[str, Any]]:
        """How the documents of the rewritten rows move (`trust/shift_document_trust`)."""
        return document_shifts(self.rows, self.changed, self.scores.trust)


class TrustEngine:
    """Scores rows, documents and sources, and resolves facts, over one `Graph`."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        tables: Mapping[str, TableSchema],
        sync_above: Callable[[str], float] | None = None,
        quarantine_below: Callable[[str], float] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._tables = dict(tables)
        self._sync_above = sync_above or (lambda table: 0.0)
        self._quarantine_below = quarantine_below
        self._clock = clock or (lambda: datetime.now(UTC))
        self._model: TrainedModel | None = None
        self._model_in_force = 0
        """The version of the model in force when the engine last looked (0: none)."""

    @classmethod
    async def create(
        cls,
        graph: Graph,
        bus: EventBus,
        sync_above: Callable[[str], float] | None = None,
        quarantine_below: Callable[[str], float] | None = None,
    ) -> TrustEngine:
        """An engine for the table versions active in the graph.

        `sync_above` (table -> confidence, from policy) decides which facts are synced to
        the fact layer (`active`); the others are kept as `candidate` facts. Without it every
        fact is synced. `quarantine_below` (table -> trust, from policy): a row whose trust
        crosses it is rewritten even when it moved by less than the pass's tolerance.
        """
        tables = {
            schema.name: TableSchema.model_validate(version.definition)
            for schema, version in await active_versions(graph)
        }
        engine = cls(graph, bus, tables, sync_above, quarantine_below)
        await engine.refresh_model()
        return engine

    @property
    def graph(self) -> Graph:
        """The graph the engine reads and writes."""
        return self._graph

    @property
    def tables(self) -> dict[str, TableSchema]:
        """The table definitions the engine compares values with."""
        return self._tables

    @property
    def model(self) -> TrainedModel | None:
        """The learned model in force at the last pass (or `refresh_model`), if any."""
        return self._model

    @property
    def scoring_mode(self) -> ScoringMode:
        """How rows are scored: with the combined score, or with the learned model in force."""
        return scoring_mode(self._model)

    async def refresh_model(self) -> TrainedModel | None:
        """Look up the model in force (a full pass does, first; an incremental pass when its
        read says the version in force changed)."""
        model = await latest_in_force(self._graph)
        self._model_in_force = model.version if model is not None else 0
        self._model = model if scoring_mode(model) is ScoringMode.LEARNED else None
        return self._model

    async def read_rows(self, progress: Progress | None = None) -> list[RowRecord]:
        """Every active row of an active document, read in pages."""
        return await read_active_rows(self._graph, progress)

    async def recompute(self, progress: Progress | None = None) -> TrustReport:
        """Full pass over every active row."""
        with _CYCLES.paused():
            return await self._recompute(progress)

    async def _recompute(self, progress: Progress | None) -> TrustReport:
        clock = _Clock()
        started = self._clock()
        model = await self.refresh_model()
        rows, prior, stored, disputed, last = await asyncio.gather(
            read_active_rows(self._graph, progress, scored_by(model, full=True)),
            read_source_trust(self._graph),
            read_fact_states(self._graph),
            self._open_conflicts(),
            read_clock(self._graph),
        )
        clock.lap("reading")
        index = build_claims(rows, self._tables)
        result = discover(index.claims, prior_trust=_prior(index, prior))
        at, tolerance = _full_pass_time(started, last)
        work = self._score(
            rows, index, result, at, stored, model, tolerance, disputed, keep=FEATURE_TOLERANCE
        )
        clock.lap("computing")
        await self._graph.write("trust/freeze_all_decisions")
        await write_batches(
            self._graph,
            "trust/set_row_trust",
            [
                partial(_node_params, work, work.changed[start : start + ROW_BATCH])
                for start in range(0, len(work.changed), ROW_BATCH)
            ],
        )
        await self._graph.write("trust/set_clock", {"at": at.timestamp()})
        changes = await self._graph.write(
            "trust/write_source_trust", {"sources": source_records(index, result)}
        )
        await self._publish_changes(changes, "source", "full recompute")
        pairs = copy_records(index, result.dependence)
        await self._graph.write("trust/retract_copies", {"pairs": pairs})
        await self._graph.write("trust/write_copies", {"pairs": pairs})
        changes = await self._graph.write(
            "trust/write_document_trust", {"documents": document_means(rows, work.scores.trust)}
        )
        await self._publish_changes(changes, "document", "rows rescored")
        await self._write_facts(work, started)
        await self._refresh_conflicts(work)
        for snapshot in table_snapshots(rows, work.scores.trust):
            await self._graph.write("trust/create_snapshot", snapshot)
        await self._refresh_tables(
            set(self._tables) | {row.table for row in rows}, "full recompute", relist=True
        )
        clock.lap("writing")
        return self._report(work, clock)

    async def update_entities(self, entities: Sequence[str], *, facts: bool = True) -> TrustReport:
        """Incremental pass: the rows describing `entities`, with source trust held fixed;
        with `facts`, their resolved facts are written too."""
        with _CYCLES.paused():
            clock = _Clock()
            inputs = await self._read_inputs(entities=entities)
            return await self._update(inputs, facts, clock)

    async def update_document(self, document_id: str, *, facts: bool = True) -> TrustReport:
        """Incremental pass for the entities one document's rows describe."""
        with _CYCLES.paused():
            clock = _Clock()
            inputs = await self._read_inputs(documents=[document_id])
            return await self._update(inputs, facts, clock)

    async def _read_inputs(
        self, *, documents: Sequence[str] = (), entities: Sequence[str] = ()
    ) -> PassInputs:
        """What an incremental pass works on, in one round trip; read again (after the
        model) only when the model in force changed since the engine last looked."""
        inputs = await read_pass_inputs(
            self._graph, scored_by(self._model), documents=documents, entities=entities
        )
        if inputs.model == self._model_in_force:
            return inputs
        await self.refresh_model()  # rows' stored scores are current or not under the new one
        return await read_pass_inputs(
            self._graph, scored_by(self._model), documents=documents, entities=entities
        )

    async def _open_conflicts(self) -> set[tuple[str, str]]:
        """The (entity, attribute) items with an open value conflict."""
        records = await self._graph.read("conflicts/open_value_items")
        return {(record["entity"], record["attribute"]) for record in records}

    async def _update(self, inputs: PassInputs, facts: bool, clock: _Clock) -> TrustReport:
        started = self._clock()
        clock.lap("reading")
        # off the event loop: a large settle is seconds of CPU, and the loop serves the
        # worker's other jobs, its health checks and its signals meanwhile
        work = await off_loop(
            partial(
                self.settle,
                inputs.rows,
                inputs.source_trust,
                inputs.facts if facts else None,
                inputs.disputed,
                self._model,
                started,
                inputs.copying,
                inputs.attribute_trust,
                inputs.calibrations,
                inputs.evidence,
            )
        )
        clock.lap("computing")
        changes = await self.write_settled(inputs.entities, work, started)
        await self._publish_changes(changes, "document", "rows rescored")
        clock.lap("writing")
        return self._report(work, clock)

    def settle(
        self,
        rows: Sequence[RowRecord],
        prior: Mapping[str, float],
        stored: Mapping[str, StoredFact] | None,
        disputed: Collection[tuple[str, str]],
        model: TrainedModel | None,
        now: datetime,
        copying: Iterable[Mapping[str, Any]] = (),
        attributes: Mapping[str, Mapping[str, float]] | None = None,
        calibrations: Mapping[str, str] | None = None,
        evidence: Mapping[str, float] | None = None,
    ) -> Settled:
        """The incremental computation over `rows` with source trust held at `prior` (and by
        attribute at `attributes`: source -> `table.field#half` -> trust, as the last full pass
        stored it) and the votes of copiers discounted as the `copying` edges
        (`trust/copies_among`) say, and facts calibrated as the last full pass stored it
        (`calibrations`: source -> `Source.trust_calibration`), ties of the count decided with
        the claims the last full pass measured each source on (`evidence`: source ->
        `Source.trust_evidence`): their scores, what of them
        is stale, their facts
        (against `stored`, if given) and the value conflicts of the `disputed` items;
        nothing is read or written."""
        index = build_claims(rows, self._tables)
        held = _prior(index, prior)
        by_attribute = numbered(
            {name: a for a, name in enumerate(index.attributes)}, attributes or {}, index.sources
        )
        calibration = stored_calibration([(calibrations or {}).get(s) for s in index.sources])
        dependence = stored_dependence(index, copying)
        claimed = np.array([(evidence or {}).get(s, 0.0) for s in index.sources])
        result = resolve(index.claims, held, dependence, by_attribute, calibration, claimed)
        work = self._score(rows, index, result, now, stored, model, INCREMENTAL_TOLERANCE, disputed)
        work.sources = initial_source_records(index, held)
        work.scored_at = now.timestamp()
        return work

    async def write_settled(
        self, entities: Sequence[str], work: Settled, started: datetime
    ) -> list[dict[str, Any]]:
        """Write what `settle` found stale; returns the documents' trust changes (publish
        them with `publish_document_changes`). The rows' scores, with their documents' and
        tables' trust, go first, in one transaction that locks the tables' aggregates (in
        batches when large); then the facts, the open conflicts' confidences and the sources'
        starting parts, in one transaction of their own that holds no aggregate, so a file's
        activation waits only for the rows. A pass cut short between the two leaves its rows
        scored and its facts as they were: run again, it finds the rows current and writes
        the facts it resolves from them (`tests/integration/test_pass_write_split.py`)."""
        if len(work.changed) > WRITE_BATCH:
            await self._graph.write("trust/freeze_decisions", {"entities": list(entities)})
            await self._write_rows(work)
            changes = await self._graph.write(
                "trust/shift_document_trust", {"documents": work.shifts()}
            )
            await self._write_facts(work, started)
            await self._refresh_conflicts(work)
            await self._graph.write("trust/write_initial_source_parts", {"sources": work.sources})
        else:  # the usual case: the rows' transaction, then the rest's
            changes = []
            if work.changed:
                changes = await self._graph.transaction(
                    partial(_write_scored, entities=entities, work=work)
                )
            resolved = _resolved_statements(work, started)
            if resolved:
                await self._graph.transaction(partial(_run_all, statements=resolved))
        await self._tables_moved(work, work.changed)
        return changes

    async def write_scores(self, work: Settled, positions: Sequence[int]) -> None:
        """Write the scores `work` computed for some of its rows (positions), moving their
        documents' trust, in one transaction."""
        if not positions:
            return

        async def write(tx: GraphTransaction) -> list[dict[str, Any]]:
            await write_row_scores(tx, work, positions)
            shifts = document_shifts(work.rows, positions, work.scores.trust)
            return await tx.run("trust/shift_document_trust", {"documents": shifts})

        changes = await self._graph.transaction(write)
        await self._tables_moved(work, positions)
        await self.publish_document_changes(changes)

    async def publish_document_changes(self, changes: Iterable[Mapping[str, Any]]) -> None:
        """`trust.updated` for the documents whose trust a pass moved enough."""
        await self._publish_changes(changes, "document", "rows rescored")

    def report(self, work: Settled, seconds: Mapping[str, float]) -> TrustReport:
        """What a settled computation did, with the seconds of its phases."""
        clock = _Clock()
        clock.laps.update(seconds)
        return self._report(work, clock)

    def _score(
        self,
        rows: Sequence[RowRecord],
        index: ClaimIndex,
        result: TruthResult,
        now: datetime,
        stored: Mapping[str, StoredFact] | None,
        model: TrainedModel | None,
        tolerance: float,
        disputed: Collection[tuple[str, str]],
        keep: float | None = None,
    ) -> Settled:
        """Score, resolve facts (with `stored`) and describe the value conflicts of the
        `disputed` items (those with an open conflict stored); with `keep`, a full pass's,
        keeping the stored features that moved by less (`keep_stored`)."""
        scores = score_rows(rows, index, result, self._tables, now=now, model=model)
        kept = None
        if keep is not None:
            scores, kept = keep_stored(rows, scores, model, keep)
        facts = None
        if stored is not None:
            facts = fact_changes(resolve_facts(index, result, self._sync_above), stored)
        stale = stale_rows(rows, scores, tolerance, self._quarantine_below)
        found = find_value_conflicts(index, result, disputed)
        conflicts = [conflict_params(conflict) for conflict in found]
        return Settled(rows, index, result, scores, facts, stale, conflicts, kept=kept)

    async def _write_rows(self, work: Settled) -> None:
        """The stale scores in batches of `WRITE_BATCH`, each moving its tables' aggregates."""

        async def write(positions: Sequence[int]) -> None:
            await self._graph.transaction(partial(write_row_scores, work=work, positions=positions))

        await in_flight(
            [
                partial(write, work.changed[start : start + WRITE_BATCH])
                for start in range(0, len(work.changed), WRITE_BATCH)
            ]
        )

    async def _write_facts(self, work: Settled, started: datetime) -> None:
        if work.facts is None:
            return
        written, confidences = work.facts.written, work.facts.confidences
        await write_batches(
            self._graph,
            "trust/write_facts",
            [
                partial(dict, facts=written[start : start + FACT_BATCH])
                for start in range(0, len(written), FACT_BATCH)
            ],
        )
        await write_batches(
            self._graph,
            "trust/update_fact_confidence",
            [
                partial(dict, facts=confidences[start : start + WRITE_BATCH])
                for start in range(0, len(confidences), WRITE_BATCH)
            ],
        )
        retracted = work.facts.retracted
        await write_batches(  # in batches: a store whose facts all went would not fit one
            self._graph,
            "trust/retract_facts",
            [
                partial(dict, ids=retracted[start : start + WRITE_BATCH], started_at=started)
                for start in range(0, len(retracted), WRITE_BATCH)
            ],
        )

    async def _refresh_conflicts(self, work: Settled) -> None:
        for start in range(0, len(work.conflicts), FACT_BATCH):
            batch = work.conflicts[start : start + FACT_BATCH]
            await self._graph.write("conflicts/refresh_open", {"conflicts": batch})

    async def _refresh_tables(
        self, tables: Collection[str], reason: str, *, relist: bool = False
    ) -> None:
        """Store the trust aggregates of `tables` from their rows (with `relist`, their
        least trusted rows too) and publish a `trust.updated` of kind `table` for each, with
        its mean before and after."""
        refreshed = await refresh_table_trust(self._graph, tables, relist=relist)
        await self._publish_changes(refreshed, "table", reason, threshold=0.0)

    async def _tables_moved(self, work: Settled, positions: Sequence[int]) -> None:
        """A `trust.updated` of kind `table` (no means) for each table whose stored aggregate
        the scores at `positions` moved as they were written."""
        tables = sorted({work.rows[p].table for p in positions})
        moved = [{"id": t, "table": t, "before": None, "after": None} for t in tables]
        await self._publish_changes(moved, "table", "rows rescored", threshold=0.0)

    async def _publish_changes(
        self,
        changes: Iterable[Mapping[str, Any]],
        kind: str,
        reason: str,
        *,
        threshold: float = EVENT_THRESHOLD,
    ) -> None:
        for change in changes:
            before, after = change["before"], change["after"]
            if before is not None and after is not None and abs(after - before) < threshold:
                continue
            payload: dict[str, JsonValue] = {
                "table": change.get("table"),  # a document's; a source spans tables
                "kind": kind,
                "before": before,
                "after": after,
                "reason": reason,
            }
            try:
                await self._bus.publish(
                    DomainEvent(type=EventType.TRUST_UPDATED, subject=change["id"], payload=payload)
                )
            except EventBusError as error:
                log.warning("trust.updated for %s not published: %s", change["id"], error)

    def _report(self, work: Settled, clock: _Clock) -> TrustReport:
        index, result = work.index, work.result
        return TrustReport(
            rows=len(work.rows),
            mean_trust=float(np.mean(work.scores.trust)) if len(work.rows) else NEUTRAL,
            items=len(index.items),
            sources=len(index.sources),
            facts=len(index.items),
            iterations=result.iterations,
            converged=result.converged,
            copying=[(index.sources[a], index.sources[b], s) for a, b, s in result.copying],
            seconds_reading=clock.laps.get("reading", 0.0),
            seconds_computing=clock.laps.get("computing", 0.0),
            seconds_writing=clock.laps.get("writing", 0.0),
            mode=work.scores.mode,
            rows_written=len(work.changed),
            facts_written=len(work.facts.written) if work.facts else 0,
        )


class _Clock:
    """Wall-clock time of the phases of one computation."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


class _CycleCollector:
    """Pauses Python's cyclic garbage collector during passes.

    A pass holds millions of small objects (rows, their values, claims) until it ends, and
    every collection the new ones trigger scans them all again: that was a third of the
    computing time on a million rows. Reference counting still frees whatever dies.
    """

    def __init__(self) -> None:
        self._depth = 0
        self._was_enabled = True

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Collection stays off until the last of overlapping passes ends."""
        if not self._depth:
            self._was_enabled = gc.isenabled()
            gc.disable()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._was_enabled:
                gc.enable()


_CYCLES = _CycleCollector()


def scored_by(model: TrainedModel | None, *, full: bool = False) -> ScoredBy:
    """How rows are scored with `model` in force (None: the combined score), by a full pass
    (`full`) or an incremental one."""
    return ScoredBy(scoring_mode(model).value, model.version if model else 0, full)


def _full_pass_time(started: datetime, last: float | None) -> tuple[datetime, float]:
    """The time a full pass started at `started` takes freshness at, and the tolerance of
    its rows' trust: the last full pass's (`last`, epoch seconds) with `TRUST_EPSILON`
    while `started` is within `CLOCK_STEP` of it, else `started` with `CLOCK_MOVED`: a row whose
    trust moved at all is rewritten, since its freshness is read at the new time."""
    if last is not None and abs(started.timestamp() - last) < CLOCK_STEP.total_seconds():
        return datetime.fromtimestamp(last, UTC), TRUST_EPSILON
    return started, CLOCK_MOVED


def _prior(index: ClaimIndex, trust: Mapping[str, float]) -> np.ndarray:
    return np.array([trust.get(source, INITIAL_TRUST) for source in index.sources])


def stale_rows(
    rows: Sequence[RowRecord],
    scores: RowScores,
    tolerance: float,
    quarantine_below: Callable[[str], float] | None = None,
) -> list[int]:
    """Positions of the rows whose stored score is stale: never scored, scored another way,
    moved by at least `tolerance`, or moved across their table's quarantine threshold
    (`quarantine_below`: table -> trust) however little, since healing reads stored trust."""
    stored = np.array(
        [row.trust if row.trust_current and row.trust is not None else np.nan for row in rows],
        dtype=np.float64,
    )
    known = np.nan_to_num(stored)
    stale = np.isnan(stored) | (np.abs(scores.trust - known) >= tolerance)
    if quarantine_below is not None:
        limits = {table: quarantine_below(table) for table in {row.table for row in rows}}
        threshold = np.array([limits[row.table] for row in rows], dtype=np.float64)
        stale |= (known < threshold) != (scores.trust < threshold)
    return np.flatnonzero(stale).tolist()


def _row_params(work: Settled, positions: Sequence[int]) -> dict[str, Any]:
    scores = work.scores
    ids = [work.rows[p].id for p in positions]
    return {
        "rows": [
            [row_id, trust, features]
            for row_id, trust, features in zip(
                ids,
                scores.trust[positions].tolist(),
                stored_lists(
                    scores.signals[positions],
                    scores.propagated[positions],
                    scores.since[positions],
                    scores.half_lives[positions],
                    work.scored_at,
                ),
                strict=True,
            )
        ],
        "mode": scores.mode.value,
        "model": scores.model or None,
    }


def _node_params(work: Settled, positions: Sequence[int]) -> dict[str, Any]:
    """`_row_params` with each row's node first, as `trust/set_row_trust` takes it, and
    without the features of a row whose stored list stays (`Settled.kept`)."""
    params = _row_params(work, positions)
    kept = work.kept if work.kept is not None else np.zeros(len(work.rows), dtype=bool)
    params["rows"] = [
        [work.rows[p].node, *(row[:2] if kept[p] else row)]
        for p, row in zip(positions, params["rows"], strict=True)
    ]
    return params


async def write_row_scores(tx: GraphTransaction, work: Settled, positions: Sequence[int]) -> None:
    """Write the scores `work` computed for its rows at `positions`, moving the stored trust
    aggregates of their tables (and their least trusted rows) by the change, in `tx`."""
    params = _row_params(work, positions)
    [moved] = await tx.run("trust/write_row_trust", params)
    tables = [work.rows[p].table for p in positions]
    joining = [(table, row[1], row[0]) for table, row in zip(tables, params["rows"], strict=True)]
    await shift_table_trust(tx, moved["left"], moved["entered"], joining)


async def _write_scored(
    tx: GraphTransaction, entities: Sequence[str], work: Settled
) -> list[dict[str, Any]]:
    """The rows' new scores with their documents' trust, the tables' aggregates locked first
    (`lock_table_aggregates`); returns the documents' trust changes."""
    await lock_table_aggregates(tx, (work.rows[p].table for p in work.changed))
    await tx.run("trust/freeze_decisions", {"entities": list(entities)})
    await write_row_scores(tx, work, work.changed)
    shifts = work.shifts()
    return await tx.run("trust/shift_document_trust", {"documents": shifts}) if shifts else []


def _resolved_statements(work: Settled, started: datetime) -> list[tuple[str, dict[str, Any]]]:
    """What an incremental pass writes beside its rows, none of it a table's aggregate: its
    facts, their confidences and retractions, the open conflicts' confidences and the sources'
    starting parts, each as (statement, parameters)."""
    statements: list[tuple[str, dict[str, Any]]] = []
    facts = work.facts
    if facts is not None and facts.written:
        statements.append(("trust/write_facts", {"facts": facts.written}))
    if facts is not None and facts.confidences:
        statements.append(("trust/update_fact_confidence", {"facts": facts.confidences}))
    if facts is not None and facts.retracted:
        retracted = {"ids": facts.retracted, "started_at": started}
        statements.append(("trust/retract_facts", retracted))
    if work.conflicts:
        statements.append(("conflicts/refresh_open", {"conflicts": work.conflicts}))
    if work.sources:
        statements.append(("trust/write_initial_source_parts", {"sources": work.sources}))
    return statements


async def _run_all(tx: GraphTransaction, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
    for name, params in statements:
        await tx.run(name, params)


async def in_flight(writes: Sequence[Callable[[], Awaitable[None]]]) -> None:
    """Run `writes`, `WRITERS` at a time, each started (and its parameters built) only
    when a writer is free."""
    gate = asyncio.Semaphore(WRITERS)

    async def run(write: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await write()

    await asyncio.gather(*(run(write) for write in writes))


async def write_batches(
    graph: Graph, name: str, batches: Sequence[Callable[[], dict[str, Any]]]
) -> None:
    """Run `name` once per batch, `WRITERS` at a time, each batch's parameters built just
    before it is sent."""

    async def write(params: Callable[[], dict[str, Any]]) -> None:
        await graph.write(name, params())

    await in_flight([partial(write, params) for params in batches])


def _source_node(source: str) -> dict[str, Any]:
    """The properties a source named by a row's own column is created with."""
    named = source.startswith(NAMED_SOURCE_PREFIX)
    return {
        "id": source,
        "kind": "named" if named else "folder",
        "location": source.removeprefix(NAMED_SOURCE_PREFIX),
    }


def source_records(index: ClaimIndex, result: TruthResult) -> list[dict[str, Any]]:
    """What `trust/write_source_trust` writes of every source: its trust, its parts by
    table, its accuracy by attribute (`table.field#half`) and the claims that accuracy rests
    on (`trust.tie_break.evidence`)."""
    parts = source_parts(index, result)
    by_attribute = result.attribute_trust.by_source(index.sources, index.attributes)
    return [
        {
            **_source_node(source),
            "trust": float(result.source_trust[i]),
            "parts": json.dumps(parts[i], sort_keys=True),
            "attributes": json.dumps(by_attribute[i], sort_keys=True),
            "calibration": result.calibration.record(i) if result.calibration.fitted else None,
            "evidence": float(result.evidence[i]),
        }
        for i, source in enumerate(index.sources)
    ]


def copy_records(index: ClaimIndex, dependence: Dependence) -> list[dict[str, Any]]:
    """What `trust/write_copies` writes: one record per dependent pair of sources."""
    return [
        {
            "original": index.sources[original],
            "copier": index.sources[copier],
            "probability": probability,
            "shared_true": shared_true,
            "shared_false": shared_false,
        }
        for original, copier, probability, shared_true, shared_false in dependence.pairs()
    ]


def stored_dependence(index: ClaimIndex, records: Iterable[Mapping[str, Any]]) -> Dependence:
    """The `COPIES` edges read by `trust/copies_among` as a `Dependence` over the index's
    sources (edges of sources the index does not hold are left out)."""
    number = index.source_index()
    known = [r for r in records if r["original"] in number and r["copier"] in number]
    return Dependence(
        original=np.array([number[r["original"]] for r in known], dtype=np.int64),
        copier=np.array([number[r["copier"]] for r in known], dtype=np.int64),
        probability=np.array([r["probability"] for r in known], dtype=np.float64),
        shared_true=np.array([r["shared_true"] for r in known], dtype=np.float64),
        shared_false=np.array([r["shared_false"] for r in known], dtype=np.float64),
    )


def initial_source_records(index: ClaimIndex, trust: np.ndarray) -> list[dict[str, Any]]:
    """What `trust/write_initial_source_parts` writes of the sources of an incremental pass:
    the trust the pass held fixed (`trust`, by source), split over the tables in proportion
    to the source's claims there, so the parts add up to it."""
    tables, present = _claims_by_table(index)
    shares = present / np.maximum(present.sum(axis=1), 1)[:, None] * trust[:, None]
    return [
        {
            **_source_node(source),
            "trust": float(trust[s]),
            "parts": json.dumps(
                {table: float(shares[s, t]) for t, table in enumerate(tables) if present[s, t]},
                sort_keys=True,
            ),
        }
        for s, source in enumerate(index.sources)
    ]


def _claims_by_table(index: ClaimIndex) -> tuple[list[str], np.ndarray]:
    """The tables of the index's items, and per source and table how many claims it makes."""
    tables, key = _source_table_keys(index)
    shape = (index.claims.n_sources, len(tables))
    return tables, np.bincount(key, minlength=shape[0] * shape[1]).reshape(shape)


def _source_table_keys(index: ClaimIndex) -> tuple[list[str], np.ndarray]:
    """The sorted tables of the index's items, and per claim its (source, table) cell as
    `source * len(tables) + table`."""
    claims = index.claims
    tables = sorted({item.table for item in index.items})
    position = {table: t for t, table in enumerate(tables)}
    table_of_item = np.array([position[item.table] for item in index.items], dtype=np.int64)
    key = claims.source * len(tables) + table_of_item[claims.item_of_value[claims.value]]
    return tables, key


def source_parts(index: ClaimIndex, result: TruthResult) -> list[dict[str, float]]:
    """Per source, its trust split by table: a source's trust is the mean confidence of the
    values it claims (ACCU), so each table's part is the summed confidence of its claims
    there over all its claims, and the parts add up to the trust (to the iteration's
    tolerance)."""
    claims = index.claims
    tables, key = _source_table_keys(index)
    shape, size = (claims.n_sources, len(tables)), claims.n_sources * len(tables)
    present = np.bincount(key, minlength=size).reshape(shape)
    confidence = result.value_confidence[claims.value]
    sums = np.bincount(key, weights=confidence, minlength=size).reshape(shape)
    shares = sums / np.maximum(present.sum(axis=1), 1)[:, None]
    return [
        {table: float(shares[s, t]) for t, table in enumerate(tables) if present[s, t]}
        for s in range(claims.n_sources)
    ]
