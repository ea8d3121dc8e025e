"""Questions answered on the real graph: the curated answerer (no model), and the model
path against the local fake OpenAI-compatible server (issue 17, items 1, 2, 4, 6, 8)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from redis.asyncio import Redis

from copilot.answers import Answer, Mode
from copilot.budget import TokenBudget
from copilot.errors import BudgetExhaustedError, ProviderError
from copilot.metrics import CopilotMetrics
from copilot.model_answerer import Progress
from copilot.provider import OpenAICompatibleProvider
from copilot.service import Copilot
from graph.graph import Graph
from graph.settings import Settings
from tests.fake_llm import Script, fake_llm
from tests.integration.api_support import RESTRICTED_TABLE
from tests.integration.copilot_support import (
    OTHER_TABLE,
    CopilotSeed,
    full_view,
    restricted_view,
)
from trust.embedding import Embedder, load_embedder

pytestmark = pytest.mark.integration

KNOWN = frozenset({RESTRICTED_TABLE, OTHER_TABLE})
SEEDED_ROWS = (
    "```cypher\nMATCH (r:Row) WHERE r.table IN $tables AND r.key STARTS WITH 'copilot-'\n"
    "RETURN r\n```"
)
"""A model's reply: the seeded rows of the readable tables (few: no row limit reached)."""
KEY = SecretStr("sk-copilot-test-key-never-logged")


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("numpy")


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


def model_copilot(
    graph: Graph,
    embedder: Embedder,
    url: str,
    *,
    budget: TokenBudget | None = None,
    metrics: CopilotMetrics | None = None,
) -> Copilot:
    provider = OpenAICompatibleProvider(url, "scripted", key=KEY, timeout=5, retries=2)
    return Copilot(graph, embedder, provider=provider, budget=budget, metrics=metrics)


def table_rows(answer: Answer) -> dict[str, int]:
    return {str(row[0]): int(str(row[1])) for row in answer.rows}


async def test_a_curated_question_answers_from_the_readable_tables_only(
    graph: Graph, embedder: Embedder, copilot_seed: CopilotSeed
) -> None:
    copilot = Copilot(graph, embedder)
    question = "how many rows does each table have?"
    restricted = await copilot.ask(question, restricted_view(KNOWN), "user:r")
    everything = await copilot.ask(question, full_view(KNOWN), "user:a")
    assert restricted.answered
    assert restricted.mode is Mode.CURATED
    assert restricted.matched == "rows_per_table"
    assert set(table_rows(restricted)) == {RESTRICTED_TABLE}
    assert set(table_rows(everything)) == {RESTRICTED_TABLE, OTHER_TABLE}
    assert "MATCH (r:Row)" in restricted.cypher


async def test_a_curated_question_fills_the_entity_from_the_question(
    graph: Graph, embedder: Embedder, copilot_seed: CopilotSeed
) -> None:
    copilot = Copilot(graph, embedder)
    question = f"what conflicts are there about {copilot_seed.key}?"
    answer = await copilot.ask(question, restricted_view(KNOWN), "user:r")
    assert answer.matched == "entity_conflicts"
    assert answer.parameters["entity"] == copilot_seed.entities[RESTRICTED_TABLE]
    assert answer.links
    assert all(link.startswith("conflict:") for link in answer.links)
    assert OTHER_TABLE not in json.dumps(answer.rows)


async def test_a_question_outside_the_curated_set_without_a_model_is_not_answered(
    graph: Graph, embedder: Embedder
) -> None:
    answer = await Copilot(graph, embedder).ask(
        "what will the weather be in Paris tomorrow?", full_view(KNOWN), "user:a"
    )
    assert not answer.answered
    assert answer.text.startswith("I could not answer")
    assert "configure a model" in answer.text


async def test_a_curated_question_missing_its_table_says_what_to_name(
    graph: Graph, embedder: Embedder
) -> None:
    answer = await Copilot(graph, embedder).ask(
        "show the lowest trust rows", restricted_view(KNOWN), "user:r"
    )
    assert not answer.answered
    assert "name a table you can read (cities)" in answer.text


