from __future__ import annotations

import csv

import pytest

from graph.errors import MalformedFileError, TooManyRowsError
from ingest.extract.delimited import extract_delimited
from ingest.extract.limits import Limits, field_size_limit


def run(text: str, delimiter: str = ",", limits: Limits | None = None) -> list[str]:
    result = extract_delimited(text, "t.csv", delimiter, "text/csv", limits or Limits())
    return [f"{row.locator}:{sorted(row.values.items())}" for row in result.rows]


def test_rows_keyed_by_the_header_with_line_locators() -> None:
    result = extract_delimited("id, name\n1,Ann\n\n2,Bo\n", "t.csv", ",", "text/csv", Limits())
    assert [row.values for row in result.rows] == [
        {"id": "1", "name": "Ann"},
        {"id": "2", "name": "Bo"},
    ]
    assert [row.locator for row in result.rows] == ["line 2", "line 4"]
    assert result.warnings == []


def test_a_quoted_multiline_field_keeps_the_line_where_the_record_starts() -> None:
    text = 'id,note\n1,"two\nlines"\n2,plain\n'
    result = extract_delimited(text, "t.csv", ",", "text/csv", Limits())
    assert [row.locator for row in result.rows] == ["line 2", "line 4"]
    assert result.rows[0].values["note"] == "two\nlines"


def test_tab_and_semicolon_delimiters() -> None:
    assert run("a\tb\n1\t2\n", "\t") == ["line 2:[('a', '1'), ('b', '2')]"]
    assert run("a;b\n1;2\n", ";") == ["line 2:[('a', '1'), ('b', '2')]"]


def test_wrong_field_count_is_skipped_with_a_warning() -> None:
    result = extract_delimited("a,b\n1,2\n1,2,3\n4\n5,6\n", "t.csv", ",", "text/csv", Limits())
    assert [row.locator for row in result.rows] == ["line 2", "line 5"]
    assert result.warnings == [
        "line 3: expected 2 fields, found 3; row skipped",
        "line 4: expected 2 fields, found 1; row skipped",
    ]


@pytest.mark.parametrize(
    ("text", "reason"), [("a,,c\n1,2,3\n", "no name"), ("a,b,a\n1,2,3\n", "repeated")]
)
def test_a_header_that_cannot_key_rows_is_refused(text: str, reason: str) -> None:
    with pytest.raises(MalformedFileError, match=reason) as caught:
        run(text)
    assert caught.value.line == 1


def test_broken_quoting_is_malformed_with_its_line() -> None:
    with pytest.raises(MalformedFileError) as caught:
        run('a,b\n1,2\n3,"x"y\n')
    assert caught.value.line == 3


def test_field_limit_is_enforced_and_the_global_setting_restored() -> None:
    before = csv.field_size_limit()
    limits = Limits(max_field_bytes=10)
    with pytest.raises(MalformedFileError, match="field") as caught:
        run("a,b\n1,2\n3," + "x" * 11 + "\n", limits=limits)
    assert caught.value.line == 3
    assert csv.field_size_limit() == before
    with field_size_limit(5):
        assert csv.field_size_limit() == 5
    assert csv.field_size_limit() == before


def test_field_limit_counts_bytes_not_characters() -> None:
    with pytest.raises(MalformedFileError, match="over 10 bytes"):
        run("a\n" + "é" * 6 + "\n", limits=Limits(max_field_bytes=10))
    assert run("a\n" + "é" * 5 + "\n", limits=Limits(max_field_bytes=10)) == [
        "line 2:[('a', 'ééééé')]"
    ]


def test_too_many_rows() -> None:
    assert len(run("a\n1\n2\n", limits=Limits(max_rows=2))) == 2
    with pytest.raises(TooManyRowsError):
        run("a\n1\n2\n3\n", limits=Limits(max_rows=2))


def test_an_empty_file_says_so() -> None:
    result = extract_delimited("", "t.csv", ",", "text/csv", Limits())
    assert result.rows == []
    assert result.warnings == ["no header row: the file is empty"]
