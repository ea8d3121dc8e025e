"""The API's shell on the real stores: the health query, authentication, the typed context
(the health endpoints are in test_api_ops.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_support import RESTRICTED_TABLE, Callers, error_codes, gql

pytestmark = pytest.mark.integration


def test_health_query_is_public_and_reports_both_stores(
    api_client: TestClient, callers: Callers
) -> None:
    body = gql(api_client, callers.anonymous, "{ health { status neo4j redis profile version } }")
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


def test_tables_lists_only_what_the_caller_may_read(
    api_client: TestClient, callers: Callers
) -> None:
    query = "{ tables { name version entityKey fields } }"
    tables = {t["name"]: t for t in gql(api_client, callers.viewer, query)["data"]["tables"]}
    assert tables["cities"]["entityKey"] == ["city_id"]
    assert "population" in tables["cities"]["fields"]
    assert len(tables) > 1
    restricted = gql(api_client, callers.restricted, query)["data"]["tables"]
    assert [t["name"] for t in restricted] == [RESTRICTED_TABLE]


def test_a_user_of_no_team_workspace_sees_no_tables(
    api_client: TestClient, callers: Callers
) -> None:
    body = gql(api_client, callers.stranger, "{ tables { name } }")
    assert body == {"data": {"tables": []}}


def test_an_anonymous_caller_is_asked_to_authenticate(
    api_client: TestClient, callers: Callers
) -> None:
    body = gql(api_client, callers.anonymous, "{ tables { name } }")
    assert body["data"] is None
    assert error_codes(body) == ["unauthenticated"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer grace_0000000000000000_nope"},
        {"Authorization": "Bearer v1.e30.AAAA"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "grace_0000000000000000_nope"},
    ],
)
def test_a_bad_credential_is_refused_with_401(
    api_client: TestClient, headers: dict[str, str]
) -> None:
    response = api_client.post("/graphql", json={"query": "{ health { status } }"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "invalid_credentials"


def test_an_api_key_header_authenticates(api_client: TestClient, callers: Callers) -> None:
    assert callers.viewer.token is not None
    response = api_client.post(
        "/graphql",
        json={"query": "{ tables { name } }"},
        headers={"X-API-Key": callers.viewer.token},
    )
    assert response.json()["data"]["tables"]


def test_a_subscription_over_plain_http_is_refused(
    api_client: TestClient, callers: Callers
) -> None:
    response = api_client.post(
        "/graphql",
        json={"query": "subscription { trustUpdates { type } }"},
        headers=callers.viewer.headers(),
    )
    assert response.status_code == 400
    assert "websocket" in response.text
