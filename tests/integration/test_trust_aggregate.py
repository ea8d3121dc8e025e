"""The stored trust aggregate on the real graph: refreshed from a table's active rows, it
gives the same rows, scored rows, total, histogram and counts under and over the policy's
thresholds as the aggregating query over the rows, including trust exactly on a boundary
(0.3, 0.57, 1.0) and unscored rows; a full trust pass refreshes it for every table; and
every change to rows moves it in its own transaction (new rows activated, rows rescored,
quarantined and released, rows retracted and superseded by a new version of their file, a
full recompute) so that after each it equals the aggregate counted from the rows again, and
each table's least trusted rows the passes keep (`trust.lowest_rows`) are the true least
trusted rows counted from the rows, as the API serves them. A pass publishes a
`trust.updated` of kind `table` for each aggregate it stored or moved."""

from __future__ import annotations

import asyncio
import csv
import io
import math
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.gql.least_trusted import TrustWindow, least_trusted
from graph.events import EventBus, EventType
from graph.graph import Graph
from ingest.service import IngestionService
from tests.integration.test_document_pass import (  # its fixtures too
    HEALING,
    Corpus,
    corpus,  # noqa: F401  (a fixture)
    files,
    run_pass,
    services,  # noqa: F401  (a fixture)
    with_thresholds,
)
from tests.unit.trust.test_aggregate_shift import bucket_by_bounds
from trust import lowest_rows
from trust.aggregate_shift import AGGREGATE_BUCKETS
from trust.aggregates import HISTOGRAM_BUCKETS
from trust.engine import TrustEngine
from trust.healing import SYSTEM
from trust.overview import TableTrust, read_table_trust, refresh_table_trust
from trust.services import TrustServices

pytestmark = pytest.mark.integration

TRUST = [0.0, 0.29, 0.2999999, 0.3, 0.3000001, 0.57, 0.5699999, 0.7, 0.8, 0.99, 1.0, None]
THRESHOLDS = [0.0, 0.3, 0.57, 0.7, 0.8, 1.0]
SHOWN = 5
"""The least trusted rows the overview shows of each table."""


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


def summing_error(values: list[float]) -> float:
    """How far a sum of `values` added one by one in any order may be from the exact sum
    (n ulps of the sum of magnitudes), and at least 1e-9."""
    return max(1e-9, len(values) * sys.float_info.epsilon * math.fsum(map(abs, values)))


async def counted(graph: Graph, tables: list[str]) -> dict[str, dict[str, Any]]:
    """Each table's aggregate counted from its active rows now, bucketed by the bounds."""
    found = {}
    for record in await graph.read("testing/active_row_trust", {"tables": tables}):
        trust = record["trust"]
        buckets = [0] * AGGREGATE_BUCKETS
        for value in trust:
            buckets[bucket_by_bounds(value)] += 1
        found[record["table"]] = {
            "rows": record["rows"],
            "scored": len(trust),
            "total": pytest.approx(math.fsum(trust), abs=summing_error(trust)),
            "top": sum(1 for value in trust if value >= 1.0),
            "buckets": buckets,
        }
    return found


