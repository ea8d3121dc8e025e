from __future__ import annotations

import datetime
import io
import zipfile

import docx
import pytest
from openpyxl import Workbook

from graph.errors import MalformedFileError, TooManyRowsError
from ingest.extract import Limits, extract


def workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cities"
    sheet.append(["city_id", "name", "population", "founded"])
    sheet.append(["turin-it", "Turin", 848_885, datetime.date(1200, 1, 1)])
    sheet.append([])
    sheet.append(["milan-it", "Milan", 1_371_498, None])
    sheet.append(["x", "y", 1, 2, "beyond the header"])
    book.create_sheet("Empty")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def document_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Acme Robotics", level=1)
    document.add_paragraph("Revenue rose to 415.0 million US dollars.")
    table = document.add_table(rows=3, cols=2)
    for row, (field, value) in zip(
        table.rows,
        [("Field", "Value"), ("CEO", "Helena Marsh"), ("Employees", "1872")],
        strict=True,
    ):
        row.cells[0].text = field
        row.cells[1].text = value
    document.add_paragraph("After the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_xlsx_rows_are_keyed_by_the_header_and_located_by_sheet_row() -> None:
    result = extract(workbook_bytes(), "cities.xlsx")
    assert result.mime.endswith("spreadsheetml.sheet")
    assert [(row.locator, row.values) for row in result.rows] == [
        (
            "sheet Cities row 2",
            {"city_id": "turin-it", "name": "Turin", "population": 848885,
             "founded": "1200-01-01T00:00:00"},
        ),
        (
            "sheet Cities row 4",
            {"city_id": "milan-it", "name": "Milan", "population": 1371498, "founded": None},
        ),
    ]  # fmt: skip
    assert result.warnings == [
        "sheet Cities row 5: a value outside the header's columns; row skipped",
        "sheet Empty is empty",
    ]


def test_xlsx_row_limit_holds_in_the_sandbox() -> None:
    with pytest.raises(TooManyRowsError) as caught:
        extract(workbook_bytes(), "cities.xlsx", Limits(max_rows=1))
    assert caught.value.path == "cities.xlsx"


def test_docx_paragraphs_and_a_label_value_table_as_one_record() -> None:
    result = extract(document_bytes(), "report.docx")
    assert result.mime.endswith("wordprocessingml.document")
    assert [chunk.text for chunk in result.text_chunks] == [
        "Acme Robotics\n\nRevenue rose to 415.0 million US dollars.\n\nAfter the table."
    ]
    assert result.text_chunks[0].locator == "paragraphs 1-3"
    assert [(row.locator, row.values) for row in result.rows] == [
        ("table 1", {"CEO": "Helena Marsh", "Employees": "1872"}),
    ]


def test_docx_paragraphs_split_into_chunks_by_the_limit() -> None:
    result = extract(document_bytes(), "report.docx", Limits(max_chunk_chars=45))
    assert [chunk.locator for chunk in result.text_chunks] == [
        "paragraph 1",
        "paragraph 2",
        "paragraph 3",
    ]


def test_an_office_file_without_its_parts_is_malformed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(MalformedFileError, match="not a readable XLSX"):
        extract(buffer.getvalue(), "sheet.csv")
