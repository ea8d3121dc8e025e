"""Value-conflict quality on the labelled corpus (`tests/corpus/value_conflicts.yaml`).

Detection: precision and recall of the conflicts Grace flags. Reconciliation: how many row
values an automatic reconciliation rejects at the policy's `auto_resolve_above`, and how many
of those were in fact true (wrong invalidations). Two baselines in the same run:

- majority: the same candidates, resolved by majority vote with no source trust, applied
  whenever one value has a strict majority;
- look-alike candidates: what happens when candidates come from the whole table instead of
  the entity (rows grouped by their display name, as systems without an entity key do),
  resolved by majority like the first baseline.

Runs in-process, no services.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import JsonValue

from governance.policy import load_policies
from graph.schemas import TableSchema, load_tables
from graph.settings import PROJECT_ROOT
from tests.corpus.value_corpus import Case, Scores, load_cases, row_records, score
from trust.attribute_trust import AttributeTrust
from trust.calibration import Calibration
from trust.claims import RowRecord, build_claims
from trust.conflicts import ValueConflict, find_value_conflicts
from trust.dependence import Dependence
from trust.truth import TruthResult, discover, majority_vote

NAME_FIELDS = {"cities": "name", "people": "name", "organizations": "name"}


def _rejections(
    found: Sequence[ValueConflict], limits: dict[str, float]
) -> list[tuple[str, str, str, JsonValue]]:
    return [
        (c.item.table, c.item.key, c.item.attribute, loser.value)
        for c in found
        if c.confidence > limits[c.item.table]
        for loser in c.losers
        for _ in loser.rows
    ]


def _majority(rows: Sequence[RowRecord], tables: dict[str, TableSchema]) -> list[ValueConflict]:
    """Conflicts resolved by majority: confidence 1 with a strict majority, else 0."""
    index = build_claims(rows, tables)
    winner = majority_vote(index.claims)
    counts = [0.0] * len(index.claims.item_of_value)
    for value in index.claims.value.tolist():
        counts[value] += 1
    per_item: dict[int, float] = defaultdict(float)
    for value, item in enumerate(index.claims.item_of_value.tolist()):
        per_item[item] += counts[value]
    confidence = [
        1.0 if counts[v] * 2 > per_item[item] else 0.0
        for v, item in enumerate(index.claims.item_of_value.tolist())
    ]
    result = TruthResult(
        np.ones(index.claims.n_sources),
        np.array(confidence),
        winner,
        0,
        True,
        Dependence.none(),
        AttributeTrust.none(),
        Calibration.none(),
        np.array(confidence),
        np.zeros(index.claims.n_sources),
    )
    return find_value_conflicts(index, result)


def _by_name(
    rows: Sequence[RowRecord], cases: Sequence[Case]
) -> tuple[list[RowRecord], set[tuple[str, str]]]:
    """Rows re-keyed by their display name, and the names several entities share."""
    name_of = {
        (case.table, case.key): str(case.truth[NAME_FIELDS[case.table]]).casefold()
        for case in cases
        if case.table in NAME_FIELDS
    }
    entities: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (table, key), name in name_of.items():
        entities[(table, name)].add(key)
    shared = {group for group, keys in entities.items() if len(keys) > 1}
    renamed = [
        RowRecord(**{**vars(row), "key": name_of.get((row.table, row.key), row.key)})
        for row in rows
    ]
    return renamed, shared


def _line(name: str, scores: Scores) -> str:
    return (
        f"{name:24} precision {scores.precision:.2f}  recall {scores.recall:.2f}  "
        f"rejected {scores.rejected:3}  wrongly {scores.wrongly_rejected:2} "
        f"({scores.wrong_invalidation_rate:.0%})"
    )


def run() -> list[str]:
    """Precision, recall and wrong invalidations: Grace and the two baselines."""
    tables = {table.name: table for table in load_tables(PROJECT_ROOT / "schemas")}
    policies = load_policies(PROJECT_ROOT / "policies")
    limits = {name: policies.thresholds(name).auto_resolve_above for name in tables}
    cases = load_cases()
    rows = row_records(cases, tables)
    index = build_claims(rows, tables)
    found = find_value_conflicts(index, discover(index.claims, detect_copying=False))
    grace = score(cases, tables, found, _rejections(found, limits))
    majority = _majority(rows, tables)
    by_majority = score(cases, tables, majority, _rejections(majority, dict.fromkeys(tables, 1.0)))
    renamed, shared = _by_name(rows, cases)
    merged = [c for c in _majority(renamed, tables) if (c.item.table, c.item.key) in shared]
    wrongly = sum(len(loser.rows) for c in merged for loser in c.losers)
    labelled = sum(len(c.conflicts) for c in cases)
    return [
        f"corpus: {len(cases)} entities, {len(rows)} rows, {labelled} labelled conflicts; "
        f"auto-resolve thresholds from policies/ ({min(limits.values()):.2f}-"
        f"{max(limits.values()):.2f})",
        _line("grace (trust-weighted)", grace),
        _line("majority vote", by_majority),
        f"look-alike candidates: {len(merged)} conflict(s) between unrelated entities of "
        f"the same name, {wrongly} true value(s) rejected by majority (Grace: 0 and 0, its "
        "candidates come from one entity only)",
    ]
