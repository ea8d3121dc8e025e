"""Reading what trust computations work on: active rows, the entities a document touches,
and the source trust the last full pass reached.

Rows come as one record of lists per page (many small records cost the driver far more
than one large one), read document by document (the order rows are stored in), in the form
`parse_rows` reads:
`[id, table, key, values, reads, document, source, ingested_ms, rejected, trust, current,
hashes, violations, node, features]`, where `trust` is the trust the last scoring stored (null
if never scored), `current` says whether that scoring used the scoring mode and model passed
as `$mode` / `$model` (and, with `$full`, was a full pass's: `trust.features`), and `hashes`
holds the keyed hashes of encrypted fields (JSON, or null): those stand for the encrypted tokens, so
equal personal values compare equal without plaintext;
`violations` counts the row's `VIOLATES` edges (policy breaches), `node` is the row's
`elementId`, by which a full pass writes its scores back (`trust/set_row_trust`), and
`features` its stored `trust_features` (read with `$full` only, null otherwise).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.graph import Graph
from trust.claims import RowRecord

PAGE_ROWS = 50_000

Progress = Callable[[int], None]

NO_REJECTIONS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ScoredBy:
    """How rows are scored now: stored trust written otherwise is rewritten in any case."""

    mode: str | None = None
    model: int = 0
    full: bool = False
    """Scored by a full pass: a row whose stored list says it was scored at another time than
    the last full pass (`trust.features`) is rewritten in any case."""


async def read_active_rows(
    graph: Graph, progress: Progress | None = None, scored_by: ScoredBy | None = None
) -> list[RowRecord]:
    """Every active row of an active document, read document by document in pages of about
    `PAGE_ROWS` rows (a larger document in pages of its own). The next page is asked for
    before the one received is parsed, so Neo4j gathers it meanwhile."""
    pages: asyncio.Queue[Page] = asyncio.Queue(maxsize=1)
    reading = asyncio.create_task(_raw_pages(graph, _scored_params(scored_by), pages))
    rows: list[RowRecord] = []
    try:
        while (page := await pages.get()) is not None:
            if isinstance(page, Exception):
                raise page
            rows += parse_rows(page)
            if progress is not None:
                progress(len(page))
    finally:
        reading.cancel()
    return rows


Page = list[Any] | Exception | None
"""What the reader of pages hands over: a page of rows in the list form, the error that
stopped it, or None after the last page."""


async def _raw_pages(graph: Graph, params: dict[str, Any], out: asyncio.Queue[Page]) -> None:
    """Put the pages of active rows, in the list form, on `out`, and then None (or the error
    that stopped the reading); each page is asked for as soon as the one before is on
    `out`."""
    try:
        [record] = await graph.read_plain("trust/active_documents")
        for documents in _pages(record["documents"]):
            if len(documents) == 1 and documents[0][3] > PAGE_ROWS:
                await _large_document_pages(graph, documents[0][:3], params, out)
                continue
            [found] = await graph.read_plain(
                "trust/documents_claims",
                {**params, "documents": [document[:3] for document in documents]},
            )
            await out.put(found["rows"])
    except Exception as error:  # handed to the reader, which raises it
        await out.put(error)
        return
    await out.put(None)


def _pages(documents: Sequence[Sequence[Any]]) -> list[list[Sequence[Any]]]:
    """Documents ([id, source, ingested_ms, rows]) grouped into pages of at most `PAGE_ROWS`
    rows; a larger document is a page of its own."""
    pages: list[list[Sequence[Any]]] = []
    page: list[Sequence[Any]] = []
    size = 0
    for document in documents:
        if page and size + document[3] > PAGE_ROWS:
            pages.append(page)
            page, size = [], 0
        page.append(document)
        size += document[3]
    if page:
        pages.append(page)
    return pages


async def _large_document_pages(
    graph: Graph,
    document: Sequence[Any],
    params: dict[str, Any],
    out: asyncio.Queue[Page],
) -> None:
    """The pages of one large document, in row-id order, onto `out`."""
    after = ""
    while True:
        [found] = await graph.read_plain(
            "trust/document_claims_after",
            {**params, "document": list(document), "after": after, "limit": PAGE_ROWS},
        )
        page = found["rows"]
        await out.put(page)
        if len(page) < PAGE_ROWS:
            return
        after = page[-1][0]


async def read_entity_rows(
    graph: Graph, entities: Sequence[str], scored_by: ScoredBy | None = None
) -> list[RowRecord]:
    """The active rows that describe `entities` (ids `table:key`)."""
    [record] = await graph.read_plain(
        "trust/entity_claims", {**_scored_params(scored_by), "entities": list(entities)}
    )
    return parse_rows(record["rows"])


async def document_entities(graph: Graph, document_id: str) -> list[str]:
    """The ids of the entities a document's rows describe."""
    records = await graph.read_plain("trust/document_entities", {"document_id": document_id})
    return [record["id"] for record in records]


