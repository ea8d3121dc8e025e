"""How a change to rows moves their tables' stored trust aggregates (`trust.overview`), in
the transaction that made the change: rows that leave the active set (quarantined,
retracted, superseded) take their trust out, rows that enter it (activated, released) add
theirs, and a rescored active row does both, with its old and its new trust. Bucketing is
`trust/refresh_table_trust`'s rule, so the moved aggregate equals the refreshed one; a table
without an aggregate yet is refreshed from its rows instead.

The statements that change rows return what moved as `[table, rows, trusts]` per table
(`rows` counted, `trusts` the non-null ones among them): `trust/write_row_trust`,
`rows/quarantine`, `rows/release`, `ingest/activate_document`. The same transaction keeps the
tables' least trusted rows (`trust.lowest_rows`), given the rows that may join them. A file's
activation and a pass's write lock their tables' aggregates first (`lock_table_aggregates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.graph import GraphTransaction
from trust.lowest_rows import Candidate, ListEnd, keep_lowest

AGGREGATE_BUCKETS = 100
"""Buckets of 0.01: counts under and over any threshold that is a multiple of 0.01 are exact."""

Moved = Sequence[Any]
"""`[table, rows, trusts]`: how many rows of a table moved, and their non-null trusts."""


def trust_buckets(trust: np.ndarray) -> np.ndarray:
    """The bucket of each trust: b with b / 100 <= trust < (b + 1) / 100, compared as the same
    doubles a policy threshold is (so 0.57 is in bucket 57 although 0.57 * 100 < 57), 1.0 in
    the last bucket; as `trust/refresh_table_trust` computes it."""
    raw = np.floor(trust * AGGREGATE_BUCKETS).astype(np.int64)
    exact = np.where(
        trust >= (raw + 1) / AGGREGATE_BUCKETS,
        raw + 1,
        np.where(trust < raw / AGGREGATE_BUCKETS, raw - 1, raw),
    )
    clipped: np.ndarray = np.clip(exact, 0, AGGREGATE_BUCKETS - 1)
    return clipped


@dataclass
class TableShift:
    """How one table's aggregate moves: counts, the sum of trust, rows at 1.0 and buckets."""

    table: str
    rows: int = 0
    scored: int = 0
    total: float = 0.0
    top: int = 0
    buckets: np.ndarray = field(default_factory=lambda: np.zeros(AGGREGATE_BUCKETS, np.int64))

    def add(self, rows: int, trusts: Sequence[float], sign: int) -> None:
        """Count `rows` rows with `trusts` in (sign 1) or out (sign -1)."""
        values = np.asarray(trusts, dtype=np.float64)
        self.rows += sign * rows
        self.scored += sign * len(values)
        self.total += sign * float(values.sum())
        self.top += sign * int((values >= 1.0).sum())
        self.buckets += sign * np.bincount(trust_buckets(values), minlength=AGGREGATE_BUCKETS)

    def params(self) -> dict[str, Any]:
        """What `trust/shift_table_trust` takes of it."""
        return {
            "table": self.table,
            "rows": self.rows,
            "scored": self.scored,
            "total": self.total,
            "top": self.top,
            "buckets": self.buckets.tolist(),
        }


def table_shifts(left: Iterable[Moved], entered: Iterable[Moved]) -> list[TableShift]:
    """The shift of each table from what `left` and what `entered` the counted rows."""
    shifts: dict[str, TableShift] = {}
    for sign, moved in ((-1, left), (1, entered)):
        for table, rows, trusts in moved:
            shifts.setdefault(table, TableShift(table)).add(rows, trusts, sign)
    return [shifts[table] for table in sorted(shifts)]


def moved_rows(records: Iterable[Any]) -> list[Moved]:
    """`[table, 1, [trust]]` for each record of a statement that returns rows one by one
    (`table`, `trust`)."""
    return [
        [record["table"], 1, [] if record["trust"] is None else [record["trust"]]]
        for record in records
    ]


async def lock_table_aggregates(tx: GraphTransaction, tables: Iterable[str]) -> None:
    """Lock the stored aggregates of `tables` in `tx`, before it changes anything else: it
    then waits for them holding nothing, so transactions that move one queue on it rather
    than deadlock (`trust/lock_table_aggregates`)."""
    await tx.run("trust/lock_table_aggregates", {"tables": sorted(set(tables))})


async def shift_table_trust(
    tx: GraphTransaction,
    left: Iterable[Moved],
    entered: Iterable[Moved],
    joining: Iterable[Candidate] = (),
) -> None:
    """Move the stored aggregates of the tables of `left` and `entered` rows, in `tx`;
    tables without one are refreshed from their rows. Then keep the least trusted rows of
    the tables rows left or `joining` rows (rescored, activated or released) may join."""
    left, joining = list(left), list(joining)
    shifts = table_shifts(left, entered)
    if not shifts:
        return
    [record] = await tx.run("trust/shift_table_trust", {"shifts": [s.params() for s in shifts]})
    ends = [ListEnd.of(shifted) for shifted in record["shifted"]]
    missing = sorted({shift.table for shift in shifts} - {end.table for end in ends})
    if missing:
        await tx.run("trust/refresh_table_trust", {"tables": missing})
    touched = {moved[0] for moved in left} | {candidate[0] for candidate in joining}
    ends += [ListEnd.unknown(table) for table in missing]
    await keep_lowest(tx, [end for end in ends if end.table in touched or not end.known], joining)
