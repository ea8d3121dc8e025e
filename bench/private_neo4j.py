"""A fresh Neo4j of a bench's own, under a folder it is given, for benches that need an
empty database or must never touch the one they were pointed at."""

from __future__ import annotations

from pathlib import Path

from bench.api_support import free_port
from cli.stack.services import NEO4J_READY_LINE, neo4j_process
from graph.cypher_registry import CypherRegistry
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.test_survival import until


class PrivateNeo4j:
    """A fresh Neo4j under `home` on free ports; `settings` point at it (and keep a secret
    store of their own under `home`, so no audit anchor or key of the developer's mixes in)."""

    def __init__(self, settings: Settings, home: Path, *, heap: str, pagecache: str) -> None:
        bolt = free_port()
        self.settings = settings.model_copy(
            update={
                "neo4j_uri": f"bolt://127.0.0.1:{bolt}",
                "secrets_dir": home / "secrets",
                "master_key_file": home / "secrets" / "master.key",
            }
        )
        self.process = neo4j_process(
            settings.root,
            home,
            bolt_port=bolt,
            http_port=free_port(),
            heap=heap,
            pagecache=pagecache,
            password=settings.neo4j_password.get_secret_value(),
            log_dir=home,
        )

    async def start(self, registry: CypherRegistry) -> Graph:
        """Start Neo4j, wait until it takes connections, and connect a graph to it."""
        self.process.start()

        async def ready() -> bool:
            return NEO4J_READY_LINE in self.process.output()

        await until(ready, [self.process])
        return await Graph.connect(self.settings, registry)

    def stop(self) -> None:
        """Stop Neo4j (its files go with the caller's folder)."""
        self.process.stop(timeout=60)
