"""Self-healing: quarantine, reconciliation and their reversals, each audited.

- `quarantine_low_trust` quarantines the active rows of some entities whose trust is under
  their table's threshold (policy); `quarantine` / `release` do it by hand. A quarantined row
  stays in the graph, visible to reviewers, and counts for nothing in resolution; a released
  row is exempt from automatic quarantine (a person vouched for it).
- `reconcile` resolves an open value conflict: the chosen value's rows keep the attribute,
  the others have it rejected (again nothing is deleted). `auto_reconcile` does it for the
  conflicts whose winning value is more confident than the table's `auto_resolve_above`;
  below that a person decides. `reopen` undoes a decision, `dismiss` closes a conflict
  without touching rows.
After every change the affected entities are rescored, so facts follow at once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import JsonValue

from governance.audit import AuditEntry, AuditLog
from governance.policy import PolicySet
from graph.errors import GraceError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph, GraphTransaction, Record
from trust.aggregate_shift import moved_rows, shift_table_trust
from trust.conflicts import ValueConflict
from trust.detector import ConflictDetector, publish_all, suggestion
from trust.engine import TrustEngine
from trust.lowest_rows import scored_candidates

SYSTEM = "system:healer"


class ConflictStateError(GraceError):
    """A conflict is not in the state the action needs (or changed meanwhile)."""

    code = "conflict_state"

    def __init__(self, conflict_id: str, needed: str) -> None:
        self.conflict_id = conflict_id
        self.needed = needed
        super().__init__(f"conflict {conflict_id!r} is not {needed} (or changed meanwhile)")


class UnknownChoiceError(GraceError):
    """A reviewer chose a row that takes no part in the conflict."""

    code = "unknown_choice"

    def __init__(self, conflict_id: str, row_id: str) -> None:
        self.conflict_id = conflict_id
        self.row_id = row_id
        super().__init__(f"row {row_id!r} takes no part in conflict {conflict_id!r}")


@dataclass(frozen=True)
class Reconciled:
    """What `reconcile_found` decided: the conflicts resolved, the ids left to a person."""

    reconciled: list[ValueConflict]
    left: list[str]


@dataclass(frozen=True)
class HealReport:
    """What one healing pass changed."""

    quarantined: list[str]
    reconciled: list[str]
    left_for_review: list[str]


def low_trust_reason(trust: float, threshold: float) -> str:
    """Why a row was quarantined for its trust."""
    return f"trust {trust:.2f} under {threshold:.2f}"


async def _change_status(
    name: str, params: Mapping[str, Any], tx: GraphTransaction, *, leaving: bool
) -> list[Record]:
    """Run `name` (`rows/quarantine` or `rows/release`) and move the stored trust aggregates
    by the rows it took out of (`leaving`) or put back into the active set, in `tx`."""
    changed = await tx.run(name, params)
    moved = moved_rows(changed)
    if leaving:
        await shift_table_trust(tx, moved, [])
    else:
        await shift_table_trust(tx, [], moved, scored_candidates(changed))
    return changed


class Healer:
    """Applies and reverses healing actions over one graph."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        audit: AuditLog,
        policies: PolicySet,
        trust: TrustEngine,
        detector: ConflictDetector,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._audit = audit
        self._policies = policies
        self._trust = trust
        self._detector = detector

    async def heal_entities(self, entities: Sequence[str]) -> HealReport:
        """Quarantine low-trust rows, then reconcile what policy lets Grace decide alone."""
        quarantined = await self.quarantine_low_trust(entities)
        if quarantined:  # conflicts whose dissenting rows left resolution may have closed
            await self._detector.scan_entities(entities)
        reconciled, left = await self.auto_reconcile(entities)
        return HealReport(quarantined, reconciled, left)

    async def quarantine_low_trust(self, entities: Sequence[str]) -> list[str]:
        """Quarantine the active rows of `entities` under their table's trust threshold."""
        thresholds = {
            table: self._policies.thresholds(table).quarantine_below for table in self._trust.tables
        }
        records = await self._graph.read(
            "rows/low_trust",
            {
                "entities": list(entities),
                "thresholds": thresholds,
                "default_threshold": self._policies.thresholds("").quarantine_below,
            },
        )
        reasons = {
            r["id"]: low_trust_reason(r["trust"], thresholds.get(r["table"], 0)) for r in records
        }
        return await self.quarantine(reasons, actor=SYSTEM)

    async def quarantine(
        self, reasons: Mapping[str, str], *, actor: str, rescore: bool = True
    ) -> list[str]:
        """Quarantine rows (id -> reason); returns those that were active. Without
        `rescore`, their entities are left for the caller to rescore."""
        if not reasons:
            return []
        params = {"rows": [{"id": i, "reason": r} for i, r in reasons.items()], "actor": actor}
        changed = await self._graph.transaction(
            partial(_change_status, "rows/quarantine", params, leaving=True)
        )
        await self._after_rows(
            changed, "row.quarantine", actor, EventType.ROW_QUARANTINED, rescore=rescore
        )
        return [record["id"] for record in changed]

    async def release(self, row_ids: Sequence[str], *, actor: str) -> list[str]:
        """Release quarantined rows; returns those that were quarantined."""
        params = {"rows": list(row_ids), "actor": actor}
        changed = await self._graph.transaction(
            partial(_change_status, "rows/release", params, leaving=False)
        )
        await self._after_rows(changed, "row.release", actor, EventType.ROW_RELEASED)
        return [record["id"] for record in changed]

    async def auto_reconcile(self, entities: Sequence[str]) -> tuple[list[str], list[str]]:
        """Reconcile the open conflicts of `entities` that policy lets Grace decide alone;
        returns (reconciled, left for review)."""
        records = await self._graph.read("conflicts/open_of_entities", {"entities": list(entities)})
        open_ids = {record["id"] for record in records}
        found = await self._detector.findings(entities)
        decided = await self.reconcile_found(found, open_ids)
        return [c.id for c in decided.reconciled], decided.left

    async def reconcile_found(
        self, found: Sequence[ValueConflict], open_ids: Collection[str], *, rescore: bool = True
    ) -> Reconciled:
        """Reconcile the conflicts of `found` open now (`open_ids`) that policy lets Grace
        decide alone; without `rescore` their entities are left for the caller to rescore."""
        reconciled: list[ValueConflict] = []
        left: list[str] = []
        for conflict in found:
            if conflict.id not in open_ids:
                continue
            limit = self._policies.thresholds(conflict.item.table).auto_resolve_above
            if conflict.confidence <= limit:  # strictly above: 1.0 means never
                left.append(conflict.id)
                continue
            chosen = conflict.winner.rows[0]
            try:
                await self._apply(conflict, chosen, actor=SYSTEM, note="", rescore=rescore)
            except ConflictStateError:  # changed since it was detected: a person decides
                left.append(conflict.id)
            else:
                reconciled.append(conflict)
        return Reconciled(reconciled, left)

    async def reconcile(
        self, conflict_id: str, *, actor: str, choose_row: str | None = None, note: str = ""
    ) -> ValueConflict:
        """Resolve an open value conflict for the suggested value, or for `choose_row`'s."""
        conflict = await self._current(conflict_id)
        chosen = choose_row or conflict.winner.rows[0]
        if chosen not in {row for v in (conflict.winner, *conflict.losers) for row in v.rows}:
            raise UnknownChoiceError(conflict_id, chosen)
        await self._apply(conflict, chosen, actor=actor, note=note)
        return conflict

    async def dismiss(self, conflict_id: str, *, actor: str, note: str = "") -> None:
        """Close an open conflict as not worth acting on; no row changes."""
        resolution = json.dumps({"dismissed": True, "note": note})
        records = await self._graph.write(
            "conflicts/dismiss", {"id": conflict_id, "actor": actor, "resolution": resolution}
        )
        if not records:
            raise ConflictStateError(conflict_id, "open")
        await self._audit.append(
            [AuditEntry(actor, "conflict.dismiss", conflict_id, {"status": "open"}, resolution)]
        )
        await self._resolved_event(conflict_id, records[0], "dismissed", actor)

    async def reopen(self, conflict_id: str, *, actor: str) -> list[str]:
        """Undo a reconciliation or dismissal; returns the rows whose attribute came back."""
        records = await self._graph.write("conflicts/reopen", {"id": conflict_id, "actor": actor})
        if not records:
            raise ConflictStateError(conflict_id, "resolved or dismissed")
        [record] = records
        await self._audit.append(
            [
                AuditEntry(
                    actor,
                    "conflict.reopen",
                    conflict_id,
                    {"status": record["previous"], "resolution": record["resolution"]},
                    {"status": "open", "restored": record["restored"]},
                )
            ]
        )
        await self._trust.update_entities([record["entity"]])
        await publish_all(
            self._bus,
            [
                DomainEvent(
                    type=EventType.CONFLICT_DETECTED,
                    subject=conflict_id,
                    payload={
                        "table": record["table"],
                        "entity": record["entity"],
                        "reason": "conflict.reopen",
                    },
                )
            ],
        )
        return list(record["restored"])

    async def _apply(
        self, conflict: ValueConflict, chosen: str, *, actor: str, note: str, rescore: bool = True
    ) -> None:
        values = (conflict.winner, *conflict.losers)
        winning = next(v for v in values if chosen in v.rows)
        losing = sorted({row for v in values if v is not winning for row in v.rows})
        resolution: dict[str, JsonValue] = {
            "value": winning.value,
            "rows": list(winning.rows),
            "rejected_rows": [*losing],
            "suggested": winning is conflict.winner,
            "confidence": winning.confidence,
            "note": note,
        }
        records = await self._graph.write(
            "conflicts/apply_resolution",
            {
                "id": conflict.id,
                "fingerprint": conflict.fingerprint,
                "resolution": json.dumps(resolution, sort_keys=True),
                "actor": actor,
                "losing": losing,
                "winning": list(winning.rows),
            },
        )
        if not records:
            raise ConflictStateError(conflict.id, "open")
        await self._audit.append(
            [
                AuditEntry(
                    actor,
                    "conflict.reconcile",
                    conflict.id,
                    {"status": "open", "suggestion": suggestion(conflict)},
                    {"status": "resolved", **resolution},
                )
            ]
        )
        if rescore:
            await self._trust.update_entities([conflict.item.entity])
        item = conflict.item
        await self._resolved_event(
            conflict.id, {"table": item.table, "entity": item.entity}, "reconciled", actor
        )

    async def _current(self, conflict_id: str) -> ValueConflict:
        records = await self._graph.read("conflicts/get", {"id": conflict_id})
        if not records or records[0]["conflict"]["status"] != "open":
            raise ConflictStateError(conflict_id, "open")
        entity = records[0]["conflict"]["entity"]
        found = {c.id: c for c in await self._detector.findings([entity])}
        if conflict_id not in found:
            raise ConflictStateError(conflict_id, "an open disagreement")
        return found[conflict_id]

    async def _after_rows(
        self,
        changed: Sequence[Mapping[str, Any]],
        action: str,
        actor: str,
        event_type: EventType,
        *,
        rescore: bool = True,
    ) -> None:
        if not changed:
            return
        status = "quarantined" if action == "row.quarantine" else "active"
        before = "active" if status == "quarantined" else "quarantined"
        await self._audit.append(
            [
                AuditEntry(actor, action, r["id"], {"status": before}, {"status": status})
                for r in changed
            ]
        )
        entities = sorted({r["entity"] for r in changed if r["entity"]})
        if entities and rescore:
            await self._trust.update_entities(entities)
        await publish_all(
            self._bus,
            [
                DomainEvent(
                    type=event_type,
                    subject=r["id"],
                    payload={"table": r["table"], "entity": r["entity"], "actor": actor},
                )
                for r in changed
            ],
        )

    async def _resolved_event(
        self, conflict_id: str, about: Mapping[str, Any], how: str, actor: str
    ) -> None:
        """`conflict.resolved`, naming the conflict's table and entity (`about`)."""
        await publish_all(
            self._bus,
            [
                DomainEvent(
                    type=EventType.CONFLICT_RESOLVED,
                    subject=conflict_id,
                    payload={
                        "table": about["table"],
                        "entity": about["entity"],
                        "reason": how,
                        "actor": actor,
                    },
                )
            ],
        )
