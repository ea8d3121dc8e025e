from __future__ import annotations

import json
from typing import Any

import pytest

from graph.schemas import TableSchema
from trust.claims import RowRecord, build_claims
from trust.facts import (
    CONFIDENCE_EPSILON,
    StoredFact,
    evidence_json,
    fact_changes,
    resolve_facts,
)
from trust.truth import discover

TABLE = TableSchema.model_validate(
    {
        "name": "cities",
        "description": "d",
        "owner": "o",
        "entity_key": ["city_id"],
        "fields": {
            "city_id": {"type": "string"},
            "population": {"type": "integer", "tolerance": {"relative": 0.01}},
        },
    }
)


def _facts(values: dict[str, int], sync_above: float = 0.0) -> list[dict[str, Any]]:
    rows = [
        RowRecord(
            f"r-{source}", "cities", "lyon", {"city_id": "lyon", "population": value}, source, "d"
        )
        for source, value in values.items()
    ]
    index = build_claims(rows, {"cities": TABLE})
    return resolve_facts(index, discover(index.claims), lambda table: sync_above)


def test_a_fact_holds_the_winning_value_its_sources_and_rows() -> None:
    [fact] = _facts({"a": 10_100, "b": 10_150, "c": 10_100, "d": 20_000})
    assert fact["id"] == "fact:cities:lyon:population"
    assert json.loads(fact["value"]) == 10_100  # the most common exact form
    assert (fact["supporting"], fact["contradicting"]) == (3, 1)
    assert fact["rows"] == ["r-a", "r-b", "r-c"]
    assert json.loads(fact["evidence"]) == {
        "supporting": ["a", "b", "c"],
        "contradicting": ["d"],
    }
    assert fact["status"] == "active"
    [candidate] = _facts({"a": 1, "b": 2}, sync_above=0.99)
    assert candidate["status"] == "candidate"


def test_only_changed_facts_are_written_again() -> None:
    [fact] = _facts({"a": 10_100, "b": 10_100, "c": 20_000})
    fact_id, digest, confidence = fact["id"], fact["digest"], fact["confidence"]
    same = fact_changes([dict(fact)], {fact_id: StoredFact(digest, confidence)})
    assert (same.written, same.confidences, same.retracted) == ([], [], [])
    tiny = fact_changes(
        [dict(fact)], {fact_id: StoredFact(digest, confidence + CONFIDENCE_EPSILON / 2)}
    )
    assert (tiny.written, tiny.confidences) == ([], [])
    moved = fact_changes([dict(fact)], {fact_id: StoredFact(digest, confidence - 0.1)})
    assert moved.written == []
    assert moved.confidences == [{"id": fact["id"], "confidence": pytest.approx(confidence)}]
    changed = fact_changes([dict(fact)], {fact_id: StoredFact("other", confidence)})
    assert [f["id"] for f in changed.written] == [fact["id"]]
    new = fact_changes([dict(fact)], {"fact:cities:paris:population": StoredFact("x", 0.5)})
    assert [f["id"] for f in new.written] == [fact["id"]]
    assert new.retracted == ["fact:cities:paris:population"]


def test_the_digest_follows_value_rows_and_evidence_not_confidence() -> None:
    [one] = _facts({"a": 10_100, "b": 10_100, "c": 20_000})
    [more] = _facts({"a": 10_100, "b": 10_100, "c": 20_000, "d": 10_100})
    [other] = _facts({"a": 10_150, "b": 10_150, "c": 20_000})
    assert one["confidence"] != more["confidence"]
    assert len({one["digest"], more["digest"], other["digest"]}) == 3
    [again] = _facts({"b": 10_100, "a": 10_100, "c": 20_000})
    assert again["digest"] == one["digest"]


@pytest.mark.parametrize(
    ("supporting", "contradicting"),
    [([], []), (["folder:a"], []), (["folder:a", 'named:"quoted" \\ é'], ["folder:b"])],
)
def test_evidence_is_the_json_of_its_source_lists(
    supporting: list[str], contradicting: list[str]
) -> None:
    quoted = {name: json.dumps(name) for name in [*supporting, *contradicting]}
    assert evidence_json(supporting, contradicting, quoted) == json.dumps(
        {"supporting": supporting, "contradicting": contradicting}
    )
