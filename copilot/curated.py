"""The curated questions (`copilot/curated.yaml`) and the matcher that picks one for a
question by embedding similarity, with Grace's embedder (`trust.embedding`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from trust.embedding import Embedder

CURATED_FILE = Path(__file__).with_name("curated.yaml")


@dataclass(frozen=True)
class CuratedQuestion:
    """One question Grace answers without a model: its wordings and its named statement."""

    id: str
    title: str
    statement: str
    questions: tuple[str, ...]
    required: frozenset[str]


@dataclass(frozen=True)
class Match:
    """The curated question closest to an asked one, and how close (cosine, 0..1)."""

    question: CuratedQuestion
    similarity: float


def load_curated(path: Path = CURATED_FILE) -> tuple[CuratedQuestion, ...]:
    """The curated questions of `path`."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        CuratedQuestion(
            id=str(entry["id"]),
            title=str(entry["title"]),
            statement=str(entry["statement"]),
            questions=tuple(str(q) for q in entry["questions"]),
            required=frozenset(str(p) for p in entry.get("required", ())),
        )
        for entry in entries
    )


class Matcher:
    """Finds the curated question nearest an asked one; the wordings are embedded once."""

    def __init__(self, embedder: Embedder, curated: Sequence[CuratedQuestion]) -> None:
        self._embedder = embedder
        self.curated = tuple(curated)
        self._owners = [entry for entry in self.curated for _ in entry.questions]
        self._vectors = embedder.encode([q for entry in self.curated for q in entry.questions])

    def nearest(self, question: str, count: int = 1) -> list[Match]:
        """The `count` nearest curated questions (distinct), closest first."""
        vector = self._embedder.encode([question])[0]
        scores = self._vectors @ vector
        found: list[Match] = []
        for index in np.argsort(-scores):
            entry = self._owners[int(index)]
            if all(match.question.id != entry.id for match in found):
                found.append(Match(entry, float(scores[int(index)])))
            if len(found) == count:
                break
        return found
