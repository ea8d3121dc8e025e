"""`GET /export/rows?table=T&format=jsonl|csv[&status=S]`: every row of one table, streamed.

Authenticated like `/graphql` (an API key or a bearer token in the headers) and allowed with
`READ` on the table. Personal fields are nulled (and named in `redacted`) unless the caller
has `READ_PII` on it. Rows are read in keyset pages of `PAGE_SIZE`, in id order, and each
page is written out before the next is read, so memory stays flat however big the table.

Columns: `id`, `key`, `trust`, `status`, then the fields of the table's active schema
version in name order. By default the export holds the current rows (active and
quarantined, each with its status); `status=` keeps one status only.

- JSONL: one object per row, `{"id", "key", "trust", "status", "values": {...},
  "redacted": [...]}`; the first line is `{"columns": [...]}`.
- CSV (RFC 4180): a header line, then one record per row; `redacted` is a `;`-separated
  list. Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
  `@`, a tab or a carriage return) are prefixed with `'`. A field named like a fixed
  column is headed `values.<name>`.

Refusals before the first byte are JSON errors shaped like GraphQL's (`errors[0].extensions
.code`): 400 for a bad parameter, 401 without a valid credential, 403 without `READ`, 404
for an unknown table. A failure after the header was sent cannot change the status any
more, so the stream then ends with a last line that says so, never silently short: JSONL
`{"error": {"code", "message", "rows"}}`, CSV a record `#export-error,<code>,<message>`.
A complete export ends with no such line.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import JsonValue

from api.auth import credential_from_headers
from api.gql.access import NotAuthenticatedError
from api.row_values import RowValues, VisibleValues
from api.services import Services
from governance.errors import AccessDeniedError
from governance.rbac import Action
from graph.errors import GraceError
from graph.model import RowStatus
from graph.schema_store import active_versions

log = logging.getLogger(__name__)

PAGE_SIZE = 2_000
"""Rows read per Cypher call (and written per chunk of the response)."""
FIXED_COLUMNS = ("id", "key", "trust", "status")
CURRENT_STATUSES = [RowStatus.ACTIVE.value, RowStatus.QUARANTINED.value]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERROR_MARKER = "#export-error"
INTERRUPTED = "the export was interrupted and is incomplete"


class ExportFormat(StrEnum):
    """The file formats an export is written in."""

    JSONL = "jsonl"
    CSV = "csv"


MEDIA_TYPES = {ExportFormat.JSONL: "application/x-ndjson", ExportFormat.CSV: "text/csv"}


class ExportRequestError(GraceError):
    """A parameter of an export request is missing or not one of its allowed values."""

    code = "invalid_export_request"

    def __init__(self, parameter: str, reason: str) -> None:
        self.parameter = parameter
        super().__init__(f"parameter {parameter!r}: {reason}")


class UnknownTableError(GraceError):
    """The table to export has no active schema version."""

    code = "unknown_table"

    def __init__(self, table: str) -> None:
        self.table = table
        super().__init__(f"no table named {table!r}")


HTTP_STATUS: dict[type[GraceError], int] = {
    ExportRequestError: status.HTTP_400_BAD_REQUEST,
    NotAuthenticatedError: status.HTTP_401_UNAUTHORIZED,
    AccessDeniedError: status.HTTP_403_FORBIDDEN,
    UnknownTableError: status.HTTP_404_NOT_FOUND,
}


@dataclass(frozen=True)
class ExportedRow:
    """One row as the caller may see it."""

    id: str
    key: str
    trust: float | None
    status: str
    visible: VisibleValues


class RowWriter(Protocol):
    """Writes the lines of one export format."""

    def header(self) -> str:
        """What comes before the first row."""
        ...

    def rows(self, rows: Sequence[ExportedRow]) -> str:
        """The lines of a page of rows."""
        ...

    def failure(self, code: str, rows: int) -> str:
        """The last line of an export that broke off after `rows` rows."""
        ...


class JsonlWriter:
    """One JSON object per line; the first names the columns."""

    def __init__(self, fields: Sequence[str]) -> None:
        self._columns = [*FIXED_COLUMNS, *fields]

    def header(self) -> str:
        return _json_line({"columns": self._columns})

    def rows(self, rows: Sequence[ExportedRow]) -> str:
        return "".join(
            _json_line(
                {
                    "id": row.id,
                    "key": row.key,
                    "trust": row.trust,
                    "status": row.status,
                    "values": row.visible.values,
                    "redacted": row.visible.redacted,
                }
            )
            for row in rows
        )

    def failure(self, code: str, rows: int) -> str:
        return _json_line({"error": {"code": code, "message": INTERRUPTED, "rows": rows}})


class CsvWriter:
    """A header line, then one record per row, every text cell safe to open in a spreadsheet."""

    def __init__(self, fields: Sequence[str]) -> None:
        self._fields = list(fields)

    def header(self) -> str:
        named = [f"values.{name}" if name in FIXED_COLUMNS else name for name in self._fields]
        return self._lines([[*FIXED_COLUMNS, *named, "redacted"]])

    def rows(self, rows: Sequence[ExportedRow]) -> str:
        return self._lines(
            [
                [
                    row.id,
                    row.key,
                    row.trust,
                    row.status,
                    *(row.visible.values.get(name) for name in self._fields),
                    ";".join(row.visible.redacted),
                ]
                for row in rows
            ]
        )

    def failure(self, code: str, rows: int) -> str:
        return self._lines([[ERROR_MARKER, code, f"{INTERRUPTED} after {rows} rows"]])

    @staticmethod
    def _lines(records: Sequence[Sequence[JsonValue]]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # RFC 4180: CRLF, fields holding CR or LF are quoted
        writer.writerows([[csv_cell(value) for value in record] for record in records])
        return buffer.getvalue()


def csv_cell(value: JsonValue) -> str | int | float:
    """A value as a CSV cell: numbers as they are, lists and objects as JSON, null empty,
    and text that a spreadsheet would evaluate as a formula prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json_line(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


router = APIRouter(tags=["export"])


@router.get("/export/rows", response_model=None)
async def export_rows(
    request: Request,
    table: Annotated[str | None, Query(description="the table to export")] = None,
    file_format: Annotated[str, Query(alias="format", description="jsonl or csv")] = "jsonl",
    row_status: Annotated[
        str | None, Query(alias="status", description="only rows with this status")
    ] = None,
) -> StreamingResponse | JSONResponse:
    """Stream every row of `table` the caller may read (see the module's docstring)."""
    services: Services = request.app.state.services
    try:
        principal = await services.authenticator.authenticate(
            credential_from_headers(request.headers)
        )
        access = services.access(principal)
        access.caller()
        export_format = ExportFormat(_choice("format", file_format, ExportFormat))
        statuses = [_choice("status", row_status, RowStatus)] if row_status else CURRENT_STATUSES
        if not table:
            raise ExportRequestError("table", "required")
        await access.require(Action.READ, table=table)
        fields = await _fields(services, table)
        view = await RowValues.for_caller(access, services.graph, services.cipher, [table])
    except (
        ExportRequestError,
        NotAuthenticatedError,
        AccessDeniedError,
        UnknownTableError,
    ) as error:
        return _refusal(error)
    writer: RowWriter = (
        CsvWriter(fields) if export_format is ExportFormat.CSV else JsonlWriter(fields)
    )
    return StreamingResponse(
        _stream(services, view, writer, table, statuses),
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="{table}.{export_format}"',
            "Cache-Control": "no-store",
        },
    )


