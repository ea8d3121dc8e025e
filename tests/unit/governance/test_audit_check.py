from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from governance.audit import (
    GENESIS_HASH,
    HASH,
    LINKED_FROM,
    PAGE_COLUMNS,
    PREV_HASH,
    SEQ,
    VERSION,
    AuditEntry,
    AuditRecord,
    chain_records,
)
from governance.audit_check import (
    ChainPosition,
    Findings,
    ProblemKind,
    _walk_each,
    _walk_intact,
    check_segment,
)

AT = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
UNEXPECTED = LINKED_FROM - 1
"""Where an event list holds the names of unexpected properties."""


def records(count: int, legacy_through: int = 0) -> list[AuditRecord]:
    """`count` chained events, those up to seq `legacy_through` hashed by the legacy rule."""
    entries = [AuditEntry(f"user:u{n}", "row.quarantine", f"row:{n}") for n in range(count)]
    chained, previous = [], GENESIS_HASH
    for record in chain_records("main", entries, 0, GENESIS_HASH, AT):
        version = None if record.seq <= legacy_through else record.hash_version
        record = record.model_copy(update={"hash_version": version, "prev_hash": previous})
        record = record.model_copy(update={"hash": record.computed_hash()})
        previous = record.hash
        chained.append(record)
    return chained


def row(record: AuditRecord, linked_from: list[int] | None = None) -> list[Any]:
    """`record` as `audit/events_page` returns it, linked from its predecessor."""
    return [
        record.seq,
        record.id,
        record.actor,
        record.action,
        record.target,
        record.before_digest,
        record.after_digest,
        int(record.at.timestamp()),
        record.at.microsecond,
        record.prev_hash,
        record.hash,
        record.hash_version,
        None,
        [record.seq - 1] if linked_from is None and record.seq > 1 else (linked_from or []),
    ]


def first_position(rows: list[list[Any]]) -> ChainPosition:
    seq, hash_, version = rows[0][SEQ], rows[0][HASH], rows[0][VERSION]
    return ChainPosition(seq, hash_, True if version is not None else None)


@pytest.mark.parametrize("legacy_through", [0, 3, 5, 12])
def test_the_intact_walk_gives_what_the_full_walk_gives(legacy_through: int) -> None:
    rows = [row(record) for record in records(12, legacy_through)][4:]
    fast_position, full_position = first_position(rows), first_position(rows)
    fast = _walk_intact("main", rows, fast_position)
    full = _walk_each("main", rows, full_position, found := Findings())
    assert fast is not None
    assert found.ok
    assert fast == full
    assert fast_position == full_position


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (PAGE_COLUMNS.index("actor"), "user:mallory"),
        (SEQ, 9),
        (LINKED_FROM, []),
        (PREV_HASH, "ab" * 32),
        (VERSION, None),
        (UNEXPECTED, ["note"]),
    ],
    ids=["edited", "seq", "unlinked", "prev-hash", "legacy-after-v2", "extra-property"],
)
def test_the_intact_walk_gives_way_at_any_irregular_event(column: int, value: object) -> None:
    rows = [row(record) for record in records(8)]
    rows[5][column] = value
    assert _walk_intact("main", rows, first_position(rows)) is None
    segment = check_segment("main", rows)
    assert not segment.findings.ok


def test_legacy_events_before_any_later_version_in_a_range_are_left_undecided() -> None:
    rows = [row(record) for record in records(10, legacy_through=7)][4:]
    segment = check_segment("main", rows)
    assert segment.findings.ok
    assert [legacy.seq for legacy in segment.end.undecided] == [6, 7]
    assert segment.end.versioned is True
    assert segment.legacy_events == 3


def test_a_segment_counts_the_events_up_to_each_checkpoint_seq() -> None:
    rows = [row(record) for record in records(10)][2:]
    segment = check_segment("main", rows, checkpoint_seqs=[2, 3, 7, 10, 12])
    assert segment.covered == {2: 0, 3: 1, 7: 5, 10: 8, 12: 8}
    assert (segment.events, segment.end.seq, segment.last_hash) == (8, 10, rows[-1][HASH])


def test_a_deletion_inside_a_range_is_found_by_the_full_walk() -> None:
    rows = [row(record) for record in records(8)]
    del rows[4]
    rows[4][LINKED_FROM] = [4]  # event 6, relinked from 4
    segment = check_segment("main", rows)
    assert [(problem.kind, problem.seq) for problem in segment.findings.problems] == [
        (ProblemKind.DELETED, 5)
    ]
