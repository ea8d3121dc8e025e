"""`proposeSchema` (issue 17, item 5): a table suggested for a file from Grace's inference and
the model (the local fake OpenAI-compatible server), proposed as a pending change request and
never applied; refused with a code for a caller without `ingest` and for a model reply that is
not a valid table definition, with nothing created. Through the real app, Neo4j and Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from api.app import create_app
from cli.ask import app as ask_app
from governance.errors import AccessDeniedError
from graph.graph import Graph
from graph.settings import Settings
from tests.fake_llm import Script, fake_llm
from tests.integration.api_support import Callers, error_codes, gql

pytestmark = pytest.mark.integration

PROPOSE = """mutation($name: String!, $content: String!, $table: String) {
  proposeSchema(fileName: $name, content: $content, table: $table) {
    table version changeRequest mode definition tokens } }"""
CSV = (
    "station_id,name,opened,height_m,keeper\n"
    "S1,North,2020-01-05,12.5,Ann\nS2,South,2021-03-09,8,Bob\n"
)


def refined(table: str, **changes: Any) -> str:
    """The model's reply: the inferred definition, described and with a personal field."""
    definition: dict[str, Any] = {
        "name": table,
        "owner": "model",
        "description": "Weather stations and who keeps them.",
        "fields": {
            "station_id": {"type": "string", "required": True},
            "name": {"type": "string"},
            "opened": {"type": "date"},
            "height_m": {"type": "float"},
            "keeper": {"type": "string", "pii": True},
        },
        "entity_key": ["station_id"],
    }
    definition.update(changes)
    return f"```json\n{json.dumps(definition)}\n```"


@pytest.fixture(scope="module")
def script() -> Script:
    return Script()


@pytest.fixture(scope="module")
def model_client(settings: Settings, script: Script) -> Iterator[TestClient]:
    """The real app with the fake model configured as its co-pilot's endpoint."""
    with fake_llm(script) as url:
        configured = settings.model_copy(
            update={"llm_url": url, "llm_model": "scripted", "llm_api_key": SecretStr("sk-x")}
        )
        with TestClient(create_app(configured)) as client:
            yield client


@pytest.fixture
async def table(graph: Graph, unique: str) -> AsyncIterator[str]:
    """A table name of this test; its versions and requests are removed afterwards."""
    name = f"stations_{unique}"
    yield name
    await graph.write("testing/delete_table_requests", {"names": [name]})
    await graph.write("testing/delete_tables", {"names": [name]})


async def stored(graph: Graph, table: str) -> tuple[list[str], list[dict[str, Any]]]:
    [found] = await graph.read("testing/schema_proposal", {"table": table})
    return list(found["statuses"]), list(found["requests"])


def propose(client: TestClient, caller: Any, table: str) -> dict[str, Any]:
    return gql(client, caller, PROPOSE, {"name": "stations.csv", "content": CSV, "table": table})


async def test_a_suggested_schema_is_a_pending_change_request_and_nothing_is_applied(
    model_client: TestClient, callers: Callers, graph: Graph, script: Script, table: str
) -> None:
    script.replies.append(refined(table))
    body = propose(model_client, callers.editor, table)
    proposal = body["data"]["proposeSchema"]
    assert proposal["mode"] == "model"
    assert proposal["definition"]["fields"]["keeper"]["pii"] is True
    assert proposal["definition"]["owner"] != "model"  # Grace names the owner, not the model
    assert proposal["tokens"] > 0
    assert table in script.requests[-1]["messages"][1]["content"]  # the inference grounds it
    statuses, requests = await stored(graph, table)
    assert statuses == ["proposed"]
    assert [(r["id"], r["status"], r["kind"]) for r in requests] == [
        (proposal["changeRequest"], "open", "schema.create")
    ]
    assert requests[0]["requested_by"] == callers.editor.user_id


async def test_without_a_model_the_inferred_schema_is_proposed(
    api_client: TestClient, callers: Callers, graph: Graph, table: str
) -> None:
    proposal = propose(api_client, callers.editor, table)["data"]["proposeSchema"]
    assert proposal["mode"] == "inferred"
    assert proposal["definition"]["entity_key"] == ["station_id"]
    assert (await stored(graph, table))[0] == ["proposed"]


