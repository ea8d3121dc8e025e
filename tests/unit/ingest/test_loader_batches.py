"""How the loader orders a file's rows into batches in which no row id repeats."""

from __future__ import annotations

from ingest.loader import RowDraft, once_each


def draft(row_id: str, line: int) -> RowDraft:
    return RowDraft(row_id, row_id, f"t:{row_id}", "{}", "", f"line {line}")


def test_rows_without_repeats_stay_one_list_in_file_order() -> None:
    rows = [draft("a", 2), draft("b", 3), draft("c", 4)]
    assert once_each(rows) == [rows]


def test_each_repeat_goes_after_the_occurrence_before_it() -> None:
    rows = [draft("a", 2), draft("b", 3), draft("a", 4), draft("a", 5), draft("b", 6)]
    parts = once_each(rows)
    assert [[(row.id, row.locator) for row in part] for part in parts] == [
        [("a", "line 2"), ("b", "line 3")],
        [("a", "line 4"), ("b", "line 6")],
        [("a", "line 5")],
    ]
    assert all(len({row.id for row in part}) == len(part) for part in parts)


def test_no_rows_are_no_lists() -> None:
    assert once_each([]) == []
