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

SIGNALS = [0.9, 0.5, 0.1, 0.8, 1.0, 0.7]


def _features(decision: RecordedDecision | None) -> list[float]:
    assert decision is not None
    values = decision.decision.features.by_name()
    return [values[name] for name in FEATURE_NAMES]


def test_stored_signals_become_the_features_in_model_order() -> None:
    found = features(SIGNALS, 0.6)
    assert found is not None
    expected: dict[str, float] = {s.value: v for s, v in zip(Signal, SIGNALS, strict=True)}
    assert found.by_name() == {**expected, "propagated": 0.6}
    assert features(None, 0.6) is None  # scored before signals were stored
    assert features(SIGNALS[:5], 0.6) is None
    assert features(SIGNALS, None) is None


def test_a_resolved_conflict_confirms_the_chosen_rows_and_rejects_the_others() -> None:
    kept = [*SIGNALS, 0.9, *[0.1] * 6, 0.2]  # seven numbers per kept row
    record = {
        "id": "conflict:value:cities:lyon:population",
        "resolution": json.dumps({"rows": ["r1", "r2"], "rejected_rows": ["r3"]}),
        "kept_rows": ["r1", "r3"],
        "kept_features": kept,
        "rows": [["r1", [0.0] * 6, 0.0], ["r2", SIGNALS, 0.4], ["r3", [0.0] * 6, 0.0]],
    }
    decisions = conflict_decisions(record)
    assert [(d.row, d.decision.label, d.kind) for d in decisions if d] == [
        ("r1", 1, DecisionKind.CONFLICT),
        ("r2", 1, DecisionKind.CONFLICT),
        ("r3", 0, DecisionKind.CONFLICT),
    ]
    # the features kept when the person decided win over those stored on the rows now
    assert _features(decisions[0]) == [*SIGNALS, 0.9]
    assert _features(decisions[2]) == [*[0.1] * 6, 0.2]
    assert _features(decisions[1]) == [*SIGNALS, 0.4]  # nothing kept: the row's own


def test_a_conflict_row_without_features_is_left_out() -> None:
    record = {
        "id": "c",
        "resolution": json.dumps({"rows": ["r1"], "rejected_rows": ["r2"]}),
        "kept_rows": [],
        "kept_features": [],
        "rows": [["r1", SIGNALS, 0.5], ["r2", None, None]],
    }
    assert [d is None for d in conflict_decisions(record)] == [False, True]


def _row(**fields: object) -> dict[str, object]:
    base = {
        "id": "r1",
        "quarantined_by": None,
        "quarantined_at": None,
        "released_by": None,
        "released_at": None,
        "signals": SIGNALS,
        "propagated": 0.5,
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
        return {"id": "cr1", "status": status, "row": "r9", "signals": SIGNALS, "propagated": 0.3}

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
