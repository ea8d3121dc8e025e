from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pydantic import JsonValue

from graph.schemas import TableSchema
from trust import signals as signal
from trust.claims import RowRecord, build_claims
from trust.learning import (
    INTERCEPT,
    Decision,
    Features,
    ScoringMode,
    TrainedModel,
    explain_prediction,
    predict,
    predict_array,
    train,
)
from trust.score import CONTRIBUTIONS, combine, combine_array
from trust.scoring import NEUTRAL, score_rows, stored_parts
from trust.signals import Signal, Signals
from trust.truth import discover

NOW = datetime(2026, 11, 24, tzinfo=UTC)

CITIES = TableSchema.model_validate(
    {
        "name": "cities",
        "description": "d",
        "owner": "o",
        "entity_key": ["city_id"],
        "source_field": "reported_by",
        "freshness_half_life_days": 30,
        "fields": {
            "city_id": {"type": "string"},
            "population": {"type": "integer", "tolerance": {"relative": 0.01}},
            "name": {"type": "string"},
            "notes": {"type": "text"},
            "reported_by": {"type": "string"},
            "updated_at": {"type": "datetime"},
        },
    }
)
PLAIN = TableSchema.model_validate(
    {
        "name": "plain",
        "description": "d",
        "owner": "o",
        "entity_key": ["id"],
        "fields": {"id": {"type": "string"}, "size": {"type": "float"}},
    }
)
TABLES = {"cities": CITIES, "plain": PLAIN}


def _rows(seed: int) -> list[RowRecord]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(300):
        table = "cities" if rng.uniform() < 0.7 else rng.choice(["plain", "unknown"])
        key = f"k{int(rng.integers(0, 25))}"
        values: dict[str, JsonValue]
        if table == "cities":
            values = {"city_id": key}
            if rng.uniform() < 0.8:
                values["population"] = int(rng.choice([1000, 1004, 2000, 3000]))
            if rng.uniform() < 0.5:
                values["name"] = str(rng.choice(["Lyon", "lyon", "Paris"]))
            if rng.uniform() < 0.3:
                values["notes"] = "text only"
            if rng.uniform() < 0.2:
                values["reported_by"] = str(rng.choice(["Agency", "Bureau"]))
            if rng.uniform() < 0.4:
                values["updated_at"] = f"2026-0{int(rng.integers(1, 9))}-01T00:00:00Z"
        else:
            values = {"id": key, "size": float(rng.choice([1.0, 2.0]))} if table == "plain" else {}
        ingested = NOW - timedelta(days=float(rng.uniform(0, 400)))
        rows.append(
            RowRecord(
                id=f"r{i:04d}",
                table=str(table),
                key=key,
                values=values,
                source=f"s{int(rng.integers(0, 6))}",
                document="doc",
                ingested_at=ingested if rng.uniform() < 0.9 else None,
                reads=int(rng.integers(0, 30)),
            )
        )
    return rows


def _reference(rows: list[RowRecord]) -> dict[str, tuple[float, float, Signals]]:
    """The per-row computation, one row at a time with the scalar signal functions."""
    index = build_claims(rows, TABLES)
    result = discover(index.claims, detect_copying=False)
    trust = dict(zip(index.sources, result.source_trust.tolist(), strict=True))
    claims = index.claims
    per_value = np.bincount(
        claims.value,
        weights=result.source_trust[claims.source],
        minlength=len(claims.item_of_value),
    )
    per_item = np.bincount(claims.item_of_value, weights=per_value, minlength=len(index.items))
    out = {}
    for row in rows:
        mine = index.row_claims.get(row.id, [])
        source = index.sources[int(claims.source[mine[0]])] if mine else row.source
        reputation = trust.get(source, NEUTRAL)
        values = claims.value[mine]
        propagated = float(np.mean(result.value_confidence[values])) if mine else reputation
        own = result.source_trust[claims.source[mine]]
        same = float(np.sum(per_value[values] - own))
        other = float(np.sum(per_item[claims.item_of_value[values]] - per_value[values]))
        table = TABLES.get(row.table)
        stamp = row.values.get("updated_at") if row.table == "cities" else None
        moment = (
            datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if isinstance(stamp, str)
            else row.ingested_at
        )
        age = max((NOW - moment).total_seconds() / 86_400, 0.0) if moment else 0.0
        signals = Signals(
            freshness=signal.freshness(age, table.freshness_half_life_days if table else None),
            governance=signal.governance(True, 0, 0, 0),
            usage=signal.usage(row.reads),
            consistency=signal.consistency(max(same, 0.0), max(other, 0.0)),
            extraction_quality=signal.extraction_quality(
                len(row.values), len(table.fields) if table else len(row.values), 0
            ),
            source_reputation=signal.source_reputation(reputation),
        )
        out[row.id] = (combine(signals, propagated).value, propagated, signals)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_scoring_all_rows_at_once_equals_scoring_them_one_by_one(seed: int) -> None:
    rows = _rows(seed)
    index = build_claims(rows, TABLES)
    result = discover(index.claims, detect_copying=False)
    scores = score_rows(rows, index, result, TABLES, now=NOW)
    expected = _reference(rows)
    assert scores.mode is ScoringMode.PROPAGATED
    for position, row in enumerate(rows):
        trust, propagated, signals = expected[row.id]
        assert scores.trust[position] == pytest.approx(trust, abs=1e-12)
        assert scores.propagated[position] == pytest.approx(propagated, abs=1e-12)
        assert scores.signals[position].tolist() == pytest.approx(
            [signals.by_name()[s] for s in Signal], abs=1e-12
        )


