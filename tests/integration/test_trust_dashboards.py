"""The trust dashboards an API process holds (`api.gql.dashboard_cache`), on the real graph
and Redis: held while fresh (no read of the graph), forgotten by a pass's `trust.updated`
of its table, read again once `max_age` old when an event was missed, refreshed ahead of
that age in the background, never held when the event subscription is down, and never
serve a caller who may not read the table."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from functools import partial

import pytest
from fastapi.testclient import TestClient

from api.gql.dashboard_cache import MOVED, TableCache
from api.gql.trust_dashboard import TrustDashboard, read_dashboard
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from tests.clocks import Clock
from tests.integration.api_support import Callers, error_codes, gql
from tests.integration.held_support import WAIT, following
from trust.overview import refresh_table_trust

pytestmark = pytest.mark.integration

MAX_AGE = 5.0
QUERY = "query($table: String!) { trustDashboard(table: $table) { table rows mean } }"


async def seed(graph: Graph, table: str, trust: list[float]) -> None:
    """`table` holds exactly rows of `trust`, and its aggregate says so (no event)."""
    await graph.write("testing/trust_rows_delete", {"table": table})
    rows = [{"id": f"row:{table}:{i}", "trust": t} for i, t in enumerate(trust)]
    await graph.write("testing/trust_rows_create", {"table": table, "rows": rows})
    await refresh_table_trust(graph, [table])


@pytest.fixture
async def table(graph: Graph, unique: str) -> AsyncIterator[str]:
    name = f"dash_{unique}"
    await seed(graph, name, [0.2, 0.4])
    yield name
    await graph.write("testing/trust_rows_delete", {"table": name})
    await graph.write("testing/trust_aggregate_delete", {"table": name})


def table_event(table: str) -> DomainEvent:
    """What a trust pass publishes once it stored `table`'s aggregate."""
    payload = {"table": table, "kind": "table", "before": 0.3, "after": 0.5, "reason": "test"}
    return DomainEvent(type=EventType.TRUST_UPDATED, subject=table, payload=payload)


