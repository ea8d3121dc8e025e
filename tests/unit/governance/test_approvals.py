"""The pure parts of approvals: stage progress, mentions, parsing stored requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from governance.approvals import ChangeRequestRecord, Stage, actor_of, after_approval
from governance.comments import mentions
from governance.policy import ApprovalRule
from governance.rbac import Role
from graph.model import ReviewStatus

NOW = datetime(2025, 1, 1, 12, tzinfo=UTC)


def request(stages: list[Stage], stage: int = 0, approvals: int = 0) -> ChangeRequestRecord:
    current = stages[stage]
    votes: list[dict[str, Any]] = [
        {"user": f"u{n}", "at": NOW, "stage": stage} for n in range(approvals)
    ]
    return ChangeRequestRecord.model_validate(
        {
            "id": "cr:1",
            "kind": "promotion",
            "status": "open",
            "required": current.required,
            "role": current.role,
            "stage": stage,
            "stages": json.dumps([s.model_dump(mode="json") for s in stages]),
            "approvals": [{"user": "early", "at": NOW, "stage": stage - 1}] * bool(stage) + votes,
        }
    )


GATE = [
    Stage(required=1, role=Role.EDITOR, expires_after_hours=72, name="review"),
    Stage(required=2, role=Role.ADMIN, expires_after_hours=24, name="release"),
]


def test_an_approval_below_the_threshold_changes_only_the_time() -> None:
    assert after_approval(request(GATE, stage=1, approvals=0), NOW) == {"updated_at": NOW}


def test_the_last_approval_of_a_stage_opens_the_next_with_its_own_expiry() -> None:
    assert after_approval(request(GATE, stage=0), NOW) == {
        "updated_at": NOW,
        "stage": 1,
        "required": 2,
        "role": "admin",
        "expires_at": NOW + timedelta(hours=24),
    }


def test_the_last_approval_of_the_last_stage_approves() -> None:
    changes = after_approval(request(GATE, stage=1, approvals=1), NOW)
    assert changes["status"] == ReviewStatus.APPROVED.value
    assert changes["approved_at"] == NOW


def test_only_the_current_stage_approvals_count() -> None:
    record = request(GATE, stage=1, approvals=1)
    assert [vote.user for vote in record.stage_approvals()] == ["u0"]
    assert len(record.approvals) == 2


def test_a_stage_comes_from_an_approval_rule() -> None:
    rule = ApprovalRule(required=2, role=Role.ADMIN, expires_after_hours=None, stage="release")
    stage = Stage.of(rule)
    assert stage == Stage(required=2, role=Role.ADMIN, expires_after_hours=None, name="release")
    assert stage.expiry(NOW) is None


def test_a_request_stored_by_ingestion_has_one_admin_stage() -> None:
    definition = {"name": "people", "fields": {"id": {"type": "string"}}}
    record = ChangeRequestRecord.model_validate(
        {
            "id": "cr:abc",
            "kind": "schema.create",
            "status": "open",
            "required": 2,
            "payload": json.dumps(definition),
            "table": "people",
            "approvals": [],
            "rejections": [],
        }
    )
    assert record.payload == definition
    assert record.role is Role.ADMIN
    assert record.stages == [Stage(required=2, role=Role.ADMIN)]
    assert (record.workspace, record.requested_by, record.expires_at) == (None, None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@alice please look", ["alice"]),
        ("thanks @bob. and @carol-2, @bob again", ["bob", "carol-2"]),
        ("mail x@example.org, not a mention", []),
        ("@@double and trailing @", []),
        ("(cc @dave_x)", ["dave_x"]),
    ],
)
def test_mentions(text: str, expected: list[str]) -> None:
    assert mentions(text) == expected


def test_audit_actors() -> None:
    assert actor_of("alice") == "user:alice"
    assert actor_of("system:ingest") == "system:ingest"
