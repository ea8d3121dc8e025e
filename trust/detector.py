"""Finding value conflicts in the graph and keeping their `Conflict` nodes current.

A scan reads the active rows of some entities (or of all), builds their claims with the
values reconciliations rejected included, resolves them with the stored source trust, and
writes one `Conflict` per disagreeing entity attribute (`cypher/conflicts/`). Conflicts of
the scanned entities that no longer disagree are closed. New and reopened conflicts publish
`conflict.detected`, closed ones `conflict.resolved`; all three are audited.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import JsonValue

from governance.audit import AuditEntry, AuditLog
from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.schemas import TableSchema
from trust.claims import RowRecord, build_claims
from trust.conflicts import ClaimedValue, ValueConflict, find_value_conflicts
from trust.rows import (
    Progress,
    read_active_rows,
    read_document_rows,
    read_entity_rows,
    read_source_trust,
)
from trust.truth import INITIAL_TRUST, resolve

log = logging.getLogger(__name__)

ACTOR = "system:detector"
WRITE_BATCH = 2_000


@dataclass(frozen=True)
class DetectionReport:
    """What one scan found and changed."""

    entities: int
    rows: int
    conflicts: int
    new: int
    reopened: int
    closed: int

    def __add__(self, other: DetectionReport) -> DetectionReport:
        return DetectionReport(
            self.entities + other.entities,
            self.rows + other.rows,
            self.conflicts + other.conflicts,
            self.new + other.new,
            self.reopened + other.reopened,
            self.closed + other.closed,
        )


class ConflictDetector:
    """Keeps the value conflicts of the graph in step with its rows."""

    def __init__(
        self, graph: Graph, bus: EventBus, audit: AuditLog, tables: Mapping[str, TableSchema]
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._audit = audit
        self._tables = dict(tables)

    async def scan_document(self, document_id: str) -> DetectionReport:
        """Incremental scan: the entities one document's rows describe, and its file's versions."""
        entities, rows = await read_document_rows(self._graph, document_id)
        report = (
            await self._scan(rows, entities=entities)
            if entities
            else DetectionReport(0, 0, 0, 0, 0, 0)
        )
        files = await self._graph.read("conflicts/document_file", {"document_id": document_id})
        if not files:
            return report
        versions = await self.scan_versions(files[0]["source"], files[0]["path"])
        return report + versions

    async def scan_versions(
        self, source: str | None = None, path: str | None = None
    ) -> DetectionReport:
        """Version conflicts: several active versions of one file (of `source` and `path`
        only, when given) or of one table schema (full scans only)."""
        seen_at = datetime.now(UTC)
        anomalies = await self._graph.read(
            "conflicts/version_anomalies", {"source": source, "path": path}
        )
        written = await self._graph.write(
            "conflicts/upsert_version_conflicts",
            {"conflicts": [_version_params(a) for a in anomalies], "seen_at": seen_at},
        )
        entity = f"{source}:{path}" if path is not None else None
        closed = await self._graph.write(
            "conflicts/close_vanished_versions", {"seen_at": seen_at, "entity": entity}
        )
        new = [record for record in written if record["created"]]
        reopened = [record for record in written if record["reopened"]]
        await self._announce(new, reopened, closed, kind="version")
        return DetectionReport(0, 0, len(anomalies), len(new), len(reopened), len(closed))

    async def scan_entities(self, entities: Sequence[str]) -> DetectionReport:
        """Scan the rows that describe `entities` (ids `table:key`)."""
        if not entities:
            return DetectionReport(0, 0, 0, 0, 0, 0)
        rows = await read_entity_rows(self._graph, entities)
        return await self._scan(rows, entities=list(entities))

    async def scan_all(self, progress: Progress | None = None) -> DetectionReport:
        """Full scan of every active row, and of every file's and table's versions."""
        rows = await read_active_rows(self._graph, progress)
        return await self._scan(rows, entities=None) + await self.scan_versions()

    async def findings(self, entities: Sequence[str]) -> list[ValueConflict]:
        """The value conflicts among the rows of `entities`, without writing anything."""
        rows = await read_entity_rows(self._graph, entities)
        return await self._find(rows)

    async def _find(self, rows: Sequence[RowRecord]) -> list[ValueConflict]:
        return self.find_in(rows, await read_source_trust(self._graph))

    def find_in(
        self, rows: Sequence[RowRecord], source_trust: Mapping[str, float]
    ) -> list[ValueConflict]:
        """The value conflicts among `rows` (values reconciliations rejected included),
        resolved with `source_trust`; reads nothing."""
        index = build_claims(rows, self._tables, include_rejected=True)
        prior = [source_trust.get(source, INITIAL_TRUST) for source in index.sources]
        return find_value_conflicts(index, resolve(index.claims, np.array(prior, dtype=np.float64)))

    async def _scan(self, rows: Sequence[RowRecord], entities: list[str] | None) -> DetectionReport:
        report, _ = await self.record(rows, await self._find(rows), entities)
        return report

    async def record(
        self, rows: Sequence[RowRecord], found: Sequence[ValueConflict], entities: list[str] | None
    ) -> tuple[DetectionReport, set[str]]:
        """Write the conflicts `found` among `rows` and close the vanished ones of
        `entities` (of all, if None); returns the report and the ids of the found conflicts
        open now (a decided conflict stays decided unless its rows or values changed)."""
        seen_at = datetime.now(UTC)
        written = await self._write(found, seen_at)
        closed = await self._graph.write(
            "conflicts/close_vanished", {"seen_at": seen_at, "entities": entities}
        )
        new = [record for record in written if record["created"]]
        reopened = [record for record in written if record["reopened"]]
        await self._announce(new, reopened, closed, kind="value")
        open_now = {
            record["id"]
            for record in written
            if record["created"] or record["reopened"] or record["previous"] == "open"
        }
        report = DetectionReport(
            entities=len({(row.table, row.key) for row in rows}),
            rows=len(rows),
            conflicts=len(found),
            new=len(new),
            reopened=len(reopened),
            closed=len(closed),
        )
        return report, open_now

    async def _write(
        self, found: Sequence[ValueConflict], seen_at: datetime
    ) -> list[dict[str, Any]]:
        written: list[dict[str, Any]] = []
        for start in range(0, len(found), WRITE_BATCH):
            batch = [conflict_params(c) for c in found[start : start + WRITE_BATCH]]
            written += await self._graph.write(
                "conflicts/upsert_value_conflicts", {"conflicts": batch, "seen_at": seen_at}
            )
        return written

    async def _announce(
        self,
        new: Iterable[Mapping[str, Any]],
        reopened: Iterable[Mapping[str, Any]],
        closed: Iterable[Mapping[str, Any]],
        *,
        kind: str,
    ) -> None:
        entries: list[AuditEntry] = []
        events: list[DomainEvent] = []
        for action, records, event_type in (
            ("conflict.detect", new, EventType.CONFLICT_DETECTED),
            ("conflict.reopen", reopened, EventType.CONFLICT_DETECTED),
            ("conflict.close", closed, EventType.CONFLICT_RESOLVED),
        ):
            for record in records:
                after: JsonValue = {"status": "resolved" if action == "conflict.close" else "open"}
                entries.append(AuditEntry(ACTOR, action, record["id"], None, after))
                events.append(_event(event_type, record, action, kind))
        if entries:
            await self._audit.append(entries)
        await publish_all(self._bus, events)


async def publish_all(bus: EventBus, events: Iterable[DomainEvent]) -> None:
    """Publish events; a Redis outage is logged, never fails the change already written."""
    for event in events:
        try:
            await bus.publish(event)
        except EventBusError as error:
            log.warning("%s for %s not published: %s", event.type, event.subject, error)


def _event(event_type: EventType, record: Mapping[str, Any], action: str, kind: str) -> DomainEvent:
    payload: dict[str, JsonValue] = {
        "table": record["table"],
        "entity": record["entity"],
        "attribute": record["attribute"],
        "score": record["score"],
        "kind": kind,
        "reason": action,
    }
    return DomainEvent(type=event_type, subject=record["id"], payload=payload)


def conflict_params(conflict: ValueConflict) -> dict[str, Any]:
    """What the graph stores of a value conflict (`conflicts/upsert_value_conflicts`)."""
    item = conflict.item
    values = (conflict.winner, *conflict.losers)
    return {
        "id": conflict.id,
        "table": item.table,
        "key": item.key,
        "entity": item.entity,
        "attribute": item.attribute,
        "confidence": conflict.confidence,
        "fingerprint": conflict.fingerprint,
        "claims": json.dumps([_claimed_json(v) for v in values], sort_keys=True),
        "suggestion": json.dumps(suggestion(conflict), sort_keys=True),
        "rows": sorted({row for value in values for row in value.rows}),
        "edges": [
            {
                "loser": loser,
                "winner": winner,
                "evidence": json.dumps(_evidence(conflict, loser), sort_keys=True),
            }
            for loser, winner in conflict.edges()
        ],
    }


def _version_params(anomaly: Mapping[str, Any]) -> dict[str, Any]:
    members = sorted(zip(anomaly["numbers"], anomaly["members"], strict=True))
    newest_number, newest = members[-1]
    claims = [{"version": number, "id": member} for number, member in members]
    return {
        "id": anomaly["id"],
        "subject": anomaly["subject"],
        "name": anomaly["name"],
        "table": anomaly["name"] if anomaly["subject"] == "schema" else None,
        "members": [member for _, member in members],
        "fingerprint": hashlib.sha256(json.dumps(claims).encode("utf-8")).hexdigest(),
        "claims": json.dumps(claims),
        "suggestion": json.dumps(
            {
                "value": newest_number,
                "keep": newest,
                "why": f"{len(members)} versions of one {anomaly['subject']} are active; "
                f"the newest is version {newest_number}",
            }
        ),
    }


def suggestion(conflict: ValueConflict) -> dict[str, JsonValue]:
    """The reconciliation Grace suggests: the winning value, its evidence, what would change."""
    return {
        "value": conflict.winner.value,
        "confidence": conflict.confidence,
        "supporting_sources": list(conflict.winner.sources),
        "supporting_rows": list(conflict.winner.rows),
        "contradicting_sources": [*sorted({s for v in conflict.losers for s in v.sources})],
        "would_reject": list(conflict.losing_rows),
        "why": (  # without the value: it may be personal, shown only to whom may read it
            f"{len(conflict.winner.sources)} source(s) assert the suggested value "
            f"with confidence {conflict.confidence:.2f}; "
            f"{len(conflict.losing_rows)} row(s) disagree"
        ),
    }


def _claimed_json(value: ClaimedValue) -> dict[str, JsonValue]:
    return {
        "value": value.value,
        "confidence": value.confidence,
        "rows": list(value.rows),
        "sources": list(value.sources),
    }


def _evidence(conflict: ValueConflict, loser: str) -> dict[str, JsonValue]:
    losing = next(v for v in conflict.losers if loser in v.rows)
    return {
        "value": losing.value,
        "value_sources": list(losing.sources),
        "winning_value": conflict.winner.value,
        "winning_sources": list(conflict.winner.sources),
    }
