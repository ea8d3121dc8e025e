"""The stored trust aggregate on the real graph: refreshed from a table's active rows, it
gives the same rows, scored rows, total, histogram and counts under and over the policy's
thresholds as the aggregating query over the rows, including trust exactly on a boundary
(0.3, 0.57, 1.0) and unscored rows; and a full trust pass refreshes it for every table
(the incremental pass for the tables it scored: `test_web_app.py` reads those), publishing a
`trust.updated` of kind `table` for each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from graph.events import EventBus, EventType
from graph.graph import Graph
from trust.aggregates import HISTOGRAM_BUCKETS
from trust.engine import TrustEngine
from trust.overview import TableTrust, read_table_trust, refresh_table_trust

pytestmark = pytest.mark.integration

TRUST = [0.0, 0.29, 0.2999999, 0.3, 0.3000001, 0.57, 0.5699999, 0.7, 0.8, 0.99, 1.0, None]
THRESHOLDS = [0.0, 0.3, 0.57, 0.7, 0.8, 1.0]


@pytest.fixture
async def table(graph: Graph, unique: str) -> AsyncIterator[str]:
    name = f"agg_{unique}"
    rows = [{"id": f"row:{name}:{i}", "trust": t} for i, t in enumerate(TRUST)]
    await graph.write("testing/trust_rows_create", {"table": name, "rows": rows})
    yield name
    await graph.write("testing/trust_rows_delete", {"table": name})


async def live(graph: Graph, table: str, low: float, high: float) -> dict[str, object]:
    [record] = await graph.read(
        "api/trust_distribution",
        {"table": table, "buckets": HISTOGRAM_BUCKETS, "low": low, "high": high},
    )
    return dict(record)


async def test_the_aggregate_matches_the_rows_at_every_threshold(graph: Graph, table: str) -> None:
    assert await read_table_trust(graph, table) is None
    await refresh_table_trust(graph, [table])
    stored = await read_table_trust(graph, table)
    assert isinstance(stored, TableTrust)
    assert (stored.rows, stored.scored) == (len(TRUST), len(TRUST) - 1)
    assert stored.total == pytest.approx(sum(t for t in TRUST if t is not None))
    for threshold in THRESHOLDS:
        expected = await live(graph, table, threshold, threshold)
        assert stored.under(threshold) == expected["low"], threshold
        assert stored.at_or_over(threshold) == expected["high"], threshold
        assert stored.under(threshold) == sum(1 for t in TRUST if t is not None and t < threshold)
    coarse = dict.fromkeys(range(HISTOGRAM_BUCKETS), 0)
    for bucket, count in (await live(graph, table, 0.3, 0.8))["histogram"]:  # type: ignore[attr-defined]
        coarse[bucket] += count
    assert stored.histogram(HISTOGRAM_BUCKETS) == list(coarse.values())


async def test_a_refresh_follows_rows_that_changed(graph: Graph, table: str) -> None:
    await refresh_table_trust(graph, [table])
    await graph.write("testing/trust_rows_delete", {"table": table})
    await refresh_table_trust(graph, [table])
    stored = await read_table_trust(graph, table)
    assert stored is not None
    assert (stored.rows, stored.scored, sum(stored.buckets)) == (0, 0, 0)


async def test_a_full_trust_pass_refreshes_every_table(graph: Graph, bus: EventBus) -> None:
    engine = await TrustEngine.create(graph, bus)
    before = await read_table_trust(graph, "cities")
    await engine.recompute()
    after = await read_table_trust(graph, "cities")
    assert after is not None
    assert before is None or after.at > before.at


async def test_a_pass_publishes_each_stored_aggregate_as_a_table_event(
    graph: Graph, bus: EventBus
) -> None:
    """What the API's dashboards forget a table by: published after the aggregate is stored,
    with the table's mean before and after."""
    ready = asyncio.Event()
    events = bus.subscribe([EventType.TRUST_UPDATED], ready=ready)
    first = asyncio.ensure_future(anext(events))
    await asyncio.wait_for(ready.wait(), 10)
    engine = await TrustEngine.create(graph, bus)
    await engine.recompute()
    stored = await read_table_trust(graph, "cities")
    assert stored is not None
    seen, event = [], await asyncio.wait_for(first, 10)
    while event.payload.get("kind") != "table" or event.subject != "cities":
        seen.append(event)
        event = await asyncio.wait_for(anext(events), 10)
    await events.aclose()
    assert event.payload["table"] == "cities"
    mean = stored.total / stored.scored if stored.scored else None
    assert event.payload["after"] == pytest.approx(mean)
    assert all(e.payload.get("kind") != "table" or e.subject != "cities" for e in seen)
