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

The HTTP layer is fuzzed below it on the real server (uvicorn in its own process): malformed
bodies, GET parameters, content types, multipart requests and websocket messages, each
refused with a 4xx and a code (4400 for a websocket) while the connection stays usable, and
no exception ever escapes the app.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any
from urllib.parse import urlencode

import httpx
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
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from api.gql.http_requests import (
    MALFORMED,
    OPERATION_NAME_REQUIRED,
    TOO_DEEP,
    TOO_MANY_OPERATIONS,
    UNSUPPORTED_MEDIA_TYPE,
    WEBSOCKET_REQUIRED,
)
from api.gql.uploads import CSRF_HEADER, CSRF_HEADER_REQUIRED
from api.gql.websocket_messages import BAD_REQUEST_CLOSE
from api.limits import MAX_BATCHED_OPERATIONS, MAX_JSON_DEPTH, TOO_LARGE
from graph.settings import Settings
from tests.integration.api_support import (
    Caller,
    Callers,
    Connection,
    LiveApi,
    Reply,
    error_codes,
)
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


# The HTTP layer: malformed requests to the real server (uvicorn in its own process), sent
# anonymously over one keep-alive connection, each followed by a valid request on that
# same connection. Every refusal is a 4xx with a code, and the connection stays open.

HEALTH = b'{"query": "{ health { status } }"}'
TRUST_UPDATES = 'subscription { trustUpdates(table: "cities") { table } }'
TWO_OPERATIONS = "query A { health { status } } query B { health { version } }"
JSON = "application/json"


def health(**fields: Any) -> bytes:
    """The health query as a JSON body, with `fields` added or replaced."""
    return json.dumps({"query": "{ health { status } }", **fields}).encode()


def nested(levels: int) -> str:
    """JSON lists nested `levels` deep."""
    return "[" * levels + "]" * levels


def deep_variables(levels: int) -> bytes:
    """The health query with a variable `v` that nests lists `levels` deep."""
    return health(variables={"v": 0}).replace(b"0", nested(levels).encode())


def multipart(form: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """The content type and body of a multipart request (`files` as name: (filename, bytes))."""
    request = httpx.Request("POST", "http://grace/graphql", data=form, files=files)
    return request.headers["content-type"], request.read()


UPLOAD_OPERATIONS = json.dumps(
    {
        "query": "mutation($files: [Upload!]!) { uploadFiles(files: $files) { path } }",
        "variables": {"files": [None]},
    }
)
ONE_FILE = {"0": ("cities.csv", b"city_id,name\n1,A\n")}

MALFORMED_BODIES: list[tuple[str, bytes, int, str]] = [
    ("a string", b'"hello"', 400, MALFORMED),
    ("null", b"null", 400, MALFORMED),
    ("a number", b"42", 400, MALFORMED),
    ("a boolean", b"true", 400, MALFORMED),
    ("a list of numbers", b"[1, 2]", 400, MALFORMED),
    ("a list of strings", b'["{ health { status } }"]', 400, MALFORMED),
    ("an empty batch", b"[]", 400, MALFORMED),
    ("variables nested 1,000 deep", deep_variables(1000), 400, TOO_DEEP),
    ("variables nested 40 deep", deep_variables(40), 400, TOO_DEEP),
    ("invalid UTF-8", b'{"query": "{ health { status } }\xff\xfe"}', 400, MALFORMED),
    ("UTF-16", HEALTH.decode().encode("utf-16"), 400, MALFORMED),
    ("not JSON", b'{"query": ', 400, MALFORMED),
    ("NaN", health(variables={"v": float("nan")}), 400, MALFORMED),
    (
        "a 5,000-digit integer",
        health(variables={"v": int("1" * 4000)}).replace(b"1" * 4000, b"1" * 5000),
        400,
        MALFORMED,
    ),
    ("no query", b"{}", 400, MALFORMED),
    ("a query that is a number", b'{"query": 5}', 400, MALFORMED),
    ("variables that are a list", health(variables=[]), 400, MALFORMED),
    ("extensions that are a string", health(extensions="x"), 400, MALFORMED),
    ("an operationName that is a number", health(operationName=5), 400, MALFORMED),
    ("a batch with a string", b'[{"query": "{ health { status } }"}, "x"]', 400, MALFORMED),
    ("a batch with bad variables", b"[" + health(variables=5) + b"]", 400, MALFORMED),
    (
        "a batch too long",
        b"[" + b",".join([HEALTH] * (MAX_BATCHED_OPERATIONS + 1)) + b"]",
        400,
        TOO_MANY_OPERATIONS,
    ),
    (
        "two operations, no operationName",
        health(query=TWO_OPERATIONS),
        400,
        OPERATION_NAME_REQUIRED,
    ),
    (
        "two operations in a batch",
        b"[" + health(query=TWO_OPERATIONS) + b"]",
        400,
        OPERATION_NAME_REQUIRED,
    ),
    ("a subscription", health(query=TRUST_UPDATES), 400, WEBSOCKET_REQUIRED),
]
"""(what, JSON body, status, code)."""


def refused(reply: Reply, status: int, code: str) -> None:
    """`reply` refuses the request with `status` and `code`, keeping the connection open."""
    assert (reply.status, error_codes(reply.json())) == (status, [code]), reply.body
    assert reply.headers.get("connection") != "close"


def serves_the_next_request(connection: Connection) -> None:
    """The same connection still answers a valid operation."""
    reply = connection.post_json("/graphql", HEALTH)
    assert reply.status == 200
    assert reply.json() == {"data": {"health": {"status": "ok"}}}


@pytest.fixture
def connection(live_api: LiveApi) -> Iterator[Connection]:
    connection = live_api.connect()
    yield connection
    connection.close()


@pytest.fixture(scope="module", autouse=True)
def no_unhandled_exception(live_api: LiveApi) -> Iterator[None]:
    """After this module the server has logged no exception escaping the app."""
    yield
    assert "Exception in ASGI application" not in live_api.log.read_text()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [case[1:] for case in MALFORMED_BODIES],
    ids=[case[0] for case in MALFORMED_BODIES],
)
def test_a_malformed_json_body_is_refused_and_the_connection_stays_usable(
    connection: Connection, body: bytes, status: int, code: str
) -> None:
    refused(connection.post_json("/graphql", body), status, code)
    serves_the_next_request(connection)


