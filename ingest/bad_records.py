"""When a file has too many bad records for the rest to be ingested on their own.

A record is bad when the extractor skipped it (wrong number of fields, not an object ...),
when a value does not fit its field's type (the value is left out), or when it has no
entity key (the row is skipped). A few bad records in a file that is mostly good are
reported as warnings and the good rows are ingested. But when half or more of a file's
records are bad (and at least two), the file itself is broken: it fails as a whole, with
every bad record named, and nothing of it is written.

This holds for files that are records only (CSV, TSV, JSON, JSON Lines, YAML, XLSX). A
document with text (Markdown, HTML, DOCX, PDF) keeps its text whatever its tables hold: its
bad table rows stay warnings.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import TooManyBadRecordsError
from ingest.extract import Extraction

MIN_BAD = 2
FAIL_SHARE = 0.5
SHOWN = 5


def check_bad_records(path: str, extraction: Extraction, bad: int, reasons: Sequence[str]) -> None:
    """Raise `TooManyBadRecordsError` when `bad` of the records in `extraction` (kept or
    skipped) fail the file.

    `reasons` are the warnings that name the bad records; the first few go in the message.
    """
    total = len(extraction.rows) + extraction.skipped
    if extraction.text_chunks or bad < MIN_BAD or bad < FAIL_SHARE * total:
        return
    shown = "; ".join(reasons[:SHOWN])
    more = f"; and {len(reasons) - SHOWN} more" if len(reasons) > SHOWN else ""
    raise TooManyBadRecordsError(path, bad, total, shown + more)
