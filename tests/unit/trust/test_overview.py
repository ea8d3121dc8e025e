"""A table's stored trust aggregate: counts under and over a threshold are exact for every
multiple of 0.01 (and refused otherwise), the coarse histogram sums its fine buckets, and
the dashboard falls back to reading the rows when a threshold cannot be served exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.gql.trust_dashboard import TrustScoring, TrustScoringMode, stored_dashboard
from trust.aggregate_shift import AGGREGATE_BUCKETS
from trust.overview import TableTrust

AT = datetime(2026, 12, 6, tzinfo=UTC)
COMBINED = TrustScoring(
    mode=TrustScoringMode.PROPAGATED, model_version=None, trained_at=None, metrics=None
)


def aggregate(buckets: dict[int, int], top: int = 0) -> TableTrust:
    counts = [buckets.get(b, 0) for b in range(AGGREGATE_BUCKETS)]
    return TableTrust(
        table="cities",
        rows=sum(counts) + 1,
        scored=sum(counts),
        total=1.0,
        top=top,
        buckets=counts,
        at=AT,
    )


def test_counts_under_and_at_or_over_a_threshold_of_whole_hundredths() -> None:
    stored = aggregate({29: 2, 30: 3, 57: 1, 79: 4, 80: 5, 99: 6}, top=2)
    assert stored.under(0.3) == 2
    assert stored.under(0.57) == 5
    assert stored.at_or_over(0.8) == 11
    assert stored.at_or_over(0.0) == stored.scored
    assert stored.at_or_over(1.0) == 2  # only the rows at 1.0, not the whole last bucket
    assert stored.under(1.0) == stored.scored - 2


@pytest.mark.parametrize("threshold", [0.305, 0.333, -0.01, 1.01])
def test_a_threshold_between_hundredths_is_not_answered(threshold: float) -> None:
    stored = aggregate({10: 1})
    assert stored.under(threshold) is None
    assert stored.at_or_over(threshold) is None


def test_the_coarse_histogram_sums_ten_fine_buckets_each() -> None:
    stored = aggregate({0: 1, 9: 2, 10: 4, 95: 8, 99: 16})
    assert stored.histogram(10) == [3, 4, 0, 0, 0, 0, 0, 0, 0, 24]


def test_the_dashboard_is_served_from_the_aggregate_with_its_time() -> None:
    stored = aggregate({20: 2, 90: 3}, top=1)
    dashboard = stored_dashboard("cities", stored, (0.3, 0.8), COMBINED)
    assert dashboard is not None
    assert (dashboard.low_count, dashboard.high_count, dashboard.as_of) == (2, 3, AT)
    assert [b.count for b in dashboard.distribution] == [0, 0, 2, 0, 0, 0, 0, 0, 0, 3]
    assert dashboard.mean == pytest.approx(1.0 / 5)


def test_the_dashboard_is_not_served_from_the_aggregate_at_an_inexact_threshold() -> None:
    assert stored_dashboard("cities", aggregate({20: 2}), (0.305, 0.8), COMBINED) is None
