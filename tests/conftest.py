"""Fixtures: the real Neo4j and Redis that `make test` starts (or testcontainers, with Docker).

Integration fixtures read NEO4J_URI, NEO4J_PASSWORD and REDIS_URL. Without them, and
without a Docker engine for testcontainers, integration tests are skipped with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from api.prestart import prestart
from graph.cypher_registry import CypherRegistry
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings, load_settings

TEST_CYPHER = Path(__file__).parent / "cypher"
NEEDS = (
    "needs NEO4J_URI, NEO4J_PASSWORD and REDIS_URL of running services "
    "(`make test` starts them), or a Docker engine for testcontainers"
)


def _docker_works() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, check=False, timeout=20)
    return probe.returncode == 0


@pytest.fixture(scope="session")
def service_env() -> Iterator[dict[str, str]]:
    """NEO4J_URI, NEO4J_PASSWORD and REDIS_URL of the services the tests use."""
    names = ("NEO4J_URI", "NEO4J_PASSWORD", "REDIS_URL")
    if all(os.environ.get(name) for name in names):
        yield {name: os.environ[name] for name in names}
        return
    if not _docker_works():
        pytest.skip(NEEDS)
    from testcontainers.neo4j import Neo4jContainer
    from testcontainers.redis import RedisContainer

    password = uuid.uuid4().hex
    with Neo4jContainer("neo4j:5.26", password=password) as neo4j, RedisContainer() as redis:
        host, port = redis.get_container_host_ip(), redis.get_exposed_port(6379)
        yield {
            "NEO4J_URI": neo4j.get_connection_url(),
            "NEO4J_PASSWORD": password,
            "REDIS_URL": f"redis://{host}:{port}/0",
        }


@pytest.fixture(scope="session")
def settings(service_env: dict[str, str]) -> Settings:
    """Development settings pointed at the test services."""
    return load_settings(
        "dev",
        neo4j_uri=service_env["NEO4J_URI"],
        neo4j_password=service_env["NEO4J_PASSWORD"],
        redis_url=service_env["REDIS_URL"],
    )


@pytest.fixture(scope="session")
def registry() -> CypherRegistry:
    """The project's statements plus the test-only ones in tests/cypher."""
    project = CypherRegistry.load(PROJECT_ROOT / "cypher")
    return CypherRegistry({**project, **CypherRegistry.load(TEST_CYPHER)})


@pytest.fixture(scope="session")
async def graph(settings: Settings, registry: CypherRegistry) -> AsyncIterator[Graph]:
    """One migrated graph with the project's schemas, as a process holds one driver."""
    graph = await Graph.connect(settings, registry)
    await prestart(graph, settings)
    yield graph
    await graph.close()


@pytest.fixture
async def bus(settings: Settings) -> AsyncIterator[EventBus]:
    """An event bus on the test Redis."""
    bus = EventBus.from_url(settings.redis_url)
    yield bus
    await bus.close()


@pytest.fixture
def unique() -> str:
    """A short unique suffix, so tests never collide on names."""
    return uuid.uuid4().hex[:10]
