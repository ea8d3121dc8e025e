"""DOCX -> chunks of the body's paragraphs, and its tables -> rows keyed by the first row.

python-docx parses the XML with lxml without resolving entities. Paragraphs are numbered as
they stand in the body (table cells aside), empty ones included; tables are numbered in body
order. Runs in the sandbox.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError

from graph.errors import MalformedFileError
from ingest.extract.detect import FileKind
from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, Extraction
from ingest.extract.units import chunk_units, table_rows


def extract_docx(data: bytes, path: str, limits: Limits) -> Extraction:
    """Chunks ("paragraph N") and table rows ("table N row M") of a Word document."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise MalformedFileError(path, None, None, f"not a readable DOCX: {error}") from error
    paragraphs = enumerate((paragraph.text for paragraph in document.paragraphs), start=1)
    chunks = chunk_units(paragraphs, "paragraph", limits)
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    skipped = 0
    for number, table in enumerate(document.tables, start=1):
        cells = [[cell.text for cell in row.cells] for row in table.rows]
        found, problems, lost = table_rows(cells, f"table {number}", path, limits, len(rows))
        rows.extend(found)
        warnings.extend(problems)
        skipped += lost
    return Extraction(
        mime=FileKind.DOCX.mime,
        text_chunks=chunks,
        rows=rows,
        warnings=warnings,
        skipped=skipped,
    )
