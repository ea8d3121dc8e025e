"""HTML -> chunks of the visible text, and `<table>` -> rows keyed by the header row.

The standard library's `html.parser` is used: it fetches nothing, and it leaves entities it
does not know as written; a DOCTYPE's internal subset (where entities would be declared) is
removed unread. Script, style, template,
noscript and title contents are not visible and are dropped. Block elements end a paragraph;
a table row is one paragraph with its cells separated by " | ". The first row of a table
(`th` or `td`) is its header; a cell spanning several columns counts as one cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, Extraction
from ingest.extract.units import chunk_units, table_rows

DOCTYPE_SUBSET = re.compile(r"\A\s*<!doctype[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
HIDDEN = frozenset({"script", "style", "template", "noscript", "title"})
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div",
        "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
        "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
CELLS = frozenset({"td", "th"})


@dataclass
class _Table:
    """A table being read; `rows` holds the cell texts of each `tr`."""

    number: int
    rows: list[list[str]] = field(default_factory=list)
    cell: list[str] | None = None


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.tables: list[_Table] = []
        self._open: list[_Table] = []
        self._text: list[str] = []
        self._hidden = 0
        self._count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._hidden += 1
        elif tag == "table":
            self._break()
            self._count += 1
            self._open.append(_Table(self._count))
        elif tag == "tr" and self._open:
            self._end_cell()
            self._break()
            self._open[-1].rows.append([])
        elif tag in CELLS and self._open:
            self._end_cell()
            table = self._open[-1]
            if not table.rows:
                table.rows.append([])
            if table.rows[-1]:
                self._text.append(" | ")
            table.cell = []
        elif tag in BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self._hidden = max(0, self._hidden - 1)
            return
        if self._open and tag in CELLS | {"tr", "table"}:
            self._end_cell()
        if tag == "table" and self._open:
            self._break()
            self.tables.append(self._open.pop())
        elif tag in BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self._text.append(data)
        if self._open and self._open[-1].cell is not None:
            self._open[-1].cell.append(data)

    def close(self) -> None:
        super().close()
        while self._open:
            self.handle_endtag("table")
        self._break()

    def _end_cell(self) -> None:
        table = self._open[-1]
        if table.cell is not None:
            table.rows[-1].append(" ".join("".join(table.cell).split()))
            table.cell = None

    def _break(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.paragraphs.append(text)
        self._text = []


def extract_html(text: str, path: str, mime: str, limits: Limits) -> Extraction:
    """Chunks of the visible text ("paragraph N") and rows of every table ("table N row M")."""
    reader = _Reader()
    reader.feed(DOCTYPE_SUBSET.sub("", text, count=1))
    reader.close()
    rows: list[ExtractedRow] = []
    warnings: list[str] = []
    skipped = 0
    for table in sorted(reader.tables, key=lambda table: table.number):
        found, problems, lost = table_rows(
            table.rows, f"table {table.number}", path, limits, len(rows)
        )
        rows.extend(found)
        warnings.extend(problems)
        skipped += lost
    chunks = chunk_units(enumerate(reader.paragraphs, start=1), "paragraph", limits)
    return Extraction(mime=mime, text_chunks=chunks, rows=rows, warnings=warnings, skipped=skipped)
