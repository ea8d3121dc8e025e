"""What subscribers see of an event's payload."""

from __future__ import annotations

from pydantic import JsonValue

from api.gql.subscriptions import shown_payload


def test_a_failure_meant_for_users_keeps_its_message() -> None:
    payload: dict[str, JsonValue] = {"path": "a.csv", "code": "malformed_file", "error": "line 3"}
    assert shown_payload(dict(payload)) == payload


def test_a_defect_is_shown_as_an_internal_error() -> None:
    payload: dict[str, JsonValue] = {"path": "a.csv", "code": "internal", "error": "Neo4j: ..."}
    assert shown_payload(payload) == {
        "path": "a.csv",
        "code": "internal",
        "error": "internal error",
    }


def test_a_payload_without_an_error_is_unchanged() -> None:
    payload: dict[str, JsonValue] = {"path": "a.csv", "rows": 3}
    assert shown_payload(payload) is payload
