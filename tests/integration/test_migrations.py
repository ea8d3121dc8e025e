from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph.cypher_registry import CypherRegistry
from graph.errors import MigrationError
from graph.graph import Graph
from graph.migrations import migrate, pending_migrations

pytestmark = pytest.mark.integration


async def schema_snapshot(graph: Graph) -> tuple[list[str], list[str]]:
    constraints = await graph.read("testing/constraint_names")
    indexes = await graph.read("testing/index_names")
    return [r["name"] for r in constraints], [r["name"] for r in indexes]


async def test_migrating_again_changes_nothing(graph: Graph) -> None:
    before = await schema_snapshot(graph)
    assert await migrate(graph) == []
    assert await pending_migrations(graph) == []
    assert await schema_snapshot(graph) == before


async def test_every_migration_statement_can_run_twice(graph: Graph) -> None:
    before = await schema_snapshot(graph)
    for name in graph.registry.under("migrations"):
        await graph.write(name)
    assert await schema_snapshot(graph) == before


async def test_constraints_and_indexes_of_the_model_exist(graph: Graph) -> None:
    constraints, indexes = await schema_snapshot(graph)
    assert {"row_id_unique", "document_id_unique", "entity_id_unique"} <= set(constraints)
    assert {"chunk_embedding", "chunk_text", "row_status"} <= set(indexes)


async def test_vector_index_is_online_with_the_model_dimensions(graph: Graph) -> None:
    [index] = await graph.read("testing/vector_index", {"name": "chunk_embedding"})
    assert index["state"] == "ONLINE"
    assert index["dimensions"] == 384
    assert index["similarity"] == "COSINE"


async def test_an_edited_migration_is_refused(graph: Graph) -> None:
    name = graph.registry.under("migrations")[0]
    edited = CypherRegistry({**graph.registry, name: graph.registry[name] + " // edited"})
    tampered = Graph(graph._driver, edited, graph.database, graph.uri)
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await pending_migrations(tampered)


def test_the_migration_name_constraint_comes_first(registry: CypherRegistry) -> None:
    """Recording a migration MERGEs on its name: without the constraint first, processes
    starting together on a fresh database each recorded a migration once."""
    first = registry[registry.under("migrations")[0]]
    assert "FOR (n:Migration) REQUIRE n.name IS UNIQUE" in first


async def test_processes_migrating_together_record_each_migration_once(graph: Graph) -> None:
    names = graph.registry.under("migrations")[:3]
    await graph.write("testing/forget_migrations", {"names": names})
    applied = await asyncio.gather(*(migrate(graph) for _ in range(3)))
    assert all(set(run) <= set(names) for run in applied)
    records = await graph.read("testing/migration_records", {"names": names})
    assert [(r["name"], r["records"]) for r in records] == [(name, 1) for name in names]
    assert await pending_migrations(graph) == []


FACT_MIGRATION = "migrations/620_fact_rows_about_entity"
MOVED_PER_RUN = 1_000
"""Facts migration 620 moves in one run (one transaction)."""


async def test_facts_stored_with_an_edge_per_row_move_to_row_ids_and_one_edge(
    graph: Graph, unique: str
) -> None:
    facts: list[dict[str, Any]] = [
        {
            "id": f"fact:cities:m{k}-{unique}:population",
            "entity": f"cities:m{k}-{unique}",
            "rows": [f"row-{unique}-{k}-b", f"row-{unique}-{k}-a"],
        }
        for k in range(MOVED_PER_RUN + 1)  # more than one run moves
    ]
    await graph.write("testing/old_shape_fact", {"facts": facts})
    await graph.write("testing/forget_migrations", {"names": [FACT_MIGRATION]})
    nodes = [n for fact in facts for n in (fact["id"], fact["entity"], *fact["rows"])]
    try:
        assert await migrate(graph) == [FACT_MIGRATION]
        shapes = await graph.read("testing/fact_shapes", {"ids": [f["id"] for f in facts]})
        expected = [
            {"id": f["id"], "rows": sorted(f["rows"]), "about": [f["entity"]], "edges": 1}
            for f in sorted(facts, key=lambda f: f["id"])
        ]
        assert shapes == expected
    finally:
        await graph.write("testing/delete_nodes", {"ids": nodes})
