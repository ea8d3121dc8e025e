"""People's decisions about rows, read from the graph as `learning.Decision`s.

- A value conflict a person resolved (`Conflict.resolved_by` "user:..."): the rows of the
  chosen value are confirmed, the rows whose value was rejected are not.
- A row a person released from quarantine is confirmed; a row a person quarantined is not
  (when both happened, the later decides).
- A change request about a row that people approved is a confirmation, one they rejected is
  not. (The change kinds Grace ships today target schemas and policies, not rows.)

A decision's features are the row's signals and propagated score when the person decided.
The engine stores what they are read from on every row it scores (`trust_features`, read with
the time of the last full pass: `trust.features`); for a resolved conflict it keeps them on
the Conflict before the rows are rescored (`freeze_decisions`, with the time then), because
the rescoring after a resolution reflects the resolution itself. Rows scored before signals
were stored have no features and are left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from graph.graph import Graph
from trust.features import LEGACY_COUNT, STORED_COUNT, read_features
from trust.learning import Decision, Features
from trust.signals import Signal, Signals

PERSON = "user:"
"""Actors that are people; `system:...` actors (automatic healing) teach the model nothing."""

APPROVED = frozenset({"approved", "applied", "apply_failed"})
REJECTED = "rejected"


class DecisionKind(StrEnum):
    """Where a decision comes from."""

    CONFLICT = "conflict"
    RELEASE = "release"
    QUARANTINE = "quarantine"
    CHANGE_REQUEST = "change_request"


@dataclass(frozen=True)
class RecordedDecision:
    """One person's verdict on one row, with what it came from."""

    kind: DecisionKind
    subject: str
    """The conflict, row or change request the decision was made on."""
    row: str
    decision: Decision


@dataclass(frozen=True)
class DecisionLog:
    """Every decision with features, and how many were left out for lack of them."""

    decisions: list[RecordedDecision]
    without_features: int

    def counts(self) -> dict[DecisionKind, int]:
        """Decisions by kind."""
        counts = dict.fromkeys(DecisionKind, 0)
        for recorded in self.decisions:
            counts[recorded.kind] += 1
        return counts


Parsed = list[RecordedDecision | None]
"""Decisions of one record; None for a decision whose row has no features."""


async def read_decisions(graph: Graph) -> DecisionLog:
    """Every recorded decision of people about rows."""
    conflicts = await graph.read_plain("trust/conflict_decisions")
    rows = await graph.read_plain("trust/row_decisions")
    requests = await graph.read_plain("trust/change_request_decisions")
    found: list[RecordedDecision] = []
    missing = 0
    for parsed in (
        *(conflict_decisions(record) for record in conflicts),
        *(row_decision(record) for record in rows),
        *(change_request_decision(record) for record in requests),
    ):
        for candidate in parsed:
            if isinstance(candidate, RecordedDecision):
                found.append(candidate)
            else:
                missing += 1
    return DecisionLog(found, missing)


def conflict_decisions(record: Mapping[str, Any]) -> Parsed:
    """The decisions of one resolved conflict (a `conflict_decisions` record)."""
    resolution = json.loads(record["resolution"] or "{}")
    kept = _kept_features(record["kept_rows"], record["kept_features"], record["kept_clock"])
    now = {row_id: features(stored, record["clock"]) for row_id, stored in record["rows"]}
    verdicts: list[tuple[str, Literal[0, 1]]] = [
        *((row_id, 1) for row_id in resolution.get("rows", [])),
        *((row_id, 0) for row_id in resolution.get("rejected_rows", [])),
    ]
    return [
        _recorded(
            DecisionKind.CONFLICT, record["id"], row_id, kept.get(row_id) or now.get(row_id), label
        )
        for row_id, label in verdicts
    ]


def row_decision(record: Mapping[str, Any]) -> Parsed:
    """The decision on one row a person quarantined or released (a `row_decisions` record):
    the later of the two, counting only people's."""
    released = _by_person(record["released_by"], record["released_at"])
    quarantined = _by_person(record["quarantined_by"], record["quarantined_at"])
    if released is None and quarantined is None:
        return []
    confirmed = quarantined is None or (released is not None and released > quarantined)
    kind = DecisionKind.RELEASE if confirmed else DecisionKind.QUARANTINE
    row_features = features(record["features"], record["clock"])
    return [_recorded(kind, record["id"], record["id"], row_features, 1 if confirmed else 0)]


def change_request_decision(record: Mapping[str, Any]) -> Parsed:
    """The decision of one change request about a row (a `change_request_decisions` record)."""
    if record["status"] not in APPROVED and record["status"] != REJECTED:
        return []
    label: Literal[0, 1] = 1 if record["status"] in APPROVED else 0
    row_features = features(record["features"], record["clock"])
    return [
        _recorded(DecisionKind.CHANGE_REQUEST, record["id"], record["row"], row_features, label)
    ]


def features(stored: Sequence[float] | None, clock: float | None) -> Features | None:
    """A row's features from its stored list (`trust_features`) read with the time of the
    full pass then (`clock`, `trust.features`); None when it has not been scored with
    signals."""
    read = read_features(stored, clock)
    if read is None:
        return None
    signals, propagated = read
    return Features(
        signals=Signals(**{s.value: v for s, v in zip(Signal, signals, strict=True)}),
        propagated=propagated,
    )


def _kept_features(
    rows: Sequence[str], flat: Sequence[float], clock: float | None
) -> dict[str, Features | None]:
    """The features `freeze_decisions` kept: each row's stored list, one after the other,
    all of one layout (rows of both, kept while a store moved to the new one, are left out)."""
    count = next((n for n in (STORED_COUNT, LEGACY_COUNT) if len(flat) == n * len(rows)), 0)
    return {
        row_id: features(flat[i * count : (i + 1) * count], clock)
        for i, row_id in enumerate(rows)
        if count
    }


def _by_person(actor: str | None, at: int | None) -> int | None:
    return at if actor is not None and actor.startswith(PERSON) and at is not None else None


def _recorded(
    kind: DecisionKind, subject: str, row: str, row_features: Features | None, label: Literal[0, 1]
) -> RecordedDecision | None:
    if row_features is None:
        return None
    return RecordedDecision(kind, subject, row, Decision(features=row_features, label=label))
