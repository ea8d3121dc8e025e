"""A pass that writes its rows in several transactions reports one trust change per document,
from the trust before the first to the trust after the last (`trust.engine.merged_changes`)."""

from __future__ import annotations

from trust.engine import merged_changes


def test_each_document_changes_once_from_its_first_before_to_its_last_after() -> None:
    changes = [
        {"id": "doc:a", "before": 0.5, "after": 0.6, "table": "cities"},
        {"id": "doc:b", "before": None, "after": 0.9, "table": "cities"},
        {"id": "doc:a", "before": 0.6, "after": 0.7, "table": "cities"},
        {"id": "doc:a", "before": 0.7, "after": 0.4, "table": "cities"},
    ]
    assert merged_changes(changes) == [
        {"id": "doc:a", "before": 0.5, "after": 0.4, "table": "cities"},
        {"id": "doc:b", "before": None, "after": 0.9, "table": "cities"},
    ]


def test_a_single_transaction_s_changes_are_kept_as_they_are() -> None:
    changes = [{"id": "doc:a", "before": 0.5, "after": 0.6, "table": None}]
    assert merged_changes(changes) == changes
    assert merged_changes([]) == []