async def shows_within_wait(cache: TableCache[TrustDashboard], table: str, mean: float) -> bool:
    """Whether `cache` gives `table` the mean `mean` within `WAIT` seconds."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while (await cache.get(table)).mean != pytest.approx(mean):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_a_held_dashboard_is_served_without_reading_until_its_tables_event(
    graph: Graph, bus: EventBus, table: str
) -> None:
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=Clock())
    async with following(cache, bus):
        first = await cache.get(table)
        assert first.mean == pytest.approx(0.3)
        graph.reads.clear()
        await seed(graph, table, [0.9, 0.9, 0.9])  # changed without an event
        assert await cache.get(table) is first
        assert sum(graph.reads.values()) == 0
        await bus.publish(table_event(f"{table}-other"))  # another table's: kept
        await bus.publish(table_event(table))
        assert await shows_within_wait(cache, table, 0.9)
        assert (await cache.get(table)).rows == 3


async def test_a_missed_event_is_bounded_by_the_max_age(
    graph: Graph, bus: EventBus, table: str
) -> None:
    clock = Clock()
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=clock)
    async with following(cache, bus):
        assert (await cache.get(table)).mean == pytest.approx(0.3)
        await seed(graph, table, [0.8])  # the event of this change was lost
        clock.now = MAX_AGE * 0.5
        assert (await cache.get(table)).mean == pytest.approx(0.3)
        clock.now = MAX_AGE
        assert (await cache.get(table)).mean == pytest.approx(0.8)


async def test_a_dashboard_near_its_max_age_is_read_again_in_the_background(
    graph: Graph, bus: EventBus, table: str
) -> None:
    clock = Clock()
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=clock)
    async with following(cache, bus):
        await cache.get(table)
        await seed(graph, table, [0.6])
        clock.now = MAX_AGE * 0.9
        assert (await cache.get(table)).mean == pytest.approx(0.3)  # answered at once
        assert await shows_within_wait(cache, table, 0.6)  # the clock short of the max age


async def test_a_read_under_way_when_its_table_is_forgotten_is_not_held(
    graph: Graph, table: str
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def gated(name: str) -> TrustDashboard:
        started.set()
        await release.wait()
        return await read_dashboard(graph, name)

    cache = TableCache(gated, max_age=MAX_AGE, clock=Clock())
    cache.live.set()  # as if following
    early = asyncio.create_task(cache.get(table))
    await started.wait()
    cache.apply(table_event(table))
    release.set()
    await early
    graph.reads.clear()
    await cache.get(table)  # read again: what the early read saw predates the event
    assert graph.reads["api/trust_aggregate"] == 1


async def test_concurrent_requests_share_one_read(graph: Graph, table: str) -> None:
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=Clock())
    cache.live.set()
    graph.reads.clear()
    found = await asyncio.gather(*(cache.get(table) for _ in range(50)))
    assert graph.reads["api/trust_aggregate"] == 1
    assert all(dashboard is found[0] for dashboard in found)


@pytest.mark.parametrize("moved", MOVED, ids=str)
async def test_an_event_that_moves_a_tables_aggregate_forgets_that_table(
    graph: Graph, table: str, moved: EventType
) -> None:
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=Clock())
    cache.live.set()
    held = await cache.get(table)
    other = DomainEvent(type=moved, subject="x", payload={"table": f"{table}-other"})
    cache.apply(other)
    assert await cache.get(table) is held
    cache.apply(DomainEvent(type=moved, subject="x", payload={"table": table}))
    assert await cache.get(table) is not held


async def test_an_applied_change_request_forgets_every_table(graph: Graph, table: str) -> None:
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=Clock())
    cache.live.set()
    held = await cache.get(table)
    opened = DomainEvent(
        type=EventType.CHANGE_REQUEST_UPDATED, subject="cr:1", payload={"status": "open"}
    )
    cache.apply(opened)
    cache.apply(DomainEvent(type=EventType.TRUST_UPDATED, subject="source:x", payload={}))
    assert await cache.get(table) is held
    applied = DomainEvent(
        type=EventType.CHANGE_REQUEST_UPDATED, subject="cr:1", payload={"status": "applied"}
    )
    cache.apply(applied)
    assert await cache.get(table) is not held


async def test_nothing_is_held_while_the_event_subscription_is_down(
    graph: Graph, table: str
) -> None:
    with socket.socket() as probe:  # a port where no Redis answers
        probe.bind(("127.0.0.1", 0))
        nowhere = EventBus.from_url(f"redis://127.0.0.1:{probe.getsockname()[1]}/0")
    cache = TableCache(partial(read_dashboard, graph), max_age=MAX_AGE, clock=Clock())
    task = asyncio.create_task(cache.follow(nowhere))
    try:
        assert (await cache.get(table)).mean == pytest.approx(0.3)
        await seed(graph, table, [0.7])
        assert (await cache.get(table)).mean == pytest.approx(0.7)
        assert not cache.live.is_set()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await nowhere.close()


async def test_a_held_dashboard_never_reaches_a_caller_who_may_not_read_its_table(
    api_client: TestClient, callers: Callers
) -> None:
    variables = {"table": "organizations"}
    for _ in range(2):  # the second time from what the first left held
        viewer = gql(api_client, callers.viewer, QUERY, variables)
        assert viewer["data"]["trustDashboard"]["table"] == "organizations", viewer
    for caller, code in (
        (callers.restricted, "access_denied"),
        (callers.stranger, "access_denied"),
        (callers.anonymous, "unauthenticated"),
    ):
        body = gql(api_client, caller, QUERY, variables)
        assert (body["data"], error_codes(body)) == (None, [code]), caller.name
    unknown = gql(api_client, callers.admin, QUERY, {"table": "no_such_table"})
    assert error_codes(unknown) == ["not_found"]
