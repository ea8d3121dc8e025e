"""Semantic conflicts on the real graph: text embedded once, candidates from the vector
index, contradictions decided by the classifier, never by similarity alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from trust.embed_step import embed_document
from trust.embedding import Embedder, load_embedder
from trust.semantic_detector import SemanticDetector

pytestmark = pytest.mark.integration

REPORT = """# Lyon sensors {unique}

The Lyon air sensors network {unique} was approved by the city council in March 2024.

Bob Marchetti {unique} loves the new bike lanes along the Rhône.
"""
WIKI = """# Lyon sensors {unique}

The Lyon air sensors network {unique} was rejected by the city council in March 2024.

Alice Dubois {unique} hates the new bike lanes along the Rhône.
"""


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("numpy")


@pytest.fixture
async def service(graph: Graph, bus: EventBus) -> IngestionService:
    """Small chunks: one paragraph each."""
    return await IngestionService.create(
        graph, bus, limits=Limits(max_chunk_chars=120), batch_size=100
    )


@pytest.fixture
async def folders(
    graph: Graph, tmp_path: Path, unique: str
) -> AsyncIterator[dict[str, SourceFolder]]:
    made = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in ("reports", "wiki")}
    yield made
    for folder in made.values():
        await graph.write("testing/delete_source", {"source": folder.id})


async def ingest(service: IngestionService, folder: SourceFolder, name: str, text: str) -> str:
    outcome = await service.ingest_file(folder.write(name, text), folder.root)
    assert outcome.status is OutcomeStatus.INGESTED, outcome
    assert outcome.document_id is not None
    return outcome.document_id


async def test_contradicting_text_is_found_and_look_alikes_are_not(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    embedder: Embedder,
    folders: dict[str, SourceFolder],
    unique: str,
) -> None:
    report = await ingest(service, folders["reports"], "sensors.md", REPORT.format(unique=unique))
    wiki = await ingest(service, folders["wiki"], "sensors.md", WIKI.format(unique=unique))
    for document in (report, wiki):
        assert (await embed_document(graph, embedder, document)).embedded >= 2
    audit = AuditLog(graph, chain=f"test-{unique}")
    detector = SemanticDetector(graph, bus, audit)
    found = await detector.scan_document(wiki)
    conflicts = await graph.read("testing/semantic_conflicts", {"document_id": wiki})
    assert found.conflicts == found.new == len(conflicts) == 1  # approved/rejected only
    [conflict] = conflicts
    evidence = json.loads(conflict["claims"])
    assert evidence["rule"] == "antonym"
    assert any("approved" in s for s in evidence["sentences"])
    assert any("rejected" in s for s in evidence["sentences"])
    assert len(conflict["chunks"]) == 2
    # Bob loves, Alice hates: close in embedding space, but two people: no conflict
    assert not any("Alice" in s for s in evidence["sentences"])
    again = await detector.scan_document(wiki)
    assert (again.conflicts, again.new) == (1, 0)
    assert [e.action for e in await audit.events()] == ["conflict.detect"]


async def test_unchanged_text_is_never_embedded_twice(
    graph: Graph,
    service: IngestionService,
    embedder: Embedder,
    folders: dict[str, SourceFolder],
    unique: str,
) -> None:
    folder = folders["reports"]
    first = await ingest(service, folder, "sensors.md", REPORT.format(unique=unique))
    initial = await embed_document(graph, embedder, first)
    assert (initial.embedded, initial.skipped) == (2, 0)  # title with sensors, bike lanes
    changed = REPORT.format(unique=unique).replace("bike lanes", "tram lines")
    second = await ingest(service, folder, "sensors.md", changed)
    report = await embed_document(graph, embedder, second)
    assert (report.embedded, report.skipped) == (1, 1)  # only the changed paragraph
    assert (await embed_document(graph, embedder, second)).embedded == 0
