"""Which rescored, activated or released rows may join a table's kept list of least trusted
rows: every one while the list is the whole table, else only those sorting before its last
(trust, then id), never more than the list keeps; none while the table has no list (a sort
fills it) or an empty list of a larger table (nothing is known to sort before)."""

from __future__ import annotations

from trust.lowest_rows import ListEnd, joining, scored_candidates

CANDIDATES = [(0.5, "row:b"), (0.2, "row:z"), (0.4, "row:a"), (0.4, "row:c"), (0.9, "row:d")]


def test_rows_sorting_before_the_last_join_in_trust_then_id_order() -> None:
    end = ListEnd("cities", known=True, whole=False, last=(0.4, "row:b"))
    found = joining(end, CANDIDATES, kept=10)
    assert found.rows == ["row:z", "row:a"]  # 0.4 row:c sorts after (0.4, row:b)
    assert not found.cut


def test_every_row_joins_a_list_that_holds_the_whole_table_up_to_what_it_keeps() -> None:
    end = ListEnd("cities", known=True, whole=True, last=(0.3, "row:q"))
    assert joining(end, CANDIDATES, kept=10).rows == [
        "row:z",
        "row:a",
        "row:c",
        "row:b",
        "row:d",
    ]
    cut = joining(end, CANDIDATES, kept=2)
    assert (cut.rows, cut.cut) == (["row:z", "row:a"], True)
    assert joining(ListEnd("cities", True, True, None), CANDIDATES, kept=1).rows == ["row:z"]


def test_no_row_joins_a_missing_list_or_an_empty_list_of_a_larger_table() -> None:
    for end in (ListEnd.unknown("cities"), ListEnd("cities", known=True, whole=False, last=None)):
        found = joining(end, CANDIDATES, kept=10)
        assert (found.rows, found.cut) == ([], False)


def test_only_a_list_whose_end_is_unknown_is_refilled_whatever_it_holds() -> None:
    assert joining(ListEnd.unknown("cities"), CANDIDATES, kept=10).params()["refill"] is True
    known = ListEnd("cities", known=True, whole=False, last=(0.4, "row:b"))
    assert joining(known, CANDIDATES, kept=10).params()["refill"] is False


def test_a_list_end_reads_the_shift_statement_record() -> None:
    assert ListEnd.of(["cities", True, False, 0.25, "row:x"]) == ListEnd(
        "cities", True, False, (0.25, "row:x")
    )
    assert ListEnd.of(["cities", False, False, None, None]) == ListEnd.unknown("cities")


def test_rows_without_trust_join_nothing() -> None:
    records: list[dict[str, object]] = [
        {"table": "cities", "trust": 0.3, "id": "row:1"},
        {"table": "cities", "trust": None, "id": "row:2"},
    ]
    assert scored_candidates(records) == [("cities", 0.3, "row:1")]
