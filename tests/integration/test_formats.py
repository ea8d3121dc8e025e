"""Every supported format, end to end into the real graph."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest

from graph.graph import Graph
from graph.settings import PROJECT_ROOT
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder

pytestmark = pytest.mark.integration

HEADER: list[str | int] = ["city_id", "name", "population"]
CITIES: list[list[str | int]] = [["fmt-a-xx", "Alpha", 1200], ["fmt-b-xx", "Beta", 3400]]
TABLE: list[list[str | int]] = [HEADER, *CITIES]


def write_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cities"
    for row in TABLE:
        sheet.append(row)
    book.save(path)


def write_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Cities of the test, with their populations.")
    table = document.add_table(rows=0, cols=3)
    for row in TABLE:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    document.save(str(path))


def delimited(separator: str) -> str:
    return "\n".join(separator.join(str(v) for v in row) for row in TABLE) + "\n"


def html() -> str:
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in TABLE)
    return f"<!doctype html><html><body><p>Cities.</p><table>{cells}</table></body></html>"


def markdown() -> str:
    lines = ["# Cities", "", "| " + " | ".join(str(v) for v in HEADER) + " |", "|---|---|---|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in CITIES]
    return "\n".join(lines) + "\n"


def records() -> list[dict[str | int, str | int]]:
    return [dict(zip(HEADER, row, strict=True)) for row in CITIES]


WRITERS: dict[str, Callable[[Path], object]] = {
    "cities.csv": lambda p: p.write_text(delimited(",")),
    "cities.tsv": lambda p: p.write_text(delimited("\t")),
    "cities.json": lambda p: p.write_text(json.dumps(records())),
    "cities.jsonl": lambda p: p.write_text("\n".join(json.dumps(r) for r in records())),
    "cities.yaml": lambda p: p.write_text(
        "".join(
            f"- city_id: {r['city_id']}\n  name: {r['name']}\n  population: {r['population']}\n"
            for r in records()
        )
    ),
    "cities.md": lambda p: p.write_text(markdown()),
    "cities.html": lambda p: p.write_text(html()),
    "cities.xlsx": write_xlsx,
    "cities.docx": write_docx,
}


@pytest.mark.parametrize("name", sorted(WRITERS))
async def test_a_table_in_any_format_becomes_rows(
    graph: Graph, service: IngestionService, source: SourceFolder, name: str
) -> None:
    path = source.folder / name
    WRITERS[name](path)
    outcome = await service.ingest_file(path, source.root)
    assert (outcome.status, outcome.table, outcome.rows) == (OutcomeStatus.INGESTED, "cities", 2)
    [record] = await graph.read("testing/source_graph", {"source": source.id})
    values = {row["key"]: json.loads(row["values"]) for row in record["rows"]}
    assert values["fmt-a-xx"]["population"] == 1200
    assert values["fmt-b-xx"]["name"] == "Beta"


@pytest.mark.parametrize("name", ["plain.txt", "acme-annual-report-2025.pdf"])
async def test_text_documents_become_chunks(
    graph: Graph, service: IngestionService, source: SourceFolder, name: str
) -> None:
    path = source.folder / name
    if name.endswith(".pdf"):
        shutil.copy(PROJECT_ROOT / "examples" / "sources" / "reports" / name, path)
    else:
        path.write_text("Acme Robotics was founded in Lyon.\n\nIt builds warehouse robots.\n")
    outcome = await service.ingest_file(path, source.root)
    assert outcome.status is OutcomeStatus.INGESTED
    [chunks] = await graph.read("testing/document_chunks", {"document_id": outcome.document_id})
    assert chunks["count"] >= 1
    assert "Acme" in chunks["text"]
