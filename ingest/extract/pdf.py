"""PDF -> the text of every page, in chunks located "page N". Runs in the sandbox.

Tables are not detected in general, but a label/value table (a `Field   Value` header line,
then `Label   value` lines, columns set apart by two spaces or more in the page's layout)
is one record located "page N table M", as in Markdown (see `ingest.extract.pairs`).
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from graph.errors import MalformedFileError, TooManyRowsError
from ingest.extract.detect import FileKind
from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, Extraction
from ingest.extract.pairs import is_pair_header, pair_record
from ingest.extract.units import chunk_units

COLUMN_GAP = re.compile(r"\s{2,}")


def extract_pdf(data: bytes, path: str, limits: Limits) -> Extraction:
    """Chunks of each page's text; an encrypted or damaged PDF is a `MalformedFileError`."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise MalformedFileError(path, None, None, "the PDF is password-protected")
        pages = [(number, page.extract_text()) for number, page in enumerate(reader.pages, 1)]
        rows = [
            row
            for (number, text), page in zip(pages, reader.pages, strict=True)
            if _names_pairs(text)
            for row in layout_records(page.extract_text(extraction_mode="layout"), number)
        ]
    except PyPdfError as error:
        raise MalformedFileError(path, None, None, f"not a readable PDF: {error}") from error
    if len(rows) > limits.max_rows:
        raise TooManyRowsError(path, limits.max_rows)
    warnings = [f"page {number} has no text" for number, text in pages if not text.strip()]
    chunks = chunk_units(pages, "page", limits, merge=False)
    return Extraction(mime=FileKind.PDF.mime, text_chunks=chunks, rows=rows, warnings=warnings)


def layout_records(text: str, page: int) -> list[ExtractedRow]:
    """The label/value tables of one page's layout text, one record each."""
    records: list[ExtractedRow] = []
    lines = [COLUMN_GAP.split(line.strip()) for line in text.splitlines()]
    index = 0
    while index < len(lines):
        if not is_pair_header(lines[index]):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and len(lines[end]) == 2:
            end += 1
        record = pair_record(
            lines[index], lines[index + 1 : end], f"page {page} table {len(records) + 1}"
        )
        if record is not None:
            records.append(record)
        index = end
    return records


def _names_pairs(text: str) -> bool:
    """Whether a page's plain text has a label/value header line ("Field Value"); only such
    pages are laid out again, which costs about as much as extracting their text."""
    return any(is_pair_header(line.split()) for line in text.splitlines())
