from __future__ import annotations

import pytest

from graph.errors import MalformedFileError, TooManyRowsError
from ingest.extract.json_records import extract_json, extract_json_lines
from ingest.extract.limits import Limits

MIME = "application/json"


def test_array_of_objects_becomes_rows_with_path_locators() -> None:
    result = extract_json('[{"a": 1, "b": [1, "x"]}, 7, {"a": null}]', "t.json", MIME, Limits())
    assert [(row.locator, row.values) for row in result.rows] == [
        ("$[0]", {"a": 1, "b": [1, "x"]}),
        ("$[2]", {"a": None}),
    ]
    assert result.warnings == ["$[1]: a number is not an object; skipped"]


def test_a_single_object_is_one_row() -> None:
    result = extract_json('{"a": {"nested": true}}', "t.json", MIME, Limits())
    assert [(row.locator, row.values) for row in result.rows] == [("$", {"a": {"nested": True}})]


def test_a_document_without_objects_is_kept_as_text_with_a_warning() -> None:
    result = extract_json('["x", "y"]', "t.json", MIME, Limits())
    assert result.rows == []
    assert [chunk.text for chunk in result.text_chunks] == ['["x", "y"]']
    assert result.warnings == ["the document is an array, not objects; kept as text"]


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(MalformedFileError, match="invalid JSON") as caught:
        extract_json('[\n  {"a": 1},\n  {"a": ', "t.json", MIME, Limits())
    assert (caught.value.line, caught.value.column) == (3, 9)


def test_json_nested_too_deeply_is_malformed() -> None:
    with pytest.raises(MalformedFileError, match="too deeply"):
        extract_json("[" * 100_000 + "]" * 100_000, "t.json", MIME, Limits())


def test_json_lines_rows_use_file_line_numbers() -> None:
    text = '{"a": 1}\n\n{"a": 2}\n[3]\n'
    result = extract_json_lines(text, "t.jsonl", MIME, Limits())
    assert [(row.locator, row.values) for row in result.rows] == [
        ("line 1", {"a": 1}),
        ("line 3", {"a": 2}),
    ]
    assert result.warnings == ["line 4: an array is not an object; skipped"]


def test_a_broken_json_line_rejects_the_file_with_its_line() -> None:
    with pytest.raises(MalformedFileError) as caught:
        extract_json_lines('{"a": 1}\n{"a": 2\n', "t.jsonl", MIME, Limits())
    assert (caught.value.line, caught.value.column) == (2, 8)


def test_row_limit_applies_to_json_and_json_lines() -> None:
    with pytest.raises(TooManyRowsError):
        extract_json('[{"a": 1}, {"a": 2}]', "t.json", MIME, Limits(max_rows=1))
    with pytest.raises(TooManyRowsError):
        extract_json_lines('{"a": 1}\n{"a": 2}\n', "t.jsonl", MIME, Limits(max_rows=1))
