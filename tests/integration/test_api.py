from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def graphql(client: TestClient, query: str) -> dict[str, object]:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def test_health_query_reports_both_stores(client: TestClient) -> None:
    body = graphql(client, "{ health { status neo4j redis profile version } }")
    assert body == {
        "data": {
            "health": {
                "status": "ok",
                "neo4j": True,
                "redis": True,
                "profile": "dev",
                "version": "0.1.0",
            }
        }
    }


def test_tables_query_lists_the_synced_schemas(client: TestClient) -> None:
    body = graphql(client, "{ tables { name version entityKey fields } }")
    tables = {table["name"]: table for table in body["data"]["tables"]}  # type: ignore[index]
    assert tables["cities"]["entityKey"] == ["city_id"]
    assert "population" in tables["cities"]["fields"]


def test_readiness_and_liveness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["neo4j"] is True


def test_readiness_is_503_when_redis_is_down(settings: Settings) -> None:
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(broken)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["redis"] is False
        body = graphql(client, "{ health { status redis } }")
        assert body["data"] == {"health": {"status": "degraded", "redis": False}}


def test_too_many_aliases_are_refused(client: TestClient) -> None:
    aliases = " ".join(f"a{i}: health {{ status }}" for i in range(40))
    body = graphql(client, f"{{ {aliases} }}")
    assert "aliases" in str(body["errors"]).lower()
