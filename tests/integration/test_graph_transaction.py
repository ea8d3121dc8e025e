from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graph.errors import ConstraintViolationError, CypherNotFoundError, QueryFailedError
from graph.graph import Graph, GraphTransaction, Record, Rehearsal

pytestmark = pytest.mark.integration


@pytest.fixture
async def run(graph: Graph, unique: str) -> AsyncIterator[str]:
    yield unique
    await graph.write("testing/delete_probes", {"run": unique})


def probes(run: str, *numbers: int) -> dict[str, object]:
    return {"run": run, "rows": [{"id": f"{run}-{n}", "value": n} for n in numbers]}


async def test_statements_of_a_transaction_see_each_other_and_commit_together(
    graph: Graph, run: str
) -> None:
    async def work(tx: GraphTransaction) -> list[Record]:
        await tx.run("testing/create_probes", probes(run, 1, 2))
        await tx.run("testing/create_probes", probes(run, 3))
        return await tx.run("testing/read_probes", {"run": run})

    inside = await graph.transaction(work)
    assert [row["value"] for row in inside] == [1, 2, 3]
    assert await graph.read("testing/read_probes", {"run": run}) == inside


async def test_an_error_in_the_work_rolls_everything_back(graph: Graph, run: str) -> None:
    async def work(tx: GraphTransaction) -> None:
        await tx.run("testing/create_probes", probes(run, 1))
        raise ValueError("changed my mind")

    with pytest.raises(ValueError, match="changed my mind"):
        await graph.transaction(work)
    assert await graph.read("testing/read_probes", {"run": run}) == []


async def test_a_constraint_violation_names_its_statement_and_rolls_back(
    graph: Graph, run: str
) -> None:
    async def work(tx: GraphTransaction) -> None:
        await tx.run("testing/create_probes", probes(run, 1))
        await tx.run("testing/duplicate_source", {"id": f"source-{run}"})

    with pytest.raises(ConstraintViolationError, match="testing/duplicate_source"):
        await graph.transaction(work)
    assert await graph.read("testing/read_probes", {"run": run}) == []
    assert await graph.read("testing/count_sources", {"id": f"source-{run}"}) == [{"n": 0}]


async def test_only_named_statements_run(graph: Graph) -> None:
    async def work(tx: GraphTransaction) -> None:
        await tx.run("nowhere/nothing")

    with pytest.raises(CypherNotFoundError):
        await graph.transaction(work)


async def test_a_rehearsal_sees_its_writes_then_rolls_them_back(graph: Graph, run: str) -> None:
    async def work(rehearsal: Rehearsal) -> list[Record]:
        await rehearsal.write("testing/create_probes", probes(run, 1))
        summary = await rehearsal.write_batches(
            "testing/create_probes",
            [{"id": f"{run}-{n}", "value": n} for n in (2, 3)],
            batch_size=1,
            params={"run": run},
        )
        assert (summary.batches, summary.items) == (2, 2)
        return await rehearsal.transaction(lambda tx: tx.run("testing/read_probes", {"run": run}))

    inside = await graph.rehearse(work)
    assert [row["value"] for row in inside] == [1, 2, 3]
    assert await graph.read("testing/read_probes", {"run": run}) == []


async def test_a_failed_rehearsal_names_its_statement_and_leaves_nothing(
    graph: Graph, run: str
) -> None:
    async def work(rehearsal: Rehearsal) -> None:
        await rehearsal.write("testing/create_probes", probes(run, 1))
        await rehearsal.read("testing/broken_syntax")

    with pytest.raises(QueryFailedError, match="testing/broken_syntax"):
        await graph.rehearse(work)
    assert await graph.read("testing/read_probes", {"run": run}) == []
