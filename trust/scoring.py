"""Scoring every row of a computation at once, as numpy arrays.

Per row: the six signals (`trust.signals`), the propagated score (the mean confidence of the
values it claims; its source's trust when it claims none), and its trust. The trust is the
combined score (`trust.score.combine`) or, when a learned model is in force, the model's
prediction (`trust.learning.predict`). Either way it is explained by additive parts that sum
to the trust (combined) or to its log-odds (learned); those are not stored with the row but
derived from its stored signals when asked for (`stored_parts`), which keeps the write of a
score small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from graph.schemas import FieldType, TableSchema
from trust import signals as signal
from trust.claims import ClaimIndex, RowRecord
from trust.features import STORED_COUNT, freshness_since, stored_lists
from trust.learning import INTERCEPT, ScoringMode, TrainedModel, Vector, predict_array
from trust.score import CONTRIBUTIONS, combine_array
from trust.truth import Ints, TruthResult

Bools = npt.NDArray[np.bool_]

NEUTRAL = 0.5
"""The reputation of a source nothing is known about."""


@dataclass(frozen=True)
class RowScores:
    """The scores of rows, by their position in the rows scored."""

    trust: Vector
    propagated: Vector
    signals: Vector
    """One column per `Signal`, in its order."""
    mode: ScoringMode
    model: int
    """The version of the learned model (0 with the combined score)."""
    since: Vector
    """Per row, the epoch second its age counts from (`trust.features`)."""
    half_lives: Vector
    """Per row, its table's freshness half-life in days (0: its values do not age)."""


def stored_parts(
    signals: Sequence[float], propagated: float, model: TrainedModel | None = None
) -> dict[str, float]:
    """The explanation of a stored score, from what the row stores: its six signals (in
    `Signal` order, freshness derived: `trust.features.read_features`) and propagated score,
    combined (the parts add up to its trust) or put through the learned `model` that scored
    it (the parts add up to its log-odds). The same
    arithmetic as `score_rows`, so the parts add up exactly, as long as the combined score's
    weights (`trust.score.DEFAULT_WEIGHTS`) are those the row was scored with: a change of
    weights changes every score, and the next full pass rewrites them all."""
    row = np.array([signals], dtype=np.float64)
    if model is None:
        _, parts = combine_array(row, np.array([propagated]))
        names: tuple[str, ...] = CONTRIBUTIONS
    else:
        _, parts = predict_array(model, np.column_stack((row, [propagated])))
        names = (*model.feature_names, INTERCEPT)
    return dict(zip(names, parts[0].tolist(), strict=True))


def score_rows(
    rows: Sequence[RowRecord],
    index: ClaimIndex,
    result: TruthResult,
    tables: Mapping[str, TableSchema],
    *,
    now: datetime,
    model: TrainedModel | None = None,
) -> RowScores:
    """Score `rows` (those `index` was built from) with the resolution `result`."""
    reputation, propagated, supporting, contradicting = _propagation(rows, index, result)
    present = np.array([len(row.values) for row in rows], dtype=np.float64)
    declared = np.array(
        [len(tables[r.table].fields) if r.table in tables else len(r.values) for r in rows],
        dtype=np.float64,
    )
    since = _since(rows, tables)
    # a row without a time is as fresh as can be: it does not age
    half_lives = np.where(np.isnan(since), 0.0, _half_lives(rows, tables))
    since = np.nan_to_num(since)
    columns = {
        signal.Signal.FRESHNESS: freshness_since(since, half_lives, now.timestamp()),
        # rows exist only for approved table versions; changes targeting rows are not
        # reviewed yet (approvals = rejections = 0), policy violations count
        signal.Signal.GOVERNANCE: signal.governance_array(
            np.array([row.violations for row in rows], dtype=np.float64)
        ),
        signal.Signal.USAGE: signal.usage_array(
            np.array([row.reads for row in rows], dtype=np.float64)
        ),
        signal.Signal.CONSISTENCY: signal.consistency_array(supporting, contradicting),
        signal.Signal.EXTRACTION_QUALITY: signal.extraction_quality_array(present, declared),
        signal.Signal.SOURCE_REPUTATION: signal.source_reputation_array(reputation),
    }
    signals = np.column_stack([columns[name] for name in signal.Signal])
    if not (np.isfinite(signals).all() and np.isfinite(propagated).all()):
        raise ValueError("a signal or propagated score is not a number")
    return _scored(signals, propagated, since, half_lives, model)


