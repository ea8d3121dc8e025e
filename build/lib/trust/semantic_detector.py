"""Semantic conflicts between text chunks: candidates from the embedding index, decisions
from `trust.semantic.ContradictionClassifier`.

Similarity only nominates: for each chunk of a document, the `k` most similar chunks of
other files (`trust.embed_step.similar_chunks`) are split into sentences and every sentence
pair is judged; the first pair the classifier calls contradictory makes the conflict, with
that pair and the rule's reason as evidence. A conflict is a `Conflict {kind: 'semantic'}`
involving both chunks, with `(Chunk)-[:CONTRADICTS]->(Chunk)`; it closes when a later scan no
longer finds it (a new version of a file dropped the text).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from governance.audit import AuditEntry, AuditLog
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from trust.detector import DetectionReport, publish_all
from trust.embed_step import ChunkPair, similar_chunks
from trust.semantic import ContradictionClassifier, Judgement

ACTOR = "system:detector"
NEIGHBOURS = 5
MIN_SIMILARITY = 0.5
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class SemanticFinding:
    """Two chunks of different files whose texts contradict each other."""

    pair: ChunkPair
    judgement: Judgement
    sentences: tuple[str, str]

    @property
    def id(self) -> str:
        """One conflict per unordered pair of chunks."""
        first, second = sorted((self.pair.chunk_id, self.pair.other_chunk_id))
        digest = hashlib.sha256(f"{first}|{second}".encode()).hexdigest()[:32]
        return f"conflict:semantic:{digest}"


def sentences(text: str) -> list[str]:
    """A chunk's sentences (a light split: enough to judge claims one by one)."""
    return [part.strip() for part in SENTENCE_END.split(text) if len(part.strip()) > 3]


def judge_pair(classifier: ContradictionClassifier, pair: ChunkPair) -> SemanticFinding | None:
    """The first contradicting sentence pair of two chunks, if any."""
    for left in sentences(pair.text):
        for right in sentences(pair.other_text):
            judgement = classifier.judge(left, right)
            if judgement.contradicts:
                return SemanticFinding(pair, judgement, (left, right))
    return None


class SemanticDetector:
    """Keeps the semantic conflicts of the graph's text in step with its chunks."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        audit: AuditLog,
        classifier: ContradictionClassifier | None = None,
        *,
        neighbours: int = NEIGHBOURS,
        min_similarity: float = MIN_SIMILARITY,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._audit = audit
        self._classifier = classifier or ContradictionClassifier()
        self._neighbours = neighbours
        self._min_similarity = min_similarity

    async def scan_document(self, document_id: str) -> DetectionReport:
        """The chunks of one document against their nearest chunks elsewhere."""
        records = await self._graph.read("trust/document_chunk_ids", {"document_id": document_id})
        return await self.scan_chunks([record["id"] for record in records])

    async def scan_all(self, page: int = 500) -> DetectionReport:
        """Every embedded chunk of an active document, `page` chunks at a time."""
        report = DetectionReport(0, 0, 0, 0, 0, 0)
        after = ""
        while True:
            records = await self._graph.read(
                "trust/embedded_chunk_ids", {"after": after, "limit": page}
            )
            ids = [record["id"] for record in records]
            report += await self.scan_chunks(ids)
            if len(ids) < page:
                return report
            after = ids[-1]

    async def scan_chunks(self, chunk_ids: Sequence[str]) -> DetectionReport:
        """Judge the near neighbours of `chunk_ids`; write, reopen and close conflicts."""
        if not chunk_ids:
            return DetectionReport(0, 0, 0, 0, 0, 0)
        seen_at = datetime.now(UTC)
        pairs = await similar_chunks(
            self._graph, chunk_ids, k=self._neighbours, min_score=self._min_similarity
        )
        found: dict[str, SemanticFinding] = {}
        for pair in pairs:
            finding = judge_pair(self._classifier, pair)
            if finding is not None:
                found.setdefault(finding.id, finding)
        written = await self._graph.write(
            "conflicts/upsert_semantic_conflicts",
            {"conflicts": [_params(f) for f in found.values()], "seen_at": seen_at},
        )
        closed = await self._graph.write(
            "conflicts/close_vanished_semantic",
            {"chunk_ids": list(chunk_ids), "seen_at": seen_at},
        )
        new = [record for record in written if record["created"] or record["reopened"]]
        await self._announce(new, closed)
        return DetectionReport(0, 0, len(found), len(new), 0, len(closed))

    async def _announce(
        self, new: Sequence[dict[str, Any]], closed: Sequence[dict[str, Any]]
    ) -> None:
        entries = [
            AuditEntry(ACTOR, "conflict.detect", r["id"], None, {"status": "open"}) for r in new
        ] + [
            AuditEntry(ACTOR, "conflict.close", r["id"], None, {"status": "resolved"})
            for r in closed
        ]
        if entries:
            await self._audit.append(entries)
        await publish_all(
            self._bus,
            [
                DomainEvent(
                    type=EventType.CONFLICT_DETECTED,
                    subject=r["id"],
                    payload={"kind": "semantic", "score": r["score"], "reason": r["reason"]},
                )
                for r in new
            ]
            + [
                DomainEvent(
                    type=EventType.CONFLICT_RESOLVED,
                    subject=r["id"],
                    payload={"kind": "semantic", "reason": "no longer contradicting"},
                )
                for r in closed
            ],
        )


def _params(finding: SemanticFinding) -> dict[str, Any]:
    pair, judgement = finding.pair, finding.judgement
    evidence = {
        "rule": judgement.rule,
        "reason": judgement.reason,
        "sentences": list(finding.sentences),
        "similarity": pair.score,
        "documents": [pair.document_id, pair.other_document_id],
        "sources": [pair.source_id, pair.other_source_id],
    }
    return {
        "id": finding.id,
        "chunk": pair.chunk_id,
        "other": pair.other_chunk_id,
        "score": judgement.score,
        "reason": judgement.reason,
        "fingerprint": hashlib.sha256(json.dumps(finding.sentences).encode("utf-8")).hexdigest(),
        "evidence": json.dumps(evidence, sort_keys=True),
        "suggestion": json.dumps(
            {"why": f"{judgement.rule}: {judgement.reason}", "value": None}, sort_keys=True
        ),
    }
