"""XLSX -> rows: on every worksheet the first non-empty row is the header.

openpyxl reads in read-only mode (rows streamed, not a whole workbook in memory) with cached
formula values (`data_only`); it parses the XML with defusedxml when that is installed, as it
is here. Dates and times become ISO strings; an empty cell is null. Runs in the sandbox.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Sequence

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import JsonValue

from graph.errors import MalformedFileError, TooManyRowsError
from ingest.extract.delimited import header_problem
from ingest.extract.detect import FileKind
from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, Extraction


def extract_xlsx(data: bytes, path: str, limits: Limits) -> Extraction:
    """Rows of every worksheet, located "sheet NAME row N" (N is the spreadsheet's row)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise MalformedFileError(path, None, None, f"not a readable XLSX: {error}") from error
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    skipped = 0
    try:
        for sheet in workbook.worksheets:
            header: list[str] | None = None
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = _trim([_json(cell) for cell in cells])
                if not values:
                    continue
                where = f"sheet {sheet.title} row {number}"
                if header is None:
                    header = [str(value).strip() if value is not None else "" for value in values]
                    problem = header_problem(header)
                    if problem is not None:
                        warnings.append(f"{where}: bad header: {problem}; sheet skipped")
                        break
                    continue
                if len(values) > len(header):
                    warnings.append(f"{where}: a value outside the header's columns; row skipped")
                    skipped += 1
                    continue
                if len(rows) >= limits.max_rows:
                    raise TooManyRowsError(path, limits.max_rows)
                padded = values + [None] * (len(header) - len(values))
                rows.append(
                    ExtractedRow(values=dict(zip(header, padded, strict=True)), locator=where)
                )
            if header is None:
                warnings.append(f"sheet {sheet.title} is empty")
    finally:
        workbook.close()
    return Extraction(mime=FileKind.XLSX.mime, rows=rows, warnings=warnings, skipped=skipped)


def _trim(values: Sequence[JsonValue]) -> list[JsonValue]:
    """`values` without its trailing empty cells."""
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    return list(values[:end])


def _json(value: object) -> JsonValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