def test_parts_derived_from_the_stored_signals_add_up_to_the_trust() -> None:
    rows = _rows(7)
    index = build_claims(rows, TABLES)
    scores = score_rows(rows, index, discover(index.claims), TABLES, now=NOW)
    for position in range(len(rows)):
        parts = stored_parts(scores.signals[position].tolist(), float(scores.propagated[position]))
        assert list(parts) == list(CONTRIBUTIONS)
        assert math.fsum(parts.values()) == pytest.approx(scores.trust[position], abs=1e-12)


def test_with_a_model_in_force_rows_get_its_prediction_and_its_explanation() -> None:
    rows = _rows(8)
    index = build_claims(rows, TABLES)
    model = _model()
    scores = score_rows(rows, index, discover(index.claims), TABLES, now=NOW, model=model)
    assert (scores.mode, scores.model) == (ScoringMode.LEARNED, 4)
    for position in range(len(rows)):
        signals, propagated = scores.signals[position].tolist(), float(scores.propagated[position])
        features = Features(
            signals=Signals(**dict(zip(Signal, signals, strict=True))), propagated=propagated
        )
        assert scores.trust[position] == pytest.approx(predict(model, features), abs=1e-12)
        parts = stored_parts(signals, propagated, model)
        assert list(parts) == [*model.feature_names, INTERCEPT]
        assert parts == pytest.approx(explain_prediction(model, features), abs=1e-12)


def test_the_array_forms_equal_the_scalar_signals_and_combine() -> None:
    rng = np.random.default_rng(3)
    ages, halves = rng.uniform(-5, 900, 200), rng.choice([30.0, 365.0, np.inf], 200)
    assert signal.freshness_array(ages, halves).tolist() == pytest.approx(
        [
            signal.freshness(a, None if math.isinf(h) else h)
            for a, h in zip(ages, halves, strict=True)
        ],
        abs=1e-15,
    )
    reads = rng.integers(0, 100, 200).astype(float)
    assert signal.usage_array(reads).tolist() == [signal.usage(int(r)) for r in reads]
    s, c = rng.uniform(0, 5, 200), rng.uniform(0, 5, 200)
    assert signal.consistency_array(s, c).tolist() == [
        signal.consistency(a, b) for a, b in zip(s, c, strict=True)
    ]
    present, declared = rng.integers(0, 9, 200).astype(float), rng.integers(0, 6, 200).astype(float)
    assert signal.extraction_quality_array(present, declared).tolist() == [
        signal.extraction_quality(int(p), int(d), 0) for p, d in zip(present, declared, strict=True)
    ]
    matrix, propagated = rng.uniform(0, 1, (200, len(Signal))), rng.uniform(0, 1, 200)
    values, parts = combine_array(matrix, propagated)
    for i in range(200):
        score = combine(
            Signals(**dict(zip(Signal, matrix[i].tolist(), strict=True))), propagated[i]
        )
        assert values[i] == pytest.approx(score.value, abs=1e-15)
        assert dict(zip(CONTRIBUTIONS, parts[i].tolist(), strict=True)) == pytest.approx(
            score.contributions, abs=1e-16
        )
    model = _model()
    probabilities, model_parts = predict_array(model, np.column_stack((matrix, propagated)))
    assert model_parts.sum(axis=1) == pytest.approx(np.log(probabilities / (1 - probabilities)))


def _model() -> TrainedModel:
    rng = np.random.default_rng(5)
    decisions = []
    for i in range(80):
        features = Features(
            signals=Signals(**{s.value: float(rng.uniform()) for s in Signal}),
            propagated=float(rng.uniform()),
        )
        decisions.append(Decision(features=features, label=1 if i % 2 else 0))
    model = train(decisions, version=4)
    assert model is not None
    return model
