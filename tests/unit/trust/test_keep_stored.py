"""A full pass keeps a row's stored features where they barely moved
(`trust.scoring.keep_stored`), so its list is not written again."""

from __future__ import annotations

import numpy as np
import pytest

from trust.claims import RowRecord
from trust.learning import ScoringMode
from trust.score import combine_array
from trust.scoring import RowScores, keep_stored

SIGNALS = np.array([[0.9, 0.5, 0.2, 0.6, 1.0, 0.7]] * 4)
PROPAGATED = np.array([0.8] * 4)
SINCE, HALF = np.array([100.0] * 4), np.array([730.0] * 4)


def stored(moved: float, *, current: bool = True, since: float = 100.0) -> RowRecord:
    """A row whose stored consistency is `moved` away from the one scored now."""
    features = (0.5, 0.2 + moved, 0.6, 1.0, 0.7, 0.8, since, 730.0, 0.0)
    return RowRecord(
        id="r",
        table="cities",
        key="k",
        values={},
        source="s",
        document="d",
        trust=0.5,
        trust_current=current,
        features=features,
    )


def test_features_that_moved_less_than_the_tolerance_are_kept_and_score_the_row() -> None:
    trust, _ = combine_array(SIGNALS, PROPAGATED)
    scores = RowScores(trust, PROPAGATED, SIGNALS, ScoringMode.PROPAGATED, 0, SINCE, HALF)
    rows = [
        stored(1e-7),  # discovery's convergence: kept
        stored(1e-3),  # moved: written again
        stored(1e-7, current=False),  # scored another way: written again
        stored(1e-7, since=50.0),  # its time changed: written again
    ]
    kept_scores, kept = keep_stored(rows, scores, None, 1e-4)
    assert kept.tolist() == [True, False, False, False]
    assert kept_scores.signals[0, 2] == pytest.approx(0.2 + 1e-7, abs=1e-15)
    assert kept_scores.signals[0, 0] == 0.9  # freshness is the pass's own
    again, _ = combine_array(kept_scores.signals, kept_scores.propagated)
    assert kept_scores.trust.tolist() == again.tolist()  # the trust is that of what is stored
    assert kept_scores.signals[1:].tolist() == SIGNALS[1:].tolist()
