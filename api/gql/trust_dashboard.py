"""A table's trust dashboard: its GraphQL types and how one is read from the graph.

`read_dashboard` reads everything the dashboard shows at once: the table's trust aggregate
that every trust pass stores (`trust.overview.read_table_trust`; before the first pass, or
at a threshold that is no multiple of 0.01, one aggregating query over the active rows now),
the policy's thresholds, the latest `MAX_TREND_POINTS` points of the trend the full passes
store and the scoring mode in force. The API holds what it read per table
(`api.gql.dashboard_cache`), so a request resolves from memory: `trend` slices the points
held, nothing here reads the graph per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime

import strawberry
from pydantic import BaseModel, ConfigDict

from api.gql.arguments import InvalidArgumentError
from governance.policy_store import active_policy_set
from graph.graph import Graph
from graph.model import Timestamp
from trust.aggregates import HISTOGRAM_BUCKETS
from trust.learning import ScoringMode, TrainedModel, scoring_mode
from trust.model_store import latest_in_force
from trust.overview import TableTrust, read_table_trust

MAX_TREND_POINTS = 500

TrustScoringMode = strawberry.enum(
    ScoringMode, name="TrustScoringMode", description="How rows are scored."
)


@strawberry.type(description="One bucket of a trust histogram.")
class TrustBucket:
    """Rows with `lower <= trust < upper` (the last bucket includes 1)."""

    lower: float
    upper: float
    count: int


@strawberry.type(description="A point of a table's trust trend, written by a full trust pass.")
class TrustPoint:
    """The table's trust when a full pass scored it."""

    at: datetime
    rows: int
    mean: float
    low: int
    high: int
    histogram: list[int]


@strawberry.type(description="How a learned trust model validated on held-out decisions.")
class TrustModelMetrics:
    """The model's figures next to the combined score's on the same decisions."""

    roc_auc: float
    accuracy: float
    brier: float
    baseline_roc_auc: float
    baseline_accuracy: float
    baseline_brier: float
    train_decisions: int
    validation_decisions: int


@strawberry.type(description="Which score is in force for rows.")
class TrustScoring:
    """The combined (propagated) score, or the learned model in force with its validation."""

    mode: TrustScoringMode  # type: ignore[valid-type]
    model_version: int | None
    trained_at: datetime | None
    metrics: TrustModelMetrics | None


@strawberry.type(description="The trust of a table's active rows, now and over time.")
class TrustDashboard:
    """Mean, distribution and low/high counts now (thresholds from policy), the trend and
    the scoring mode. Held by the API and shared by the requests it answers: never changed
    once built."""

    table: str
    rows: int
    scored: int
    mean: float | None
    distribution: list[TrustBucket]
    low_threshold: float
    high_threshold: float
    low_count: int
    high_count: int
    as_of: datetime | None = strawberry.field(
        description="When the trust pass that stored these figures ran (null: read now)."
    )
    scoring: TrustScoring = strawberry.field(description="Which score rows are scored with.")
    points: strawberry.Private[tuple[TrustPoint, ...]]
    """The latest `MAX_TREND_POINTS` points of the trend, oldest first."""

    @strawberry.field(description="The latest points of the trend, oldest first.")
    def trend(self, points: int = 30) -> list[TrustPoint]:
        if not 1 <= points <= MAX_TREND_POINTS:
            raise InvalidArgumentError("points", f"must be between 1 and {MAX_TREND_POINTS}")
        return list(self.points[-points:])


class _Point(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: Timestamp
    rows: int
    mean: float
    low: int
    high: int
    histogram: list[int]


def histogram(pairs: Iterable[Sequence[int]]) -> list[TrustBucket]:
    """`HISTOGRAM_BUCKETS` equal buckets over [0, 1] from (bucket, count) pairs."""
    counts = dict.fromkeys(range(HISTOGRAM_BUCKETS), 0)
    for bucket, count in pairs:
        counts[int(bucket)] += int(count)
    return [
        TrustBucket(lower=bucket_bound(b), upper=bucket_bound(b + 1), count=n)
        for b, n in counts.items()
    ]


def bucket_bound(index: int) -> float:
    """The `index`-th bound of the histogram, the float nearest its decimal: one correctly
    rounded division gives 0.3 where 3 * (1 / 10) gives 0.30000000000000004."""
    return index / HISTOGRAM_BUCKETS


def scoring_of(model: TrainedModel | None) -> TrustScoring:
    """The scoring in force with `model` (the latest model put in force, if any)."""
    mode = scoring_mode(model)
    if model is None or mode is not ScoringMode.LEARNED:
        return TrustScoring(mode=mode, model_version=None, trained_at=None, metrics=None)
    m = model.metrics
    return TrustScoring(
        mode=mode,
        model_version=model.version,
        trained_at=model.trained_at,
        metrics=TrustModelMetrics(
            roc_auc=m.roc_auc,
            accuracy=m.accuracy,
            brier=m.brier,
            baseline_roc_auc=m.baseline_roc_auc,
            baseline_accuracy=m.baseline_accuracy,
            baseline_brier=m.baseline_brier,
            train_decisions=m.n_train,
            validation_decisions=m.n_validation,
        ),
    )


def stored_dashboard(
    table: str,
    stored: TableTrust,
    thresholds: tuple[float, float],
    scoring: TrustScoring,
    trend: Sequence[TrustPoint] = (),
) -> TrustDashboard | None:
    """The dashboard from a table's stored aggregate at the (low, high) `thresholds`, or
    None when a threshold is no multiple of its buckets' width (the counts would not be
    exact)."""
    low, high = thresholds
    low_count, high_count = stored.under(low), stored.at_or_over(high)
    if low_count is None or high_count is None:
        return None
    return TrustDashboard(
        table=table,
        rows=stored.rows,
        scored=stored.scored,
        mean=stored.total / stored.scored if stored.scored else None,
        distribution=histogram(enumerate(stored.histogram(HISTOGRAM_BUCKETS))),
        low_threshold=low,
        high_threshold=high,
        low_count=low_count,
        high_count=high_count,
        as_of=stored.at,
        scoring=scoring,
        points=tuple(trend),
    )


async def read_dashboard(graph: Graph, table: str) -> TrustDashboard:
    """`table`'s dashboard now, in one round of reads (one more when the stored aggregate
    cannot serve it)."""
    policies, stored, records, model = await asyncio.gather(
        active_policy_set(graph),
        read_table_trust(graph, table),
        graph.read("api/trust_trend", {"table": table, "limit": MAX_TREND_POINTS}),
        latest_in_force(graph),
    )
    thresholds = policies.thresholds(table)
    low, high = thresholds.quarantine_below, thresholds.auto_sync_above
    trend = [TrustPoint(**_Point.model_validate(r).model_dump()) for r in records]
    scoring = scoring_of(model)
    dashboard = None
    if stored is not None:
        dashboard = stored_dashboard(table, stored, (low, high), scoring, trend)
    if dashboard is not None:
        return dashboard
    [record] = await graph.read(
        "api/trust_distribution",
        {"table": table, "buckets": HISTOGRAM_BUCKETS, "low": low, "high": high},
    )
    scored = int(record["scored"])
    return TrustDashboard(
        table=table,
        rows=int(record["rows"]),
        scored=scored,
        mean=float(record["total"]) / scored if scored else None,
        distribution=histogram(record["histogram"]),
        low_threshold=low,
        high_threshold=high,
        low_count=int(record["low"]),
        high_count=int(record["high"]),
        as_of=None,
        scoring=scoring,
        points=tuple(trend),
    )
