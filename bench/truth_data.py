"""Truth discovery on public data with gold answers (`../shared/truth-data/`, its README).

Each data set is read into rows of a table (Grace's normaliser, `ingest.normalize`), encoded
by `trust.claims.build_claims` (the engine's own path) and resolved by `trust.truth.discover`;
majority vote runs on the same claims in the same run. The papers' protocol: every claim is
fed, no gold; only the gold items are scored. Printed per data set:

- accuracy of Grace's facts over the gold items, and of the active ones (confidence at or
  above the default policy's `auto_sync_above`), with how many are active;
- accuracy of majority vote on the same claims, and the published figures;
- Spearman correlation of source trust with each source's accuracy on the gold items, over
  all sources that claim a gold item and over those that claim at least `SURE_SOURCE` (a
  source's accuracy on one or two gold items is 0, 1/2 or 1: noise the trust cannot rank);
- expected calibration error of the winners' confidence (ten equal-width bins): the engine's
  posterior, and the calibrated confidence facts carry (`trust.calibration`, fitted on the
  run's own claims, never on gold), with the accuracy of the facts active at each;
- the noise ceiling of each Spearman figure: its mean over `CEILING_DRAWS` draws of gold
  answers made from the trust itself (each source right on each of its gold items with
  probability its trust), the figure trust would reach if it were exactly each source's
  accuracy; a source with one gold item has a gold accuracy of 0 or 1 whatever its true
  accuracy, so over all sources even exact trust stays well below 1;
- Spearman of the calibration's shrunk source accuracy (`trust.calibration`) with gold
  accuracy, beside the trust's;
- the accuracy without source dependence, with one accuracy per source (no accuracy by
  attribute, `trust.attribute_trust`; its calibration error beside it), and how many
  copying pairs it found;
- below each data set's line, where its calibrated confidence is off (`bench.reliability`):
  the reliability diagram, and the gold items by how their claims split and, for numbers,
  by how far the nearest losing value is from the winner; and the source that claims the
  most gold items: its accuracy there beside its trust and calibrated accuracy, and what
  the claims alone show of it (how often another source claims its value).

An author list is right when it names the same people as the gold, each item read as the
engine reads it (`trust.compare.person_names`: "Peter Aiken, M. David Allen" is two people),
first initial and last name as the papers compare them.

Run: `python -m bench truth_data` (set GRACE_TRUTH_DATA to read the data elsewhere).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from pydantic import JsonValue
from scipy.stats import spearmanr  # type: ignore[import-untyped]

from bench import reliability
from bench.api_support import machine_load
from graph.errors import NormalizationError
from graph.schemas import TableSchema
from ingest.normalize import is_empty, normalize_value
from trust.claims import ClaimIndex, RowRecord, build_claims
from trust.compare import name_key, person_names
from trust.truth import Floats, Ints, TruthResult, discover, majority_vote

DATA = Path(os.environ.get("GRACE_TRUTH_DATA", Path(__file__).parents[2] / "shared/truth-data"))
SYNC_ABOVE = 0.8
"""`auto_sync_above` of the default policy (`policies/trust.yaml`)."""
BINS = 10
SURE_SOURCE = 3
"""Sources claiming at least this many gold items make the second Spearman figure."""
CEILING_DRAWS = 200
"""Draws of simulated gold answers behind each Spearman noise ceiling (module docstring)."""


@dataclass(frozen=True)
class DataSet:
    """Rows of one table, the gold value per entity key, and how a value is scored."""

    name: str
    table: TableSchema
    attribute: str
    rows: list[RowRecord]
    gold: dict[str, JsonValue]
    correct: Callable[[JsonValue, JsonValue], bool]  # (chosen, gold)
    published: str


@dataclass(frozen=True)
class Quality:
    """What one resolution of a data set scores on its gold items."""

    accuracy: float
    active_accuracy: float
    active: int
    majority: float
    spearman: float
    spearman_sure: float
    sure_sources: int
    ceiling: float
    ceiling_sure: float
    ece: float
    ece_calibrated: float
    active_calibrated: int
    active_calibrated_accuracy: float
    spearman_shrunk: float
    spearman_shrunk_sure: float
    gold_items: int


def _table(name: str, spec: dict[str, object]) -> TableSchema:
    return TableSchema.model_validate(
        {
            "name": name,
            "description": f"{name} from the public truth-discovery data",
            "owner": "bench",
            "entity_key": ["key"],
            "fields": {"key": {"type": "string"}, "value": spec},
        }
    )


def _rows(table: TableSchema, lines: Iterator[tuple[str, str, str]]) -> list[RowRecord]:
    """One row per (source, key, raw value); values the normaliser refuses are left out."""
    spec = table.fields["value"]
    rows: list[RowRecord] = []
    for source, key, raw in lines:
        if is_empty(raw):
            continue
        try:
            value = normalize_value("value", spec, raw)
        except NormalizationError:
            continue
        if is_empty(value):
            continue
        row_id = f"{len(rows):08d}"
        rows.append(RowRecord(row_id, table.name, key, {"value": value}, source, source))
    return rows


def _person(name: str) -> tuple[str, str]:
    """A name as (first initial, last name): the papers ignore middle names."""
    parts = name_key(name).split(" ")
    return (parts[0][0] if len(parts) > 1 else "", parts[-1])


def _people(authors: list[JsonValue]) -> list[tuple[str, str]]:
    """The people an author list names, each item read as the engine reads it
    (`person_names`: "Ann Lee, Bo Chan" is two people), without repeats."""
    return sorted({_person(name) for item in authors for name in person_names(str(item))})


def _same_authors(chosen: JsonValue, gold: JsonValue) -> bool:
    if not isinstance(chosen, list) or not isinstance(gold, list):
        return False
    return _people(chosen) == _people(gold)


def book() -> DataSet:
    """AbeBooks author lists: 895 bookstores, 1,265 books, 100 gold."""
    table = _table("books", {"type": "list", "items": "string"})
    spec = table.fields["value"]
    with (DATA / "book/book.txt").open(encoding="utf-8", errors="replace") as lines:
        fields = [line.rstrip("\r\n").split("\t") for line in lines]
    rows = _rows(table, ((f[0], f[1], f[3]) for f in fields if len(f) >= 4))
    gold: dict[str, JsonValue] = {}
    for line in (DATA / "book/book_golden.txt").read_text(encoding="utf-8").splitlines():
        key, _, authors = line.partition("\t")
        gold[key.strip()] = normalize_value("value", spec, authors)
    published = "majority .71, TruthFinder .83, ACCU .87, AccuSim .89 (Dong et al. 2009)"
    return DataSet("book", table, "value", rows, gold, _same_authors, published)


def population() -> DataSet:
    """Wikipedia city populations: 4,264 editors, 41,196 city-years, 308 gold."""
    table = _table("populations", {"type": "integer"})
    with (DATA / "population/claims.txt").open(encoding="utf-8", errors="replace") as lines:
        fields = [[part.strip() for part in line.split("|\t")] for line in lines]
    rows = _rows(
        table,
        ((f[5], f"{f[2]}|{f[3].removeprefix('Population')}", f[4]) for f in fields if len(f) > 5),
    )
    gold: dict[str, JsonValue] = {}
    for line in (DATA / "population/gold.txt").read_text(encoding="utf-8").splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) == 4:
            gold[f"{parts[0]}, {parts[1]}|{parts[2]}"] = int(parts[3])
    published = "voting .799, TruthFinder .850, LCA .861 (Pasternack & Roth 2013, 274 claims)"
    return DataSet("population", table, "value", rows, gold, lambda a, b: a == b, published)


def _gold_items(data: DataSet, index: ClaimIndex) -> tuple[Ints, list[JsonValue]]:
    """The items that have a gold answer, and those answers."""
    found = [
        (i, data.gold[item.key]) for i, item in enumerate(index.items) if item.key in data.gold
    ]
    return np.array([i for i, _ in found], dtype=np.int64), [g for _, g in found]


def _hits(
    data: DataSet, index: ClaimIndex, winner: Ints, items: Ints, gold: list[JsonValue]
) -> Floats:
    return np.array(
        [
            winner[i] >= 0 and data.correct(index.representatives[winner[i]], answer)
            for i, answer in zip(items.tolist(), gold, strict=True)
        ],
        dtype=np.float64,
    )


def _source_accuracy(
    data: DataSet, index: ClaimIndex, items: Ints, gold: list[JsonValue]
) -> tuple[Ints, Floats, Floats]:
    """Sources that claim a gold item, their share of right claims among those, and how
    many they claim."""
    answer = dict(zip(items.tolist(), gold, strict=True))
    claims = index.claims
    item_of_claim = claims.item_of_value[claims.value]
    right = np.zeros(claims.n_sources)
    total = np.zeros(claims.n_sources)
    for source, value, item in zip(
        claims.source.tolist(), claims.value.tolist(), item_of_claim.tolist(), strict=True
    ):
        if item in answer:
            total[source] += 1
            right[source] += data.correct(index.representatives[value], answer[item])
    seen = np.flatnonzero(total > 0)
    return seen, right[seen] / total[seen], total[seen]


def spearman_ceiling(trust: Floats, claimed: Floats, seed: int = 0) -> float:
    """The mean Spearman correlation of `trust` with gold accuracies drawn from it: each
    source right on each of its `claimed` gold items with probability its trust (module)."""
    rng = np.random.default_rng(seed)
    draws = [
        spearmanr(trust, rng.binomial(claimed.astype(np.int64), trust) / claimed).statistic
        for _ in range(CEILING_DRAWS)
    ]
    return float(np.nanmean(draws))


def expected_calibration_error(confidence: Floats, hits: Floats, bins: int = BINS) -> float:
    """Sum over equal-width confidence bins of |mean confidence - accuracy| x bin share."""
    if not len(confidence):
        return 0.0
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += abs(confidence[inside].mean() - hits[inside].mean()) * inside.mean()
    return float(error)


def measure(data: DataSet, index: ClaimIndex, result: TruthResult) -> Quality:
    """Score `result` (and majority vote on the same claims) on the gold items."""
    items, gold = _gold_items(data, index)
    hits = _hits(data, index, result.winner, items, gold)
    majority = _hits(data, index, majority_vote(index.claims), items, gold)
    confidence = result.value_confidence[result.winner[items]]
    calibrated = result.fact_confidence[result.winner[items]]
    active = confidence >= SYNC_ABOVE
    synced = calibrated >= SYNC_ABOVE
    sources, accuracy, claimed = _source_accuracy(data, index, items, gold)
    trust = result.source_trust[sources]
    shrunk = result.calibration.accuracy[sources] if result.calibration.fitted else trust
    sure = claimed >= SURE_SOURCE
    return Quality(
        accuracy=float(hits.mean()),
        active_accuracy=float(hits[active].mean()) if active.any() else float("nan"),
        active=int(active.sum()),
        majority=float(majority.mean()),
        spearman=float(spearmanr(trust, accuracy).statistic),
        spearman_sure=float(spearmanr(trust[sure], accuracy[sure]).statistic),
        sure_sources=int(sure.sum()),
        ceiling=spearman_ceiling(trust, claimed),
        ceiling_sure=spearman_ceiling(trust[sure], claimed[sure]),
        ece=expected_calibration_error(confidence, hits),
        ece_calibrated=expected_calibration_error(calibrated, hits),
        active_calibrated=int(synced.sum()),
        active_calibrated_accuracy=float(hits[synced].mean()) if synced.any() else float("nan"),
        spearman_shrunk=float(spearmanr(shrunk, accuracy).statistic),
        spearman_shrunk_sure=float(spearmanr(shrunk[sure], accuracy[sure]).statistic),
        gold_items=len(items),
    )


def diagnose(data: DataSet, index: ClaimIndex, result: TruthResult) -> list[str]:
    """Where the calibrated confidence of `result` is off on the gold items (module)."""
    items, gold = _gold_items(data, index)
    hits = _hits(data, index, result.winner, items, gold)
    confidence = result.fact_confidence[result.winner[items]]
    claims = index.claims
    gaps = reliability.by_rival_gap(
        index.representatives, claims.item_of_value, result.winner, items, confidence, hits
    )
    shapes = reliability.by_shape(claims, result.winner, items, confidence, hits)
    lines = [
        reliability.render("reliability", reliability.diagram(confidence, hits)),
        reliability.render("by claims", shapes),
    ]
    if gaps:
        lines.append(reliability.render("by rival gap", gaps))
    return [*lines, _most_gold(data, index, result, items, gold)]


def _most_gold(
    data: DataSet, index: ClaimIndex, result: TruthResult, items: Ints, gold: list[JsonValue]
) -> str:
    """The source that claims the most gold items, on gold and as the claims show it."""
    sources, accuracy, claimed = _source_accuracy(data, index, items, gold)
    top = int(np.argmax(claimed))
    source = int(sources[top])
    seen = reliability.Agreement.of(index.claims, source)
    calibrated = result.calibration.accuracy[source] if result.calibration.fitted else np.nan
    return (
        f"  most gold items: {index.sources[source]} right {accuracy[top]:.3f} on "
        f"{int(claimed[top])}, trust {result.source_trust[source]:.3f}, calibrated accuracy "
        f"{calibrated:.3f}; of its {seen.claims} claims {seen.shared} on shared items, "
        f"another source claims its value on {seen.agreed}, {seen.contested} contested"
    )


def run() -> list[str]:
    """One line per data set (see the module docstring), and the machine's load."""
    lines = [
        f"{'data':11} {'gold':>4} {'grace':>6} {'active raw':>12} {'active cal':>12} "
        f"{'majority':>8} {'gain':>6} {'rho':>5} {'rho sure':>14} {'ceiling':>11} {'shrunk':>11} "
        f"{'ece raw':>7} {'ece cal':>7} {'no-dep':>6} {'one-acc':>13} {'pairs':>5}  published"
    ]
    for load in (book, population):
        data = load()
        index = build_claims(data.rows, {data.table.name: data.table})
        result = discover(index.claims)
        q = measure(data, index, result)
        alone = measure(data, index, discover(index.claims, detect_copying=False))
        one = measure(data, index, discover(replace(index.claims, attribute_of_item=None)))
        lines.append(
            f"{data.name:11} {q.gold_items:4d} {q.accuracy:6.3f} "
            f"{q.active_accuracy:6.3f} ({q.active:3d}) "
            f"{q.active_calibrated_accuracy:6.3f} ({q.active_calibrated:3d}) {q.majority:8.3f} "
            f"{(q.accuracy - q.majority) * 100:+6.1f} {q.spearman:5.2f} "
            f"{q.spearman_sure:5.2f} ({q.sure_sources:3d} src) "
            f"{q.ceiling:5.2f} {q.ceiling_sure:5.2f} "
            f"{q.spearman_shrunk:5.2f} {q.spearman_shrunk_sure:5.2f} "
            f"{q.ece:7.3f} {q.ece_calibrated:7.3f} {alone.accuracy:6.3f} "
            f"{one.accuracy:6.3f} ({one.ece_calibrated:5.3f}) "
            f"{len(result.copying):5d}  {data.published}"
        )
        lines += diagnose(data, index, result)
    lines.append(machine_load())
    for line in lines:
        print(line)
    return lines
