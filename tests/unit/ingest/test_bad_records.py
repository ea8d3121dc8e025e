"""A few bad records are warnings; half or more (two at least) fail a file of records."""

from __future__ import annotations

import pytest

from graph.errors import TooManyBadRecordsError
from ingest.bad_records import check_bad_records
from ingest.extract import ExtractedRow, Extraction, TextChunk, extract


def records(kept: int, skipped: int = 0, *, text: bool = False) -> Extraction:
    """An extraction of `kept` rows and `skipped` records, with a text chunk when `text`."""
    rows = [ExtractedRow(values={"id": str(n)}, locator=f"line {n + 2}") for n in range(kept)]
    chunks = [TextChunk(ordinal=0, text="Prose.", locator="line 1")] if text else []
    return Extraction(mime="text/csv", rows=rows, skipped=skipped, text_chunks=chunks)


def reasons(bad: int) -> list[str]:
    return [f"line {n}: why" for n in range(2, bad + 2)]


@pytest.mark.parametrize(
    ("bad", "total"), [(0, 0), (0, 10), (1, 1), (1, 2), (1, 3), (2, 5), (4, 9), (499, 1000)]
)
def test_a_mostly_good_file_passes(bad: int, total: int) -> None:
    check_bad_records("cities.csv", records(total), bad, reasons(bad))


@pytest.mark.parametrize(("bad", "total"), [(2, 2), (2, 3), (2, 4), (5, 10), (1000, 1000)])
def test_half_or_more_bad_records_fail_the_file(bad: int, total: int) -> None:
    with pytest.raises(TooManyBadRecordsError) as caught:
        check_bad_records("cities.csv", records(total), bad, reasons(bad))
    assert caught.value.code == "too_many_bad_records"
    assert f"{bad} of {total} records are bad" in str(caught.value)
    assert "line 2: why; line 3: why" in str(caught.value)


def test_skipped_records_count_in_the_total() -> None:
    check_bad_records("cities.csv", records(3, skipped=1), 1, reasons(1))
    with pytest.raises(TooManyBadRecordsError, match="3 of 4 records are bad"):
        check_bad_records("cities.csv", records(1, skipped=3), 3, reasons(3))


def test_a_document_with_text_keeps_it_whatever_its_tables_hold() -> None:
    check_bad_records("notes.md", records(2, skipped=2, text=True), 4, reasons(4))


def test_the_message_names_the_first_five_reasons_and_counts_the_rest() -> None:
    with pytest.raises(TooManyBadRecordsError) as caught:
        check_bad_records("cities.csv", records(8), 8, reasons(8))
    assert "line 6: why; and 3 more" in str(caught.value)
    assert "line 7" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "skipped"),
    [
        ("a.csv", "a,b\n1,2\n1,2,3\n4\n", 2),
        ("a.jsonl", '{"a": 1}\n[1]\n"x"\n', 2),
        ("a.md", "| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 2 | 3 |\n", 1),
        ("a.md", "| a | a |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n", 0),  # not a table of records
        ("a.html", "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td></tr></table>", 1),
    ],
)
def test_extractors_count_the_records_they_skip(name: str, text: str, skipped: int) -> None:
    result = extract(text.encode(), name)
    assert result.skipped == skipped
    assert result.warnings  # every skip, and every header left out, is named
