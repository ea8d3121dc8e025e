from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from pydantic import JsonValue

from graph.schemas import FieldType, TableSchema, load_tables
from graph.settings import PROJECT_ROOT
from ingest.inference import infer_table
from ingest.matching import match_table
from ingest.normalize import entity_key, normalize_row

from .test_matching import read_rows

TABLES = load_tables(PROJECT_ROOT / "schemas")
OWNER = "tests@grace.example"
READINGS = """\
Reading ID,Station Code,Taken At,PM2.5 (µg/m³),Count,Calibrated,Day,Tags,Notes
r-001,LY-04,2025-07-01T08:00:00Z,12.5,"1,204",yes,2025-07-01,urban;roadside,"Clear sky; light wind"
r-002,LY-04,2025-07-01T09:00:00Z,14,980,no,2025-07-01,urban,
r-003,LY-07,2025-07-01T08:00:00Z,9.25,77,Yes,2025-07-02,,"Sensor moved
to the roof"
"""


def types(table: TableSchema) -> dict[str, tuple[FieldType, FieldType | None]]:
    return {name: (spec.type, spec.items) for name, spec in table.fields.items()}


def test_a_file_no_schema_knows_gets_a_valid_proposal(tmp_path: Path) -> None:
    path = tmp_path / "Air Readings-2025.csv"
    path.write_text(READINGS, encoding="utf-8")
    rows = read_rows(path)
    assert match_table(list(rows[0]), TABLES, path.stem) is None

    table = infer_table(path.stem, rows, OWNER)

    assert TableSchema.model_validate(table.model_dump()) == table
    assert table.name == "air_readings_2025"
    assert table.owner == OWNER
    assert "3 rows" in table.description
    assert table.entity_key == ["reading_id"]
    assert table.fields["reading_id"].required
    assert types(table) == {
        "reading_id": (FieldType.STRING, None),
        "station_code": (FieldType.STRING, None),
        "taken_at": (FieldType.DATETIME, None),
        "pm2_5_g_m3": (FieldType.FLOAT, None),
        "count": (FieldType.INTEGER, None),
        "calibrated": (FieldType.BOOLEAN, None),
        "day": (FieldType.DATE, None),
        "tags": (FieldType.LIST, FieldType.STRING),
        "notes": (FieldType.TEXT, None),
    }


def test_the_proposal_matches_its_own_file_back(tmp_path: Path) -> None:
    path = tmp_path / "readings.csv"
    path.write_text(READINGS, encoding="utf-8")
    rows = read_rows(path)
    table = infer_table(path.stem, rows, OWNER)
    match = match_table(list(rows[0]), [*TABLES, table], path.stem)
    assert match is not None
    assert (match.table, match.unmatched) == (table, [])
    first = normalize_row(table, rows[0], match.mapping)
    assert first.problems == []
    assert first.values["count"] == 1204
    assert first.values["tags"] == ["urban", "roadside"]
    assert entity_key(table, first.values) == "r-001"


@pytest.mark.parametrize(
    ("file", "key", "expected"),
    [
        ("hr/people.csv", "person_id", {"phones": (FieldType.LIST, FieldType.STRING)}),
        ("registry/cities.csv", "city_id", {"population": (FieldType.INTEGER, None)}),
        ("research/publications.json", "doi", {"authors": (FieldType.LIST, FieldType.STRING)}),
        ("reviews/decisions.csv", "decision_id", {"note": (FieldType.STRING, None)}),
        ("registry/organizations.csv", "org_id", {"founded": (FieldType.DATE, None)}),
    ],
)
def test_proposals_for_demo_files_resemble_the_declared_tables(
    file: str, key: str, expected: dict[str, tuple[FieldType, FieldType | None]]
) -> None:
    path = PROJECT_ROOT / "examples" / "sources" / file
    table = infer_table(path.stem, read_rows(path), OWNER)
    declared = next(table for table in TABLES if table.name == path.stem)
    assert table.entity_key == [key]
    assert list(table.fields) == list(declared.fields)
    assert types(table) | expected == types(table)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "2", "03"], FieldType.STRING),
        (["+49 89 5550 1100"], FieldType.STRING),
        (["1", "0"], FieldType.INTEGER),
        ([1, 2.5], FieldType.FLOAT),
        (["true", "No"], FieldType.BOOLEAN),
        ([True, False], FieldType.BOOLEAN),
        (["", None], FieldType.STRING),
        (["14 March 2009", "2009-03-15"], FieldType.DATE),
        (["x" * 201], FieldType.TEXT),
    ],
)
def test_column_types(values: Sequence[JsonValue], kind: FieldType) -> None:
    rows = [{"id": f"k{index}", "value": value} for index, value in enumerate(values)]
    assert infer_table("t", rows, OWNER).fields["value"].type is kind


def test_lists_from_json_lists_and_consistent_semicolons() -> None:
    rows: list[Mapping[str, JsonValue]] = [
        {"id": "a", "codes": [1, 2], "phones": "1 2; 3 4", "prose": "yes; but a long clause here"},
        {"id": "b", "codes": [3], "phones": "5 6", "prose": "fine"},
    ]
    table = infer_table("t", rows, OWNER)
    assert types(table)["codes"] == (FieldType.LIST, FieldType.INTEGER)
    assert types(table)["phones"] == (FieldType.LIST, FieldType.STRING)
    long_part = [{"id": "a", "prose": "short; " + "y" * 41}]
    assert infer_table("t", long_part, OWNER).fields["prose"].type is FieldType.STRING


def test_the_key_prefers_id_key_or_code_names_and_needs_unique_present_values() -> None:
    rows: list[Mapping[str, JsonValue]] = [
        {"name": "Ann", "group": "x", "badge_code": "B1", "score": 1.5},
        {"name": "Bo", "group": "x", "badge_code": "B2", "score": 2.5},
    ]
    assert infer_table("t", rows, OWNER).entity_key == ["badge_code"]
    without_code = [{key: cell for key, cell in row.items() if key != "badge_code"} for row in rows]
    assert infer_table("t", without_code, OWNER).entity_key == ["name"]
    gap: list[Mapping[str, JsonValue]] = [{"id": "1", "name": "a"}, {"id": "", "name": "b"}]
    assert infer_table("t", gap, OWNER).entity_key == ["name"]


def test_unusable_column_names_are_left_out_and_the_name_is_made_valid() -> None:
    rows: list[Mapping[str, JsonValue]] = [{"id": "a", "2019": "x", "": "y", "ID": "z"}]
    table = infer_table("2025 export", rows, OWNER)
    assert table.name == "t_2025_export"
    assert list(table.fields) == ["id"]


def test_no_rows_or_no_key_is_refused() -> None:
    with pytest.raises(ValueError, match="no rows"):
        infer_table("t", [], OWNER)
    duplicates: list[Mapping[str, JsonValue]] = [{"id": "a", "v": 1.5}, {"id": "a", "v": 1.5}]
    with pytest.raises(ValueError, match="key"):
        infer_table("t", duplicates, OWNER)
