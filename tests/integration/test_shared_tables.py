"""The table map the live subscriptions of one API process share: one read serves every
subscriber for its second, and a table assigned since shows once the second is over."""

from __future__ import annotations

import asyncio

import pytest

from api.gql.shared_tables import SharedTableMap
from graph.graph import Graph
from tests.integration.collab_support import owned_team

pytestmark = pytest.mark.integration


async def test_fifty_subscribers_share_one_read_and_see_a_new_table_after_the_ttl(
    graph: Graph, unique: str
) -> None:
    now = [0.0]  # the map's clock, moved by the test: a slow machine cannot age the map
    tables = SharedTableMap(graph, ttl=1.0, clock=lambda: now[0])
    graph.reads.clear()
    before = await asyncio.gather(*(tables.get() for _ in range(50)))
    assert graph.reads["api/table_workspaces"] == 1
    try:
        team = await owned_team(graph, unique, 1)
        now[0] = 0.99
        assert team.table not in (await tables.get())  # still the same second's map
        now[0] = 1.0
        assert (await tables.get())[team.table] == team.workspace
    finally:
        await graph.write("testing/accounts_delete", {"marker": unique})
    assert graph.reads["api/table_workspaces"] == 2
    assert all(found is before[0] for found in before)