async def test_a_caller_without_the_ingest_right_is_refused_and_nothing_is_created(
    model_client: TestClient, callers: Callers, graph: Graph, script: Script, table: str
) -> None:
    calls = len(script.requests)
    for caller, code in [
        (callers.viewer, "access_denied"),
        (callers.restricted, "access_denied"),
        (callers.anonymous, "unauthenticated"),
    ]:
        assert error_codes(propose(model_client, caller, table)) == [code], caller
    assert await stored(graph, table) == ([], [])
    assert len(script.requests) == calls  # refused before the model is asked


@pytest.mark.parametrize(
    "reply",
    [
        "Here is a schema: stations with an id.",
        "[1, 2, 3]",
        "invented_field",
        "wrong_type",
        "key_not_declared",
    ],
)
async def test_model_output_that_is_not_a_valid_schema_is_refused_and_nothing_is_created(
    model_client: TestClient,
    callers: Callers,
    graph: Graph,
    script: Script,
    table: str,
    reply: str,
) -> None:
    replies = {
        "invented_field": refined(table, fields={"station_id": {"type": "string"}, "x": {}}),
        "wrong_type": refined(table, fields={"station_id": {"type": "money"}}),
        "key_not_declared": refined(table, entity_key=["serial"]),
    }
    script.replies.append(replies.get(reply, reply))
    assert error_codes(propose(model_client, callers.editor, table)) == [
        "schema_suggestion_invalid"
    ]
    assert await stored(graph, table) == ([], [])


async def test_a_file_without_rows_is_refused_with_a_code(
    api_client: TestClient, callers: Callers, graph: Graph, table: str
) -> None:
    body = gql(api_client, callers.editor, PROPOSE, {"name": "empty.csv", "content": "a,b\n"})
    assert error_codes(body) == ["invalid_argument"]
    assert error_codes(gql(api_client, callers.editor, PROPOSE, {"name": " ", "content": CSV})) == [
        "invalid_argument"
    ]


async def grace(settings: Settings, *args: str) -> Result:
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
    }
    return await asyncio.to_thread(lambda: CliRunner().invoke(ask_app, list(args), env=env))


async def test_grace_propose_schema_proposes_as_a_user_with_the_ingest_right_only(
    settings: Settings, callers: Callers, graph: Graph, table: str, tmp_path: Path
) -> None:
    file = tmp_path / "stations.csv"
    file.write_text(CSV)
    assert callers.viewer.user_id is not None
    assert callers.editor.user_id is not None
    refused = await grace(
        settings, "propose-schema", str(file), "--table", table, "--as", callers.viewer.user_id
    )
    assert isinstance(refused.exception, AccessDeniedError), refused.output
    assert await stored(graph, table) == ([], [])
    done = await grace(
        settings, "propose-schema", str(file), "--table", table, "--as", callers.editor.user_id
    )
    assert done.exit_code == 0, (done.output, done.exception)
    proposal = json.loads(done.stdout)
    statuses, requests = await stored(graph, table)
    assert statuses == ["proposed"]
    assert [(r["id"], r["requested_by"]) for r in requests] == [
        (proposal["change_request"], callers.editor.user_id)
    ]


async def test_grace_ask_is_audited_like_graphql(
    settings: Settings, graph: Graph, unique: str
) -> None:
    question = f"how many rows does each table have? {unique}"
    done = await grace(settings, "ask", question, "--json")
    assert done.exit_code == 0, (done.output, done.exception)
    answer = json.loads(done.stdout)
    [entry] = await graph.read("testing/copilot_ask_audit", {"marker": unique})
    assert entry["actor"] == "system:cli"
    assert json.loads(entry["target"]) == {
        "channel": "cli", "question": question, "cypher": answer["cypher"],
        "rows": len(answer["rows"]), "mode": "curated", "answered": True,
    }  # fmt: skip