async def stored(graph: Graph, tables: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for table in tables:
        aggregate = await read_table_trust(graph, table)
        assert aggregate is not None, table
        found[table] = aggregate.model_dump(include={"rows", "scored", "total", "top", "buckets"})
    return found


def second_version(text: str) -> str:
    """The file again without its last row (retracted) and with its first row's population
    changed (that entity's old row superseded)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) > 2
    rows[0]["population"] = str(int(rows[0]["population"]) + 1)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[:-1])
    return buffer.getvalue()


async def check_lists(graph: Graph, tables: list[str]) -> None:
    """Each table's kept least trusted rows (`trust.lowest_rows`) are a prefix of its active
    scored rows by (trust, id), as long as `REFILL_BELOW` at least (or all of them), at most
    `KEPT`, with the trust the rows hold; `whole` when they are all; and the page the API
    serves of them is the page sorting the table gives."""
    truth = {
        r["table"]: r["ids"]
        for r in await graph.read("testing/scored_rows_by_trust", {"tables": tables})
    }
    for kept in await graph.read("testing/lowest_rows", {"tables": tables}):
        table, ids, ordered = kept["table"], kept["ids"], truth[kept["table"]]
        assert ids is not None, table
        assert ids == ordered[: len(ids)], table
        assert min(lowest_rows.REFILL_BELOW, len(ordered)) <= len(ids) <= lowest_rows.KEPT, table
        assert kept["whole"] is (len(ids) == len(ordered)), table
        page = await least_trusted(graph, table, TrustWindow(SHOWN))
        assert [r["row"]["id"] for r in page] == ordered[:SHOWN], table
        listed = min(len(page), len(ids))
        assert [r["row"]["trust"] for r in page[:listed]] == kept["trust"][:listed], table


async def refills(graph: Graph, tables: list[str]) -> int:
    """How many times a sort refilled the tables' least trusted rows."""
    return sum(r["refills"] for r in await graph.read("testing/lowest_rows", {"tables": tables}))


@pytest.mark.parametrize(
    ("kept", "refill_below", "refilled_on_the_way"), [(lowest_rows.KEPT, 25, False), (4, 2, True)]
)
async def test_every_change_to_rows_moves_the_aggregate_and_the_least_trusted_rows_to_the_truth(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    services: TrustServices,  # noqa: F811  (the fixture imported above)
    corpus: Corpus,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    kept: int,
    refill_below: int,
    refilled_on_the_way: bool,
) -> None:
    """With the real size of the kept list (each corpus table fits whole) and with 4 rows
    refilled under 2 (rows leave it, are cut from it, and a sort refills it)."""
    monkeypatch.setattr(lowest_rows, "KEPT", kept)
    monkeypatch.setattr(lowest_rows, "REFILL_BELOW", refill_below)
    tools = with_thresholds(services, await services.current(), HEALING)
    tables = sorted({case.table for case in corpus.cases})
    # rows other tests wrote or removed straight in the graph: count again, sort again
    await graph.write("testing/forget_lowest_rows", {"tables": tables})
    await refresh_table_trust(graph, tables)
    refilled = await refills(graph, tables)
    checks = 0

    async def check(step: str) -> None:
        nonlocal checks
        assert await stored(graph, tables) == await counted(graph, tables), step
        await check_lists(graph, tables)
        checks += 1

    await check("refreshed")
    for position, file in enumerate(files(corpus, tools)):
        document = await corpus.ingest(graph, service, position, file)
        await check(f"rows of {file[:2]} activated")
        await run_pass(tools, services, document)  # rescores, quarantines, reconciles
        await check(f"pass after {file[:2]}")
    rows = row_states(await corpus.state(graph))
    quarantined = sorted(row for row, status in rows.items() if status == "quarantined")
    active = sorted(row for row, status in rows.items() if status == "active")
    assert quarantined, "the corpus quarantines under HEALING"
    assert active
    assert await tools.healer.release(quarantined[:1], actor="user:test") == quarantined[:1]
    await check("released and rescored")
    [listed] = await graph.read("testing/lowest_rows", {"tables": ["cities"]})
    by_hand = next((row for row in listed["ids"] if row in active), active[0])
    assert await tools.healer.quarantine({by_hand: "by hand"}, actor=SYSTEM) == [by_hand]
    await check("a least trusted row quarantined by hand and rescored")
    [(source, table, text)] = [f for f in files(corpus, tools) if f[:2] == ("blog", "cities")]
    document = await corpus.ingest(graph, service, 99, (source, table, second_version(text)))
    assert {"retracted", "superseded"} <= set(row_states(await corpus.state(graph)).values())
    await check("a new version retracted and superseded rows")
    await run_pass(tools, services, document)
    await check("pass after the new version")
    await (await TrustEngine.create(graph, bus)).recompute()
    await check("full recompute")
    assert checks == 2 * len(files(corpus, tools)) + 6
    if refilled_on_the_way:
        assert await refills(graph, tables) > refilled


def row_states(state: dict[str, Any]) -> dict[str, str]:
    """Row id -> status, from `Corpus.state`."""
    return {
        key.split()[-1]: value["status"] for key, value in state.items() if key.startswith("row ")
    }