def test_json_nested_exactly_to_the_limit_passes(connection: Connection) -> None:
    at_limit = deep_variables(MAX_JSON_DEPTH - 2)  # the body and `variables` are two levels
    assert connection.post_json("/graphql", at_limit).json() == {
        "data": {"health": {"status": "ok"}}
    }
    refused(connection.post_json("/graphql", deep_variables(MAX_JSON_DEPTH - 1)), 400, TOO_DEEP)


def test_with_an_operation_name_the_named_operation_of_several_runs(
    connection: Connection,
) -> None:
    for name, field in (("A", "status"), ("B", "version")):
        body = json.dumps({"query": TWO_OPERATIONS, "operationName": name}).encode()
        reply = connection.post_json("/graphql", body)
        assert reply.status == 200
        assert list(reply.json()["data"]["health"]) == [field]


GET_QUERIES: list[tuple[str, dict[str, str], int, str]] = [
    ("variables not JSON", {"query": "{ health { status } }", "variables": "{bad"}, 400, MALFORMED),
    ("variables a list", {"query": "{ health { status } }", "variables": "[1]"}, 400, MALFORMED),
    (
        "variables nested 1,000 deep",
        {"query": "{ health { status } }", "variables": nested(1000)},
        400,
        TOO_DEEP,
    ),
    (
        "extensions a string",
        {"query": "{ health { status } }", "extensions": '"x"'},
        400,
        MALFORMED,
    ),
    ("no query", {"variables": "{}"}, 400, MALFORMED),
    ("two operations", {"query": TWO_OPERATIONS}, 400, OPERATION_NAME_REQUIRED),
    ("a mutation", {"query": 'mutation { reingest(documentId: "x") { id } }'}, 400, "bad_request"),
]
"""(what, query parameters, status, code)."""


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [case[1:] for case in GET_QUERIES],
    ids=[case[0] for case in GET_QUERIES],
)
def test_a_malformed_get_is_refused_and_the_connection_stays_usable(
    connection: Connection, params: dict[str, str], status: int, code: str
) -> None:
    target = "/graphql?" + urlencode(params)
    reply = connection.request("GET", target, headers={"Accept": JSON})
    refused(reply, status, code)
    serves_the_next_request(connection)


def test_a_body_of_another_content_type_is_refused_with_415(connection: Connection) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx"):
        reply = connection.request("POST", "/graphql", HEALTH, {"Content-Type": content_type})
        refused(reply, 415, UNSUPPORTED_MEDIA_TYPE)
    refused(connection.request("POST", "/graphql", HEALTH), 415, UNSUPPORTED_MEDIA_TYPE)
    serves_the_next_request(connection)


