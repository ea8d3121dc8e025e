"""`grace backup` and `grace restore` round-trip a whole graph into a fresh store: a Neo4j
started here (the launcher) is migrated and filled by real ingestion and audited changes,
backed up, and restored into a second fresh Neo4j: the same fingerprint over every node,
edge and property, and audit chains (one checkpointed just before) that still verify."""

from __future__ import annotations

import gzip
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from neo4j.time import Date, DateTime, Duration

from api.prestart import prestart
from governance.audit import AuditEntry, AuditLog
from governance.audit_verify import checkpoint_with_store, verify
from governance.checkpoint import read_trust
from governance.secrets import open_secret_store
from graph.backup import backup, decode, encode, fingerprint, restore
from graph.cypher_registry import CypherRegistry
from graph.errors import BackupError
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.extract import Limits
from ingest.service import IngestionService
from tests.integration.test_launcher import Launcher, graph_settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]
ROWS = 3_000
"""Rows ingested into the source store: with documents, entities, provenance and the
migrations' records, a graph of some thousands of nodes and edges."""


def launched(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Launcher]:
    launcher = Launcher(tmp_path_factory.mktemp(name) / "neo4j")
    process = launcher.start()
    yield launcher
    process.stop()


@pytest.fixture(scope="module")
def source_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    yield from launched(tmp_path_factory, "source")


@pytest.fixture(scope="module")
def fresh_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    yield from launched(tmp_path_factory, "restore")


@pytest.fixture(scope="module")
async def source_graph(
    settings: Settings, source_neo4j: Launcher, registry: CypherRegistry
) -> AsyncIterator[Graph]:
    """A fresh store, migrated, with one file ingested (documents, rows, entities, runs)."""
    local = graph_settings(settings, source_neo4j)
    graph = await Graph.connect(local, registry)
    await prestart(graph, local)
    bus = EventBus.from_url(settings.redis_url)
    ingest = await IngestionService.create(graph, bus, limits=Limits(), batch_size=1000)
    folder = Path(tempfile.mkdtemp()) / "registry"
    folder.mkdir()
    rows = "".join(f"b{i}-zz,City {i},{1000 + i}\n" for i in range(ROWS))
    (folder / "cities.csv").write_text("city_id,name,population\n" + rows)
    outcome = await ingest.ingest_file(folder / "cities.csv", folder.parent)
    assert outcome.rows == ROWS
    yield graph
    await bus.close()
    await graph.close()


@pytest.fixture(scope="module")
async def fresh_graph(
    settings: Settings, fresh_neo4j: Launcher, registry: CypherRegistry
) -> AsyncIterator[Graph]:
    graph = await Graph.connect(graph_settings(settings, fresh_neo4j), registry)
    yield graph
    await graph.close()


CHAIN = f"backup-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def backed_up(
    source_graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A backup of the source store, with a chain of this test checkpointed just before."""
    graph = source_graph
    log = AuditLog(graph, chain=CHAIN)
    await log.append([AuditEntry("system:test", "backup.test", f"thing:{i}") for i in range(5)])
    await checkpoint_with_store(log, open_secret_store(settings))
    path = tmp_path_factory.mktemp("backup") / "graph.jsonl.gz"
    await backup(graph, path)
    return path


def test_property_values_of_every_type_survive_the_codec() -> None:
    values = [
        None,
        True,
        7,
        0.25,
        float("inf"),
        "text",
        [1.5, 2.5],
        ["a", "b"],
        b"\x00\xff",
        DateTime(2026, 12, 6, 21, 0, 0, 123456789, tzinfo=None),
        Date(2026, 12, 6),
        Duration(months=1, days=2, seconds=3, nanoseconds=4),
    ]
    assert [decode(encode(value)) for value in values] == values


async def test_a_restore_into_a_store_that_holds_nodes_is_refused(
    source_graph: Graph, backed_up: Path
) -> None:
    with pytest.raises(BackupError, match="restore needs an empty one"):
        await restore(source_graph, backed_up)


async def test_a_file_that_is_no_backup_is_refused(fresh_graph: Graph, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gz"
    with gzip.open(bogus, "wt") as out:
        out.write('{"hello": "world"}\n')
    with pytest.raises(BackupError, match="not a Grace backup"):
        await restore(fresh_graph, bogus)
    [count] = await fresh_graph.read("backup/count_nodes")
    assert count["nodes"] == 0


async def test_the_whole_graph_round_trips_and_its_audit_chain_verifies(
    source_graph: Graph, fresh_graph: Graph, backed_up: Path, settings: Settings
) -> None:
    graph = source_graph
    original = await fingerprint(graph)
    restored = await restore(fresh_graph, backed_up)
    assert restored == original
    assert await fingerprint(fresh_graph) == original
    assert original.nodes > ROWS
    assert original.relationships > ROWS
    store = open_secret_store(settings)
    for chain in ("main", CHAIN):
        before = await verify(AuditLog(graph, chain), read_trust(store, chain))
        after = await verify(AuditLog(fresh_graph, chain), read_trust(store, chain))
        assert (after.events, after.root, after.ok) == (before.events, before.root, before.ok)
    report = await verify(AuditLog(fresh_graph, CHAIN), read_trust(store, CHAIN))
    assert report.ok
    assert report.events == 5
    assert report.checkpoint_seq == 5
