"""DataLoaders of the catalog: each batches one kind of read into one query per request tick.

Made once per request (or subscription event) through `GraceContext.loader(factory)`. Every
loader that returns rows or documents filters them by the tables the caller may read, so a
nested field never shows what the root field would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from strawberry.dataloader import DataLoader

from api.gql.context import GraceContext
from api.row_values import pii_fields
from graph import model
from graph.graph import Record
from ingest.runs import RunListing

V = TypeVar("V")


@dataclass(frozen=True)
class DocumentRecord:
    """A Document version with the counts stored on it at activation."""

    document: model.Document
    source: str
    chunks: int

    @classmethod
    def parse(cls, properties: dict[str, Any]) -> DocumentRecord:
        """From the property map of a Document node."""
        return cls(
            model.Document.from_node(properties),
            str(properties.get("source") or ""),
            int(properties.get("chunks") or 0),
        )


@dataclass(frozen=True)
class RowOrigin:
    """The newest Document version a row was extracted from, and where in it."""

    document: DocumentRecord
    locator: str


@dataclass(frozen=True)
class RowsPage:
    """One page of a document's rows: which document, after which id, how many at most."""

    document: str
    after: str
    limit: int


def by_id(
    records: list[Record], ids: Sequence[str], value: Callable[[Record], V], missing: V
) -> list[V]:
    """`value` of the record of each id, in the order of `ids` (`missing` for none)."""
    found = {str(record["id"]): value(record) for record in records}
    return [found.get(key, missing) for key in ids]


async def readable(context: GraceContext) -> dict[str, Any]:
    """Parameters that limit a document query to what the caller may read: `tables`, and
    `rowless`, whether documents without rows (text) are readable: READ on the whole default
    workspace, which a membership restricted to some tables does not give."""
    access = context.access
    return {"tables": sorted(await access.tables()), "rowless": access.may_read_workspace()}


def rows_loader(context: GraceContext) -> DataLoader[str, model.Row | None]:
    """Rows by id; None for a row that does not exist or that the caller may not read."""

    async def load(ids: list[str]) -> list[model.Row | None]:
        tables = sorted(await context.access.tables())
        records = await context.services.graph.read(
            "api/catalog_rows_by_id", {"ids": ids, "tables": tables}
        )
        found = {record["row"]["id"]: model.Row.from_node(record["row"]) for record in records}
        return [found.get(key) for key in ids]

    return DataLoader(load_fn=load)


def row_origin_loader(context: GraceContext) -> DataLoader[str, RowOrigin | None]:
    """The newest Document version each row (already readable) comes from."""

    async def load(ids: list[str]) -> list[RowOrigin | None]:
        records = await context.services.graph.read("api/catalog_row_documents", {"ids": ids})
        return by_id(
            records,
            ids,
            lambda r: RowOrigin(DocumentRecord.parse(r["document"]), str(r["locator"] or "")),
            None,
        )

    return DataLoader(load_fn=load)


def row_entity_loader(context: GraceContext) -> DataLoader[str, model.Entity | None]:
    """The Entity each row (already readable) describes."""

    async def load(ids: list[str]) -> list[model.Entity | None]:
        records = await context.services.graph.read("api/catalog_row_entities", {"ids": ids})
        return by_id(records, ids, lambda r: model.Entity.from_node(r["entity"]), None)

    return DataLoader(load_fn=load)


def entity_rows_loader(context: GraceContext) -> DataLoader[str, list[model.Row]]:
    """The readable rows that describe each entity, by id."""

    async def load(ids: list[str]) -> list[list[model.Row]]:
        tables = sorted(await context.access.tables())
        records = await context.services.graph.read(
            "api/catalog_entity_rows", {"ids": ids, "tables": tables}
        )
        return by_id(records, ids, lambda r: [model.Row.from_node(x) for x in r["rows"]], [])

    return DataLoader(load_fn=load)


def entity_facts_loader(context: GraceContext) -> DataLoader[str, list[str]]:
    """The ids of the facts resolved for each entity (already readable)."""

    async def load(ids: list[str]) -> list[list[str]]:
        records = await context.services.graph.read("api/catalog_entity_facts", {"ids": ids})
        return by_id(records, ids, lambda r: [str(fact) for fact in r["facts"]], [])

    return DataLoader(load_fn=load)


def documents_loader(context: GraceContext) -> DataLoader[str, DocumentRecord | None]:
    """Documents by id; None for one that does not exist or that the caller may not read."""

    async def load(ids: list[str]) -> list[DocumentRecord | None]:
        params = {"ids": ids, **await readable(context)}
        records = await context.services.graph.read("api/catalog_documents_by_id", params)
        found = {r["document"]["id"]: DocumentRecord.parse(r["document"]) for r in records}
        return [found.get(key) for key in ids]

    return DataLoader(load_fn=load)


