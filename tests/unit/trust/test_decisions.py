from __future__ import annotations

import json

from trust.decisions import (
    DecisionKind,
    RecordedDecision,
    change_request_decision,
    conflict_decisions,
    features,
    row_decision,
)
from trust.learning import FEATURE_NAMES
from trust.signals import Signal

SIGNALS = [0.5, 0.5, 0.1, 0.8, 1.0, 0.7]
CLOCK = 1_000_000.0
"""The time of the last full pass."""
DAY = 86_400.0


def _stored(signals: list[float], propagated: float, scored_at: float = 0.0) -> list[float]:
    """A stored list (`trust.features`) whose freshness is `signals[0]`, one of 1, 0.5 and
    0.25: a table with a half-life of one day, aged 0, 1 or 2 days at `scored_at` (0: the
    clock)."""
    days = {1.0: 0.0, 0.5: 1.0, 0.25: 2.0}[signals[0]]
    at = scored_at or CLOCK
    return [*signals[1:], propagated, at - days * DAY, 1.0, scored_at]


def _features(decision: RecordedDecision | None) -> list[float]:
    assert decision is not None
    values = decision.decision.features.by_name()
    return [values[name] for name in FEATURE_NAMES]


def test_stored_signals_become_the_features_in_model_order() -> None:
    found = features(_stored(SIGNALS, 0.6), CLOCK)
    assert found is not None
    expected: dict[str, float] = {s.value: v for s, v in zip(Signal, SIGNALS, strict=True)}
    assert found.by_name() == {**expected, "propagated": 0.6}
    assert features(None, CLOCK) is None  # scored before signals were stored
    assert features(SIGNALS[:5], CLOCK) is None
    assert features(_stored(SIGNALS, 0.6), None) is None  # a full pass's, without its time


def test_a_resolved_conflict_confirms_the_chosen_rows_and_rejects_the_others() -> None:
    other = [0.25, *[0.1] * 5]
    kept = [*_stored(SIGNALS, 0.9), *_stored(other, 0.2)]  # each row's stored list
    record = {
        "id": "conflict:value:cities:lyon:population",
        "resolution": json.dumps({"rows": ["r1", "r2"], "rejected_rows": ["r3"]}),
        "kept_rows": ["r1", "r3"],
        "kept_features": kept,
        "kept_clock": CLOCK,
        "rows": [["r1", _stored([1.0] * 6, 0.0)], ["r2", _stored(SIGNALS, 0.4)], ["r3", None]],
        "clock": CLOCK + DAY,  # a full pass since: the kept features are read at the time kept
    }
    decisions = conflict_decisions(record)
    assert [(d.row, d.decision.label, d.kind) for d in decisions if d] == [
        ("r1", 1, DecisionKind.CONFLICT),
        ("r2", 1, DecisionKind.CONFLICT),
        ("r3", 0, DecisionKind.CONFLICT),
    ]
    # the features kept when the person decided win over those stored on the rows now
    assert _features(decisions[0]) == [*SIGNALS, 0.9]
    assert _features(decisions[2]) == [*other, 0.2]
    # nothing kept: the row's own, its freshness read at the last full pass
    assert _features(decisions[1]) == [0.25, *SIGNALS[1:], 0.4]


def test_features_kept_in_the_older_layout_are_read_and_a_mix_of_layouts_left_out() -> None:
    legacy = [*SIGNALS, 0.9]  # seven numbers: freshness stored
    record = {
        "id": "c",
        "resolution": json.dumps({"rows": ["r1"], "rejected_rows": ["r2"]}),
        "kept_rows": ["r1", "r2"],
        "kept_features": [*legacy, *legacy],
        "kept_clock": None,
        "rows": [["r1", None], ["r2", None]],
        "clock": CLOCK,
    }
    assert [_features(d) for d in conflict_decisions(record)] == [legacy, legacy]
    mixed = {**record, "kept_features": [*legacy, *_stored(SIGNALS, 0.9)]}
    assert conflict_decisions(mixed) == [None, None]


def test_a_conflict_row_without_features_is_left_out() -> None:
    record = {
        "id": "c",
        "resolution": json.dumps({"rows": ["r1"], "rejected_rows": ["r2"]}),
        "kept_rows": [],
        "kept_features": [],
        "kept_clock": None,
        "rows": [["r1", _stored(SIGNALS, 0.5)], ["r2", None]],
        "clock": CLOCK,
    }
    assert [d is None for d in conflict_decisions(record)] == [False, True]


def _row(**fields: object) -> dict[str, object]:
    base = {
        "id": "r1",
        "quarantined_by": None,
        "quarantined_at": None,
        "released_by": None,
        "released_at": None,
        "features": _stored(SIGNALS, 0.5, scored_at=CLOCK - DAY),  # pinned: read then
        "clock": CLOCK,
    }
    return {**base, **fields}


def test_the_later_of_a_persons_quarantine_and_release_decides() -> None:
    quarantined = row_decision(_row(quarantined_by="user:ada", quarantined_at=100))
    assert [(d.kind, d.decision.label) for d in quarantined if d] == [(DecisionKind.QUARANTINE, 0)]
    released = row_decision(
        _row(quarantined_by="user:ada", quarantined_at=100, released_by="user:bob", released_at=200)
    )
    assert [(d.kind, d.decision.label) for d in released if d] == [(DecisionKind.RELEASE, 1)]
    again = row_decision(
        _row(quarantined_by="user:ada", quarantined_at=300, released_by="user:bob", released_at=200)
    )
    assert [(d.kind, d.decision.label) for d in again if d] == [(DecisionKind.QUARANTINE, 0)]


def test_automatic_actions_are_no_decisions() -> None:
    assert row_decision(_row(quarantined_by="system:healer", quarantined_at=100)) == []
    released = row_decision(
        _row(
            quarantined_by="system:healer",
            quarantined_at=100,
            released_by="user:bob",
            released_at=50,
        )
    )
    assert [(d.kind, d.decision.label) for d in released if d] == [(DecisionKind.RELEASE, 1)]


def test_approved_and_rejected_change_requests_about_a_row_are_decisions() -> None:
    def request(status: str) -> dict[str, object]:
        return {
            "id": "cr1",
            "status": status,
            "row": "r9",
            "features": _stored(SIGNALS, 0.3),
            "clock": CLOCK,
        }

    assert [d.decision.label for d in change_request_decision(request("applied")) if d] == [1]
    assert [d.decision.label for d in change_request_decision(request("approved")) if d] == [1]
    assert [d.decision.label for d in change_request_decision(request("rejected")) if d] == [0]
    assert change_request_decision(request("open")) == []
    assert change_request_decision(request("expired")) == []
    [decision] = change_request_decision(request("rejected"))
    assert decision is not None
    assert (decision.kind, decision.subject, decision.row) == (
        DecisionKind.CHANGE_REQUEST,
        "cr1",
        "r9",
    )
