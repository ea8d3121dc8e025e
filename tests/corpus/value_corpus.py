"""The labelled value-conflict corpus (`value_conflicts.yaml`): its rows, and scoring against it.

Used by the unit test (pure detection), the integration test (the same rows ingested into
Neo4j) and `bench/conflict_quality.py` (the figures).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import JsonValue

from graph.schemas import TableSchema
from trust.claims import RowRecord
from trust.compare import values_agree
from trust.conflicts import ValueConflict

CORPUS = Path(__file__).parent / "value_conflicts.yaml"


@dataclass(frozen=True)
class Case:
    """One labelled entity."""

    table: str
    key: str
    kind: str
    truth: dict[str, JsonValue]
    rows: dict[str, dict[str, JsonValue]]  # source -> the row it holds
    conflicts: frozenset[str]


@dataclass
class Scores:
    """Precision and recall of detection; wrong invalidations of reconciliation."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    rejected: int = 0
    wrongly_rejected: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def wrong_invalidation_rate(self) -> float:
        return self.wrongly_rejected / self.rejected if self.rejected else 0.0


def load_cases(suffix: str = "") -> list[Case]:
    """Every labelled entity; `suffix` is appended to keys (unique per test run)."""
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    cases = []
    for table, entries in data.items():
        for entry in entries:
            key = entry["key"] + suffix
            truth = dict(entry["truth"])
            rows = {
                source: {**truth, **deviations} for source, deviations in entry["sources"].items()
            }
            cases.append(
                Case(table, key, entry["kind"], truth, rows, frozenset(entry["conflicts"]))
            )
    return cases


def key_field(table: TableSchema) -> str:
    """The single entity-key column of a corpus table."""
    [name] = table.entity_key
    return name


def row_records(cases: Sequence[Case], tables: Mapping[str, TableSchema]) -> list[RowRecord]:
    """The corpus as the trust engine reads rows (one document per source and table)."""
    return [
        RowRecord(
            id=f"{source}/{case.table}/{case.key}",
            table=case.table,
            key=case.key,
            values={key_field(tables[case.table]): case.key, **values},
            source=f"folder:{source}",
            document=f"{source}/{case.table}",
        )
        for case in cases
        for source, values in case.rows.items()
    ]


def csv_files(
    cases: Sequence[Case], tables: Mapping[str, TableSchema]
) -> dict[tuple[str, str], str]:
    """(source, table) -> the CSV text that source's file for that table holds."""
    grouped: dict[tuple[str, str], list[dict[str, JsonValue]]] = {}
    for case in cases:
        for source, values in case.rows.items():
            row = {key_field(tables[case.table]): case.key, **values}
            grouped.setdefault((source, case.table), []).append(row)
    files = {}
    for (source, table), rows in grouped.items():
        columns = list(dict.fromkeys(column for row in rows for column in row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _cell(row.get(c)) for c in columns})
        files[(source, table)] = buffer.getvalue()
    return files


def score(
    cases: Sequence[Case],
    tables: Mapping[str, TableSchema],
    found: Sequence[ValueConflict],
    rejected: Sequence[tuple[str, str, str, JsonValue]],
) -> Scores:
    """Score detected conflicts and rejected row values ((table, key, attribute, value),
    one per rejected row)."""
    labelled = {(c.table, c.key, a) for c in cases for a in c.conflicts}
    detected = {(c.item.table, c.item.key, c.item.attribute) for c in found}
    scores = Scores(
        true_positives=len(labelled & detected),
        false_positives=len(detected - labelled),
        false_negatives=len(labelled - detected),
        misses=sorted(f"{t}:{k}:{a}" for t, k, a in labelled ^ detected),
    )
    truth = {(c.table, c.key): c.truth for c in cases}
    for table, key, attribute, value in rejected:
        scores.rejected += 1
        spec = tables[table].fields[attribute]
        if values_agree(spec, truth[(table, key)][attribute], value):
            scores.wrongly_rejected += 1
    return scores


def _cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # CSV cells hold lists as "a; b" (see ingest.normalize)
        return "; ".join(str(item) for item in value)
    return str(value)
