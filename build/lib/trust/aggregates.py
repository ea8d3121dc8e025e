"""What a pass writes about groups of rows: each document's mean trust (exact after a full
pass, shifted by its rescored rows after an incremental one) and each table's trust trend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from trust.claims import RowRecord
from trust.learning import Vector

LOW_TRUST = 0.3
HIGH_TRUST = 0.8
HISTOGRAM_BUCKETS = 10


def document_means(rows: Sequence[RowRecord], trust: Vector) -> list[dict[str, Any]]:
    """Per document: the mean trust of its rows among `rows` (a full pass has them all), and
    how many there are."""
    names = sorted({row.document for row in rows})
    number = {name: i for i, name in enumerate(names)}
    of_row = np.array([number[row.document] for row in rows], dtype=np.int64)
    counts = np.bincount(of_row, minlength=len(names))
    sums = np.bincount(of_row, weights=trust, minlength=len(names))
    return [
        {"id": name, "trust": total / count, "rows": count}
        for name, total, count in zip(names, sums.tolist(), counts.tolist(), strict=True)
    ]


def document_shifts(
    rows: Sequence[RowRecord], rescored: Sequence[int], trust: Vector
) -> list[dict[str, Any]]:
    """Per document with rescored rows (positions in `rows`): the change of their total
    trust (`delta`), counting rows scored for the first time (`added`) whole."""
    delta: dict[str, float] = defaultdict(float)
    added: dict[str, int] = defaultdict(int)
    values = trust.tolist()
    for position in rescored:
        row = rows[position]
        delta[row.document] += values[position] - (row.trust or 0.0)
        added[row.document] += row.trust is None
    return [
        {"id": document, "delta": delta[document], "added": added[document]}
        for document in sorted(delta)
    ]


def table_snapshots(rows: Sequence[RowRecord], trust: Vector) -> list[dict[str, Any]]:
    """Per table, a point of its trust trend: mean, ten-bucket histogram, low/high counts."""
    by_table: dict[str, list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        by_table[row.table].append(position)
    snapshots = []
    for table in sorted(by_table):
        values = trust[by_table[table]]
        buckets = np.minimum((values * HISTOGRAM_BUCKETS).astype(np.int64), HISTOGRAM_BUCKETS - 1)
        snapshots.append(
            {
                "table": table,
                "rows": len(values),
                "mean": float(values.mean()),
                "low": int((values < LOW_TRUST).sum()),
                "high": int((values >= HIGH_TRUST).sum()),
                "histogram": np.bincount(buckets, minlength=HISTOGRAM_BUCKETS).tolist(),
            }
        )
    return snapshots
