"""Whole answers held by the API process (`api.gql.held_answers`), through the real app on
the real graph and Redis: a query of held fields is executed once per caller's rights,
document and variables; callers with other rights never share an answer; an event that moves
a dashboard forgets it; answers with errors, and operations reading anything else, are
executed every time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.api_support import Callers, error_codes, gql, make_callers
from tests.integration.held_support import WAIT, holding_app

pytestmark = pytest.mark.integration

MAX_AGE = 60.0
"""Long enough that only an event can make a held answer stale within a test."""
DASHBOARD = "query Dashboard($table: String!) { trustDashboard(table: $table) { table mean } }"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    """The real app holding answers (and callers) for `MAX_AGE`, its subscriptions live."""
    with holding_app(settings, MAX_AGE, lambda services: [services.answers.held]) as client:
        yield client


@pytest.fixture
async def callers(graph: Graph, unique: str) -> AsyncIterator[Callers]:
    yield await make_callers(graph, unique)
    await graph.write("testing/accounts_delete", {"marker": unique})


@pytest.fixture
def executed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables whose dashboard the resolver asked for, in order (each execution)."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    services.answers.held.forget()
    asked: list[str] = []
    real = services.dashboards.get

    async def counted(table: str) -> object:
        asked.append(table)
        return await real(table)

    monkeypatch.setattr(services.dashboards, "get", counted)
    return asked


def test_a_dashboard_query_is_executed_once_for_the_same_caller(
    client: TestClient, callers: Callers, executed: list[str]
) -> None:
    for _ in range(3):
        body = gql(client, callers.viewer, DASHBOARD, {"table": "cities"})
        assert body["data"]["trustDashboard"]["table"] == "cities", body
    assert executed == ["cities"]
    gql(client, callers.viewer, DASHBOARD, {"table": "organizations"})
    assert executed == ["cities", "organizations"]


def test_callers_with_other_rights_never_share_an_answer(
    client: TestClient, callers: Callers, executed: list[str]
) -> None:
    variables = {"table": "organizations"}
    assert gql(client, callers.viewer, DASHBOARD, variables)["data"]["trustDashboard"]
    assert error_codes(gql(client, callers.restricted, DASHBOARD, variables)) == ["access_denied"]
    assert error_codes(gql(client, callers.stranger, DASHBOARD, variables)) == ["access_denied"]
    assert error_codes(gql(client, callers.anonymous, DASHBOARD, variables)) == ["unauthenticated"]
    assert gql(client, callers.editor, DASHBOARD, variables)["data"]["trustDashboard"]
    assert executed == ["organizations", "organizations"]  # the viewer's, the editor's


async def test_an_event_that_moves_the_dashboard_forgets_the_answer(
    client: TestClient, callers: Callers, executed: list[str], bus: EventBus
) -> None:
    variables = {"table": "cities"}
    gql(client, callers.viewer, DASHBOARD, variables)
    gql(client, callers.viewer, DASHBOARD, variables)
    assert executed == ["cities"]
    await bus.publish(
        DomainEvent(type=EventType.TRUST_UPDATED, subject="cities", payload={"table": "cities"})
    )
    deadline = time.monotonic() + WAIT
    while len(executed) == 1:
        assert time.monotonic() < deadline, "the event was not heard"
        gql(client, callers.viewer, DASHBOARD, variables)
        await asyncio.sleep(0.02)
    assert executed == ["cities", "cities"]


async def test_an_answer_with_errors_is_not_held(
    client: TestClient, callers: Callers, graph: Graph, unique: str
) -> None:
    variables = {"table": f"owned_{unique}"}  # removed with the callers
    assert error_codes(gql(client, callers.viewer, DASHBOARD, variables)) == ["not_found"]
    await graph.write("testing/collab_owned_table", {"name": variables["table"], "owner": ""})
    body = gql(client, callers.viewer, DASHBOARD, variables)
    assert body["data"]["trustDashboard"]["table"] == variables["table"], body


def test_operations_reading_other_fields_are_executed_every_time(
    client: TestClient, callers: Callers, executed: list[str]
) -> None:
    with_me = (
        "query($table: String!) { me { user { id } } trustDashboard(table: $table) { table } }"
    )
    spread = (
        "query($table: String!) { ...D } "
        "fragment D on Query { trustDashboard(table: $table) { table } }"
    )
    for query in (with_me, spread, with_me, spread):
        assert gql(client, callers.viewer, query, {"table": "cities"})["data"]["trustDashboard"]
    assert executed == ["cities"] * 4
