"""Plain text and Markdown -> chunks; Markdown pipe tables -> rows.

Chunks break at blank lines and, in Markdown, before every heading, and hold at most
`max_chunk_chars` characters; a longer paragraph is cut at line ends, and a longer line at
the last space before the limit. Chunks cover the whole text, tables included. A table row
with the wrong number of cells is skipped with a warning, as in CSV; a label/value table
(`Field | Value`) is one record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import JsonValue

from graph.errors import TooManyRowsError
from ingest.extract.delimited import header_problem
from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, Extraction, TextChunk
from ingest.extract.pairs import pair_record

HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
CELL_BREAK = re.compile(r"(?<!\\)\|")


@dataclass
class _Block:
    """Consecutive lines; `first` is the 1-based line number of the first one."""

    first: int
    lines: list[str]
    heading: bool = False

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def extract_text(text: str, mime: str, limits: Limits) -> Extraction:
    """Chunks of plain text."""
    return Extraction(mime=mime, text_chunks=chunk_text(text, limits, markdown=False))


def extract_markdown(text: str, path: str, mime: str, limits: Limits) -> Extraction:
    """Chunks of Markdown, plus the rows of its pipe tables keyed by each table's header (a
    label/value table gives one record, see `ingest.extract.pairs`)."""
    rows, warnings, skipped = _table_rows(text.splitlines(), path, limits)
    chunks = chunk_text(text, limits, markdown=True)
    return Extraction(mime=mime, text_chunks=chunks, rows=rows, warnings=warnings, skipped=skipped)


def chunk_text(text: str, limits: Limits, *, markdown: bool) -> list[TextChunk]:
    """Split text into chunks of at most `limits.max_chunk_chars` characters."""
    size = limits.max_chunk_chars
    groups: list[list[_Block]] = [[]]
    length = 0
    for block in _blocks(text.splitlines(), markdown):
        for piece in _split(block, size) if len(block.text) > size else [block]:
            current = groups[-1]
            if current and (piece.heading or length + 2 + len(piece.text) > size):
                groups.append([])
                length = 0
            groups[-1].append(piece)
            length += len(piece.text) + (2 if len(groups[-1]) > 1 else 0)
    return [
        TextChunk(
            ordinal=ordinal,
            text="\n\n".join(block.text for block in group),
            locator=_lines(group[0].first, group[-1].last),
        )
        for ordinal, group in enumerate(group for group in groups if group)
    ]


def _blocks(lines: list[str], markdown: bool) -> list[_Block]:
    """Paragraphs separated by blank lines; in Markdown a heading is its own block."""
    blocks: list[_Block] = []
    current: _Block | None = None
    fenced = False
    for number, line in enumerate(lines, start=1):
        if markdown and FENCE.match(line):
            fenced = not fenced
        is_heading = markdown and not fenced and bool(HEADING.match(line))
        if (not line.strip() and not fenced) or is_heading:
            current = None
        if is_heading:
            blocks.append(_Block(number, [line], heading=True))
        elif line.strip() or fenced:
            if current is None:
                current = _Block(number, [])
                blocks.append(current)
            current.lines.append(line)
    return blocks


def _split(block: _Block, size: int) -> list[_Block]:
    """Pieces of an oversized block: whole lines where they fit, else cut at a space."""
    pieces: list[_Block] = []
    for offset, line in enumerate(block.lines):
        number = block.first + offset
        while len(line) > size:
            cut = line.rfind(" ", 1, size + 1)
            cut = cut if cut > 0 else size
            pieces.append(_Block(number, [line[:cut]]))
            line = line[cut:].lstrip(" ")
        last = pieces[-1] if pieces else None
        if last is not None and last.last == number - 1 and len(last.text) + 1 + len(line) <= size:
            last.lines.append(line)
        elif line:
            pieces.append(_Block(number, [line]))
    if pieces:
        pieces[0].heading = block.heading
    return pieces


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.strip().replace("\\|", "|") for cell in CELL_BREAK.split(inner)]


def _table_rows(
    lines: list[str], path: str, limits: Limits
) -> tuple[list[ExtractedRow], list[str], int]:
    """Rows of every pipe table (a header line, then a `|---|` line) outside code fences,
    the warnings, and how many rows were skipped. A label/value table is one record."""
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    skipped = 0
    tables = 0
    fenced = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if FENCE.match(line):
            fenced = not fenced
        follows = lines[index + 1] if index + 1 < len(lines) else ""
        is_table = not fenced and "|" in line and "|" in follows and SEPARATOR.match(follows)
        if not is_table or len(_cells(follows)) != len(_cells(line)):
            index += 1
            continue
        tables += 1
        header, header_line = _cells(line), index + 1
        body: list[tuple[int, list[str]]] = []  # (line number, cells)
        index += 2
        while index < len(lines) and lines[index].strip() and "|" in lines[index]:
            body.append((index + 1, _cells(lines[index])))
            index += 1
        record = pair_record(header, [cells for _, cells in body], f"table {tables}")
        if record is not None:
            if len(rows) >= limits.max_rows:
                raise TooManyRowsError(path, limits.max_rows)
            rows.append(record)
            continue
        problem = header_problem(header)
        if problem is not None:
            warnings.append(f"table {tables} (line {header_line}): bad header: {problem}; skipped")
            continue  # not a table of records: its lines are not counted as skipped records
        for number, (line_number, cells) in enumerate(body, start=1):
            where = f"table {tables} row {number}"
            if len(cells) != len(header):
                warnings.append(
                    f"{where} (line {line_number}): expected {len(header)} cells, "
                    f"found {len(cells)}; row skipped"
                )
                skipped += 1
                continue
            if len(rows) >= limits.max_rows:
                raise TooManyRowsError(path, limits.max_rows)
            values: dict[str, JsonValue] = dict(zip(header, cells, strict=True))
            rows.append(ExtractedRow(values=values, locator=where))
    return rows, warnings, skipped
