"""GraphQL's `ask` and `askStream`: the co-pilot answers each caller from the tables they may
read, through the real app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from governance.audit import AuditLog
from governance.audit_verify import verify
from governance.checkpoint import read_trust
from governance.secrets import open_secret_store
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.api_support import Callers, error_codes, gql
from tests.integration.copilot_support import OTHER_TABLE, CopilotSeed
from tests.integration.test_api_subscriptions import subscribed

pytestmark = pytest.mark.integration

ASK = """query($q: String!) { ask(question: $q) {
  answered text mode cypher columns rows links confidence matched usage { promptTokens } } }"""
STREAM = """subscription($q: String!) { askStream(question: $q) {
  kind text answer { answered matched rows } } }"""
ROWS_PER_TABLE = "how many rows does each table have?"


def tables_in(body: dict[str, Any]) -> set[str]:
    answer = body["data"]["ask"]
    return {str(row[0]) for row in answer["rows"]}


def test_ask_answers_each_caller_from_their_readable_tables(
    api_client: TestClient, callers: Callers, copilot_seed: CopilotSeed
) -> None:
    admin = gql(api_client, callers.admin, ASK, {"q": ROWS_PER_TABLE})
    restricted = gql(api_client, callers.restricted, ASK, {"q": ROWS_PER_TABLE})
    assert admin["data"]["ask"]["answered"] is True
    assert admin["data"]["ask"]["mode"] == "curated"
    assert admin["data"]["ask"]["matched"] == "rows_per_table"
    assert "MATCH" in admin["data"]["ask"]["cypher"]
    assert OTHER_TABLE in tables_in(admin)
    assert tables_in(restricted) == {"cities"}


def test_ask_refuses_anonymous_callers_and_blank_questions(
    api_client: TestClient, callers: Callers
) -> None:
    assert error_codes(gql(api_client, callers.anonymous, ASK, {"q": ROWS_PER_TABLE})) == [
        "unauthenticated"
    ]
    assert error_codes(gql(api_client, callers.admin, ASK, {"q": "   "})) == ["invalid_argument"]


def test_ask_stream_sends_the_steps_then_the_answer(
    api_client: TestClient, callers: Callers, copilot_seed: CopilotSeed
) -> None:
    with subscribed(api_client, callers.restricted) as socket:
        operation = socket.subscribe(STREAM, {"q": ROWS_PER_TABLE})
        first, last = (socket.next(operation)["payload"]["data"]["askStream"] for _ in "12")
    assert first["kind"] == "status"
    assert last["kind"] == "answer"
    assert last["answer"]["matched"] == "rows_per_table"
    assert {row[0] for row in last["answer"]["rows"]} == {"cities"}


async def test_every_graphql_answer_is_audited_without_row_values_and_the_chain_verifies(
    api_client: TestClient,
    callers: Callers,
    copilot_seed: CopilotSeed,
    graph: Graph,
    settings: Settings,
) -> None:
    question = f"how many rows does each table have? ({copilot_seed.key})"
    asked = gql(api_client, callers.restricted, ASK, {"q": question})["data"]["ask"]
    with subscribed(api_client, callers.admin) as socket:
        operation = socket.subscribe(STREAM, {"q": question})
        while socket.next(operation)["payload"]["data"]["askStream"]["kind"] != "answer":
            pass
    found = await graph.read("testing/copilot_ask_audit", {"marker": copilot_seed.key})
    entries = {row["actor"]: json.loads(row["target"]) for row in found}
    assert len(entries) == 2  # one per caller (each asked by their API key)
    assert all(actor.startswith("key:") for actor in entries)
    restricted = next(e for e in entries.values() if e["rows"] == len(asked["rows"]) == 1)
    assert restricted == {
        "channel": "graphql",
        "question": question,
        "cypher": asked["cypher"],
        "rows": len(asked["rows"]),
        "mode": "curated",
        "answered": True,
    }
    for entry in found:
        assert not any(marker in entry["target"] for marker in copilot_seed.markers.values())
    log = AuditLog(graph)  # the main chain, checked against the checkpoint keys the app uses
    report = await verify(log, read_trust(open_secret_store(settings), log.chain))
    assert report.ok, report.problems
