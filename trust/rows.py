"""Reading what trust computations work on: active rows, the entities a document touches,
and the source trust the last full pass reached."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from graph.graph import Graph
from trust.claims import RowRecord

PAGE_ROWS = 50_000

Progress = Callable[[int], None]


async def read_active_rows(graph: Graph, progress: Progress | None = None) -> list[RowRecord]:
    """Every active row of an active document, read in pages."""
    rows: list[RowRecord] = []
    after = ""
    while True:
        [record] = await graph.read("trust/active_claims", {"after": after, "limit": PAGE_ROWS})
        page = record["rows"]
        # a row whose document is not active (mid-ingestion) waits for the next pass
        rows += [parse_row(fields) for fields in page if fields[6] is not None]
        if progress is not None:
            progress(len(page))
        if len(page) < PAGE_ROWS:
            return rows
        after = page[-1][0]


async def read_entity_rows(graph: Graph, entities: Sequence[str]) -> list[RowRecord]:
    """The active rows that describe `entities` (ids `table:key`)."""
    [record] = await graph.read("trust/entity_claims", {"entities": list(entities)})
    return [parse_row(fields) for fields in record["rows"]]


async def document_entities(graph: Graph, document_id: str) -> list[str]:
    """The ids of the entities a document's rows describe."""
    records = await graph.read("trust/document_entities", {"document_id": document_id})
    return [record["id"] for record in records]


async def read_source_trust(graph: Graph) -> dict[str, float]:
    """Source id -> its stored trust (sources never scored are absent)."""
    records = await graph.read("trust/source_trust")
    return {r["id"]: float(r["trust"]) for r in records if r["trust"] is not None}


def parse_row(fields: Sequence[Any]) -> RowRecord:
    """A row from the list form of `active_claims` and `entity_claims`."""
    row_id, table, key, values, reads, document, source, ingested_ms, rejected = fields
    return RowRecord(
        id=row_id,
        table=table,
        key=key,
        values=json.loads(values),
        source=source,
        document=document,
        ingested_at=datetime.fromtimestamp(ingested_ms / 1000, UTC) if ingested_ms else None,
        reads=int(reads),
        rejected=frozenset(rejected),
    )
