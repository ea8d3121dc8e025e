"""The learned trust model on the real graph: people's decisions (made through the Healer)
read with the features they were made on, training and versioned TrustModel nodes, the
engine switching to the model in force and back, too few decisions.

Trust models are global to a graph: the `models` fixture restores the versions in force and
removes the versions a test stored."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from cli.trust import print_train_report
from governance.audit import AuditLog
from governance.policy import PolicySet, TrustThresholds, load_policies
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import EXPLANATION_QUERY, Callers, gql
from tests.integration.conftest import SourceFolder
from trust.decisions import (
    DecisionKind,
    DecisionLog,
    RecordedDecision,
    features,
    read_decisions,
)
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.healing import Healer
from trust.learning import (
    FEATURE_NAMES,
    INTERCEPT,
    MIN_DECISIONS,
    ScoringMode,
    TrainedModel,
    predict,
    train,
)
from trust.model_store import (
    latest_in_force,
    list_models,
    models_by_version,
    next_version,
    save_model,
)
from trust.scoring import stored_parts
from trust.signals import Signal
from trust.training import retrain, train_model

pytestmark = pytest.mark.integration

HEADER = "city_id,name,population,updated_at\n"
AT = "2026-11-01T00:00:00Z"
GOOD = 20  # entities all three sources agree on: source a's row is released (confirmed)
BAD = 20  # entities source c gets wrong: c's row is quarantined (rejected)
DISPUTED = 4  # entities a and c alone disagree on: a person resolves for a


class FixedThresholds(PolicySet):
    """The project's policies with one threshold for every table: nothing automatic."""

    def __init__(self) -> None:
        super().__init__(load_policies(PROJECT_ROOT / "policies").policies.values())

    def thresholds(self, table: str) -> TrustThresholds:
        return TrustThresholds(quarantine_below=0.0, auto_sync_above=0.8, auto_resolve_above=1.01)


@dataclass
class Decided:
    """The rows people decided about, by what they decided."""

    entities: list[str]
    released: list[str]
    quarantined: list[str]
    chosen: list[str]
    rejected: list[str]
    before_resolution: dict[str, dict[str, Any]]
    """The scores of the disputed rows just before the person resolved their conflicts."""

    @property
    def rows(self) -> set[str]:
        return {*self.released, *self.quarantined, *self.chosen, *self.rejected}

    def mine(self, log: DecisionLog) -> list[RecordedDecision]:
        return [recorded for recorded in log.decisions if recorded.row in self.rows]


@pytest.fixture
async def models(graph: Graph) -> AsyncIterator[None]:
    before = await graph.read("testing/trust_models")
    yield
    await graph.write(
        "testing/restore_trust_models",
        {
            "keep": [r["version"] for r in before],
            "in_force": [r["version"] for r in before if r["in_force"]],
        },
    )


@pytest.fixture
async def engine(graph: Graph, bus: EventBus, models: None) -> TrustEngine:
    return await TrustEngine.create(graph, bus)


def cities(unique: str, rows: list[tuple[str, int]]) -> str:
    return HEADER + "".join(f"{key}-{unique},{key},{pop},{AT}\n" for key, pop in rows)


async def scores(graph: Graph, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in await graph.read("testing/row_scores", {"ids": ids})}


