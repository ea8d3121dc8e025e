from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from graph.errors import (
    ConstraintViolationError,
    CypherNotFoundError,
    GraphUnavailableError,
    QueryFailedError,
)
from graph.graph import Graph
from graph.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
async def run(graph: Graph, unique: str) -> AsyncIterator[str]:
    yield unique
    await graph.write("testing/delete_probes", {"run": unique})


async def test_batched_write_then_read(graph: Graph, run: str) -> None:
    rows = [{"id": f"{run}-{i:02}", "value": i} for i in range(12)]
    summary = await graph.write_batches(
        "testing/create_probes", rows, batch_size=5, params={"run": run}
    )
    assert (summary.batches, summary.items) == (3, 12)
    assert summary.counters["nodes_created"] == 12
    assert await graph.read("testing/read_probes", {"run": run}) == [
        {"id": row["id"], "value": row["value"]} for row in rows
    ]


async def test_writing_the_same_batch_twice_is_idempotent(graph: Graph, run: str) -> None:
    rows = [{"id": f"{run}-a", "value": 1}, {"id": f"{run}-b", "value": 2}]
    await graph.write_batches("testing/create_probes", rows, batch_size=10, params={"run": run})
    again = await graph.write_batches(
        "testing/create_probes", rows, batch_size=10, params={"run": run}
    )
    assert "nodes_created" not in again.counters
    assert len(await graph.read("testing/read_probes", {"run": run})) == 2


async def test_an_empty_batch_writes_nothing(graph: Graph) -> None:
    summary = await graph.write_batches("testing/create_probes", [], batch_size=10)
    assert (summary.batches, summary.items) == (0, 0)


async def test_unknown_statement_is_refused_before_neo4j(graph: Graph) -> None:
    with pytest.raises(CypherNotFoundError):
        await graph.read("nowhere/nothing")


async def test_syntax_error_names_the_statement(graph: Graph) -> None:
    with pytest.raises(QueryFailedError, match="testing/broken_syntax") as failed:
        await graph.read("testing/broken_syntax")
    assert failed.value.neo4j_code == "Neo.ClientError.Statement.SyntaxError"


async def test_uniqueness_is_enforced(graph: Graph, unique: str) -> None:
    with pytest.raises(ConstraintViolationError, match="testing/duplicate_source"):
        await graph.write("testing/duplicate_source", {"id": f"source-{unique}"})
    # the failed transaction left nothing behind
    assert await graph.read("testing/count_sources", {"id": f"source-{unique}"}) == [{"n": 0}]


async def test_ready_when_neo4j_answers(graph: Graph) -> None:
    assert await graph.ready()


async def test_wrong_password_is_a_clear_error(settings: Settings) -> None:
    wrong = settings.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    with pytest.raises(GraphUnavailableError, match="unavailable") as refused:
        await Graph.connect(wrong)
    assert "not-the-password" not in str(refused.value)


async def test_unreachable_neo4j_is_a_clear_error(settings: Settings) -> None:
    nowhere = settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:1"})
    with pytest.raises(GraphUnavailableError, match=r"127\.0\.0\.1:1"):
        await Graph.connect(nowhere)
