"""The trust engine: reads claims from the graph, resolves them, scores, writes back.

`recompute` is the full pass (source trust re-estimated, decay applied to every row). Copy
detection (`trust.truth`) stays off here: on the labelled scenarios it still flags honest
sources when copiers are the majority, and costs accuracy (see bench/trust_quality.py).
`update_entities` is the incremental pass after an ingest: the items of the touched entities
are resolved again with the current source trust, and only their rows, documents and facts
are written.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import JsonValue

from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.schema_store import active_versions
from graph.schemas import FieldType, TableSchema
from trust import signals as signal
from trust.claims import NAMED_SOURCE_PREFIX, ClaimIndex, RowRecord, build_claims
from trust.rows import (
    Progress,
    document_entities,
    read_active_rows,
    read_entity_rows,
    read_source_trust,
)
from trust.score import combine
from trust.truth import INITIAL_TRUST, TruthResult, discover, resolve

log = logging.getLogger(__name__)

WRITE_BATCH = 10_000
NEUTRAL = 0.5
LOW_TRUST = 0.3
HIGH_TRUST = 0.8
EVENT_THRESHOLD = 0.01
"""A source or document whose trust moves by at least this much publishes `trust.updated`."""


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


class TrustEngine:
    """Scores rows, documents and sources, and resolves facts, over one `Graph`."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        tables: Mapping[str, TableSchema],
        sync_above: Callable[[str], float] | None = None,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._tables = dict(tables)
        self._sync_above = sync_above or (lambda table: 0.0)

    @classmethod
    async def create(
        cls, graph: Graph, bus: EventBus, sync_above: Callable[[str], float] | None = None
    ) -> TrustEngine:
        """An engine for the table versions active in the graph.

        `sync_above` (table -> confidence, from policy) decides which facts are synced to
        the fact layer (`active`); the others are kept as `candidate` facts. Without it every
        fact is synced.
        """
        tables = {
            schema.name: TableSchema.model_validate(version.definition)
            for schema, version in await active_versions(graph)
        }
        return cls(graph, bus, tables, sync_above)

    async def recompute(self, progress: Progress | None = None) -> TrustReport:
        """Full pass over every active row."""
        clock = _Clock()
        started = datetime.now(UTC)
        rows = await self.read_rows(progress)
        prior = await read_source_trust(self._graph)
        clock.lap("reading")
        index = build_claims(rows, self._tables)
        result = discover(index.claims, prior_trust=_prior(index, prior), detect_copying=False)
        scored = self._score(rows, index, result)
        clock.lap("computing")
        await self._write(rows, index, result, scored, sources=True, facts=True)
        await self._graph.write("trust/retract_stale_facts", {"started_at": started})
        for table in sorted({row.table for row in rows}):
            await self._graph.write(
                "trust/snapshot_table", {"table": table, "low": LOW_TRUST, "high": HIGH_TRUST}
            )
        clock.lap("writing")
        return self._report(rows, index, result, clock, scored)

    async def update_entities(self, entities: Sequence[str], *, facts: bool = True) -> TrustReport:
        """Incremental pass: the rows describing `entities`, with source trust held fixed;
        with `facts`, their resolved facts are written too."""
        clock = _Clock()
        started = datetime.now(UTC)
        rows = await read_entity_rows(self._graph, entities)
        prior = await read_source_trust(self._graph)
        clock.lap("reading")
        index = build_claims(rows, self._tables)
        result = resolve(index.claims, _prior(index, prior))
        scored = self._score(rows, index, result)
        clock.lap("computing")
        await self._write(rows, index, result, scored, sources=False, facts=facts)
        if facts:
            await self._graph.write(
                "trust/retract_entity_facts", {"entities": list(entities), "started_at": started}
            )
        clock.lap("writing")
        return self._report(rows, index, result, clock, scored)

    async def update_document(self, document_id: str, *, facts: bool = True) -> TrustReport:
        """Incremental pass for the entities one document's rows describe."""
        entities = await document_entities(self._graph, document_id)
        return await self.update_entities(entities, facts=facts)

    @property
    def graph(self) -> Graph:
        """The graph the engine reads and writes."""
        return self._graph

    @property
    def tables(self) -> dict[str, TableSchema]:
        """The table definitions the engine compares values with."""
        return self._tables

    async def read_rows(self, progress: Progress | None = None) -> list[RowRecord]:
        """Every active row of an active document, read in pages."""
        return await read_active_rows(self._graph, progress)

    def _score(
        self, rows: Sequence[RowRecord], index: ClaimIndex, result: TruthResult
    ) -> dict[str, dict[str, Any]]:
        """Row id -> trust, propagated part and explanation."""
        source_trust = dict(zip(index.sources, result.source_trust.tolist(), strict=True))
        supporting, contradicting = _support(index, result)
        now = datetime.now(UTC)
        # the same for every row until governance feeds approvals and violations
        governance = signal.governance(
            schema_approved=True, policy_violations=0, approvals=0, rejections=0
        )
        stamps = {name: _stamp_field(table) for name, table in self._tables.items()}
        scored: dict[str, dict[str, Any]] = {}
        for row in rows:
            claims = index.row_claims.get(row.id, [])
            source = index.sources[int(index.claims.source[claims[0]])] if claims else row.source
            reputation = source_trust.get(source, NEUTRAL)
            propagated = (
                float(np.mean(result.value_confidence[index.claims.value[claims]]))
                if claims
                else reputation
            )
            table = self._tables.get(row.table)
            signals = signal.Signals(
                freshness=signal.freshness(
                    _age_days(row, stamps.get(row.table), now), _half_life(table)
                ),
                governance=governance,
                usage=signal.usage(row.reads),
                consistency=signal.consistency(
                    sum(supporting[c] for c in claims), sum(contradicting[c] for c in claims)
                ),
                extraction_quality=signal.extraction_quality(
                    len(row.values), len(table.fields) if table else len(row.values), 0
                ),
                source_reputation=signal.source_reputation(reputation),
            )
            score = combine(signals, propagated)
            scored[row.id] = {
                "id": row.id,
                "trust": score.value,
                "propagated": propagated,
                "explanation": json.dumps(score.contributions, sort_keys=True),
            }
        return scored

    async def _write(
        self,
        rows: Sequence[RowRecord],
        index: ClaimIndex,
        result: TruthResult,
        scored: Mapping[str, dict[str, Any]],
        *,
        sources: bool,
        facts: bool,
    ) -> None:
        await self._graph.write_batches(
            "trust/write_row_trust",
            scored.values(),
            batch_size=WRITE_BATCH,
            params={"mode": "propagated"},
        )
        if sources:
            changes = await self._graph.write(
                "trust/write_source_trust", {"sources": _sources(index, result)}
            )
            await self._publish_changes(changes, "source", "full recompute")
        documents = sorted({row.document for row in rows})
        changes = await self._graph.write("trust/write_document_trust", {"documents": documents})
        await self._publish_changes(changes, "document", "rows rescored")
        if facts:
            await self._graph.write_batches(
                "trust/write_facts",
                _facts(index, result, self._sync_above),
                batch_size=WRITE_BATCH,
                param="facts",
            )

    async def _publish_changes(
        self, changes: Iterable[Mapping[str, Any]], kind: str, reason: str
    ) -> None:
        for change in changes:
            before, after = change["before"], change["after"]
            if before is not None and abs(after - before) < EVENT_THRESHOLD:
                continue
            payload: dict[str, JsonValue] = {
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

    def _report(
        self,
        rows: Sequence[RowRecord],
        index: ClaimIndex,
        result: TruthResult,
        clock: _Clock,
        scored: Mapping[str, dict[str, Any]],
    ) -> TrustReport:
        trusts = [entry["trust"] for entry in scored.values()]
        return TrustReport(
            rows=len(rows),
            mean_trust=float(np.mean(trusts)) if trusts else NEUTRAL,
            items=len(index.items),
            sources=len(index.sources),
            facts=len(index.items),
            iterations=result.iterations,
            converged=result.converged,
            copying=[(index.sources[a], index.sources[b], s) for a, b, s in result.copying],
            seconds_reading=clock.laps.get("reading", 0.0),
            seconds_computing=clock.laps.get("computing", 0.0),
            seconds_writing=clock.laps.get("writing", 0.0),
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


def _prior(index: ClaimIndex, trust: Mapping[str, float]) -> np.ndarray:
    return np.array([trust.get(source, INITIAL_TRUST) for source in index.sources])


def _half_life(table: TableSchema | None) -> float | None:
    return table.freshness_half_life_days if table else None


def _stamp_field(table: TableSchema) -> str | None:
    """The datetime field that says when a row's data was last true (`updated_*`), if any."""
    return next(
        (
            name
            for name, spec in table.fields.items()
            if spec.type is FieldType.DATETIME and name.startswith("updated")
        ),
        None,
    )


def _age_days(row: RowRecord, stamp_field: str | None, now: datetime) -> float:
    """Age of the data: its own `updated_*` datetime if it has one, else its ingestion."""
    value = row.values.get(stamp_field) if stamp_field else None
    stamp = (
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, str)
        else row.ingested_at
    )
    return max((now - stamp).total_seconds() / 86_400, 0.0) if stamp else 0.0


def _support(index: ClaimIndex, result: TruthResult) -> tuple[list[float], list[float]]:
    """Per claim: trust of the other sources claiming the same value, and of those claiming
    other values of the same item."""
    trust = result.source_trust[index.claims.source]
    n_values = len(index.claims.item_of_value)
    per_value = np.bincount(index.claims.value, weights=trust, minlength=n_values)
    item = index.claims.item_of_value
    per_item = np.bincount(item, weights=per_value, minlength=len(index.items))
    same = per_value[index.claims.value] - trust
    other = per_item[item[index.claims.value]] - per_value[index.claims.value]
    return same.tolist(), other.tolist()


def _sources(index: ClaimIndex, result: TruthResult) -> list[dict[str, Any]]:
    copies: dict[str, str] = {index.sources[b]: index.sources[a] for a, b, _ in result.copying}
    return [
        {
            "id": source,
            "kind": "named" if source.startswith(NAMED_SOURCE_PREFIX) else "folder",
            "location": source.removeprefix(NAMED_SOURCE_PREFIX),
            "trust": float(result.source_trust[i]),
            "copies": copies.get(source),
        }
        for i, source in enumerate(index.sources)
    ]


def _facts(
    index: ClaimIndex, result: TruthResult, sync_above: Callable[[str], float]
) -> list[dict[str, Any]]:
    claims = index.claims
    by_value: dict[int, list[int]] = {}
    for claim, value in enumerate(claims.value.tolist()):
        by_value.setdefault(value, []).append(claim)
    by_item: dict[int, list[int]] = {}
    for value, item_id in enumerate(claims.item_of_value.tolist()):
        by_item.setdefault(item_id, []).append(value)
    facts = []
    for item_id, item in enumerate(index.items):
        winner = int(result.winner[item_id])
        if winner < 0:
            continue
        winning = by_value.get(winner, [])
        losing = [c for v in by_item[item_id] if v != winner for c in by_value.get(v, [])]
        supporting = sorted({index.sources[int(claims.source[c])] for c in winning})
        contradicting = sorted(
            {index.sources[int(claims.source[c])] for c in losing} - set(supporting)
        )
        facts.append(
            {
                "id": f"fact:{item.entity}:{item.attribute}",
                "entity": item.entity,
                "table": item.table,
                "key": item.key,
                "attribute": item.attribute,
                "value": json.dumps(index.representatives[winner]),
                "confidence": float(result.value_confidence[winner]),
                "sync_above": sync_above(item.table),
                "supporting": len(supporting),
                "contradicting": len(contradicting),
                "evidence": json.dumps({"supporting": supporting, "contradicting": contradicting}),
                "rows": sorted({row for c in winning for row in index.claim_rows[c]}),
            }
        )
    return facts
