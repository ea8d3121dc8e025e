"""The `embed` pipeline step: embed the chunks of a document that have no embedding yet.

Chunk ids carry their source, path and text, so a paragraph unchanged in a new version of
its file is the same chunk and is not embedded again. `similar_chunks` reads near
neighbours of chunks in other files back through the vector index.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from graph.graph import Graph
from trust.embedding import Embedder

ENCODE_GROUP = 1024
"""Chunks encoded per thread hop (the embedder sorts and batches within a group)."""
WRITE_BATCH = 256
"""Embeddings written per transaction (384 floats each)."""


@dataclass(frozen=True)
class EmbedReport:
    """What embedding one document did."""

    embedded: int
    skipped: int
    seconds: float


@dataclass(frozen=True)
class ChunkPair:
    """A chunk and a near neighbour from another file, with their cosine similarity."""

    chunk_id: str
    text: str
    document_id: str
    source_id: str
    other_chunk_id: str
    other_text: str
    other_document_id: str
    other_source_id: str
    score: float


async def embed_document(graph: Graph, embedder: Embedder, document_id: str) -> EmbedReport:
    """Embed the chunks of `document_id` that have no embedding from this model yet."""
    start = time.perf_counter()
    [record] = await graph.read(
        "trust/chunks_to_embed", {"document_id": document_id, "model": embedder.name}
    )
    pending: list[dict[str, str]] = record["pending"]
    for offset in range(0, len(pending), ENCODE_GROUP):
        group = pending[offset : offset + ENCODE_GROUP]
        vectors = await asyncio.to_thread(embedder.encode, [chunk["text"] for chunk in group])
        await graph.write_batches(
            "trust/write_embeddings",
            (
                {"id": chunk["id"], "embedding": vector.tolist()}
                for chunk, vector in zip(group, vectors, strict=True)
            ),
            batch_size=WRITE_BATCH,
            params={"model": embedder.name},
        )
    return EmbedReport(
        embedded=len(pending),
        skipped=int(record["total"]) - len(pending),
        seconds=time.perf_counter() - start,
    )


async def similar_chunks(
    graph: Graph, chunk_ids: Sequence[str], *, k: int, min_score: float
) -> list[ChunkPair]:
    """For each chunk, up to `k` chunks of other files with cosine similarity >= `min_score`.

    Only chunks reached through an active document are candidates; chunks without an
    embedding yield nothing. Pairs come grouped by chunk id, best first.
    """
    records = await graph.read(
        "trust/similar_chunks",
        {"chunk_ids": list(chunk_ids), "k": k, "min_score": min_score},
    )
    return [ChunkPair(**record) for record in records]
