"""Which stored row scores a pass rewrites (`trust.engine.stale_rows`)."""

from __future__ import annotations

import numpy as np

from trust.claims import RowRecord
from trust.engine import INCREMENTAL_TOLERANCE, TRUST_EPSILON, stale_rows
from trust.learning import ScoringMode
from trust.scoring import RowScores


def row(trust: float | None, current: bool = True) -> RowRecord:
    return RowRecord(
        id="row",
        table="cities",
        key="k",
        values={},
        source="s",
        document="d",
        trust=trust,
        trust_current=current,
    )


def scores(trust: list[float]) -> RowScores:
    n = len(trust)
    return RowScores(
        np.array(trust), np.zeros(n), np.zeros((n, 6)), ScoringMode.PROPAGATED, 0, *np.zeros((2, n))
    )


ROWS = [
    row(None),  # never scored
    row(0.5, current=False),  # scored another way (another model)
    row(0.5),  # moves by 0.003
    row(0.5),  # moves by 0.02
    row(0.5),  # moves by 0.00005
]
NEW = scores([0.4, 0.5, 0.503, 0.48, 0.50005])


def test_an_incremental_pass_rewrites_new_rows_other_modes_and_visible_moves() -> None:
    assert stale_rows(ROWS, NEW, INCREMENTAL_TOLERANCE) == [0, 1, 3]


def test_a_full_pass_rewrites_every_move_above_its_epsilon() -> None:
    assert stale_rows(ROWS, NEW, TRUST_EPSILON) == [0, 1, 2, 3]


def test_a_move_across_the_quarantine_threshold_is_rewritten_however_small() -> None:
    rows = [row(0.302), row(0.298), row(0.5)]
    new = scores([0.298, 0.301, 0.497])  # down across 0.3, up across it, a small move
    assert stale_rows(rows, new, INCREMENTAL_TOLERANCE) == []
    assert stale_rows(rows, new, INCREMENTAL_TOLERANCE, lambda table: 0.3) == [0, 1]
