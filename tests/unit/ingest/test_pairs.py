"""Label/value tables ("Key facts") are one record; other tables, two-column ones too, stay rows."""

from __future__ import annotations

import pytest

from graph.schemas import load_tables
from graph.settings import PROJECT_ROOT
from ingest.extract import extract
from ingest.extract.pairs import is_pair_header, pair_record
from ingest.extract.pdf import layout_records
from ingest.matching import match_table

TABLES = load_tables(PROJECT_ROOT / "schemas")


def markdown(table: str) -> str:
    return f"# Acme\n\nSome prose.\n\n{table}\n\nMore prose.\n"


@pytest.mark.parametrize(
    "header",
    [
        "| Field | Value |",
        "| Key | Value |",
        "| property | value |",
        "| Attribute | Values |",
        "| Feld | Wert |",
        "| Clé | Valeur |",
        "|  |  |",
    ],
)
def test_a_label_value_table_is_one_record(header: str) -> None:
    text = markdown(
        f"{header}\n|---|---|\n| org_id | acme |\n| Name | Acme |\n| Founded | 2009-03-14 |"
    )
    result = extract(text.encode(), "acme.md")
    assert [(row.locator, row.values) for row in result.rows] == [
        ("table 1", {"org_id": "acme", "Name": "Acme", "Founded": "2009-03-14"})
    ]
    assert result.warnings == []


def test_the_record_matches_the_table_its_labels_name() -> None:
    text = markdown(
        "| Field | Value |\n|---|---|\n| Organization ID | acme |\n| Name | Acme |\n"
        "| Revenue (MUSD) | 12.5 |\n| CEO | Ada Lovell |"
    )
    [record] = extract(text.encode(), "acme.md").rows
    match = match_table(list(record.values), TABLES, "acme")
    assert match is not None
    assert match.table.name == "organizations"
    assert match.mapping == {
        "Organization ID": "org_id",
        "Name": "name",
        "Revenue (MUSD)": "revenue_musd",
        "CEO": "ceo",
    }


def test_a_data_dictionary_listing_field_names_stays_rows() -> None:
    body = "| org_id | Stable short identifier |\n| name | Registered name |"
    rows = extract(markdown(f"| Field | Description |\n|---|---|\n{body}").encode(), "o.md").rows
    assert [row.values for row in rows] == [
        {"Field": "org_id", "Description": "Stable short identifier"},
        {"Field": "name", "Description": "Registered name"},
    ]


def test_a_two_column_data_table_stays_rows() -> None:
    text = markdown(
        "| city_id | population |\n|---|---|\n| lyon-fr | 522250 |\n| porto-pt | 231800 |"
    )
    result = extract(text.encode(), "cities.md")
    assert [(row.locator, row.values) for row in result.rows] == [
        ("table 1 row 1", {"city_id": "lyon-fr", "population": "522250"}),
        ("table 1 row 2", {"city_id": "porto-pt", "population": "231800"}),
    ]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ([["Name", "Acme"], ["Name", "Acme Robotics"]], "a repeated label"),
        ([["Name", "Acme"], ["", "DE"]], "an empty label"),
        ([["Name", "Acme", "extra"]], "a row of three cells"),
        ([], "no rows"),
    ],
)
def test_a_label_value_header_over_other_rows_is_no_record(body: list[list[str]], why: str) -> None:
    assert pair_record(["Field", "Value"], body, "table 1") is None, why


def test_only_a_label_and_value_header_of_two_cells_qualifies() -> None:
    assert is_pair_header(["Field", "Value"])
    assert is_pair_header([" KEY ", "value"])
    assert not is_pair_header(["Field", "Description"])  # a data dictionary stays rows
    assert not is_pair_header(["Value", "Field"])
    assert not is_pair_header(["Field", "Value", "Source"])


def test_html_and_a_repeated_label_table_in_markdown() -> None:
    html = (
        "<html><body><table><tr><th>Property</th><th>Value</th></tr>"
        "<tr><td>org_id</td><td>acme</td></tr><tr><td>Country</td><td>DE</td></tr>"
        "</table></body></html>"
    )
    [record] = extract(html.encode(), "acme.html").rows
    assert (record.locator, record.values) == ("table 1", {"org_id": "acme", "Country": "DE"})
    repeated = markdown("| Field | Value |\n|---|---|\n| Phone | 1 |\n| Phone | 2 |")
    rows = extract(repeated.encode(), "notes.md").rows
    assert [row.values for row in rows] == [
        {"Field": "Phone", "Value": "1"},
        {"Field": "Phone", "Value": "2"},
    ]


def test_pdf_layout_lines_under_a_label_value_header_are_one_record() -> None:
    text = (
        "Key figures\n"
        "The table below summarises company facts.\n\n"
        "Field                Value\n"
        "Organization ID      acme\n"
        "Revenue (MUSD)       415.0\n"
        "\n"
        "Outlook: for 2026 we expect growth.\n"
        "Name    Value\n"
    )
    [record] = layout_records(text, 2)
    assert record.locator == "page 2 table 1"
    assert record.values == {"Organization ID": "acme", "Revenue (MUSD)": "415.0"}
    assert layout_records("Field Value\nName Acme\n", 1) == []  # one space is not a column gap
