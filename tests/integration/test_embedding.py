"""The `embed` step on the real graph: every chunk embedded once, neighbours across files.

The database is shared, so neighbour checks look only at pairs within the test's own source.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from trust.embed_step import embed_document, similar_chunks
from trust.embedding import MiniLmEmbedder

pytestmark = pytest.mark.integration

# Every heading starts a chunk, so each section below is one chunk.
NOTES = """# Greenhouse notes

## Watering

The tomato plants in greenhouse {tag} are watered every morning at six with rain water.

## Heating

A wood pellet stove keeps the greenhouse above eight degrees during winter nights.

## Harvest

Last season the greenhouse yielded four hundred kilograms of tomatoes and peppers.
"""
CHANGED_HARVEST = "Last season the harvest was poor: hail destroyed most of the pepper plants."
PARAPHRASE = """# Garden log

## Irrigation

Each day at 6 am the tomatoes in greenhouse {tag} get watered with collected rainwater.

## Bees

A beekeeper visits on Fridays to check the three hives behind the orchard.
"""


@pytest.fixture(scope="module")
def embedder() -> MiniLmEmbedder:
    return MiniLmEmbedder.load()


async def chunks(graph: Graph, document_id: str | None) -> list[dict[str, Any]]:
    assert document_id is not None
    return await graph.read("testing/chunk_embeddings", {"document_id": document_id})


async def test_every_chunk_of_a_document_gets_a_384_vector(
    graph: Graph, service: IngestionService, source: SourceFolder, embedder: MiniLmEmbedder
) -> None:
    path = source.write("notes.md", NOTES.format(tag=source.name))
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.INGESTED
    assert outcome.document_id
    report = await embed_document(graph, embedder, outcome.document_id)
    stored = await chunks(graph, outcome.document_id)
    assert (report.embedded, report.skipped) == (len(stored), 0) == (4, 0)
    assert report.seconds > 0
    for chunk in stored:
        assert chunk["model"] == embedder.name
        assert len(chunk["embedding"]) == 384
    vectors = np.array([chunk["embedding"] for chunk in stored], dtype=np.float32)
    expected = embedder.encode([chunk["text"] for chunk in stored])
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    again = await embed_document(graph, embedder, outcome.document_id)
    assert (again.embedded, again.skipped) == (0, 4)


async def test_a_new_version_embeds_only_its_changed_chunk(
    graph: Graph, service: IngestionService, source: SourceFolder, embedder: MiniLmEmbedder
) -> None:
    text = NOTES.format(tag=source.name)
    path = source.write("notes.md", text)
    first = await service.ingest_file(path, source.root)
    assert first.document_id
    await embed_document(graph, embedder, first.document_id)
    old_harvest = (
        "Last season the greenhouse yielded four hundred kilograms of tomatoes and peppers."
    )
    path.write_text(text.replace(old_harvest, CHANGED_HARVEST), encoding="utf-8")
    second = await service.ingest_file(path, source.root)
    assert (second.status, second.version) == (OutcomeStatus.INGESTED, 2)
    assert second.document_id
    report = await embed_document(graph, embedder, second.document_id)
    assert (report.embedded, report.skipped) == (1, 3)
    before = {chunk["id"] for chunk in await chunks(graph, first.document_id)}
    after = await chunks(graph, second.document_id)
    [new] = [chunk for chunk in after if chunk["id"] not in before]
    assert CHANGED_HARVEST in new["text"]
    assert all(len(chunk["embedding"]) == 384 for chunk in after)


async def test_similar_chunks_finds_a_paraphrase_in_another_file(
    graph: Graph, service: IngestionService, source: SourceFolder, embedder: MiniLmEmbedder
) -> None:
    notes = await service.ingest_file(
        source.write("notes.md", NOTES.format(tag=source.name)), source.root
    )
    log = await service.ingest_file(
        source.write("log.md", PARAPHRASE.format(tag=source.name)), source.root
    )
    assert notes.document_id
    assert log.document_id
    for document_id in (notes.document_id, log.document_id):
        await embed_document(graph, embedder, document_id)
    own = await chunks(graph, notes.document_id)
    [watering] = [chunk for chunk in own if "Watering" in chunk["text"]]
    [irrigation] = [
        chunk for chunk in await chunks(graph, log.document_id) if "Irrigation" in chunk["text"]
    ]
    found = await similar_chunks(graph, [watering["id"]], k=5, min_score=0.75)
    pairs = [pair for pair in found if pair.other_source_id == source.id]
    assert pairs, "the paraphrase was not found"
    best = pairs[0]
    assert (best.chunk_id, best.other_chunk_id) == (watering["id"], irrigation["id"])
    assert (best.document_id, best.other_document_id) == (notes.document_id, log.document_id)
    assert best.source_id == best.other_source_id == source.id
    assert "rainwater" in best.other_text
    assert "rain water" in best.text
    expected = embedder.encode([watering["text"], irrigation["text"]])
    assert best.score == pytest.approx(float(expected[0] @ expected[1]), abs=1e-4)
    own_ids = {chunk["id"] for chunk in own}
    assert all(pair.other_chunk_id not in own_ids for pair in found)  # not itself, nor its file
    assert all(pair.score >= 0.75 for pair in found)
    assert [pair.score for pair in found] == sorted((pair.score for pair in found), reverse=True)
    # a high bar leaves the unrelated sections out
    strict = await similar_chunks(graph, [chunk["id"] for chunk in own], k=5, min_score=0.75)
    ours = {
        (pair.chunk_id, pair.other_chunk_id) for pair in strict if pair.other_source_id == source.id
    }
    assert ours == {(watering["id"], irrigation["id"])}
