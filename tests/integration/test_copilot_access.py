"""Generated Cypher on the real graph: the guard, Neo4j's plan, the READ transaction and the
caller's view (issue 17, item 3). An adversarial corpus, run as a caller restricted to one
table, never shows that table's neighbour, however the query reaches it."""

from __future__ import annotations

import json

import pytest

from copilot.errors import CypherFailedError, CypherRefusedError
from copilot.runner import RunLimits, run_generated
from copilot.visibility import View
from graph.errors import QueryFailedError
from graph.graph import Graph
from tests.integration.api_support import RESTRICTED_TABLE
from tests.integration.copilot_support import (
    OTHER_TABLE,
    CopilotSeed,
    full_view,
    restricted_view,
)

pytestmark = pytest.mark.integration

KNOWN = frozenset({RESTRICTED_TABLE, OTHER_TABLE})

ADVERSARIAL = (
    "MATCH (r:Row) RETURN r",
    "MATCH (r:Row {table: 'organizations'}) RETURN r",
    "MATCH (r:Row)-[c:CONTRADICTS]-(o:Row) RETURN r, c, o",
    "MATCH (r:Row {table: 'cities'})-[:EXTRACTED_FROM]->(d:Document)<-[:EXTRACTED_FROM]-(o) "
    "RETURN o",
    "MATCH (f:Fact)-[:ABOUT]->(:Entity)<-[:DESCRIBES]-(r:Row) WHERE r.id IN f.rows RETURN f, r",
    "MATCH (k:Conflict)-[:INVOLVES]->(r:Row) RETURN k, r",
    "MATCH p = (:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source) RETURN p",
    "MATCH (r:Row {table: 'cities'})-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(s:Source)"
    "<-[:FROM_SOURCE]-(:Document)<-[:EXTRACTED_FROM]-(o:Row) RETURN r, collect(o) AS others",
    "MATCH (e:Entity) RETURN e",
    "MATCH (r:Row)-[:DESCRIBES]->(e) RETURN [r, e] AS pair",
    "MATCH (r:Row)-[rel]->() RETURN rel",
    "MATCH (r:Row {table: 'cities'}) OPTIONAL MATCH (o:Row {table: 'organizations'}) RETURN r, o",
)
"""Queries a model might write to reach the other table: directly, through CONTRADICTS,
a fact's entity, INVOLVES and shared sources, in lists and paths, or a relationship alone."""

SCALARS = (
    "MATCH (r:Row {table: 'organizations'}) RETURN r.values",
    "MATCH (r:Row) RETURN count(r) AS rows",
    "MATCH (r:Row) RETURN r {.values, .table}",
    "MATCH (f:Fact) RETURN collect(f.value)",
    "MATCH (r:Row {table: 'cities'})-[:CONTRADICTS]-(o) RETURN o.values",
)
"""Values, counts and maps carry no table to check: refused for a restricted caller."""


ALL_ROWS = RunLimits(max_rows=1_000_000)
"""No row limit to speak of: a leak must not hide beyond the limit (nor the seed's rows)."""


async def run(graph: Graph, query: str, view: View) -> str:
    params = {"tables": sorted(view.readable)}
    visible = await run_generated(graph, query, params, view, ALL_ROWS)
    assert not visible.truncated
    return json.dumps(visible.rows)


@pytest.mark.parametrize("query", ADVERSARIAL)
async def test_a_restricted_caller_never_sees_the_other_tables_rows(
    graph: Graph, copilot_seed: CopilotSeed, query: str
) -> None:
    shown = await run(graph, query, restricted_view(KNOWN))
    assert copilot_seed.markers[OTHER_TABLE] not in shown
    assert f'"table": "{OTHER_TABLE}"' not in shown


@pytest.mark.parametrize("query", ADVERSARIAL[:2] + ADVERSARIAL[4:6])
async def test_the_same_queries_show_everything_to_a_caller_who_reads_everything(
    graph: Graph, copilot_seed: CopilotSeed, query: str
) -> None:
    shown = await run(graph, query, full_view(KNOWN))
    assert copilot_seed.markers[OTHER_TABLE] in shown


