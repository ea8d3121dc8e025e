"""Moving a table's trust aggregate by the rows that changed: every trust lands in the bucket
whose bounds (compared as the doubles a threshold is) hold it, a rescored row moves between
buckets, and rows leaving and entering change the counts, the sum and the rows at 1.0."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trust.aggregate_shift import (
    AGGREGATE_BUCKETS,
    moved_rows,
    table_shifts,
    trust_buckets,
)


def bucket_by_bounds(trust: float) -> int:
    """The last bucket whose lower bound, the double b / 100, is at most `trust`."""
    return max(b for b in range(AGGREGATE_BUCKETS) if b / AGGREGATE_BUCKETS <= trust)


EDGES = [k / AGGREGATE_BUCKETS for k in range(AGGREGATE_BUCKETS + 1)]
NEAR_EDGES = [
    value
    for edge in EDGES
    for value in (math.nextafter(edge, -1.0), edge, math.nextafter(edge, 2.0))
]


def test_every_trust_on_or_beside_a_bound_lands_in_the_bucket_its_bounds_name() -> None:
    values = [v for v in NEAR_EDGES if 0.0 <= v <= 1.0] + [0.2999999, 0.5699999, 0.123456789]
    assert trust_buckets(np.array(values)).tolist() == [bucket_by_bounds(v) for v in values]


def test_the_products_that_round_below_their_bound_are_bucketed_by_the_bound() -> None:
    # 0.57 * 100 is 56.99999999999999: a plain floor would put 0.57 under its own threshold
    assert math.floor(0.57 * 100) == 56
    assert trust_buckets(np.array([0.57, 0.29, 1.0, 0.0])).tolist() == [57, 29, 99, 0]


def test_a_rescored_row_moves_one_count_between_buckets_and_shifts_the_sum() -> None:
    [shift] = table_shifts([["cities", 1, [0.25]]], [["cities", 1, [0.75]]])
    assert (shift.rows, shift.scored, shift.top) == (0, 0, 0)
    assert shift.total == pytest.approx(0.5)
    assert {b: n for b, n in enumerate(shift.buckets.tolist()) if n} == {25: -1, 75: 1}


def test_rows_leaving_and_entering_change_counts_top_and_unscored_rows() -> None:
    left = [["cities", 3, [1.0, 0.3]], ["people", 1, [0.5]]]  # one of the cities rows unscored
    entered = [["cities", 2, [1.0, 1.0]]]
    cities, people = table_shifts(left, entered)
    assert (cities.table, cities.rows, cities.scored, cities.top) == ("cities", -1, 0, 1)
    assert cities.total == pytest.approx(0.7)
    assert {b: n for b, n in enumerate(cities.buckets.tolist()) if n} == {30: -1, 99: 1}
    assert (people.rows, people.scored, people.total) == (-1, -1, -0.5)
    assert people.params()["buckets"][50] == -1


def test_rows_returned_one_by_one_count_once_each_and_an_unscored_one_has_no_trust() -> None:
    records = [{"table": "cities", "trust": 0.4}, {"table": "cities", "trust": None}]
    assert moved_rows(records) == [["cities", 1, [0.4]], ["cities", 1, []]]
    [shift] = table_shifts(moved_rows(records), [])
    assert (shift.rows, shift.scored) == (-2, -1)
