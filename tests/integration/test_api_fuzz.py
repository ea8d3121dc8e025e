"""Fuzzing the real API with schemathesis's GraphQL support: operations generated from the
schema (as introspected from the app), sent as the admin and as an anonymous caller; no
answer may be a 5xx, nor a resolver crash behind a 200 (error code `internal`).

The admin fuzzes the Query fields only, so that resolvers run with full rights without the
fuzzer changing data; the anonymous caller fuzzes every query and mutation, which must be
refused before any resolver acts. Schemathesis generates the operations; the verdict is
ours: its `not_a_server_error` check counts every GraphQL error with null data as a server
error, while here refusals and bad input are GraphQL errors that carry a code. A bounded,
derandomized number of examples per operation keeps the run short and reproducible;
shrinking is off (a failure prints its operation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from graphql import get_introspection_query
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case
from schemathesis.graphql import nodes
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.schemas import GraphQLOperationDefinition, GraphQLSchema

from tests.integration.api_support import Caller, Callers
from tests.integration.authz_matrix import INTERNAL, all_codes

pytestmark = pytest.mark.integration

ADMIN_EXAMPLES = 40
ANONYMOUS_EXAMPLES = 10

schemathesis.graphql.scalar(
    "JSON",
    st.one_of(
        st.text(max_size=20).map(nodes.String),
        st.integers().map(nodes.Int),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.Null),
    ),
)
schemathesis.graphql.scalar("Upload", st.just(nodes.Null))  # files travel as multipart parts


@pytest.fixture(scope="module")
def fuzz_schema(api_client: TestClient) -> GraphQLSchema:
    """The schema as the running app introspects it (dev profile: introspection on)."""
    response = api_client.post("/graphql", json={"query": get_introspection_query()})
    assert response.status_code == 200
    return schemathesis.graphql.from_dict(response.json())


def fuzz(
    client: TestClient,
    schema: GraphQLSchema,
    caller: Caller,
    examples: int,
    wanted: Callable[[GraphQLOperationDefinition], bool],
) -> int:
    """Fuzz every wanted root field as `caller`; the number of operations sent."""
    sent = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operation = result.ok()
        definition = operation.definition
        assert isinstance(definition, GraphQLOperationDefinition)
        if wanted(definition):
            sent += fuzz_operation(client, operation, caller, examples)
    return sent


def fuzz_operation(
    client: TestClient, operation: APIOperation[Any, Any, Any, Any], caller: Caller, examples: int
) -> int:
    """Send up to `examples` generated operations of one root field; the number sent."""
    sent = 0

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Case[Any]) -> None:
        nonlocal sent
        response = client.post("/graphql", json={"query": case.body}, headers=caller.headers())
        sent += 1
        assert response.status_code < 500, (case.body, response.text)
        if response.headers.get("content-type", "").startswith("application/json"):
            assert INTERNAL not in all_codes(response.json()), (case.body, response.text)

    run()
    return sent


def test_fuzzed_queries_never_fail_the_server_for_the_admin(
    api_client: TestClient, fuzz_schema: GraphQLSchema, callers: Callers
) -> None:
    sent = fuzz(api_client, fuzz_schema, callers.admin, ADMIN_EXAMPLES, lambda d: d.is_query)
    print(f"fuzz: {sent} operations as the admin")
    assert sent >= ADMIN_EXAMPLES


def test_fuzzed_operations_never_fail_the_server_for_an_anonymous_caller(
    api_client: TestClient, fuzz_schema: GraphQLSchema, callers: Callers
) -> None:
    sent = fuzz(api_client, fuzz_schema, callers.anonymous, ANONYMOUS_EXAMPLES, lambda d: True)
    print(f"fuzz: {sent} operations as an anonymous caller")
    assert sent >= ANONYMOUS_EXAMPLES