async def test_a_restricted_caller_sees_their_own_table_with_personal_fields_redacted(
    graph: Graph, copilot_seed: CopilotSeed
) -> None:
    view = restricted_view(KNOWN)
    cities = "MATCH (r:Row {table: 'cities'}) RETURN r"
    visible = await run_generated(graph, cities, {}, view, ALL_ROWS)
    mine = [
        row[0] for row in visible.rows if copilot_seed.markers[RESTRICTED_TABLE] in json.dumps(row)
    ]
    assert len(mine) == 2
    assert all(json.loads(str(node["values"]))["mayor"] is None for node in mine)  # type: ignore[index,call-overload]
    assert "cities.mayor" in visible.redacted
    assert all(link.startswith("row:") for link in visible.links)


@pytest.mark.parametrize("query", SCALARS)
async def test_scalar_results_are_refused_for_a_restricted_caller(
    graph: Graph, copilot_seed: CopilotSeed, query: str
) -> None:
    with pytest.raises(CypherRefusedError) as refused:
        await run(graph, query, restricted_view(KNOWN))
    assert refused.value.rule == "scalar_for_restricted"


async def test_scalar_results_are_answered_for_a_caller_who_reads_everything(
    graph: Graph, copilot_seed: CopilotSeed
) -> None:
    shown = await run(graph, SCALARS[0], full_view(KNOWN))
    assert copilot_seed.markers[OTHER_TABLE] in shown


async def test_the_row_limit_cuts_the_result_and_says_so(
    graph: Graph, copilot_seed: CopilotSeed
) -> None:
    visible = await run_generated(
        graph, "UNWIND range(1, 50) AS n RETURN n", {}, full_view(KNOWN), RunLimits(max_rows=7)
    )
    assert len(visible.rows) == 7
    assert visible.truncated


async def test_a_query_over_the_time_limit_is_stopped_by_neo4j(graph: Graph) -> None:
    slow = "UNWIND range(1, 100000000) AS n WITH n WHERE n % 7 = 99 RETURN count(n) AS c"
    with pytest.raises(CypherFailedError) as failed:
        await run_generated(graph, slow, {}, full_view(KNOWN), RunLimits(timeout_seconds=0.5))
    assert "Timed" in failed.value.detail or "timeout" in failed.value.detail.lower()


async def test_a_query_neo4j_cannot_plan_fails_with_its_message(graph: Graph) -> None:
    with pytest.raises(CypherFailedError) as failed:
        await run_generated(graph, "MATCH (r:Row) WHERE RETURN r", {}, full_view(KNOWN))
    assert "Invalid input" in failed.value.detail or "SyntaxError" in failed.value.detail


async def test_a_parameter_without_a_value_is_refused_before_neo4j(graph: Graph) -> None:
    with pytest.raises(CypherFailedError) as failed:
        await run_generated(graph, "MATCH (r:Row {id: $row}) RETURN r", {}, full_view(KNOWN))
    assert "row" in failed.value.detail


async def test_load_csv_that_the_text_check_missed_is_refused_by_the_plan(graph: Graph) -> None:
    plan = await graph.plan_checked("LOAD CSV FROM 'file:///etc/hostname' AS line RETURN line")
    assert any("LoadCSV" in operator for operator in plan.operators)
    write = await graph.plan_checked("CREATE (n:Row {id: 'never'}) RETURN n")
    assert write.query_type in {"w", "rw"}


async def test_neo4j_refuses_a_write_in_the_read_transaction(graph: Graph) -> None:
    with pytest.raises(QueryFailedError, match=r"(?i)writ") as failed:
        await graph.read_checked(
            "CREATE (n:Row {id: 'copilot-never-written'}) RETURN n", {}, seconds=5, max_rows=1
        )
    assert failed.value.name == "ad hoc read"
    found = await graph.read("testing/copilot_row_exists", {"id": "copilot-never-written"})
    assert found == [{"exists": False}]
