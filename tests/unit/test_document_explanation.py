"""A document's trust explanation: its rows' mean parts add up to its trust."""

from __future__ import annotations

import math

import numpy as np
import pytest

from api.gql.trust_views import (
    LEARNED_PART,
    DocumentTrustRecord,
    NotScoredError,
    document_explanation,
)
from trust.score import combine_array


def test_the_parts_of_combined_and_learned_rows_add_up_to_the_mean_trust() -> None:
    signals = np.array([[0.9, 1.0, 0.1, 0.8, 1.0, 0.7], [0.5, 0.5, 0.0, 0.2, 0.9, 0.4]])
    propagated = np.array([0.85, 0.3])
    combined, _ = combine_array(signals, propagated)
    learned = 0.9
    mean = (math.fsum(combined.tolist()) + learned) / 3
    record = DocumentTrustRecord(
        id="doc:x",
        path="a.csv",
        trust=mean,
        source="folder:a",
        source_trust=0.7,
        rows=3,
        tables=["cities"],
        learned_sum=learned,
        learned_rows=1,
        propagated_sum=float(propagated.sum()),
        signal_sums=signals.sum(axis=0).tolist(),
        weakest=[{"id": "row:2", "trust": float(combined[1])}],
    )
    explanation = document_explanation(record, top=5)
    parts = {c.name: c.value for c in explanation.contributions}
    assert math.fsum(parts.values()) == pytest.approx(mean, abs=1e-12)
    assert parts[LEARNED_PART] == pytest.approx(learned / 3)
    assert explanation.summary.startswith("the mean of 3 rows' trust: ")
    assert [path.node_ids[-1] for path in explanation.evidence] == ["folder:a", "row:2"]


def test_a_document_without_scored_rows_has_no_explanation() -> None:
    record = DocumentTrustRecord(
        id="doc:y",
        path="notes.txt",
        rows=0,
        tables=[],
        learned_sum=0.0,
        learned_rows=0,
        propagated_sum=0.0,
        signal_sums=[0.0] * 6,
    )
    with pytest.raises(NotScoredError):
        document_explanation(record, top=3)