@pytest.fixture
async def decided(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    engine: TrustEngine,
    tmp_path: Path,
    unique: str,
) -> AsyncIterator[Decided]:
    folders = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in ("a", "b", "c")}
    good = [(f"g{i}", 1000 + i) for i in range(GOOD)]
    bad = [(f"b{i}", 2000 + i) for i in range(BAD)]
    disputed = [(f"d{i}", 3000 + i) for i in range(DISPUTED)]
    texts = {
        "a": cities(unique, good + bad + disputed),
        "b": cities(unique, good + bad),
        "c": cities(unique, good + [(k, p * 3) for k, p in bad + disputed]),
    }
    for name, folder in folders.items():
        outcome = await service.ingest_file(folder.write("cities.csv", texts[name]), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
    entities = [f"cities:{key}-{unique}" for key, _ in good + bad + disputed]
    rows = {
        (record["source"], record["entity"]): record["id"]
        for record in await graph.read("testing/entity_rows", {"entities": entities})
    }

    def row(source: str, key: str) -> str:
        return str(rows[(folders[source].id, f"cities:{key}-{unique}")])

    await engine.update_entities(entities)  # every row scored, with its signals
    audit = AuditLog(graph, chain=f"test-{unique}")
    detector = ConflictDetector(graph, bus, audit, engine.tables)
    healer = Healer(graph, bus, audit, FixedThresholds(), engine, detector)
    released = [row("a", key) for key, _ in good]
    quarantined = [row("c", key) for key, _ in bad]
    await healer.quarantine(dict.fromkeys(released + quarantined, "checked"), actor="user:ada")
    await healer.release(released, actor="user:bob")
    disputed_entities = [f"cities:{key}-{unique}" for key, _ in disputed]
    await detector.scan_entities(disputed_entities)
    chosen = [row("a", key) for key, _ in disputed]
    rejected = [row("c", key) for key, _ in disputed]
    before = await scores(graph, chosen + rejected)
    for key, _ in disputed:
        conflict = f"conflict:value:cities:{key}-{unique}:population"
        await healer.reconcile(conflict, actor="user:ada", choose_row=row("a", key))
    yield Decided(entities, released, quarantined, chosen, rejected, before)
    await graph.write("testing/delete_conflicts", {"entities": entities})
    for folder in folders.values():
        await graph.write("testing/delete_source", {"source": folder.id})


def features_of(score: dict[str, Any]) -> list[float]:
    return [*score["signals"], score["propagated"]]


async def test_decisions_are_read_with_the_features_they_were_made_on(
    graph: Graph, decided: Decided
) -> None:
    mine = decided.mine(await read_decisions(graph))
    by_row = {(r.row, r.kind): r.decision for r in mine}
    assert len(mine) == GOOD + BAD + 2 * DISPUTED
    assert all(by_row[(row, DecisionKind.RELEASE)].label == 1 for row in decided.released)
    assert all(by_row[(row, DecisionKind.QUARANTINE)].label == 0 for row in decided.quarantined)
    assert all(by_row[(row, DecisionKind.CONFLICT)].label == 1 for row in decided.chosen)
    assert all(by_row[(row, DecisionKind.CONFLICT)].label == 0 for row in decided.rejected)
    now = await scores(graph, decided.chosen + decided.rejected)
    for row in decided.chosen + decided.rejected:
        kept = by_row[(row, DecisionKind.CONFLICT)].features.by_name()
        assert [kept[name] for name in FEATURE_NAMES] == features_of(decided.before_resolution[row])
    # rescoring after the resolution shows its effect: the features kept are not those
    rejected = decided.rejected[0]
    assert features_of(now[rejected]) != features_of(decided.before_resolution[rejected])
    quarantined = await scores(graph, decided.quarantined)
    for row in decided.quarantined:
        kept = by_row[(row, DecisionKind.QUARANTINE)].features.by_name()
        assert [kept[name] for name in FEATURE_NAMES] == features_of(quarantined[row])


async def test_retraining_stores_increasing_versions_and_puts_a_better_model_in_force(
    graph: Graph, decided: Decided
) -> None:
    log = DecisionLog(decided.mine(await read_decisions(graph)), 0)
    first = await train_model(graph, log=log)
    assert first.model is not None
    metrics = first.model.metrics
    assert first.decisions == GOOD + BAD + 2 * DISPUTED
    assert first.in_force == (metrics.roc_auc >= metrics.baseline_roc_auc)
    assert first.in_force, first.reason  # separable decisions: at least as good as combined
    [record] = await graph.read("testing/trust_model", {"version": first.model.version})
    node = record["model"]
    assert node["in_force"] is True
    assert node["decisions"] == first.decisions
    assert node["features"] == list(FEATURE_NAMES)
    assert TrainedModel.from_json(node["weights"]) == first.model
    assert set(json.loads(node["metrics"])) >= {
        "roc_auc",
        "accuracy",
        "brier",
        "baseline_roc_auc",
        "baseline_accuracy",
        "baseline_brier",
    }
    second = await train_model(graph, log=log)
    assert second.model is not None
    assert second.model.version > first.model.version
    assert second.model_in_force == second.model.version
    stored = {m.model.version: m for m in await list_models(graph)}
    assert stored[second.model.version].in_force
    assert not stored[first.model.version].in_force  # one version in force at a time
    console = Console(record=True, width=120)
    print_train_report(second, console)
    text = console.export_text()
    assert f"decisions: {second.decisions}" in text
    assert f"model version {second.model.version}" in text
    assert "in force: it beats the combined score" in text


async def test_the_engine_scores_with_the_model_in_force_and_back(
    graph: Graph, engine: TrustEngine, decided: Decided, api_client: TestClient, callers: Callers
) -> None:
    decisions = [r.decision for r in decided.mine(await read_decisions(graph))]
    trained = train(decisions, version=await next_version(graph))
    assert trained is not None
    model = await save_model(graph, trained, decisions=len(decisions), in_force=True)
    assert await models_by_version(graph, [model.version, model.version + 1]) == {
        model.version: model
    }
    report = await engine.update_entities(decided.entities)
    assert engine.scoring_mode is ScoringMode.LEARNED
    assert report.mode is ScoringMode.LEARNED
    ids = sorted(decided.released + decided.chosen)
    rows = await scores(graph, ids)
    for row_id in ids:
        row = rows[row_id]
        assert (row["mode"], row["model"]) == ("learned", model.version)
        parts = stored_parts(row["signals"], row["propagated"], model)
        assert list(parts) == [*FEATURE_NAMES, INTERCEPT]
        logit = math.log(row["trust"] / (1 - row["trust"]))
        assert math.fsum(parts.values()) == pytest.approx(logit, abs=1e-9)
        stored = features(row["features"], row["clock"])
        assert stored is not None
        assert stored.signals.by_name() == pytest.approx(
            dict(zip(Signal, row["signals"], strict=True)), abs=1e-12
        )  # Cypher reads freshness as Python does
        assert row["trust"] == pytest.approx(predict(model, stored), abs=1e-12)
    # the API explains a learned score with the stored model of its version
    body = gql(api_client, callers.admin, EXPLANATION_QUERY, {"id": ids[0]})
    explanation = body["data"]["trustExplanation"]
    assert (explanation["mode"], explanation["sumsTo"]) == ("LEARNED", "LOG_ODDS")
    logit = math.log(rows[ids[0]]["trust"] / (1 - rows[ids[0]]["trust"]))
    total = math.fsum(c["value"] for c in explanation["contributions"])
    assert total == pytest.approx(logit, abs=1e-9)
    await graph.write("testing/restore_trust_models", {"keep": [model.version], "in_force": []})
    report = await engine.update_entities(decided.entities)
    assert report.mode is ScoringMode.PROPAGATED
    rows = await scores(graph, ids)
    for row_id in ids:
        assert (rows[row_id]["mode"], rows[row_id]["model"]) == ("propagated", None)
        parts = stored_parts(rows[row_id]["signals"], rows[row_id]["propagated"])
        assert math.fsum(parts.values()) == pytest.approx(rows[row_id]["trust"], abs=1e-9)


def _same(moment: datetime) -> datetime:
    return moment


async def test_a_learned_full_pass_a_week_later_explains_the_trust_it_stored(
    graph: Graph, bus: EventBus, engine: TrustEngine, decided: Decided
) -> None:
    decisions = [r.decision for r in decided.mine(await read_decisions(graph))]
    trained = train(decisions, version=await next_version(graph))
    assert trained is not None
    model = await save_model(graph, trained, decisions=len(decisions), in_force=True)
    ids = sorted(decided.released + decided.chosen)
    now = datetime.now(UTC)
    for moment in (now, now + timedelta(days=7)):
        at = TrustEngine(graph, bus, engine.tables, clock=partial(_same, moment))
        assert (await at.recompute()).mode is ScoringMode.LEARNED
        rows = await scores(graph, ids)
        for row_id in ids:
            row = rows[row_id]
            assert row["features"][8] == 0.0  # freshness read at the full pass's time
            stored = features(row["features"], row["clock"])
            assert stored is not None
            parts = stored_parts([*stored.signals.by_name().values()], stored.propagated, model)
            logit = math.log(row["trust"] / (1 - row["trust"]))
            assert math.fsum(parts.values()) == pytest.approx(logit, abs=1e-9)
            assert row["trust"] == pytest.approx(predict(model, stored), abs=1e-12)


async def test_too_few_decisions_train_nothing_and_say_why(graph: Graph, decided: Decided) -> None:
    few = decided.mine(await read_decisions(graph))[:10]
    version = await next_version(graph)
    in_force = await latest_in_force(graph)
    report = await train_model(graph, log=DecisionLog(few, 0))
    assert report.model is None
    assert not report.in_force
    assert f"10 decisions, {MIN_DECISIONS} needed" in report.reason
    assert await next_version(graph) == version
    after = await latest_in_force(graph)
    assert (after.version if after else None) == (in_force.version if in_force else None)


async def test_the_scheduled_retraining_learns_from_every_recorded_decision(
    graph: Graph, decided: Decided
) -> None:
    version = await next_version(graph)
    result = await retrain({"graph": graph})
    assert result["decisions"] >= GOOD + BAD + 2 * DISPUTED
    assert result["version"] == version
    stored = {m.model.version: m for m in await list_models(graph)}
    assert stored[version].in_force == result["in_force"]
