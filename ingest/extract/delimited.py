"""CSV and TSV with a header row -> rows keyed by the header.

A record with the wrong number of fields is skipped and reported as a warning with its line
number (the other rows are kept): one bad line should not hide a whole file, and a skipped
line is never silent. Values stay strings as written; an empty cell stays "" (schema
matching decides what it means).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pydantic import JsonValue

from graph.errors import MalformedFileError, TooManyRowsError
from ingest.extract.limits import Limits, field_size_limit
from ingest.extract.model import ExtractedRow, Extraction


def header_problem(names: Sequence[str]) -> str | None:
    """Why a header cannot key rows (an empty or repeated name), or None when it can."""
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            return f"column {position} has no name"
        if name in seen:
            return f"column name {name!r} is repeated"
        seen.add(name)
    return None


def extract_delimited(
    text: str, path: str, delimiter: str, mime: str, limits: Limits
) -> Extraction:
    """Rows of a delimited file; raises `MalformedFileError` when the header or syntax is bad."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    with field_size_limit(limits.max_field_bytes):
        records: list[tuple[int, list[str]]] = []
        start = 1
        try:
            for record in reader:
                if record:
                    records.append((start, record))
                if len(records) > limits.max_rows + 1:
                    raise TooManyRowsError(path, limits.max_rows)
                start = reader.line_num + 1
        except csv.Error as error:
            raise MalformedFileError(path, reader.line_num, None, str(error)) from error
    if not records:
        return Extraction(mime=mime, warnings=["no header row: the file is empty"])
    header_line, raw_header = records[0]
    header = [name.strip() for name in raw_header]
    problem = header_problem(header)
    if problem is not None:
        raise MalformedFileError(path, header_line, None, f"bad header: {problem}")
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    for line, record in records[1:]:
        if len(record) != len(header):
            warnings.append(
                f"line {line}: expected {len(header)} fields, found {len(record)}; row skipped"
            )
            continue
        oversize = next(
            (name for name, value in zip(header, record, strict=True) if _too_big(value, limits)),
            None,
        )
        if oversize is not None:
            reason = f"field {oversize!r} is over {limits.max_field_bytes} bytes"
            raise MalformedFileError(path, line, None, reason)
        values: dict[str, JsonValue] = dict(zip(header, record, strict=True))
        # strings keyed by strings: valid as they are, so not validated again row by row
        rows.append(ExtractedRow.model_construct(values=values, locator=f"line {line}"))
    return Extraction(mime=mime, rows=rows, warnings=warnings, skipped=len(warnings))


def _too_big(value: str, limits: Limits) -> bool:
    # csv.field_size_limit counts characters; a UTF-8 character takes up to 4 bytes.
    return len(value) * 4 > limits.max_field_bytes and (
        len(value.encode("utf-8")) > limits.max_field_bytes
    )
