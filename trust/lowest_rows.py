"""Each table's least trusted rows, kept by the transactions that change rows, so that no
screen sorts a table to show them.

The list lives on the table's `TrustAggregate`: `lowest` (row ids, least trusted first, ties
by id), `lowest_trust` (their trust) and `lowest_all` (whether it holds every active row a
trust pass scored). It is always a prefix of those rows in (trust, id) order: every such row
it leaves out sorts after its last. Every change keeps it so, in its own transaction, once
`trust/shift_table_trust` has locked the aggregate (`trust.aggregate_shift`): rows rescored,
activated or released that sort before the list's last (any of them when the list is the
whole table) join it (`joining`), every listed row is looked up again (a row no longer active
goes, a rescored one takes its new trust, one that rose past the old last goes) and the list
is cut to `KEPT` (`trust/keep_lowest_rows`). When departures leave fewer than `REFILL_BELOW`
rows of a larger table, or a table has no list yet, one sort of its rows refills it, counted
in `lowest_refills`: never wrong, now and then slower. A full pass keeps no list while it
writes (its batches would queue on the aggregate's lock): it refills every table's once its
rows are written (`trust.overview.refresh_table_trust`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.graph import GraphTransaction

KEPT = 100
"""Rows kept per table: the screens show at most 20 (a table's explanation), the overview 5."""
REFILL_BELOW = 25
"""A list that departures leave shorter than this (and that is not the whole table) is
refilled by a sort: more than any screen shows, so a screen never waits on it."""

Candidate = tuple[str, float, str]
"""A row that may join its table's list: (table, trust, id)."""


@dataclass(frozen=True)
class ListEnd:
    """Where a table's list ends, as `trust/shift_table_trust` read it under the lock."""

    table: str
    known: bool
    """The table has a list (else the next keep refills it)."""
    whole: bool
    """The list holds every active scored row of the table."""
    last: tuple[float, str] | None
    """The (trust, id) of its last row; None when it is empty."""

    @classmethod
    def of(cls, record: Sequence[Any]) -> ListEnd:
        """From `[table, known, whole, last trust, last id]`."""
        table, known, whole, trust, row = record
        last = None if trust is None else (float(trust), str(row))
        return cls(str(table), bool(known), bool(whole), last)

    @classmethod
    def unknown(cls, table: str) -> ListEnd:
        """A table whose list is not known (none yet, or a full pass rewrote its rows): the
        next keep refills it by a sort."""
        return cls(table, known=False, whole=False, last=None)


@dataclass(frozen=True)
class Joining:
    """The rows of one table that may join its list, and whether some were cut."""

    table: str
    rows: list[str]
    cut: bool
    """More could join than `kept`: the list can no longer be the whole table."""
    refill: bool
    """Refill the list by a sort whatever it holds (its end was not known)."""

    def params(self) -> dict[str, Any]:
        """One entry of `trust/keep_lowest_rows`'s `$tables`."""
        return {
            "table": self.table,
            "candidates": self.rows,
            "cut": self.cut,
            "refill": self.refill,
        }


def joining(end: ListEnd, candidates: Iterable[tuple[float, str]], kept: int) -> Joining:
    """Of `candidates` ((trust, id) of rows of `end.table` rescored, activated or released),
    those that may join the list: every one when it is the whole table, else those sorting
    before its last; the `kept` lowest of them at most (the rest could not stay)."""
    if not end.known or (not end.whole and end.last is None):
        eligible: list[tuple[float, str]] = []  # refilled by a sort, or nothing sorts before
    elif end.whole:
        eligible = sorted(candidates)
    else:
        last = end.last
        assert last is not None
        eligible = sorted(c for c in candidates if c < last)
    rows = [row for _, row in eligible[:kept]]
    return Joining(end.table, rows, len(eligible) > kept, refill=not end.known)


async def keep_lowest(
    tx: GraphTransaction, ends: Iterable[ListEnd], candidates: Iterable[Candidate]
) -> list[str]:
    """Keep the lists of the tables at `ends` after a change to their rows, in `tx` (after
    `trust/shift_table_trust` locked their aggregates); returns the tables refilled by a
    sort."""
    by_table: dict[str, list[tuple[float, str]]] = {}
    for table, trust, row in candidates:
        by_table.setdefault(table, []).append((trust, row))
    tables = [joining(end, by_table.get(end.table, ()), KEPT).params() for end in ends]
    if not tables:
        return []
    [record] = await tx.run(
        "trust/keep_lowest_rows",
        {"tables": tables, "kept": KEPT, "refill_below": REFILL_BELOW},
    )
    return list(record["refilled"])


def scored_candidates(records: Iterable[Mapping[str, Any]]) -> list[Candidate]:
    """The candidates of a statement that returns rows one by one (`table`, `trust`, `id`):
    a row without trust joins nothing."""
    return [
        (record["table"], float(record["trust"]), record["id"])
        for record in records
        if record["trust"] is not None
    ]