def document_versions_loader(context: GraceContext) -> DataLoader[str, list[DocumentRecord]]:
    """The readable versions of each document's file, oldest first."""

    async def load(ids: list[str]) -> list[list[DocumentRecord]]:
        params = {"ids": ids, **await readable(context)}
        records = await context.services.graph.read("api/catalog_document_versions", params)
        return by_id(records, ids, lambda r: [DocumentRecord.parse(v) for v in r["versions"]], [])

    return DataLoader(load_fn=load)


def document_source_loader(context: GraceContext) -> DataLoader[str, model.Source | None]:
    """The Source of each document (already readable)."""

    async def load(ids: list[str]) -> list[model.Source | None]:
        records = await context.services.graph.read("api/catalog_document_sources", {"ids": ids})
        return by_id(records, ids, lambda r: model.Source.from_node(r["source"]), None)

    return DataLoader(load_fn=load)


def document_runs_loader(context: GraceContext) -> DataLoader[str, list[RunListing]]:
    """The ingestion runs of each document (already readable), oldest first."""

    async def load(ids: list[str]) -> list[list[RunListing]]:
        records = await context.services.graph.read("api/catalog_document_runs", {"ids": ids})
        return by_id(records, ids, _document_runs, [])

    return DataLoader(load_fn=load)


def _document_runs(record: Record) -> list[RunListing]:
    return [
        RunListing.parse({"run": run, "document": record["id"], "tables": record["tables"]})
        for run in record["runs"]
    ]


def document_rows_loader(context: GraceContext) -> DataLoader[RowsPage, list[model.Row]]:
    """A page of each document's readable rows (fetch `limit` = page size + 1): one query
    per distinct page size in the batch (usually one)."""

    async def load(pages: list[RowsPage]) -> list[list[model.Row]]:
        tables = sorted(await context.access.tables())
        found: dict[RowsPage, list[model.Row]] = {}
        for limit in sorted({page.limit for page in pages}):
            params = {
                "pages": [
                    {"document": p.document, "after": p.after} for p in pages if p.limit == limit
                ],
                "tables": tables,
                "limit": limit,
            }
            records = await context.services.graph.read("api/catalog_document_rows", params)
            for r in records:
                rows = [model.Row.from_node(row) for row in r["rows"]]
                found[RowsPage(r["document"], r["after"], limit)] = rows
        return [found.get(page, []) for page in pages]

    return DataLoader(load_fn=load)


def document_row_counts_loader(context: GraceContext) -> DataLoader[str, int]:
    """How many readable rows each document holds."""

    async def load(ids: list[str]) -> list[int]:
        tables = sorted(await context.access.tables())
        records = await context.services.graph.read(
            "api/catalog_document_row_counts", {"ids": ids, "tables": tables}
        )
        return by_id(records, ids, lambda r: int(r["total"]), 0)

    return DataLoader(load_fn=load)


def pii_fields_loader(context: GraceContext) -> DataLoader[str, frozenset[str]]:
    """The personal fields of each table (read once per request)."""

    async def load(tables: list[str]) -> list[frozenset[str]]:
        found = await pii_fields(context.services.graph, tables)
        return [found[table] for table in tables]

    return DataLoader(load_fn=load)


class ViolationRecord(BaseModel):
    """A `VIOLATES` edge as `api/catalog_row_links` reads it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    policy: str
    name: str
    version: int
    rule: str
    at: model.Timestamp | None = None


@dataclass(frozen=True)
class RowLinks:
    """What a row takes part in: conflicts involving it, facts resolved from it, and the
    policy rules it violates."""

    conflicts: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    violations: tuple[ViolationRecord, ...] = ()


def row_links_loader(context: GraceContext) -> DataLoader[str, RowLinks]:
    """The conflicts, facts and violations of each row (already readable), by id."""

    async def load(ids: list[str]) -> list[RowLinks]:
        records = await context.services.graph.read("api/catalog_row_links", {"ids": ids})
        return by_id(
            records,
            ids,
            lambda r: RowLinks(
                tuple(r["conflicts"]),
                tuple(r["facts"]),
                tuple(ViolationRecord.model_validate(v) for v in r["violations"]),
            ),
            RowLinks(),
        )

    return DataLoader(load_fn=load)


def entity_conflicts_loader(context: GraceContext) -> DataLoader[str, list[str]]:
    """The ids of the conflicts about each entity (already readable), newest first."""

    async def load(ids: list[str]) -> list[list[str]]:
        records = await context.services.graph.read("api/catalog_entity_conflicts", {"ids": ids})
        return by_id(records, ids, lambda r: [str(c) for c in r["conflicts"]], [])

    return DataLoader(load_fn=load)
