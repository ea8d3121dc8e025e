"""Training the trust model from people's decisions: on demand (`grace trust train`) and on a
schedule (`retrain`, a worker task).

Every training that has enough decisions stores a new `TrustModel` version. It is put in
force only when it validated at least as well as the combined score on the held-out
decisions (`trust.learning.scoring_mode`); otherwise the model in force, if any, stays.
Rows are rescored with the model in force from the next pass on (`grace trust recompute`
rescores them all at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.graph import Graph
from trust.decisions import DecisionKind, DecisionLog, read_decisions
from trust.learning import (
    MIN_DECISIONS,
    ScoringMode,
    TrainedModel,
    scoring_mode,
    shortfall,
    train,
)
from trust.model_store import latest_in_force, next_version, save_model


@dataclass(frozen=True)
class TrainReport:
    """What one training did."""

    decisions: int
    """Decisions trained on (those with features)."""
    by_kind: dict[DecisionKind, int]
    without_features: int
    """Decisions left out: their rows were scored before signals were stored."""
    model: TrainedModel | None
    """The version stored, or None when there were too few decisions."""
    in_force: bool
    """Whether the new version is now in force."""
    reason: str
    """Why it is in force, or why not."""
    model_in_force: int | None
    """The version in force after this training (None: the combined score is)."""

    @property
    def needed(self) -> int:
        """The fewest decisions to train on."""
        return MIN_DECISIONS


async def train_model(
    graph: Graph, *, log: DecisionLog | None = None, seed: int = 0
) -> TrainReport:
    """Train on the decisions of `log` (by default every recorded decision); store the model
    as a new version, in force when it beats the combined score."""
    if log is None:
        log = await read_decisions(graph)
    decisions = [recorded.decision for recorded in log.decisions]
    counts = log.counts()
    model = train(decisions, version=await next_version(graph), seed=seed)
    if model is None:
        missing = shortfall([decision.label for decision in decisions])
        current = await latest_in_force(graph)
        return TrainReport(
            decisions=len(decisions),
            by_kind=counts,
            without_features=log.without_features,
            model=None,
            in_force=False,
            reason=f"too few decisions to train: {missing}",
            model_in_force=current.version if current else None,
        )
    in_force = scoring_mode(model) is ScoringMode.LEARNED
    stored = await save_model(graph, model, decisions=len(decisions), in_force=in_force)
    metrics = stored.metrics
    comparison = f"AUC {metrics.roc_auc:.3f} against {metrics.baseline_roc_auc:.3f}"
    current = stored if in_force else await latest_in_force(graph)
    return TrainReport(
        decisions=len(decisions),
        by_kind=counts,
        without_features=log.without_features,
        model=stored,
        in_force=in_force,
        reason=(
            f"it beats the combined score on held-out decisions ({comparison})"
            if in_force
            else f"it does not beat the combined score on held-out decisions ({comparison})"
        ),
        model_in_force=current.version if current else None,
    )


async def retrain(ctx: dict[str, Any]) -> dict[str, Any]:
    """The scheduled retraining, as a worker task (`ctx["graph"]` is the worker's graph)."""
    report = await train_model(ctx["graph"])
    return {
        "decisions": report.decisions,
        "version": report.model.version if report.model else None,
        "in_force": report.in_force,
        "model_in_force": report.model_in_force,
        "reason": report.reason,
    }