async def _stream(
    services: Services, view: RowValues, writer: RowWriter, table: str, statuses: list[str]
) -> AsyncIterator[str]:
    """The header, then one chunk per page; a failure ends the stream with its marker."""
    yield writer.header()
    sent, after = 0, ""
    try:
        while True:
            page = await services.graph.read_plain(
                "api/export_rows_page",
                {"table": table, "after": after, "statuses": statuses, "limit": PAGE_SIZE},
            )
            if not page:
                return
            visible = await view.visible_many(
                [(table, record["id"], json.loads(record["values"])) for record in page]
            )
            yield writer.rows(
                [
                    ExportedRow(r["id"], r["key"], r["trust"], r["status"], v)
                    for r, v in zip(page, visible, strict=True)
                ]
            )
            sent += len(page)
            if len(page) < PAGE_SIZE:
                return
            after = page[-1]["id"]
    except Exception as error:  # the response has started: the marker is the only way left
        code = error.code if isinstance(error, GraceError) else "internal"
        log.exception("export of table %s failed after %d rows (%s)", table, sent, code)
        yield writer.failure(code, sent)


async def _fields(services: Services, table: str) -> list[str]:
    """The fields of `table`'s active schema version, in name order."""
    for schema, version in await active_versions(services.graph):
        if schema.name == table:
            return sorted(version.fields)
    raise UnknownTableError(table)


def _choice(parameter: str, value: str, allowed: type[StrEnum]) -> str:
    """`value` if it is one of `allowed`'s values, else an `ExportRequestError`."""
    if value in {member.value for member in allowed}:
        return value
    choices = ", ".join(member.value for member in allowed)
    raise ExportRequestError(parameter, f"{value!r} is not one of {choices}")


def _refusal(error: GraceError) -> JSONResponse:
    """A refusal before the stream starts, shaped like a GraphQL error."""
    code = next(http for kind, http in HTTP_STATUS.items() if isinstance(error, kind))
    headers = {"WWW-Authenticate": "Bearer"} if code == status.HTTP_401_UNAUTHORIZED else None
    return JSONResponse(
        {"errors": [{"message": str(error), "extensions": {"code": error.code}}]},
        status_code=code,
        headers=headers,
    )
