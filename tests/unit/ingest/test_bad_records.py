"""A few bad records are warnings; half or more (two at least) fail the whole file."""

from __future__ import annotations

import pytest

from graph.errors import TooManyBadRecordsError
from ingest.bad_records import check_bad_records
from ingest.extract import extract


@pytest.mark.parametrize(
    ("bad", "total"), [(0, 0), (0, 10), (1, 1), (1, 2), (1, 3), (2, 5), (4, 9), (499, 1000)]
)
def test_a_mostly_good_file_passes(bad: int, total: int) -> None:
    check_bad_records("cities.csv", bad, total, ["line 2: why"] * bad)


@pytest.mark.parametrize(("bad", "total"), [(2, 2), (2, 3), (2, 4), (5, 10), (1000, 1000)])
def test_half_or_more_bad_records_fail_the_file(bad: int, total: int) -> None:
    with pytest.raises(TooManyBadRecordsError) as caught:
        check_bad_records("cities.csv", bad, total, [f"line {n}: why" for n in range(2, bad + 2)])
    assert caught.value.code == "too_many_bad_records"
    assert f"{bad} of {total} records are bad" in str(caught.value)
    assert "line 2: why; line 3: why" in str(caught.value)


def test_the_message_names_the_first_five_reasons_and_counts_the_rest() -> None:
    reasons = [f"line {n}: why" for n in range(2, 10)]
    with pytest.raises(TooManyBadRecordsError) as caught:
        check_bad_records("cities.csv", 8, 8, reasons)
    assert "line 6: why; and 3 more" in str(caught.value)
    assert "line 7" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "skipped"),
    [
        ("a.csv", "a,b\n1,2\n1,2,3\n4\n", 2),
        ("a.jsonl", '{"a": 1}\n[1]\n"x"\n', 2),
        ("a.md", "| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 2 | 3 |\n", 1),
        ("a.md", "| a | a |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n", 2),
        ("a.html", "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td></tr></table>", 1),
    ],
)
def test_extractors_count_the_records_they_skip(name: str, text: str, skipped: int) -> None:
    result = extract(text.encode(), name)
    assert result.skipped == skipped
    assert len(result.warnings) >= 1