async def read_document_rows(
    graph: Graph, document_id: str, scored_by: ScoredBy | None = None
) -> tuple[list[str], list[RowRecord]]:
    """The entities a document's rows describe, and the active rows that describe them, in
    one round trip."""
    [record] = await graph.read_plain(
        "trust/document_claims", {**_scored_params(scored_by), "document_id": document_id}
    )
    return list(record["entities"]), parse_rows(record["rows"])


async def read_source_trust(graph: Graph) -> dict[str, float]:
    """Source id -> its stored trust (sources never scored are absent)."""
    records = await graph.read_plain("trust/source_trust")
    return {r["id"]: float(r["trust"]) for r in records if r["trust"] is not None}


def _with_hashes(
    page: Sequence[Sequence[Any]], values: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each row's values with its encrypted fields' tokens replaced by their keyed hashes."""
    return [
        {**row_values, **json.loads(fields[11])} if fields[11] else row_values
        for fields, row_values in zip(page, values, strict=True)
    ]


def parse_rows(page: Sequence[Sequence[Any]]) -> list[RowRecord]:
    """Rows from the list form; the values of a page are decoded as one JSON text (a row
    without values has none: it makes no claims)."""
    values = json.loads("[" + ",".join(fields[3] or "{}" for fields in page) + "]")
    stamps: dict[int, datetime] = {}
    return [
        RowRecord(
            id=row_id,
            table=table,
            key=key,
            values=row_values,
            source=source,
            document=document,
            ingested_at=_stamp(stamps, ingested_ms) if ingested_ms else None,
            reads=int(reads),
            rejected=frozenset(rejected) if rejected else NO_REJECTIONS,
            trust=trust,
            trust_current=bool(current),
            violations=int(violations or 0),
            node=node,
            features=tuple(features) if features else None,
        )
        for (
            row_id,
            table,
            key,
            _,
            reads,
            document,
            source,
            ingested_ms,
            rejected,
            trust,
            current,
            _,
            violations,
            node,
            features,
        ), row_values in zip(page, _with_hashes(page, values), strict=True)
    ]


def _stamp(cache: dict[int, datetime], ms: int) -> datetime:
    """The UTC datetime of an epoch-millisecond stamp (the rows of a document share one)."""
    stamp = cache.get(ms)
    if stamp is None:
        stamp = cache[ms] = datetime.fromtimestamp(ms / 1000, UTC)
    return stamp


def _scored_params(scored_by: ScoredBy | None) -> dict[str, Any]:
    scored_by = scored_by or ScoredBy()
    return {"mode": scored_by.mode, "model": scored_by.model, "full": scored_by.full}


async def read_clock(graph: Graph) -> float | None:
    """The time of the last full pass (epoch seconds; None before the first): the time the
    freshness of the rows it scored is taken at (`trust.features`)."""
    [record] = await graph.read_plain("trust/clock")
    return None if record["at"] is None else float(record["at"])
