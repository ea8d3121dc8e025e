"""The graph that ingestion writes, node by node and edge by edge, against a recorded copy.

The demo's sources, a generated file of several batches and a second version of a file are
ingested (two files at a time, as the benchmark and the worker do); everything each source
holds afterwards (nodes with their labels and properties, relationships with their
properties) must equal `tests/corpus/ingest_graph.json`, written by the ingestion code
before its speed work. Times (which differ per run) and the temporary folder are left out.
To record the file again after a deliberate change of the graph, run this test with
GRACE_RECORD_INGEST_GRAPH=1: it writes the file and fails, so that a recording never
passes unseen.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from neo4j.time import Date, DateTime, Duration, Time

from bench.common import CITY_HEADER, city_rows
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus

pytestmark = pytest.mark.integration

RECORDED = Path(__file__).parents[1] / "corpus" / "ingest_graph.json"
EXAMPLES = PROJECT_ROOT / "examples" / "sources"
SOURCES = ("registry", "open-data", "crm", "hr", "catalog", "library", "research", "bad", "wiki")
PREFIX = "graphcopy-"
BATCH_SIZE = 100
GENERATED_ROWS = 250
"""Three batches of `BATCH_SIZE`, the last one short."""


@pytest.fixture
async def root(graph: Graph, tmp_path: Path) -> AsyncIterator[Path]:
    """The demo's sources copied below one root, each under a name of its own."""
    names = [*(PREFIX + name for name in SOURCES), PREFIX + "bulk"]
    await _delete(graph, names)
    for name in SOURCES:
        shutil.copytree(EXAMPLES / name, tmp_path / (PREFIX + name))
    bulk = tmp_path / (PREFIX + "bulk")
    bulk.mkdir()
    (bulk / "cities.csv").write_text(CITY_HEADER + city_rows("copy", GENERATED_ROWS), "utf-8")
    yield tmp_path
    await _delete(graph, names)


async def _delete(graph: Graph, names: list[str]) -> None:
    for name in names:
        await graph.write("testing/delete_source", {"source": f"folder:{name}"})


def _second_version(path: Path) -> None:
    """Drop the first data line, change a value in the next, add a line."""
    header, _dropped, second, *rest = path.read_text("utf-8").splitlines()
    changed = second.replace(",", ",Changed ", 1)
    path.write_text("\n".join([header, changed, *rest, "copy-new-xx,New,XX,1,1.5,"]) + "\n")


def _plain(value: Any, root: Path) -> Any:
    """A property value as JSON; None for times, which differ on every run."""
    if isinstance(value, DateTime | Date | Time | Duration):
        return None
    if isinstance(value, list):
        return [_plain(item, root) for item in value]
    if isinstance(value, str):
        return value.replace(str(root), "<root>")
    return value


def _properties(properties: dict[str, Any], root: Path) -> dict[str, Any]:
    plain = {name: _plain(value, root) for name, value in properties.items()}
    return {name: value for name, value in sorted(plain.items()) if value is not None}


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def _subgraph(graph: Graph, source: str, root: Path) -> dict[str, Any]:
    [record] = await graph.read("testing/source_subgraph", {"source": source})
    nodes = sorted(
        (
            {"labels": sorted(node["labels"]), "properties": _properties(node["properties"], root)}
            for node in record["nodes"]
        ),
        key=lambda node: json.dumps(node, sort_keys=True),
    )
    edges = sorted(
        ({**edge, "properties": _properties(edge["properties"], root)} for edge in record["edges"]),
        key=lambda edge: json.dumps(edge, sort_keys=True),
    )
    return {"nodes": nodes, "edges": edges}


async def test_ingestion_writes_the_recorded_graph(graph: Graph, bus: EventBus, root: Path) -> None:
    service = await IngestionService.create(graph, bus, limits=Limits(), batch_size=BATCH_SIZE)
    gate = asyncio.Semaphore(2)

    async def ingest(path: Path) -> OutcomeStatus:
        async with gate:
            return (await service.ingest_file(path, root)).status

    files = _files(root)
    statuses = await asyncio.gather(*(ingest(path) for path in files))
    assert OutcomeStatus.INGESTED in statuses
    changed = root / (PREFIX + "bulk") / "cities.csv"
    _second_version(changed)
    assert await ingest(changed) is OutcomeStatus.INGESTED
    found = {
        folder.name: await _subgraph(graph, f"folder:{folder.name}", root)
        for folder in sorted({path.parent for path in files})
    }
    if os.environ.get("GRACE_RECORD_INGEST_GRAPH"):
        RECORDED.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", "utf-8")
        pytest.fail(f"recorded {RECORDED}; run again without GRACE_RECORD_INGEST_GRAPH")
    recorded = json.loads(RECORDED.read_text("utf-8"))
    assert found.keys() == recorded.keys()
    for name, subgraph in recorded.items():
        assert found[name] == subgraph, name
