"""Run every benchmark against the services named by NEO4J_URI / REDIS_URL (`make bench`)."""

from __future__ import annotations

import asyncio
import platform

from bench import batched_writes
from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, load_settings


async def main() -> None:
    """Print each benchmark's figures, with the machine they were measured on."""
    settings = load_settings()
    registry = CypherRegistry(
        {
            **CypherRegistry.load(settings.cypher_dir),
            **CypherRegistry.load(PROJECT_ROOT / "bench" / "cypher"),
        }
    )
    graph = await Graph.connect(settings, registry)
    print(
        f"machine: {platform.machine()}, python {platform.python_version()}, {settings.neo4j_uri}"
    )
    try:
        print("== batched writes (bench/batched_writes.py)")
        for line in await batched_writes.run(graph):
            print("  " + line)
    finally:
        await graph.close()


if __name__ == "__main__":
    asyncio.run(main())
