"""The API's limits on the real app: one past each limit (tokens, depth, aliases, complexity,
page size, batched operations, body size) is refused before any resolver runs, also when
reached through fragments and inline fragments; exactly at each limit passes. In prod,
introspection is refused and errors not meant for users are masked.

Most cases run on a probe schema mounted on the real app at `/probe`: built by
`api.schema.schema_for`, as the real schema is, with resolvers that record every call (and
a mutation that "writes"), so a refused request provably ran none. The real schema is then
shown to carry the same limits, with Neo4j reads counted on the app's graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import strawberry
from fastapi.testclient import TestClient
from graphql import get_introspection_query
from graphql.language import Lexer, Source, TokenKind

from api.app import GraceRouter, create_app, request_context
from api.gql.context import GraceContext
from api.gql.errors import INTERNAL, INTERNAL_MESSAGE
from api.gql.pagination import MAX_PAGE_SIZE
from api.limits import (
    MAX_ALIASES,
    MAX_BATCHED_OPERATIONS,
    MAX_COMPLEXITY,
    MAX_DEPTH,
    MAX_TOKENS,
    NESTED_LIST_SIZE,
    parsed,
    validated,
)
from api.schema import build_schema, schema_for
from governance.errors import AccessDeniedError
from graph.errors import QueryFailedError
from graph.graph import Graph
from graph.settings import Profile, Settings, load_settings
from tests.integration.api_support import Callers, error_codes, gql

pytestmark = pytest.mark.integration

CALLS: list[str] = []
"""Every probe resolver that ran, in order."""
CYPHER = "MATCH (secret:Row) RETURN secret"


@strawberry.type
class Probe:
    @strawberry.field
    def name(self) -> str:
        CALLS.append("name")
        return "probe"

    @strawberry.field
    def child(self) -> Probe:
        CALLS.append("child")
        return Probe()

    @strawberry.field
    def tags(self) -> list[Probe]:
        CALLS.append("tags")
        return [Probe()]

    @strawberry.field
    def children(self, first: int | None = None) -> list[Probe]:
        CALLS.append("children")
        return [Probe() for _ in range(first or 1)]


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def probe(self) -> Probe:
        CALLS.append("probe")
        return Probe()

    @strawberry.field
    def ping(self) -> str:
        CALLS.append("ping")
        return "pong"

    @strawberry.field
    def count(self, values: list[int]) -> int:
        CALLS.append("count")
        return len(values)

    @strawberry.field
    def fail_internal(self) -> str:
        raise QueryFailedError("rows/secret", "Neo.ClientError.Statement.SyntaxError", CYPHER)

    @strawberry.field
    def crash(self) -> str:
        raise ValueError("Traceback (most recent call last): /srv/grace/secret.py")

    @strawberry.field
    def fail_denied(self) -> str:
        raise AccessDeniedError("user:probe", "read", "table cities", "no membership allows it")


@strawberry.type
class ProbeMutation:
    @strawberry.mutation
    def touch(self) -> int:
        CALLS.append("touch")
        return len(CALLS)


def probe_app(settings: Settings, profile: Profile = Profile.DEV) -> Any:
    """The real app with the probe schema mounted at `/probe`."""
    app = create_app(settings)
    schema = schema_for(profile, ProbeQuery, ProbeMutation)
    router = GraceRouter(schema, context_getter=request_context, multipart_uploads_enabled=True)
    app.include_router(router, prefix="/probe")
    return app


@pytest.fixture(scope="module")
def probe(settings: Settings) -> Iterator[TestClient]:
    with TestClient(probe_app(settings)) as client:
        yield client


@pytest.fixture(autouse=True)
def calls() -> list[str]:
    CALLS.clear()
    return CALLS


def post(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = client.post("/probe", json={"query": query, "variables": variables or {}})
    return response.json()


def messages(body: dict[str, Any]) -> str:
    return " | ".join(error["message"] for error in body.get("errors") or [])


def tokens(query: str) -> int:
    lexer, count = Lexer(Source(query)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def deep(levels: int) -> str:
    """`levels` fields nested below the root field `probe`."""
    inner = "name"
    for _ in range(levels - 1):
        inner = f"child {{ {inner} }}"
    return inner


def by_depth(levels: int) -> str:
    return f"{{ probe {{ {deep(levels)} }} }}"


def by_depth_in_fragment(levels: int) -> str:
    return f"{{ probe {{ ...Deep }} }} fragment Deep on Probe {{ {deep(levels)} }}"


def by_depth_in_inline_fragment(levels: int) -> str:
    return f"{{ probe {{ ... on Probe {{ {deep(levels)} }} }} }}"


def aliases(count: int) -> str:
    return " ".join(f"a{i}: name" for i in range(count))


def by_aliases(count: int) -> str:
    return f"{{ probe {{ {aliases(count)} }} }}"


def by_aliases_in_fragment(count: int) -> str:
    return f"{{ probe {{ ...Named }} }} fragment Named on Probe {{ {aliases(count)} }}"


def by_mutation_aliases(count: int) -> str:
    return "mutation { " + " ".join(f"t{i}: touch" for i in range(count)) + " }"


def by_tokens(count: int) -> str:
    """A document of exactly `count` tokens."""
    query = "{ count(values: [" + " ".join(["1"] * (count - 9)) + "]) }"
    assert tokens(query) == count
    return query


# cost: probe 1 + children 1 + outer * (children 1 + inner * name 1) + extra fields
BASE_COST = 1 + 1 + 196 * (1 + 50 * 1)


def by_cost(cost: int) -> str:
    assert MAX_COMPLEXITY == 10_000
    extra = " ping" * (cost - BASE_COST)
    return f"{{ probe {{ children(first: 196) {{ children(first: 50) {{ name }} }} }}{extra} }}"


def by_cost_in_fragment(cost: int) -> str:
    extra = " ping" * (cost - BASE_COST)
    return (
        f"{{ probe {{ children(first: 196) {{ ...Inner }} }}{extra} }} "
        "fragment Inner on Probe { ... on Probe { children(first: 50) { name } } }"
    )


def by_page(first: int) -> str:
    return f"{{ probe {{ children(first: {first}) {{ name }} }} }}"


def by_page_in_fragment(first: int) -> str:
    fragment = f"fragment Page on Probe {{ children(first: {first}) {{ name }} }}"
    return f"{{ probe {{ ...Page }} }} {fragment}"


LIMITS: list[tuple[str, Callable[[int], str], int, str]] = [
    ("tokens", by_tokens, MAX_TOKENS, "more than 2000 tokens"),
    ("depth", by_depth, MAX_DEPTH, "exceeds maximum operation depth"),
    ("depth/fragment", by_depth_in_fragment, MAX_DEPTH, "exceeds maximum operation depth"),
    ("depth/inline", by_depth_in_inline_fragment, MAX_DEPTH, "exceeds maximum operation depth"),
    ("aliases", by_aliases, MAX_ALIASES, "aliases found"),
    ("aliases/fragment", by_aliases_in_fragment, MAX_ALIASES, "aliases found"),
    ("aliases/mutation", by_mutation_aliases, MAX_ALIASES, "aliases found"),
    ("complexity", by_cost, MAX_COMPLEXITY, "more than the budget"),
    ("complexity/fragments", by_cost_in_fragment, MAX_COMPLEXITY, "more than the budget"),
    ("page size", by_page, MAX_PAGE_SIZE, "first must be between"),
    ("page size/fragment", by_page_in_fragment, MAX_PAGE_SIZE, "first must be between"),
]


@pytest.mark.parametrize(
    ("query", "limit", "refusal"), [case[1:] for case in LIMITS], ids=[case[0] for case in LIMITS]
)
def test_one_past_a_limit_is_refused_before_any_resolver_runs(
    probe: TestClient, calls: list[str], query: Callable[[int], str], limit: int, refusal: str
) -> None:
    body = post(probe, query(limit + 1))
    assert body["data"] is None
    assert refusal in messages(body)
    assert calls == []


@pytest.mark.parametrize(
    ("query", "limit"), [case[1:3] for case in LIMITS], ids=[case[0] for case in LIMITS]
)
def test_exactly_at_a_limit_passes(
    probe: TestClient, calls: list[str], query: Callable[[int], str], limit: int
) -> None:
    body = post(probe, query(limit))
    assert "errors" not in body, messages(body)
    assert calls


def test_a_page_size_past_the_cap_in_a_variable_is_refused(
    probe: TestClient, calls: list[str]
) -> None:
    query = "query Page($n: Int) { probe { children(first: $n) { name } } }"
    refused = post(probe, query, {"n": MAX_PAGE_SIZE + 1})
    assert error_codes(refused) == ["page_size"]
    assert calls == []
    assert post(probe, query, {"n": MAX_PAGE_SIZE})["data"]["probe"]["children"][0] == {
        "name": "probe"
    }


def test_complexity_counts_the_page_size_a_variable_asks_for(
    probe: TestClient, calls: list[str]
) -> None:
    query = "query Cost($n: Int) { probe { children(first: $n) { children(first: 50) { name } } } }"
    assert error_codes(post(probe, query, {"n": 197})) == ["query_too_complex"]
    assert calls == []
    assert "errors" not in post(probe, query, {"n": 196})


def test_a_document_is_parsed_and_validated_once_and_costed_with_each_requests_variables(
    probe: TestClient, calls: list[str]
) -> None:
    query = (
        "query Cached($n: Int) { probe { children(first: $n) { children(first: 50) { name } } } }"
    )
    assert "errors" not in post(probe, query, {"n": 2})
    parses, validations = parsed.cache_info(), validated.cache_info()
    calls.clear()
    assert error_codes(post(probe, query, {"n": 197})) == ["query_too_complex"]
    assert calls == []
    assert "page_size" in error_codes(post(probe, query, {"n": MAX_PAGE_SIZE + 1}))
    assert calls == []
    assert "errors" not in post(probe, query, {"n": 3})
    assert parsed.cache_info().misses == parses.misses  # the HTTP layer's parse included
    assert validated.cache_info().misses == validations.misses
    assert validated.cache_info().hits == validations.hits + 3


def test_a_refused_document_is_refused_again_from_the_cache(
    probe: TestClient, calls: list[str]
) -> None:
    query = by_depth(MAX_DEPTH + 1)
    for _ in range(2):
        body = post(probe, query)
        assert body["data"] is None
        assert "exceeds maximum operation depth" in messages(body)
    assert calls == []


def test_a_list_without_pages_costs_its_selection_ten_times(
    probe: TestClient, calls: list[str]
) -> None:
    assert NESTED_LIST_SIZE == 10
    three = "{ probe { tags { tags { tags { name } } } } }"  # 1 + 1 + 10 * (1 + 10 * 11)
    assert "errors" not in post(probe, three)
    calls.clear()
    four = "{ probe { tags { tags { tags { tags { name } } } } } }"  # 11,112
    assert error_codes(post(probe, four)) == ["query_too_complex"]
    assert calls == []


def test_fragments_spread_many_times_are_costed_without_blowing_up(
    probe: TestClient, calls: list[str]
) -> None:
    # Each fragment spreads the next twice: 2^20 fields if expanded, costed in linear time.
    fragments = " ".join(
        f"fragment F{i} on Probe {{ a: child {{ ...F{i + 1} }} b: child {{ ...F{i + 1} }} }}"
        for i in range(20)
    )
    body = post(probe, f"{{ probe {{ ...F0 }} }} {fragments} fragment F20 on Probe {{ name }}")
    assert body["data"] is None
    assert calls == []


def test_one_operation_past_the_batch_cap_is_refused(probe: TestClient, calls: list[str]) -> None:
    batch = [{"query": "mutation { touch }"}] * (MAX_BATCHED_OPERATIONS + 1)
    refused = probe.post("/probe", json=batch)
    assert refused.status_code == 400
    assert error_codes(refused.json()) == ["too_many_operations"]
    assert calls == []
    passed = probe.post("/probe", json=batch[:MAX_BATCHED_OPERATIONS])
    assert passed.status_code == 200
    assert calls == ["touch"] * MAX_BATCHED_OPERATIONS


def test_a_batch_is_checked_whole_before_any_operation_runs(
    probe: TestClient, calls: list[str]
) -> None:
    two_operations = "query A { ping } query B { ping }"
    batch = [{"query": "mutation { touch }"}, {"query": two_operations}]
    refused = probe.post("/probe", json=batch)
    assert refused.status_code == 400
    assert error_codes(refused.json()) == ["operation_name_required"]
    assert calls == []
    batch[1]["operationName"] = "B"
    assert probe.post("/probe", json=batch).status_code == 200
    assert calls == ["touch", "ping"]


def padded(query: str, size: int) -> bytes:
    """A JSON body of exactly `size` bytes (trailing whitespace is valid JSON)."""
    body = ('{"query": "' + query + '"}').encode()
    return body + b" " * (size - len(body))


def test_a_body_past_the_request_limit_is_refused_with_413(
    probe: TestClient, settings: Settings, calls: list[str]
) -> None:
    headers = {"content-type": "application/json"}
    limit = settings.max_request_bytes
    refused = probe.post("/probe", content=padded("mutation { touch }", limit + 1), headers=headers)
    assert refused.status_code == 413
    assert error_codes(refused.json()) == ["request_too_large"]
    assert calls == []
    passed = probe.post("/probe", content=padded("mutation { touch }", limit), headers=headers)
    assert passed.status_code == 200
    assert calls == ["touch"]


def test_a_streamed_body_without_length_is_cut_at_the_limit(
    probe: TestClient, settings: Settings, calls: list[str]
) -> None:
    body = padded("mutation { touch }", settings.max_request_bytes + 1)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    refused = probe.post("/probe", content=chunks(), headers={"content-type": "application/json"})
    assert refused.status_code == 413
    assert calls == []


def test_multipart_bodies_have_the_upload_limit_and_queries_the_request_limit(
    settings: Settings, calls: list[str]
) -> None:
    small = settings.model_copy(update={"max_request_bytes": 1024, "max_upload_bytes": 8192})
    with TestClient(probe_app(small)) as client:
        upload = {"file": ("a.csv", b"x" * 4096, "text/csv")}
        form = {"operations": '{"query": "mutation { touch }"}', "map": "{}"}
        headers = {"X-Grace-CSRF": "1"}
        accepted = client.post("/probe", data=form, files=upload, headers=headers)
        assert accepted.status_code == 200
        assert calls == ["touch"]
        too_big = {"file": ("a.csv", b"x" * 9000, "text/csv")}
        assert client.post("/probe", data=form, files=too_big, headers=headers).status_code == 413
        long_get = client.get("/probe", params={"query": "{ ping }", "pad": "x" * 2000})
        assert long_get.status_code == 413
        assert calls == ["touch"]


# The real schema carries the same limits (reads of the app's graph counted).


@pytest.fixture
def graph_reads(api_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    graph: Graph = api_client.app.state.services.graph  # type: ignore[attr-defined]
    reads: list[str] = []
    for method in ("read", "read_plain", "write"):
        original = getattr(graph, method)

        def counted(name: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            reads.append(name)
            return _original(name, *args, **kwargs)

        monkeypatch.setattr(graph, method, counted)
    return reads


REAL_REFUSALS = [
    (
        "{ documents(first: 500) { nodes { rows(first: 500) { nodes { id } } } } }",
        "query_too_complex",
    ),
    ("{ documents(first: 501) { nodes { id } } }", "page_size"),
    ('query Rows($n: Int) { rows(table: "cities", first: $n) { nodes { id } } }', "page_size"),
]


@pytest.mark.parametrize(("query", "code"), REAL_REFUSALS)
def test_the_real_schema_refuses_past_its_limits_without_reading_the_graph(
    api_client: TestClient, callers: Callers, graph_reads: list[str], query: str, code: str
) -> None:
    body = gql(api_client, callers.admin, query, {"n": MAX_PAGE_SIZE + 1})
    assert code in error_codes(body)
    assert body["data"] is None
    assert [name for name in graph_reads if name.startswith("api/")] == []


def test_the_real_schema_refuses_a_query_too_deep(
    api_client: TestClient, callers: Callers, graph_reads: list[str]
) -> None:
    inner = "id"
    for _ in range(MAX_DEPTH):
        inner = f"versions {{ {inner} }}"
    body = gql(api_client, callers.admin, f'{{ document(id: "x") {{ {inner} }} }}')
    assert "exceeds maximum operation depth" in messages(body)
    assert [name for name in graph_reads if name.startswith("api/")] == []


def test_introspection_is_open_in_dev(api_client: TestClient, callers: Callers) -> None:
    body = gql(api_client, callers.anonymous, get_introspection_query())
    assert "errors" not in body, messages(body)
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


# prod


async def errors_of(schema: Any, query: str, context: Any = None) -> list[dict[str, Any]]:
    """The errors of one operation as a client receives them."""
    result = await schema.execute(query, context_value=context)
    return [error.formatted for error in result.errors or []]


@pytest.fixture
def prod_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Prod settings as an operator gives them: secrets from the environment."""
    monkeypatch.setenv("NEO4J_PASSWORD", "a-prod-password-from-the-vault")
    monkeypatch.setenv("GRACE_API_SECRET_KEY", "a-prod-secret-from-the-vault")
    return load_settings("prod")


