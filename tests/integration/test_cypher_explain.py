from __future__ import annotations

import pytest

from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

PROJECT_STATEMENTS = sorted(CypherRegistry.load(PROJECT_ROOT / "cypher"))


@pytest.mark.parametrize("name", PROJECT_STATEMENTS)
async def test_neo4j_plans_every_statement(graph: Graph, name: str) -> None:
    await graph.explain(name)
