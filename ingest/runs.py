"""Reading ingestion runs: every attempt to ingest a file, failed ones included (a failed file
is no Document, so only its run says what went wrong). GraphQL `ingestionRuns` and
`grace runs list` both read through `list_runs`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.graph import Graph
from graph.model import IngestionRun, RunStatus

RUN_COLUMNS = ("started", "file", "outcome", "rows", "message")
"""The columns of a table of runs (`run_cells`)."""

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
"""Bounds of `started_at` when none is asked: the range lets its index order the runs."""


@dataclass(frozen=True)
class RunPosition:
    """Where a page of runs (newest first) ended: the last run's start and id."""

    started_at: datetime
    id: str


@dataclass(frozen=True)
class RunListing:
    """One run with the document version it wrote (none for a failed file) and the tables
    of that document's rows."""

    run: IngestionRun
    document: str | None
    tables: tuple[str, ...]

    @classmethod
    def parse(cls, record: Mapping[str, Any]) -> RunListing:
        """From a row of `ingest/list_runs`."""
        return cls(
            run=IngestionRun.from_node(record["run"]),
            document=record["document"],
            tables=tuple(sorted(record["tables"])),
        )


async def list_runs(
    graph: Graph,
    *,
    status: RunStatus | None = None,
    source: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
    after: RunPosition | None = None,
    tables: Collection[str] | None = None,
    rowless: bool = True,
) -> list[RunListing]:
    """Up to `limit` runs, newest first, after `after`; each filter optional (`since`
    without a zone is UTC). With `tables`, only runs of documents with rows of those tables,
    and runs with no table (failed files, texts) when `rowless`."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    records = await graph.read(
        "ingest/list_runs",
        {
            "status": None if status is None else status.value,
            "source": source,
            "since": since or EARLIEST,
            "until": LATEST if after is None else after.started_at,
            "after_id": None if after is None else after.id,
            "tables": None if tables is None else sorted(tables),
            "rowless": rowless,
            "limit": limit,
        },
    )
    return [RunListing.parse(record) for record in records]


def run_cells(listing: RunListing) -> tuple[str, ...]:
    """One line of a table of runs, in the order of `RUN_COLUMNS`: for a failed file its
    error; for a file with skipped rows the first reason and how many more."""
    run = listing.run
    started = run.started_at.strftime("%Y-%m-%d %H:%M:%S") if run.started_at else ""
    message = run.error or ""
    if not message and run.warnings:
        more = len(run.warnings) - 1
        message = run.warnings[0] + (f" (+{more} more)" if more else "")
    rows = str(run.rows) if run.status is not RunStatus.FAILED else ""
    return (started, f"{run.source or ''}:{run.path}", run.summary, rows, message)
