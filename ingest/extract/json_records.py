"""JSON and JSON Lines -> rows.

A syntax error rejects the whole file (`MalformedFileError` with line and column): a
truncated file must not load half its records. A well-formed record that is not an object
is skipped with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from graph.errors import MalformedFileError, TooDeepError, TooManyRowsError
from ingest.extract.limits import Limits, check_depth
from ingest.extract.model import ExtractedRow, Extraction
from ingest.extract.text import chunk_text


def extract_json(text: str, path: str, mime: str, limits: Limits) -> Extraction:
    """An array of objects -> one row each ("$[i]"); one object -> one row ("$")."""
    document = _loads(text, path, line=None)
    if isinstance(document, dict):
        check_depth(document, path, "$", limits)
        return Extraction(mime=mime, rows=[ExtractedRow(values=document, locator="$")])
    if isinstance(document, list) and any(isinstance(item, dict) for item in document):
        records = ((f"$[{index}]", item) for index, item in enumerate(document))
        return _objects(records, path, mime, limits)
    warning = f"the document is {_kind(document)}, not objects; kept as text"
    chunks = chunk_text(text, limits, markdown=False)
    return Extraction(mime=mime, text_chunks=chunks, warnings=[warning])


def extract_json_lines(text: str, path: str, mime: str, limits: Limits) -> Extraction:
    """One row per non-empty line ("line N"); a line that is not an object is skipped."""
    records = (
        (f"line {number}", _loads(line, path, line=number))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    )
    return _objects(records, path, mime, limits)


def _objects(
    records: Iterable[tuple[str, Any]], path: str, mime: str, limits: Limits
) -> Extraction:
    """Rows from (locator, record) pairs; a record that is not an object is skipped."""
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    for locator, record in records:
        if not isinstance(record, dict):
            warnings.append(f"{locator}: {_kind(record)} is not an object; skipped")
            continue
        if len(rows) >= limits.max_rows:
            raise TooManyRowsError(path, limits.max_rows)
        check_depth(record, path, locator, limits)
        rows.append(ExtractedRow(values=record, locator=locator))
    return Extraction(mime=mime, rows=rows, warnings=warnings, skipped=len(warnings))


def _loads(text: str, path: str, line: int | None) -> Any:
    """Parse JSON; `line` is the file line of `text` when it is a single JSON Lines record."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        at = error.lineno if line is None else line
        raise MalformedFileError(path, at, error.colno, f"invalid JSON: {error.msg}") from error
    except RecursionError as error:
        raise TooDeepError(path, line, None, "JSON nested too deeply to parse") from error
    except ValueError as error:  # an integer over Python's digit limit
        raise MalformedFileError(path, line, None, f"invalid JSON: {error}") from error


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return "a literal"
    return "a number"
