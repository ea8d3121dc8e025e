"""When a file has too many bad records for the rest to be ingested on their own.

A record is bad when the extractor skipped it (wrong number of fields, not an object ...),
when a value does not fit its field's type (the value is left out), or when it has no
entity key (the row is skipped). A few bad records in a file that is mostly good are
reported as warnings and the good rows are ingested. But when half or more of a file's
records are bad (and at least two), the file itself is broken: it fails as a whole, with
every bad record named, and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import TooManyBadRecordsError

MIN_BAD = 2
FAIL_SHARE = 0.5
SHOWN = 5


def check_bad_records(path: str, bad: int, total: int, reasons: Sequence[str]) -> None:
    """Raise `TooManyBadRecordsError` when `bad` of `total` records fail the file.

    `reasons` are the warnings that name the bad records; the first few go in the message.
    """
    if bad < MIN_BAD or bad < FAIL_SHARE * total:
        return
    shown = "; ".join(reasons[:SHOWN])
    more = f"; and {len(reasons) - SHOWN} more" if len(reasons) > SHOWN else ""
    raise TooManyBadRecordsError(path, bad, total, shown + more)
