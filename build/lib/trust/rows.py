"""Reading what trust computations work on: active rows, the entities a document touches,
and the source trust the last full pass reached.

Rows come as one record of lists per page (many small records cost the driver far more
than one large one), read document by document (the order rows are stored in), in the form
`parse_rows` reads:
`[id, table, key, values, reads, document, source, ingested_ms, rejected, trust, current,
hashes, violations]`, where `trust` is the trust the last scoring stored (null if never scored),
`current` says whether that scoring used the scoring mode and model passed as `$mode` /
`$model`, and `hashes` holds the keyed hashes of encrypted fields (JSON, or null): those
stand for the encrypted tokens, so equal personal values compare equal without plaintext;
`violations` counts the row's `VIOLATES` edges (policy breaches).
"""

from __future__ import annotations

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


async def read_active_rows(
    graph: Graph, progress: Progress | None = None, scored_by: ScoredBy | None = None
) -> list[RowRecord]:
    """Every active row of an active document, read document by document in pages of about
    `PAGE_ROWS` rows (a larger document in pages of its own)."""
    params = _scored_params(scored_by)
    [record] = await graph.read_plain("trust/active_documents")
    rows: list[RowRecord] = []
    for page in _pages(record["documents"]):
        if len(page) == 1 and page[0][3] > PAGE_ROWS:
            rows += await _read_large_document(graph, page[0][:3], params, progress)
            continue
        [found] = await graph.read_plain(
            "trust/documents_claims", {**params, "documents": [document[:3] for document in page]}
        )
        rows += parse_rows(found["rows"])
        if progress is not None:
            progress(len(found["rows"]))
    return rows


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


async def _read_large_document(
    graph: Graph, document: Sequence[Any], params: dict[str, Any], progress: Progress | None
) -> list[RowRecord]:
    rows: list[RowRecord] = []
    after = ""
    while True:
        [found] = await graph.read_plain(
            "trust/document_claims_after",
            {**params, "document": list(document), "after": after, "limit": PAGE_ROWS},
        )
        page = found["rows"]
        rows += parse_rows(page)
        if progress is not None:
            progress(len(page))
        if len(page) < PAGE_ROWS:
            return rows
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
    return {"mode": scored_by.mode, "model": scored_by.model}