async def test_the_model_answers_a_free_question_grounded_in_the_readable_tables(
    graph: Graph, embedder: Embedder, copilot_seed: CopilotSeed, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script([SEEDED_ROWS])
    caplog.set_level(logging.DEBUG)
    with fake_llm(script) as url:
        copilot = model_copilot(graph, embedder, url)
        answer = await copilot.ask(
            "which rows mention a town and a mayor, in any source?", restricted_view(KNOWN), "u"
        )
        await copilot.close()
    assert answer.answered
    assert answer.mode is Mode.MODEL
    assert copilot_seed.markers[RESTRICTED_TABLE] in json.dumps(answer.rows)
    assert copilot_seed.markers[OTHER_TABLE] not in json.dumps(answer.rows)
    system = script.requests[0]["messages"][0]["content"]
    assert "- cities:" in system
    assert "- organizations:" not in system
    [row_properties] = [line for line in system.splitlines() if line.startswith("- Row: ")]
    assert {"key", "table", "trust", "values"} <= set(row_properties[7:].split(", "))
    warnings = [r for r in caplog.records if r.name.startswith("neo4j") and r.levelno >= 30]
    assert not warnings, [r.getMessage() for r in warnings]  # the schema read warns of nothing
    assert script.requests[0]["messages"][1]["role"] == "user"  # a few-shot example
    assert script.requests[0]["max_tokens"] == 1024  # a small model stops, not its context
    assert script.headers[0]["Authorization"] == f"Bearer {KEY.get_secret_value()}"
    assert KEY.get_secret_value() not in caplog.text
    assert answer.usage.prompt_tokens == 100


async def test_a_failing_query_gets_one_repair_round_with_the_error(
    graph: Graph, embedder: Embedder, copilot_seed: CopilotSeed
) -> None:
    script = Script(["MATCH (r:Row) WHERE RETURN r", "MATCH (r:Row) RETURN r LIMIT 1"])
    with fake_llm(script) as url:
        answer = await model_copilot(graph, embedder, url).ask(
            "give me any one row at all please", full_view(KNOWN), "u"
        )
    assert answer.answered
    assert answer.cypher == "MATCH (r:Row) RETURN r LIMIT 1"
    repair = script.requests[1]["messages"][-1]["content"]
    assert repair.startswith("That query failed:")
    assert answer.usage.prompt_tokens == 200


async def test_a_refused_query_after_its_repair_is_not_answered(
    graph: Graph, embedder: Embedder
) -> None:
    script = Script(["MATCH (n:Row) DETACH DELETE n", "MATCH (k:ApiKey) RETURN k"])
    metrics = CopilotMetrics(CollectorRegistry())
    with fake_llm(script) as url:
        answer = await model_copilot(graph, embedder, url, metrics=metrics).ask(
            "delete everything you can find", full_view(KNOWN), "u"
        )
    assert not answer.answered
    assert "outside_view" in answer.text
    assert metrics.refusals.labels("forbidden_clause")._value.get() == 1
    assert metrics.refusals.labels("outside_view")._value.get() == 1


async def test_the_provider_retries_a_busy_endpoint(graph: Graph, embedder: Embedder) -> None:
    script = Script([503, "MATCH (r:Row) RETURN r LIMIT 1"])
    with fake_llm(script) as url:
        answer = await model_copilot(graph, embedder, url).ask(
            "give me any one row at all please", full_view(KNOWN), "u"
        )
    assert answer.answered
    assert len(script.requests) == 2


async def test_the_provider_gives_up_after_its_retries(graph: Graph, embedder: Embedder) -> None:
    script = Script([500, 500, 500, "MATCH (r:Row) RETURN r"])
    with fake_llm(script) as url, pytest.raises(ProviderError) as failed:
        await model_copilot(graph, embedder, url).ask(
            "give me any one row at all please", full_view(KNOWN), "u"
        )
    assert "after 3 attempts" in str(failed.value)
    assert KEY.get_secret_value() not in str(failed.value)


async def test_a_spent_daily_budget_refuses_politely(
    graph: Graph, embedder: Embedder, redis: Redis
) -> None:
    user = f"user:budget-{uuid.uuid4().hex[:8]}"
    budget = TokenBudget(redis, per_user=50, overall=10**9)
    script = Script(["MATCH (r:Row) RETURN r LIMIT 1"] * 2)
    with fake_llm(script) as url:
        copilot = model_copilot(graph, embedder, url, budget=budget)
        first = await copilot.ask("give me any one row at all please", full_view(KNOWN), user)
        with pytest.raises(BudgetExhaustedError) as spent:
            await copilot.ask("give me any one row at all please", full_view(KNOWN), user)
    assert first.answered
    assert spent.value.code == "llm_budget_exhausted"
    assert "renews at midnight UTC" in str(spent.value)
    assert len(script.requests) == 1


async def test_the_streamed_answer_carries_the_model_text_then_the_answer(
    graph: Graph, embedder: Embedder, copilot_seed: CopilotSeed
) -> None:
    script = Script([SEEDED_ROWS])
    with fake_llm(script) as url:
        copilot = model_copilot(graph, embedder, url)
        events = [
            e
            async for e in copilot.ask_stream(
                "which rows mention a town and a mayor, in any source?",
                replace(restricted_view(KNOWN)),
                "u",
            )
        ]
    model_text = "".join(e.text for e in events if isinstance(e, Progress) and e.kind == "model")
    assert "MATCH (r:Row)" in model_text
    final = events[-1]
    assert isinstance(final, Answer)
    assert final.answered
    assert final.usage.completion_tokens > 0
    assert script.requests[0]["stream"] is True
