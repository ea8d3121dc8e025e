"""Versioned trust models in the graph: one `TrustModel` node per training.

A node holds the fitted model as `TrainedModel` JSON (`weights`), its validation metrics
next to the combined score's on the same held-out decisions (`metrics`), how many decisions
it learned from, and whether it is in force. At most one version is in force: the latest
one that validated at least as well as the combined score (`trust.learning.scoring_mode`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter

from graph.errors import ConstraintViolationError
from graph.graph import Graph
from graph.model import Timestamp
from trust.learning import TrainedModel

SAVE_ATTEMPTS = 5
"""Tries at taking the next version when other trainings take it first."""

_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)


@dataclass(frozen=True)
class StoredModel:
    """One version as the graph holds it."""

    model: TrainedModel
    decisions: int
    in_force: bool
    created_at: datetime


async def save_model(
    graph: Graph, model: TrainedModel, *, decisions: int, in_force: bool
) -> TrainedModel:
    """Store `model` as the next version (returned with that version); `in_force` puts it in
    force and every other version out of force."""
    for _ in range(SAVE_ATTEMPTS):
        versioned = model.model_copy(update={"version": await next_version(graph)})
        try:
            await graph.write(
                "trust/create_model",
                {
                    "version": versioned.version,
                    "trained_at": versioned.trained_at,
                    "features": list(versioned.feature_names),
                    "weights": versioned.to_json(),
                    "metrics": versioned.metrics.model_dump_json(),
                    "decisions": decisions,
                    "in_force": in_force,
                },
            )
        except ConstraintViolationError:
            continue  # another training took this version first
        return versioned
    raise ConstraintViolationError(
        "trust/create_model", None, f"no free version after {SAVE_ATTEMPTS} attempts"
    )


async def next_version(graph: Graph) -> int:
    """The version the next stored model takes."""
    [record] = await graph.read("trust/next_model_version")
    return int(record["version"])


async def latest_in_force(graph: Graph) -> TrainedModel | None:
    """The model in force, or None when rows are scored with the combined score."""
    records = await graph.read("trust/model_in_force")
    return TrainedModel.from_json(records[0]["weights"]) if records else None


async def models_by_version(graph: Graph, versions: Iterable[int]) -> dict[int, TrainedModel]:
    """The stored models of some versions, by version (unknown versions are absent)."""
    records = await graph.read("trust/model_versions", {"versions": sorted(set(versions))})
    return {int(r["version"]): TrainedModel.from_json(r["weights"]) for r in records}


async def list_models(graph: Graph) -> list[StoredModel]:
    """Every stored version, newest first."""
    return [
        StoredModel(
            model=TrainedModel.from_json(record["weights"]),
            decisions=int(record["decisions"]),
            in_force=bool(record["in_force"]),
            created_at=_TIMESTAMP.validate_python(record["created_at"]),
        )
        for record in await graph.read("trust/models")
    ]
