"""The trust histogram of the dashboard: equal buckets over [0, 1] with exact decimal bounds."""

from __future__ import annotations

from api.gql.trust_dashboard import histogram


def test_bucket_bounds_are_exact_decimals() -> None:
    buckets = histogram([(3, 2), (9, 1)])
    assert [(b.lower, b.upper) for b in buckets][3] == (0.3, 0.4)
    assert [str(b.lower) for b in buckets] == [f"0.{i}" for i in range(10)]
    assert [str(b.upper) for b in buckets] == [f"0.{i}" for i in range(1, 10)] + ["1.0"]


def test_counts_land_in_their_buckets_and_missing_ones_are_zero() -> None:
    buckets = histogram([(3, 2), (9, 1), (3, 1)])
    assert [b.count for b in buckets] == [0, 0, 0, 3, 0, 0, 0, 0, 0, 1]