MULTIPART: list[tuple[str, dict[str, str], dict[str, tuple[str, bytes]], str]] = [
    ("no operations", {"map": '{"0": ["variables.files.0"]}'}, ONE_FILE, MALFORMED),
    ("operations not JSON", {"operations": "{bad", "map": "{}"}, ONE_FILE, MALFORMED),
    ("operations a string", {"operations": '"x"', "map": "{}"}, ONE_FILE, MALFORMED),
    ("operations nested too deep", {"operations": nested(1000), "map": "{}"}, ONE_FILE, TOO_DEEP),
    (
        "operations sent as a file",
        {"map": "{}"},
        {"operations": ("o.json", UPLOAD_OPERATIONS.encode())},
        MALFORMED,
    ),
    ("a map that is a list", {"operations": UPLOAD_OPERATIONS, "map": "[1]"}, ONE_FILE, MALFORMED),
    (
        "a map to nowhere",
        {"operations": UPLOAD_OPERATIONS, "map": '{"0": ["variables.files.7"]}'},
        ONE_FILE,
        MALFORMED,
    ),
    (
        "a map through a string",
        {"operations": UPLOAD_OPERATIONS, "map": '{"0": ["query.x"]}'},
        ONE_FILE,
        MALFORMED,
    ),
    (
        "a map to a missing file",
        {"operations": UPLOAD_OPERATIONS, "map": '{"9": ["variables.files.0"]}'},
        ONE_FILE,
        MALFORMED,
    ),
]
"""(what, form fields, files, code): refused before any file is stored."""


@pytest.mark.parametrize(
    ("form", "files", "code"),
    [case[1:] for case in MULTIPART],
    ids=[case[0] for case in MULTIPART],
)
def test_a_broken_multipart_request_is_refused_and_the_connection_stays_usable(
    connection: Connection,
    form: dict[str, str],
    files: dict[str, tuple[str, bytes]],
    code: str,
) -> None:
    content_type, body = multipart(form, files)
    headers = {"Content-Type": content_type, CSRF_HEADER: "1"}
    refused(connection.request("POST", "/graphql", body, headers), 400, code)
    serves_the_next_request(connection)


def test_a_multipart_body_that_does_not_parse_is_refused(connection: Connection) -> None:
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=x"):
        headers = {"Content-Type": content_type, CSRF_HEADER: "1"}
        refused(connection.request("POST", "/graphql", b"--y\r\nno", headers), 400, MALFORMED)
    _, body = multipart({"operations": UPLOAD_OPERATIONS, "map": "{}"}, ONE_FILE)
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    refused(connection.request("POST", "/graphql", body, headers), 400, CSRF_HEADER_REQUIRED)
    serves_the_next_request(connection)


def test_a_body_over_the_size_limit_gets_413_and_the_server_serves_the_next_connection(
    live_api: LiveApi, connection: Connection, settings: Settings
) -> None:
    body = HEALTH + b" " * settings.max_request_bytes
    reply = connection.post_json("/graphql", body)
    assert (reply.status, error_codes(reply.json())) == (413, [TOO_LARGE])
    assert reply.headers["connection"] == "close"  # the rest of the body was never read
    with closing(live_api.connect()) as fresh:
        serves_the_next_request(fresh)


HTTP_EXAMPLES = 300

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
queries = st.sampled_from(
    [
        "{ health { status } }",
        TWO_OPERATIONS,
        'mutation { reingest(documentId: "x") { id } }',
        'subscription { trustUpdates(table: "x") { table } }',
        "{ health { ",
    ]
)
operations = st.fixed_dictionaries(
    {},
    optional={
        "query": queries | json_values,
        "variables": json_values,
        "operationName": st.sampled_from(["A", "B", "C"]) | json_values,
        "extensions": json_values,
    },
)
documents = st.one_of(json_values, operations, st.lists(operations, max_size=12))
bodies = st.one_of(
    documents.map(lambda value: json.dumps(value).encode()),
    documents.map(lambda value: json.dumps(value).encode()[:-1]),  # cut short
    st.tuples(operations, st.binary(min_size=1, max_size=4)).map(
        lambda pair: json.dumps(pair[0]).encode()[:-1] + b' "' + pair[1] + b'"}'
    ),
    st.binary(max_size=64),
)
"""Request bodies: any JSON, operation-like objects and batches with fields of any type,
JSON cut short, strings carrying arbitrary bytes (invalid UTF-8), and arbitrary bytes."""


def as_list(answer: Any) -> list[Any]:
    """The answers of a batch, or the one answer."""
    return answer if isinstance(answer, list) else [answer]


