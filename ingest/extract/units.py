"""Shared pieces of the document extractors: numbered units to chunks, tables to rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import JsonValue

from graph.errors import TooManyRowsError
from ingest.extract.delimited import header_problem
from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, TextChunk
from ingest.extract.pairs import pair_record
from ingest.extract.text import chunk_text


def chunk_units(
    units: Iterable[tuple[int, str]], noun: str, limits: Limits, *, merge: bool = True
) -> list[TextChunk]:
    """Chunks of numbered units (paragraphs, pages) of at most `limits.max_chunk_chars`.

    Blank units are dropped. With `merge`, consecutive units share a chunk while they fit
    ("paragraphs 3-5"); a unit longer than the limit is cut at line ends or spaces, every
    piece keeping the unit's number.
    """
    size = limits.max_chunk_chars
    groups: list[list[tuple[int, str]]] = []
    length = 0
    for number, text in units:
        pieces = [chunk.text for chunk in chunk_text(text.strip(), limits, markdown=False)]
        for piece in pieces:
            if (
                merge
                and groups
                and groups[-1][-1][0] >= number - 1
                and length + 2 + len(piece) <= size
            ):
                groups[-1].append((number, piece))
                length += 2 + len(piece)
            else:
                groups.append([(number, piece)])
                length = len(piece)
    return [
        TextChunk(
            ordinal=ordinal,
            text="\n\n".join(text for _, text in group),
            locator=_span(noun, group[0][0], group[-1][0]),
        )
        for ordinal, group in enumerate(groups)
    ]


def table_rows(
    table: Sequence[Sequence[str]], name: str, path: str, limits: Limits, kept: int
) -> tuple[list[ExtractedRow], list[str], int]:
    """Rows of `table` keyed by its first row, located "`name` row M"; `kept` rows came
    before. Also the warnings, and how many rows were skipped.

    A label/value table is one record located `name` (see `ingest.extract.pairs`). A table
    with a bad header, or a row with the wrong number of cells, is skipped with a warning;
    fully empty rows are ignored.
    """
    if not table:
        return [], [], 0
    header = [cell.strip() for cell in table[0]]
    record = pair_record(header, table[1:], name)
    if record is not None:
        if kept >= limits.max_rows:
            raise TooManyRowsError(path, limits.max_rows)
        return [record], [], 0
    problem = header_problem(header)
    if problem is not None:
        return [], [f"{name}: bad header: {problem}; skipped"], 0  # not a table of records
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    for number, cells in enumerate(table[1:], start=1):
        where = f"{name} row {number}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            warnings.append(
                f"{where}: expected {len(header)} cells, found {len(cells)}; row skipped"
            )
            continue
        if kept + len(rows) >= limits.max_rows:
            raise TooManyRowsError(path, limits.max_rows)
        values: dict[str, JsonValue] = {
            key: cell.strip() for key, cell in zip(header, cells, strict=True)
        }
        rows.append(ExtractedRow(values=values, locator=where))
    return rows, warnings, len(warnings)


def _span(noun: str, first: int, last: int) -> str:
    return f"{noun} {first}" if first == last else f"{noun}s {first}-{last}"