async def test_prod_refuses_introspection(prod_settings: Settings) -> None:
    result = await build_schema(prod_settings.profile).execute(get_introspection_query())
    assert result.data is None
    assert "introspection" in str(result.errors).lower()


def test_prod_serves_no_api_docs(prod_settings: Settings) -> None:
    client = TestClient(create_app(prod_settings))
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 404


async def test_prod_masks_internal_errors_and_keeps_access_denied(
    prod_settings: Settings,
) -> None:
    schema = schema_for(prod_settings.profile, ProbeQuery)
    [internal] = await errors_of(schema, "{ failInternal }")
    assert internal["message"] == INTERNAL_MESSAGE
    assert internal["extensions"] == {"code": INTERNAL}
    assert internal["path"] == ["failInternal"]
    assert "MATCH" not in str(internal)
    [crash] = await errors_of(schema, "{ crash }")
    assert crash["message"] == INTERNAL_MESSAGE
    assert "Traceback" not in str(crash)
    [denied] = await errors_of(schema, "{ failDenied }")
    assert denied["extensions"] == {"code": "access_denied"}
    assert "may not read" in denied["message"]


async def test_dev_keeps_internal_messages_for_developers() -> None:
    [error] = await errors_of(schema_for(Profile.DEV, ProbeQuery), "{ failInternal }")
    assert error["extensions"] == {"code": "query_failed"}
    assert CYPHER in error["message"]


async def test_prod_keeps_the_unauthenticated_code_of_the_real_schema(
    prod_settings: Settings, api_client: TestClient
) -> None:
    services = api_client.app.state.services  # type: ignore[attr-defined]
    context = GraceContext(services, None)
    [error] = await errors_of(build_schema(prod_settings.profile), "{ tables { name } }", context)
    assert error["extensions"] == {"code": "unauthenticated"}
    assert error["message"].startswith("authentication required")