def test_fuzzed_bodies_over_one_connection_never_get_a_5xx(connection: Connection) -> None:
    sent = 0

    @settings(
        max_examples=HTTP_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies)
    def run(body: bytes) -> None:
        nonlocal sent
        reply = connection.post_json("/graphql", body)
        sent += 1
        assert reply.status < 500, (body, reply.body)
        answer = reply.json()
        codes = [code for one in as_list(answer) for code in all_codes(one)]
        assert INTERNAL not in codes, (body, reply.body)
        if reply.status >= 400:
            assert codes, (body, reply.body)

    run()
    serves_the_next_request(connection)
    print(f"fuzz: {sent} request bodies over one connection")
    assert sent == HTTP_EXAMPLES


# The subscription websocket: a malformed message closes it with 4400, never a server error.

WS_PROTOCOL = "graphql-transport-ws"


def websocket(live_api: LiveApi, protocol: str = WS_PROTOCOL) -> ClientConnection:
    """A websocket to the live server's `/graphql`."""
    url = f"ws://{live_api.host}:{live_api.port}/graphql"
    return connect(url, subprotocols=[Subprotocol(protocol)], open_timeout=60)


def close_code(session: ClientConnection) -> int | None:
    """How the server closed `session` (None when it sent no close frame)."""
    try:
        while True:
            session.recv(timeout=60)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


FIRST_MESSAGES: list[tuple[str, str | bytes]] = [
    ("not JSON", "hello"),
    ("a list", '[{"type": "connection_init"}]'),
    ("a string", '"connection_init"'),
    ("null", "null"),
    ("nested 1,000 deep", '{"type": "connection_init", "payload": ' + nested(1000) + "}"),
    ("a binary frame", b'{"type": "connection_init"}'),
    ("no type", "{}"),
    ("an unknown type", '{"type": 5}'),
    ("a payload that is a string", '{"type": "connection_init", "payload": "x"}'),
]


@pytest.mark.parametrize(
    "message", [case[1] for case in FIRST_MESSAGES], ids=[case[0] for case in FIRST_MESSAGES]
)
def test_a_malformed_first_websocket_message_closes_it_with_4400(
    live_api: LiveApi, connection: Connection, message: str | bytes
) -> None:
    with websocket(live_api) as session:
        session.send(message)
        assert close_code(session) == BAD_REQUEST_CLOSE
    serves_the_next_request(connection)


def test_the_legacy_graphql_ws_protocol_is_not_spoken(live_api: LiveApi) -> None:
    with websocket(live_api, "graphql-ws") as session:
        assert close_code(session) == 4406


@pytest.fixture
def initialised(live_api: LiveApi, callers: Callers) -> Iterator[ClientConnection]:
    """A websocket on which the admin completed `connection_init`."""
    with websocket(live_api) as session:
        init = {
            "type": "connection_init",
            "payload": {"authorization": f"Bearer {callers.admin.token}"},
        }
        session.send(json.dumps(init))
        assert json.loads(session.recv(timeout=60))["type"] == "connection_ack"
        yield session


@pytest.mark.parametrize(
    "subscribe",
    [
        {"type": "subscribe", "id": "1", "payload": "x"},
        {"type": "subscribe", "id": "1", "payload": {"query": 5}},
        {"type": "subscribe", "id": "1", "payload": {"query": TRUST_UPDATES, "variables": [1]}},
        {"type": "subscribe", "id": 1, "payload": {"query": TRUST_UPDATES}},
        {"type": "subscribe", "id": "1"},
    ],
    ids=["payload a string", "query a number", "variables a list", "id a number", "no payload"],
)
def test_a_malformed_subscribe_closes_the_websocket_with_4400(
    initialised: ClientConnection, subscribe: dict[str, Any]
) -> None:
    initialised.send(json.dumps(subscribe))
    assert close_code(initialised) == BAD_REQUEST_CLOSE


def test_a_subscribe_of_several_operations_without_a_name_gets_an_error(
    initialised: ClientConnection,
) -> None:
    query = f"{TRUST_UPDATES} subscription Other {{ trustUpdates {{ table }} }}"
    initialised.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": query}}))
    answer = json.loads(initialised.recv(timeout=60))
    assert answer["type"] == "error"
    assert answer["id"] == "1"
    assert [error["extensions"]["code"] for error in answer["payload"]] == [OPERATION_NAME_REQUIRED]
    initialised.send(json.dumps({"type": "ping"}))
    assert json.loads(initialised.recv(timeout=60)) == {"type": "pong"}
