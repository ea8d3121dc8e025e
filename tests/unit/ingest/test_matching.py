from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pydantic import JsonValue

from graph.schemas import TableSchema, load_tables
from graph.settings import PROJECT_ROOT
from ingest.matching import match_table
from ingest.normalize import entity_key, normalize_row

EXAMPLES = PROJECT_ROOT / "examples" / "sources"
TABLES = load_tables(PROJECT_ROOT / "schemas")


def read_rows(path: Path) -> list[dict[str, JsonValue]]:
    """Rows as the stdlib reads them; a CSV record's surplus cells (key None) are dropped."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                {key: cell for key, cell in record.items() if key is not None}
                for record in csv.DictReader(handle)
            ]
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    rows: list[dict[str, JsonValue]] = json.loads(text)
    return rows


def by_key(path: Path) -> dict[str, dict[str, JsonValue]]:
    rows = read_rows(path)
    match = match_table(list(rows[0]), TABLES, path.stem)
    assert match is not None
    normalized = [normalize_row(match.table, row, match.mapping) for row in rows]
    assert [row.problems for row in normalized] == [[] for _ in rows]
    keys = [entity_key(match.table, row.values) for row in normalized]
    return {str(key): row.values for key, row in zip(keys, normalized, strict=True)}


@pytest.mark.parametrize(
    ("file", "table", "count"),
    [
        ("registry/cities.csv", "cities", 10),
        ("open-data/cities.json", "cities", 10),
        ("registry/organizations.csv", "organizations", 8),
        ("open-data/datasets.jsonl", "datasets", 6),
        ("catalog/datasets.csv", "datasets", 7),
        ("hr/people.csv", "people", 12),
        ("crm/people.csv", "people", 7),
        ("research/publications.json", "publications", 5),
        ("library/publications.csv", "publications", 5),
        ("reviews/decisions.csv", "decisions", 8),
    ],
)
def test_every_demo_file_matches_its_table_and_normalises_cleanly(
    file: str, table: str, count: int
) -> None:
    path = EXAMPLES / file
    rows = read_rows(path)
    match = match_table(list(rows[0]), TABLES, path.stem)
    assert match is not None
    assert (match.table.name, match.unmatched) == (table, [])
    assert match.mapping == {column: column for column in rows[0]}
    assert len(by_key(path)) == count


def test_matching_does_not_need_the_hint_for_the_demo_files() -> None:
    for path in [EXAMPLES / "registry/cities.csv", EXAMPLES / "hr/people.csv"]:
        match = match_table(list(read_rows(path)[0]), TABLES)
        assert match is not None
        assert match.table.name == path.stem


def test_registry_and_open_data_cities_normalise_to_comparable_values() -> None:
    registry = by_key(EXAMPLES / "registry/cities.csv")
    portal = by_key(EXAMPLES / "open-data/cities.json")
    assert registry["lyon-fr"]["population"] == 522250
    assert portal["lyon-fr"]["population"] == 480470
    assert registry["gdansk-pl"]["name"] == portal["gdansk-pl"]["name"] == "Gdańsk"
    assert registry["bergen-no"] == portal["bergen-no"]
    assert registry["tampere-fi"]["area_km2"] == 525.03


def test_people_phones_become_lists_and_empty_cells_are_left_out() -> None:
    hr = by_key(EXAMPLES / "hr/people.csv")
    crm = by_key(EXAMPLES / "crm/people.csv")
    assert hr["hmarsh"]["phones"] == ["+49 89 5550 1100", "+49 151 5550 2211"]
    assert crm["akowalska"]["phones"] == ["+48 601 555 019"]
    assert "born" not in crm["hmarsh"]
    assert hr["rcastellanos"]["born"] == "1981-04-02"


def test_publication_authors_become_lists_from_json_and_from_semicolons() -> None:
    research = by_key(EXAMPLES / "research/publications.json")
    library = by_key(EXAMPLES / "library/publications.csv")
    assert research["10.5555/nw.2023.112"]["authors"] == ["A. Berg", "K. Tanaka"]
    assert library["10.5555/nw.2023.112"]["authors"] == ["Berg, A.", "Tanaka, K.", "Novak, D."]


def test_bad_cities_report_problems_instead_of_raising() -> None:
    path = EXAMPLES / "bad/cities.csv"
    rows = read_rows(path)
    match = match_table(list(rows[0]), TABLES, path.stem)
    assert match is not None
    assert match.table.name == "cities"
    normalized = {
        str(row["city_id"]): normalize_row(match.table, row, match.mapping) for row in rows
    }
    assert normalized["turin-it"].problems == []
    assert normalized["verona-it"].problems == []
    bologna = normalized["bologna-it"]
    assert [(problem.field, problem.value) for problem in bologna.problems] == [
        ("population", "about 392000")
    ]
    assert "population" not in bologna.values
    assert entity_key(match.table, bologna.values) == "bologna-it"
    genoa = normalized["genoa-it"]  # the unquoted comma shifts " Marco" into updated_at
    assert [problem.field for problem in genoa.problems] == ["updated_at"]


def test_unmatched_columns_are_listed_in_source_order() -> None:
    columns = ["city_id", "Name", "Population", "Twin Town", "population_2019"]
    match = match_table(columns, TABLES)
    assert match is not None
    assert match.table.name == "cities"
    assert match.mapping == {"city_id": "city_id", "Name": "name", "Population": "population"}
    assert match.unmatched == ["Twin Town", "population_2019"]


def test_report_labels_match_fields_after_dropping_the_table_prefix() -> None:
    columns = ["Organization ID", "Name", "Employees", "Revenue (MUSD)"]
    match = match_table(columns, TABLES, "acme-annual-report-2025")
    assert match is not None
    assert match.table.name == "organizations"
    assert match.mapping["Organization ID"] == "org_id"
    assert match.mapping["Revenue (MUSD)"] == "revenue_musd"
    assert match_table(["City ID", "City Name"], TABLES) is not None


def test_a_table_needs_its_entity_key_and_half_of_the_columns() -> None:
    assert match_table(["name", "country", "population"], TABLES) is None
    assert match_table(["city_id", "a", "b", "c"], TABLES) is None
    assert match_table(["city_id", "a", "b", "name"], TABLES) is not None
    assert match_table([], TABLES) is None


def test_unknown_columns_match_nothing() -> None:
    assert match_table(["Station", "Reading Time", "PM2.5", "Calibrated"], TABLES) is None


def test_the_hint_breaks_ties_and_raises_the_score() -> None:
    def table(name: str) -> TableSchema:
        return TableSchema.model_validate(
            {
                "name": name,
                "description": "Test.",
                "owner": "tests@grace.example",
                "entity_key": ["code"],
                "fields": {"code": {"type": "string"}, "label": {"type": "string"}},
            }
        )

    tables = [table("alphas"), table("betas")]

    def chosen(hint: str | None) -> str | None:
        match = match_table(["code", "label"], tables, hint)
        return match.table.name if match else None

    assert chosen(None) == "alphas"
    assert chosen("betas") == "betas"
    assert chosen("beta-2025") == "betas"
    plain = match_table(["code", "label"], tables)
    hinted = match_table(["code", "label"], tables, "alphas")
    assert plain is not None
    assert hinted is not None
    assert hinted.score > plain.score
    assert hinted.score == pytest.approx(1.0)
