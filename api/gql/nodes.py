"""The catalog's node types: rows, the entities they describe, the documents they come from.

Other areas of the schema return these too (a conflict's rows, a fact's evidence): they
build rows with `load_rows` or `to_rows`, which keep only rows of tables the caller may read
and show their values through `RowValues`. Every nested field reads through a DataLoader.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from pydantic import JsonValue
from strawberry.scalars import JSON

from api.gql import loaders, source_views
from api.gql.context import GraceContext, GraceInfo
from api.gql.pagination import Connection, after_id, connection, id_position, page_size
from api.row_values import RowValues
from governance.rbac import DEFAULT_WORKSPACE, Action
from graph import model
from ingest.runs import RunListing

if TYPE_CHECKING:
    from api.gql.review import Conflict, Fact

ConflictNode = Annotated["Conflict", strawberry.lazy("api.gql.review")]
FactNode = Annotated["Fact", strawberry.lazy("api.gql.review")]
"""Conflicts and facts are built on rows (`api.gql.review`), so rows name them lazily."""

RowStatus = strawberry.enum(model.RowStatus, name="RowStatus", description="A row's lifecycle.")
DocumentStatus = strawberry.enum(
    model.DocumentStatus, name="DocumentStatus", description="A document version's lifecycle."
)
RunStatus = strawberry.enum(
    model.RunStatus, name="IngestionRunStatus", description="How an attempt to ingest ended."
)


@strawberry.type(description="Where documents come from: a watched folder, an upload, a feed.")
class Source:
    """A source of documents."""

    id: str
    kind: str
    location: str
    trust: float

    @classmethod
    def of(cls, source: model.Source) -> Source:
        """From the domain model."""
        return cls(id=source.id, kind=source.kind, location=source.location, trust=source.trust)

    @strawberry.field(
        description="Whether a full trust pass estimated the trust (else it is the starting "
        "trust of a new source); null if no trust pass reached it."
    )
    async def estimated(self, info: GraceInfo) -> bool | None:
        record, _ = await source_views.visible_tables(info.context, self.id)
        return record.estimated if record is not None else None

    @strawberry.field(description="The tables it claims in that the caller may read.")
    async def tables(self, info: GraceInfo) -> list[str]:
        _, tables = await source_views.visible_tables(info.context, self.id)
        return tables

    @strawberry.field(description="Its claims on resolved items of those tables.")
    async def claims(self, info: GraceInfo) -> int:
        counts = await source_views.claim_counts(info.context, self.id)
        return sum(count.claims for count in counts)

    @strawberry.field(
        description="How often its claims agree with the active facts, by table (agreement "
        "with what Grace resolved, not with ground truth)."
    )
    async def accuracy_by_table(self, info: GraceInfo) -> list[source_views.SourceAccuracy]:
        return source_views.accuracy_by_table(
            await source_views.claim_counts(info.context, self.id)
        )

    @strawberry.field(
        description="The same by table and attribute, with the accuracy the trust engine "
        "votes with there (`votesWith`)."
    )
    async def accuracy_by_attribute(self, info: GraceInfo) -> list[source_views.SourceAccuracy]:
        record, _ = await source_views.visible_tables(info.context, self.id)
        return source_views.accuracy_by_attribute(
            await source_views.claim_counts(info.context, self.id),
            record.attributes if record is not None else None,
        )

    @strawberry.field(
        description="The sources it probably copies (COPIES edges the last full trust pass "
        "stored), most probable first, where both share a table the caller may read."
    )
    async def copies(self, info: GraceInfo) -> list[source_views.SourceCopy]:
        record, tables = await source_views.visible_tables(info.context, self.id)
        return source_views.shared_copies(record.copies if record else (), tables)

    @strawberry.field(description="The sources that probably copy it, as `copies`.")
    async def copied_by(self, info: GraceInfo) -> list[source_views.SourceCopy]:
        record, tables = await source_views.visible_tables(info.context, self.id)
        return source_views.shared_copies(record.copied_by if record else (), tables)


@strawberry.type(description="One attempt to ingest one file, failed ones included.")
class IngestionRun:
    """An ingestion run: the file, how it ended, the rows it wrote and skipped, and why."""

    id: str
    path: str = strawberry.field(description="The file, relative to the watched folder.")
    source: str | None
    document_id: str | None = strawberry.field(
        description="The document version written; null for a file that failed."
    )
    status: RunStatus  # type: ignore[valid-type]
    summary: str = strawberry.field(
        description="How it ended in words: `ingested, 174 rows skipped`, `failed (code)`."
    )
    code: str | None = strawberry.field(description="The error code of a failed run.")
    message: str | None = strawberry.field(description="Why the run failed or waits.")
    rows: int = strawberry.field(description="Rows written.")
    rows_skipped: int = strawberry.field(description="Rows left out, each named in `warnings`.")
    started_at: datetime | None
    finished_at: datetime | None
    tables: strawberry.Private[tuple[str, ...]]
    all_warnings: strawberry.Private[tuple[str, ...]]

    @classmethod
    def of(cls, listing: RunListing) -> IngestionRun:
        """From a run as `ingest.runs` reads it."""
        run = listing.run
        return cls(
            id=run.id,
            path=run.path,
            source=run.source,
            document_id=listing.document,
            status=run.status,
            summary=run.summary,
            code=run.error_code,
            message=run.error,
            rows=run.rows,
            rows_skipped=run.skipped,
            started_at=run.started_at,
            finished_at=run.finished_at,
            tables=listing.tables,
            all_warnings=tuple(run.warnings),
        )

    @strawberry.field(
        description="Rows skipped and values left out, each with its locator and reason; "
        "null unless the caller may read personal data of the run's tables (a reason can "
        "quote a value)."
    )
    async def warnings(self, info: GraceInfo) -> list[str] | None:
        if not self.all_warnings:
            return []
        if not await may_read_quoted_values(info.context, self.tables):
            return None
        return list(self.all_warnings)


@strawberry.type(description="A policy rule a row breaks (a `VIOLATES` edge).")
class PolicyViolation:
    """The policy version and rule a row violates, and since when (the policy check's
    detail is left out: it can quote a value)."""

    policy: str = strawberry.field(description="The policy version's id (`name@version`).")
    name: str
    version: int
    rule: str
    at: datetime | None

    @classmethod
    def of(cls, record: loaders.ViolationRecord) -> PolicyViolation:
        """From a violation as the row links loader reads it."""
        return cls(
            policy=record.policy,
            name=record.name,
            version=record.version,
            rule=record.rule,
            at=record.at,
        )


@strawberry.type(description="One extracted record; `values` as the caller may see them.")
class Row:
    """A row; personal fields are null (and named in `redacted_fields`) unless the caller
    may read them."""

    id: strawberry.ID
    table: str
    key: str
    values: JSON
    redacted_fields: list[str]
    trust: float | None
    status: RowStatus  # type: ignore[valid-type]
    quarantined: bool

    @strawberry.field(description="The newest document version the row was extracted from.")
    async def document(self, info: GraceInfo) -> Document | None:
        origin = await info.context.loader(loaders.row_origin_loader).load(str(self.id))
        return Document.of(origin.document) if origin is not None else None

    @strawberry.field(description="Where in its newest document the row was found.")
    async def locator(self, info: GraceInfo) -> str | None:
        origin = await info.context.loader(loaders.row_origin_loader).load(str(self.id))
        return origin.locator if origin is not None else None

    @strawberry.field(description="The source of the row's newest document.")
    async def source(self, info: GraceInfo) -> Source | None:
        origin = await info.context.loader(loaders.row_origin_loader).load(str(self.id))
        if origin is None:
            return None
        found = await info.context.loader(loaders.document_source_loader).load(
            origin.document.document.id
        )
        return Source.of(found) if found is not None else None

    @strawberry.field(description="The entity the row describes.")
    async def entity(self, info: GraceInfo) -> Entity | None:
        found = await info.context.loader(loaders.row_entity_loader).load(str(self.id))
        return Entity.of(found) if found is not None else None

    @strawberry.field(description="The conflicts involving the row that the caller may see.")
    async def conflicts(self, info: GraceInfo) -> list[ConflictNode]:
        from api.gql.review import visible_conflicts  # review builds on rows

        links = await info.context.loader(loaders.row_links_loader).load(str(self.id))
        return await visible_conflicts(info.context, links.conflicts)

    @strawberry.field(description="The facts resolved from the row (about its entity, listing it).")
    async def facts(self, info: GraceInfo) -> list[FactNode]:
        from api.gql.review import load_facts  # review builds on rows

        links = await info.context.loader(loaders.row_links_loader).load(str(self.id))
        return await load_facts(info.context, links.facts)

    @strawberry.field(description="The policy rules the row violates.")
    async def violations(self, info: GraceInfo) -> list[PolicyViolation]:
        links = await info.context.loader(loaders.row_links_loader).load(str(self.id))
        return [PolicyViolation.of(violation) for violation in links.violations]


@strawberry.type(description="What rows describe; rows describing the same entity are compared.")
class Entity:
    """An entity and every readable row that describes it."""

    id: strawberry.ID
    table: str
    key: str

    @classmethod
    def of(cls, entity: model.Entity) -> Entity:
        """From the domain model."""
        return cls(id=strawberry.ID(entity.id), table=entity.table, key=entity.key)

    @strawberry.field(description="Every row that describes the entity, with its trust.")
    async def rows(self, info: GraceInfo) -> list[Row]:
        found = await info.context.loader(loaders.entity_rows_loader).load(str(self.id))
        return await to_rows(info.context, found)

    @strawberry.field(description="The ids of the facts resolved for the entity.")
    async def fact_ids(self, info: GraceInfo) -> list[str]:
        return await info.context.loader(loaders.entity_facts_loader).load(str(self.id))

    @strawberry.field(description="The facts resolved for the entity.")
    async def facts(self, info: GraceInfo) -> list[FactNode]:
        from api.gql.review import load_facts  # review builds on entities

        ids = await info.context.loader(loaders.entity_facts_loader).load(str(self.id))
        return await load_facts(info.context, ids)

    @strawberry.field(description="The conflicts about the entity that the caller may see.")
    async def conflicts(self, info: GraceInfo) -> list[ConflictNode]:
        from api.gql.review import visible_conflicts  # review builds on entities

        ids = await info.context.loader(loaders.entity_conflicts_loader).load(str(self.id))
        return await visible_conflicts(info.context, ids)


@strawberry.type(description="One version of one file, with its provenance.")
class Document:
    """A document version: its source, its other versions, its rows and its runs."""

    id: strawberry.ID
    path: str
    sha256: str
    mime: str
    size: int
    version: int
    status: DocumentStatus  # type: ignore[valid-type]
    trust: float
    ingested_at: datetime | None
    chunk_count: int

    @classmethod
    def of(cls, record: loaders.DocumentRecord) -> Document:
        """From a document as the loaders read it."""
        document = record.document
        return cls(
            id=strawberry.ID(document.id),
            path=document.path,
            sha256=document.sha256,
            mime=document.mime,
            size=document.size,
            version=document.version,
            status=document.status,
            trust=document.trust,
            ingested_at=document.ingested_at,
            chunk_count=record.chunks,
        )

    @strawberry.field(description="Where the document came from.")
    async def source(self, info: GraceInfo) -> Source | None:
        found = await info.context.loader(loaders.document_source_loader).load(str(self.id))
        return Source.of(found) if found is not None else None

    @strawberry.field(
        description="Every version of the same file (SUPERSEDES, both ways), oldest first."
    )
    async def versions(self, info: GraceInfo) -> list[Document]:
        found = await info.context.loader(loaders.document_versions_loader).load(str(self.id))
        return [Document.of(record) for record in found]

    @strawberry.field(description="The ingestion runs that wrote this version, oldest first.")
    async def ingestion_runs(self, info: GraceInfo) -> list[IngestionRun]:
        found = await info.context.loader(loaders.document_runs_loader).load(str(self.id))
        return [IngestionRun.of(listing) for listing in found]

    @strawberry.field(description="The document's rows of tables the caller may read, by id.")
    async def rows(
        self, info: GraceInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Row]:
        size = page_size(first)
        page = loaders.RowsPage(str(self.id), after_id(after), size + 1)
        found = await info.context.loader(loaders.document_rows_loader).load(page)
        counts = info.context.loader(loaders.document_row_counts_loader)
        return connection(
            await to_rows(info.context, found),
            size,
            id_position,
            lambda: counts.load(str(self.id)),
        )


async def to_rows(context: GraceContext, rows: Sequence[model.Row]) -> list[Row]:
    """The GraphQL rows of those `rows` the caller may read, values shown as the caller may;
    each counts as one read of the row (its usage signal)."""
    readable = await context.access.tables()
    rows = [row for row in rows if row.table in readable]
    if not rows:
        return []
    context.services.usage.record(row.id for row in rows)
    tables = sorted({row.table for row in rows})
    personal = await context.loader(loaders.pii_fields_loader).load_many(tables)
    view = RowValues(
        context.services.cipher,
        dict(zip(tables, personal, strict=True)),
        await context.access.tables(Action.READ_PII),
    )
    shown = await view.visible_many([(row.table, row.id, _values(row)) for row in rows])
    return [
        Row(
            id=strawberry.ID(row.id),
            table=row.table,
            key=row.key,
            values=cast(JSON, visible.values),
            redacted_fields=visible.redacted,
            trust=row.trust,
            status=row.status,
            quarantined=row.status is model.RowStatus.QUARANTINED,
        )
        for row, visible in zip(rows, shown, strict=True)
    ]


async def may_read_quoted_values(context: GraceContext, tables: Sequence[str]) -> bool:
    """Whether text that may quote values of `tables` (a run's warnings) can be shown: the
    caller may read personal data of each of them that has personal fields, or, for text of
    no table, of the whole default workspace."""
    if not tables:
        return await context.access.allowed(Action.READ_PII, workspace=DEFAULT_WORKSPACE)
    personal = await context.loader(loaders.pii_fields_loader).load_many(list(tables))
    allowed = await context.access.tables(Action.READ_PII)
    return all(table in allowed for table, fields in zip(tables, personal, strict=True) if fields)


async def load_rows(context: GraceContext, ids: Sequence[str]) -> list[Row]:
    """The rows of `ids` that exist and that the caller may read, in the order given."""
    found = await context.loader(loaders.rows_loader).load_many(list(ids))
    return await to_rows(context, [row for row in found if row is not None])


def _values(row: model.Row) -> dict[str, JsonValue]:
    values: dict[str, JsonValue] = row.values
    return values
