from __future__ import annotations

import json

import pytest
from pydantic import JsonValue

from graph.errors import NormalizationError
from graph.schemas import FieldSpec, TableSchema
from ingest.normalize import (
    RowNormalizer,
    column_key,
    entity_key,
    is_empty,
    normalize_row,
    normalize_value,
)


def value(kind: str, raw: JsonValue, **spec: object) -> JsonValue:
    return normalize_value("f", FieldSpec.model_validate({"type": kind, **spec}), raw)


def refused(kind: str, raw: JsonValue, **spec: object) -> NormalizationError:
    with pytest.raises(NormalizationError) as caught:
        value(kind, raw, **spec)
    return caught.value


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Organization ID", "organization_id"),
        (" Revenue (MUSD) ", "revenue_musd"),
        ("city_id", "city_id"),
        ("OrganizationID", "organization_id"),
        ("updatedAt", "updated_at"),
        ("Gdańsk Área", "gdansk_area"),
        ("Straße", "strasse"),
        ("area km²", "area_km2"),
        ("--", ""),
    ],
)
def test_column_key_is_snake_case_ascii(header: str, key: str) -> None:
    assert column_key(header) == key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18520", 18520),
        ("18,520", 18520),
        ("18 520", 18520),
        ("1,234,567", 1234567),
        ("-42", -42),
        ("1.2e3", 1200),
        (" 7 ", 7),
        (18520, 18520),
        (3.0, 3),
    ],
)
def test_integer_accepts(raw: JsonValue, expected: int) -> None:
    result = value("integer", raw)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "raw",
    ["about 392000", "1.5", "1,5", "18,52", "1,234 567", "12%", "", "1e30", True, 2.5, [1], None],
)
def test_integer_refuses(raw: JsonValue) -> None:
    error = refused("integer", raw)
    assert (error.field, error.value, error.expected) == ("f", raw, "integer")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("47.87", 47.87), ("1,234.5", 1234.5), (".5", 0.5), ("2e-3", 0.002), (262, 262.0)],
)
def test_float_accepts(raw: JsonValue, expected: float) -> None:
    result = value("float", raw)
    assert result == expected
    assert type(result) is float


@pytest.mark.parametrize("raw", ["12.5%", "about 3", "nan", "inf", "1e999", False, float("nan")])
def test_float_refuses(raw: JsonValue) -> None:
    refused("float", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("YES", True),
        ("1", True),
        (" No ", False),
        ("false", False),
        ("0", False),
        (True, True),
        (0, False),
    ],
)
def test_boolean_accepts(raw: JsonValue, expected: bool) -> None:
    assert value("boolean", raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "y", 2, 1.0, "truee"])
def test_boolean_refuses(raw: JsonValue) -> None:
    refused("boolean", raw)


@pytest.mark.parametrize(
    "raw", ["2009-03-14", "2009/03/14", "14 March 2009", "14 Mar 2009", "March 14, 2009"]
)
def test_date_accepts_iso_slashed_and_written_forms(raw: str) -> None:
    assert value("date", raw) == "2009-03-14"


@pytest.mark.parametrize(
    "raw", ["03/04/2009", "2009-02-30", "sometime in 2009", "2009-03-14T10:00:00Z", 20090314]
)
def test_date_refuses_ambiguous_or_invalid(raw: JsonValue) -> None:
    refused("date", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-24T12:00:00Z", "2026-11-24T12:00:00Z"),
        ("2026-11-24T13:00:00+01:00", "2026-11-24T12:00:00Z"),
        ("2026-11-24 12:00", "2026-11-24T12:00:00Z"),
        ("2026-11-24T12:00:00", "2026-11-24T12:00:00Z"),
        ("2026-11-24T12:00:00.250Z", "2026-11-24T12:00:00.250000Z"),
    ],
)
def test_datetime_becomes_utc_with_z(raw: str, expected: str) -> None:
    assert value("datetime", raw) == expected


@pytest.mark.parametrize(
    "raw", ["2026-11-24", "24/11/2026 12:00", "noon", "2026-13-01T00:00:00Z", 1764000000]
)
def test_datetime_refuses(raw: JsonValue) -> None:
    refused("datetime", raw)


def test_strings_are_stripped_nfc_and_numbers_become_text() -> None:
    assert value("string", "  Gdan\u0301sk ") == "Gdańsk"
    assert value("string", 75001) == "75001"
    refused("string", {"a": 1})
    refused("string", True)


def test_text_normalises_line_endings() -> None:
    assert value("text", "one\r\ntwo\rthree\n") == "one\ntwo\nthree"


def test_allowed_returns_the_canonical_spelling() -> None:
    allowed = ["public", "internal"]
    assert value("string", " Public ", allowed=allowed) == "public"
    error = refused("string", "secret", allowed=allowed)
    assert "public, internal" in str(error)


def test_lists_split_on_semicolons_and_normalise_items() -> None:
    phones = "+49 89 5550 1100; +49 151 5550 2211;;"
    assert value("list", phones, items="string") == ["+49 89 5550 1100", "+49 151 5550 2211"]
    assert value("list", ["A. Berg", " ", "K. Tanaka"], items="string") == ["A. Berg", "K. Tanaka"]
    assert value("list", "1;2,000", items="integer") == [1, 2000]
    assert value("list", ["A", "b"], items="string", allowed=["a", "B"]) == ["a", "B"]


