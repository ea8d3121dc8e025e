"""Ingestion runs: every attempt to ingest a file, failed ones included, with the rows it
skipped and why (`ingest.runs.list_runs`).

A run is visible like its document: to callers who may read a table of the document's rows,
or, for a run with no table (a failed file, a text, a file waiting for its table), to callers
who may read the whole default workspace.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.gql.context import GraceInfo
from api.gql.nodes import IngestionRun, RunStatus
from api.gql.pagination import Connection, after_time, connection, page_size, time_position
from api.gql.permissions import requires
from governance.rbac import Action
from ingest.runs import RunPosition, list_runs


def _position(after: str | None) -> RunPosition | None:
    """The (started at, id) an `ingestionRuns` cursor holds."""
    position = after_time(after)
    return None if position is None else RunPosition(*position)


@strawberry.type
class IngestionQuery:
    """Reading what happened to each file."""

    @strawberry.field(
        description="Ingestion runs the caller may read, newest first; each filter optional "
        "(`status: FAILED` lists the files that did not go in, with code and message).",
        extensions=requires(Action.READ),
    )
    async def ingestion_runs(
        self,
        info: GraceInfo,
        status: RunStatus | None = None,  # type: ignore[valid-type]
        # not `source`: Strawberry's field extensions take a positional argument of that name
        source_id: Annotated[str | None, strawberry.argument(name="source")] = None,
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[IngestionRun]:
        size = page_size(first)
        access = info.context.access
        found = await list_runs(
            info.context.services.graph,
            status=status,
            source=source_id,
            since=since,
            limit=size + 1,
            after=_position(after),
            tables=await access.tables(),
            rowless=access.may_read_workspace(),
        )
        return connection(
            [IngestionRun.of(listing) for listing in found],
            size,
            lambda run: time_position(run.started_at, run.id),
        )