def keep_stored(
    rows: Sequence[RowRecord], scores: RowScores, model: TrainedModel | None, tolerance: float
) -> tuple[RowScores, Bools]:
    """`scores` of a full pass with the stored features of each row a full pass scored the
    same way (`RowRecord.features`: all but freshness, `trust.features`) kept where none moved
    by `tolerance` or more, its trust computed again from them; and which rows those are: their
    stored lists stay as they are. Truth discovery starts from the stored source trust, so a
    pass over unchanged claims moves the other features by its convergence tolerance alone."""
    n = len(rows)
    new = np.array(
        stored_lists(scores.signals, scores.propagated, scores.since, scores.half_lives, 0.0),
        dtype=np.float64,
    ).reshape(n, STORED_COUNT)
    stored = np.array(
        [
            row.features
            if row.trust_current and row.features and len(row.features) == STORED_COUNT
            else [np.nan] * STORED_COUNT
            for row in rows
        ],
        dtype=np.float64,
    ).reshape(n, STORED_COUNT)
    others = len(signal.Signal)  # the five other signals and the propagated score
    kept = (np.abs(new[:, :others] - stored[:, :others]) < tolerance).all(axis=1) & (
        new[:, others:] == stored[:, others:]
    ).all(axis=1)
    signals, propagated = scores.signals.copy(), scores.propagated.copy()
    signals[kept, 1:] = stored[kept, : others - 1]
    propagated[kept] = stored[kept, others - 1]
    return _scored(signals, propagated, scores.since, scores.half_lives, model), kept


def _scored(
    signals: Vector,
    propagated: Vector,
    since: Vector,
    half_lives: Vector,
    model: TrainedModel | None,
) -> RowScores:
    """The trust of rows with these features, by the combined score or the learned `model`."""
    if model is None:
        trust, _ = combine_array(signals, propagated)
        return RowScores(trust, propagated, signals, ScoringMode.PROPAGATED, 0, since, half_lives)
    trust, _ = predict_array(model, np.column_stack((signals, propagated)))
    return RowScores(
        trust, propagated, signals, ScoringMode.LEARNED, model.version, since, half_lives
    )


def _propagation(
    rows: Sequence[RowRecord], index: ClaimIndex, result: TruthResult
) -> tuple[Vector, Vector, Vector, Vector]:
    """Per row: its source's trust, its propagated score, and the trust of the sources that
    support and contradict its values."""
    n = len(rows)
    claims = index.claims
    at, claim = index.assertion_rows, index.assertion_claims
    row_source = np.full(n, -1, dtype=np.int64)
    row_source[at] = claims.source[claim]
    has_claims = row_source >= 0
    reputation = np.full(n, NEUTRAL)
    reputation[has_claims] = result.source_trust[row_source[has_claims]]
    # a row without claims: the trust of its document's source, if that source claims anything
    known = dict(zip(index.sources, result.source_trust.tolist(), strict=True))
    for position in np.flatnonzero(~has_claims).tolist():
        reputation[position] = known.get(rows[position].source, NEUTRAL)
    count = np.bincount(at, minlength=n)
    confidence = _per_row(at, result.value_confidence[claims.value[claim]], n)
    propagated = np.where(count > 0, confidence / np.maximum(count, 1), reputation)
    same, other = _support(index, result)
    return (
        reputation.astype(np.float64),
        propagated.astype(np.float64),
        _per_row(at, same[claim], n),
        _per_row(at, other[claim], n),
    )


def _per_row(rows: Ints, weights: Vector, n: int) -> Vector:
    """Sum of `weights` per row position."""
    return np.bincount(rows, weights=weights, minlength=n).astype(np.float64)


def _support(index: ClaimIndex, result: TruthResult) -> tuple[Vector, Vector]:
    """Per claim: trust of the other sources claiming the same value, and of those claiming
    other values of the same item."""
    claims = index.claims
    trust = result.source_trust[claims.source]
    per_value = np.bincount(claims.value, weights=trust, minlength=len(claims.item_of_value))
    item = claims.item_of_value
    per_item = np.bincount(item, weights=per_value, minlength=len(index.items))
    same = per_value[claims.value] - trust
    other = per_item[item[claims.value]] - per_value[claims.value]
    return np.maximum(same, 0.0), np.maximum(other, 0.0)


def _half_lives(rows: Sequence[RowRecord], tables: Mapping[str, TableSchema]) -> Vector:
    """Per row, its table's freshness half-life in days (0: its values do not age)."""
    half = {name: table.freshness_half_life_days or 0.0 for name, table in tables.items()}
    return np.array([half.get(row.table, 0.0) for row in rows], dtype=np.float64)


def _since(rows: Sequence[RowRecord], tables: Mapping[str, TableSchema]) -> Vector:
    """The epoch second each row's age counts from: its own `updated_*` datetime if it has
    one, else its ingestion (NaN without either)."""
    fields = {name: _stamp_field(table) for name, table in tables.items()}
    seconds: dict[object, float] = {}
    stamps = []
    for row in rows:
        field = fields.get(row.table)
        value = row.values.get(field) if field else None
        stamp = value if isinstance(value, str) else row.ingested_at
        if stamp is None:
            stamps.append(np.nan)
            continue
        known = seconds.get(stamp)
        if known is None:
            moment = (
                datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                if isinstance(stamp, str)
                else stamp
            )
            known = seconds[stamp] = moment.timestamp()
        stamps.append(known)
    return np.array(stamps, dtype=np.float64)


def _stamp_field(table: TableSchema) -> str | None:
    """The datetime field that says when a row's data was last true (`updated_*`), if any."""
    return next(
        (
            name
            for name, spec in table.fields.items()
            if spec.type is FieldType.DATETIME and name.startswith("updated")
        ),
        None,
    )