def test_list_refuses_bad_items_and_non_lists() -> None:
    error = refused("list", "1;two", items="integer")
    assert error.expected == "list of integer"
    assert error.value == "1;two"
    refused("list", [["nested"]], items="string")
    refused("list", 5, items="string")


def test_normal_forms_are_json_stable() -> None:
    forms = [value("integer", "18,520"), value("float", "2e-3"), value("date", "14 March 2009")]
    assert json.loads(json.dumps(forms)) == forms


def test_is_empty() -> None:
    empty: list[JsonValue] = [None, "", "  ", []]
    present: list[JsonValue] = [0, False, "x", [""]]
    assert all(is_empty(raw) for raw in empty)
    assert not any(is_empty(raw) for raw in present)


TABLE = TableSchema.model_validate(
    {
        "name": "things",
        "description": "Test.",
        "owner": "tests@grace.example",
        "entity_key": ["code", "year"],
        "fields": {
            "code": {"type": "string", "required": True},
            "year": {"type": "integer"},
            "size": {"type": "float"},
            "kind": {"type": "string", "allowed": ["big", "small"]},
            "tags": {"type": "list", "items": "string"},
        },
    }
)
MAPPING = {"Code": "code", "Year": "year", "Size": "size", "Kind": "kind", "Tags": "tags"}


def test_normalize_row_keeps_good_values_and_reports_bad_ones() -> None:
    raw: dict[str, JsonValue] = {
        "Code": " A1 ",
        "Year": "2,025",
        "Size": "huge",
        "Kind": "medium",
        "Tags": "x; y",
        "Other": "ignored",
    }
    row = normalize_row(TABLE, raw, MAPPING)
    assert row.values == {"code": "A1", "year": 2025, "tags": ["x", "y"]}
    assert [(problem.field, problem.value) for problem in row.problems] == [
        ("size", "huge"),
        ("kind", "medium"),
    ]


def test_normalize_row_omits_empty_values_and_reports_missing_required_fields() -> None:
    row = normalize_row(TABLE, {"Code": "", "Year": None, "Tags": " ; "}, MAPPING)
    assert row.values == {}
    assert [problem.field for problem in row.problems] == ["code"]
    assert "required" in str(row.problems[0])


def test_one_normalizer_for_many_rows_reads_each_as_normalize_row_does() -> None:
    rows: list[dict[str, JsonValue]] = [
        {"Code": " A1 ", "Year": "2,025", "Size": "huge", "Tags": "x; y"},
        {"Code": " A1 ", "Year": "2,025", "Size": "huge", "Tags": "x; y"},
        {"Code": 1, "Year": 2025.0, "Kind": "LARGE"},
        {"Code": 1.0, "Year": True, "Kind": "large"},
        {"Code": True, "Year": "1e3"},
        {"Code": "", "Year": None},
    ]
    normalize = RowNormalizer(TABLE, MAPPING)
    for raw in rows * 2:
        row, expected = normalize(raw), normalize_row(TABLE, raw, MAPPING)
        assert row.values == expected.values
        assert [str(problem) for problem in row.problems] == [
            str(problem) for problem in expected.problems
        ]
    # equal but differently typed raw values are read apart: 1 and 1.0 are different text
    assert [normalize(raw).values.get("code") for raw in rows[2:5]] == ["1", "1.0", None]


def test_a_list_value_read_again_is_a_new_list() -> None:
    normalize = RowNormalizer(TABLE, MAPPING)
    first = normalize({"Code": "A", "Year": 1, "Tags": "x; y"}).values["tags"]
    second = normalize({"Code": "B", "Year": 1, "Tags": "x; y"}).values["tags"]
    assert first == second == ["x", "y"]
    assert first is not second


def test_entity_key_joins_the_key_fields() -> None:
    assert entity_key(TABLE, {"code": "A1", "year": 2025}) == "A1|2025"
    assert entity_key(TABLE, {"code": "A1"}) is None
    assert entity_key(TABLE, {"code": "", "year": 2025}) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14:05", "14:05:00"),
        ("14:05:30", "14:05:30"),
        (" 7:5 ", None),
        ("2:05 pm", "14:05:00"),
        ("12:00 am", "00:00:00"),
        ("12:30 PM", "12:30:00"),
        ("00:00", "00:00:00"),
    ],
)
def test_a_time_of_day_is_read_as_hh_mm_ss(raw: str, expected: str | None) -> None:
    if expected is None:
        assert "time of day" in str(refused("time", raw))
    else:
        assert value("time", raw) == expected


@pytest.mark.parametrize("raw", ["24:00", "12:60", "13:00 pm", "0:15 am", "noon", "2026-01-01"])
def test_a_time_of_day_out_of_range_or_not_a_time_is_refused(raw: str) -> None:
    error = refused("time", raw)
    assert error.code == "normalization"
    assert "time" in str(error).split(": ", 2)[-1]
