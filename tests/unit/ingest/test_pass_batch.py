"""Which waiting passes join a pass (`ingest.after_ingest.PassBatch`)."""

from __future__ import annotations

from ingest.after_ingest import ALONE, PassBatch
from ingest.pass_state import OwedPass


def owed(name: str, rows: int) -> OwedPass:
    return OwedPass(f"doc:{name}", f"src/{name}.csv", "cities", rows)


FIRST = owed("a", 10)


def test_waiting_passes_join_in_queue_order_up_to_the_documents_bound() -> None:
    waiting = [FIRST, owed("b", 50), owed("c", 30), owed("d", 5)]
    assert PassBatch(documents=3, rows=1_000).take(FIRST, waiting) == waiting[1:3]


def test_the_first_that_would_pass_the_rows_bound_ends_the_batch() -> None:
    waiting = [owed("b", 30), owed("c", 50), owed("d", 5)]
    assert PassBatch(documents=10, rows=60).take(FIRST, waiting) == waiting[:1]


def test_the_pass_itself_counts_whatever_its_size() -> None:
    large = owed("large", 5_000)
    assert PassBatch(documents=10, rows=1_000).take(large, [large, owed("b", 1)]) == []


def test_its_own_document_and_repeats_are_left_out() -> None:
    b = owed("b", 1)
    assert PassBatch(documents=10, rows=100).take(FIRST, [FIRST, b, b]) == [b]


def test_alone_takes_nothing() -> None:
    assert ALONE.take(FIRST, [owed("b", 1)]) == []
