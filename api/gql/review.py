"""The review part of the schema: conflicts between rows (or texts, or versions) with the
suggested resolution and its evidence, and the resolved facts with the rows behind them.

A conflict is visible to those who may read its scope: its table, or for the versions of a
file the table of the file's rows; one about text (no scope) to those who may read text
documents (`READ` on the default workspace, as for documents without rows). Rows come
through `load_rows`, so rows of tables the caller may not read never appear; a value of a
personal field (a suggestion's, a competing one's, a resolution's, a fact's) shows decrypted
only to callers who may read personal data of the table, and redacted to the others
(`api.conflict_values`): never as the keyed hash or token it is stored as.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

import strawberry
from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from api.conflict_values import SealedValues, ShownValue, claimed_rows, kept_rows
from api.gql import loaders
from api.gql.arguments import checked_id
from api.gql.context import GraceContext, GraceInfo
from api.gql.nodes import Row, load_rows
from api.gql.pagination import (
    Connection,
    InvalidCursorError,
    after_id,
    connection,
    decode_cursor,
    id_position,
    page_size,
)
from api.gql.permissions import ResourceOf, Target, requires, table_arg
from api.row_values import RowValues
from governance.errors import NotFoundError
from governance.rbac import Action
from graph.model import Timestamp


@strawberry.enum(description="What contradicts: row values, versions, or texts.")
class ConflictKind(StrEnum):
    """The kinds of conflict the detectors find."""

    VALUE = "value"
    VERSION = "version"
    SEMANTIC = "semantic"


@strawberry.enum(description="Where a conflict's review stands.")
class ConflictStatus(StrEnum):
    """Open until resolved (by a person, healing or agreement) or dismissed."""

    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


@strawberry.enum(description="Whether a fact is synced to the fact layer.")
class FactStatus(StrEnum):
    """Active facts are synced; candidates are below their table's sync threshold;
    retracted facts are no longer resolved."""

    ACTIVE = "active"
    CANDIDATE = "candidate"
    RETRACTED = "retracted"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ConflictRecord(_Record):
    """A `Conflict` node as `api/review_conflicts` reads it, with what it involves."""

    id: str
    kind: str
    status: str
    table: str | None = None
    key: str | None = None
    entity: str | None = None
    attribute: str | None = None
    scope: str | None = None
    """The table whose readers may see the conflict (none: a conflict about text)."""
    score: float | None = None
    claims: JsonValue = None
    suggestion: dict[str, JsonValue] = Field(default_factory=dict)
    resolution: JsonValue = None
    resolved_by: str | None = None
    resolved_at: Timestamp | None = None
    reopened_by: str | None = None
    reopened_at: Timestamp | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    rows: tuple[str, ...] = ()
    chunks: tuple[dict[str, Any], ...] = ()
    members: tuple[str, ...] = ()

    @field_validator("claims", "resolution", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("suggestion", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else (value or {})


class FactRecord(_Record):
    """A `Fact` node as `api/review_facts` reads it, with the rows it was resolved from."""

    id: str
    table: str
    key: str
    entity: str
    attribute: str
    value: JsonValue = None
    confidence: float
    status: str
    supporting_sources: int = 0
    contradicting_sources: int = 0
    evidence: dict[str, list[str]] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    resolved_at: Timestamp | None = None
    retracted_at: Timestamp | None = None
    rows: tuple[str, ...] = ()

    @field_validator("value", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("evidence", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else (value or {})


def conflict_loader(context: GraceContext) -> DataLoader[str, ConflictRecord | None]:
    """Conflicts by id (None for an unknown id), one query per batch. Visibility is the
    caller's business: see `visible_conflict`."""

    async def load(ids: list[str]) -> list[ConflictRecord | None]:
        records = await context.services.graph.read("api/review_conflicts", {"ids": ids})
        found = {
            r["conflict"]["id"]: ConflictRecord.model_validate(
                {
                    **r["conflict"],
                    "scope": r["scope"],
                    "rows": r["rows"],
                    "chunks": r["chunks"],
                    "members": r["members"],
                }
            )
            for r in records
        }
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def fact_loader(context: GraceContext) -> DataLoader[str, FactRecord | None]:
    """Facts by id (None for an unknown id), one query per batch."""

    async def load(ids: list[str]) -> list[FactRecord | None]:
        records = await context.services.graph.read("api/review_facts", {"ids": ids})
        found = {
            r["fact"]["id"]: FactRecord.model_validate({**r["fact"], "rows": r["rows"]})
            for r in records
        }
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


async def visible_conflict(context: GraceContext, record: ConflictRecord | None) -> bool:
    """Whether the caller may see a conflict: its scope, or text documents when it has none."""
    if record is None:
        return False
    if record.scope is None:
        return context.access.may_read_workspace()
    return record.scope in await context.access.tables()


async def sealed_values(
    context: GraceContext, table: str | None, row_ids: Sequence[str]
) -> SealedValues:
    """The caller's view of the values of `table` that the rows of `row_ids` assert (their
    stored values hold the tokens that decrypt a keyed hash)."""
    rows = await context.loader(loaders.rows_loader).load_many(list(row_ids))
    tables = [table] if table is not None else []
    personal = await context.loader(loaders.pii_fields_loader).load_many(tables)
    view = RowValues(
        context.services.cipher,
        dict(zip(tables, personal, strict=True)),
        await context.access.tables(Action.READ_PII),
    )
    return SealedValues(view, {row.id: row.values for row in rows if row is not None})


def conflict_arg(name: str = "id") -> ResourceOf:
    """The resource of the conflict argument `name` names: its scope, else the default
    workspace (conflicts about text, and ids that name nothing, as `api.gql.targets` does)."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        record = await context.loader(conflict_loader).load(checked_id(name, str(arguments[name])))
        return Target(table=record.scope if record is not None else None, by_node=True)

    return find


def fact_arg(name: str = "id") -> ResourceOf:
    """The resource of the fact argument `name` names: its table (unknown: default workspace)."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        record = await context.loader(fact_loader).load(checked_id(name, str(arguments[name])))
        return Target(table=record.table if record is not None else None, by_node=True)

    return find


@strawberry.type(description="The entity (or file, or table) a conflict is about.")
class ConflictEntity:
    """What a conflict is about: an entity of a table (`table`:`key`), or a file or table
    with several active versions (`id` only)."""

    id: str
    table: str | None
    key: str | None


@strawberry.type(description="A span of text that takes part in a semantic conflict.")
class ConflictChunk:
    """A chunk and the newest document holding it."""

    id: str
    document_id: str | None
    path: str | None
    source: str | None
    text: str | None = strawberry.field(
        description="The chunk's text (null when the caller may not read its document)."
    )


@strawberry.type(description="The resolution Grace suggests for a conflict, and why.")
class ConflictSuggestion:
    """The winning value with its confidence and the sources and rows for and against it."""

    value: JSON | None
    value_redacted: bool
    confidence: float | None
    supporting_sources: list[str]
    contradicting_sources: list[str]
    keep: str | None = strawberry.field(
        description="For a version conflict: the version to keep (the newest)."
    )
    reason: str
    supporting_row_ids: strawberry.Private[list[str]]
    rejected_row_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The readable rows that assert the suggested value.")
    async def supporting_rows(self, info: GraceInfo) -> list[Row]:
        return await load_rows(info.context, self.supporting_row_ids)

    @strawberry.field(description="The readable rows whose value the suggestion would reject.")
    async def would_reject(self, info: GraceInfo) -> list[Row]:
        return await load_rows(info.context, self.rejected_row_ids)


@strawberry.type(description="The last decision on a conflict, as stored on it.")
class ConflictDecision:
    """Who resolved or dismissed a conflict and how; who reopened it last."""

    resolved_by: str | None
    resolved_at: datetime | None
    resolution: JSON | None
    reopened_by: str | None
    reopened_at: datetime | None


@strawberry.type(description="A contradiction under review.")
class Conflict:
    """A conflict: what it is about, the rows (or chunks, or versions) involved, the
    suggestion and its evidence, and the decision taken on it."""

    id: strawberry.ID
    kind: ConflictKind
    status: ConflictStatus
    attribute: str | None
    score: float | None
    created_at: datetime | None
    updated_at: datetime | None
    record: strawberry.Private[ConflictRecord]

    @classmethod
    def of(cls, record: ConflictRecord) -> Conflict:
        """From a record the caller may see."""
        return cls(
            id=strawberry.ID(record.id),
            kind=ConflictKind(record.kind),
            status=ConflictStatus(record.status),
            attribute=record.attribute,
            score=record.score,
            created_at=record.created_at,
            updated_at=record.updated_at,
            record=record,
        )

    @strawberry.field(description="What the conflict is about.")
    def entity(self) -> ConflictEntity | None:
        record = self.record
        if record.entity is None:
            return None
        return ConflictEntity(id=record.entity, table=record.table, key=record.key)

    @strawberry.field(description="The rows involved that the caller may read.")
    async def rows(self, info: GraceInfo) -> list[Row]:
        return await load_rows(info.context, self.record.rows)

    @strawberry.field(description="The text chunks involved (semantic conflicts).")
    async def chunks(self, info: GraceInfo) -> list[ConflictChunk]:
        readable = info.context.access.may_read_workspace()
        return [
            ConflictChunk(
                id=str(chunk["id"]),
                document_id=chunk.get("document"),
                path=chunk.get("path"),
                source=chunk.get("source"),
                text=chunk.get("text") if readable else None,
            )
            for chunk in self.record.chunks
        ]

    @strawberry.field(description="The document or table versions involved (version conflicts).")
    def members(self) -> list[str]:
        return list(self.record.members)

    @strawberry.field(description="The resolution Grace suggests.")
    async def suggestion(self, info: GraceInfo) -> ConflictSuggestion | None:
        suggested = self.record.suggestion
        if not suggested:
            return None
        supporting = _strings(suggested.get("supporting_rows"))
        values = await sealed_values(info.context, self.record.table, supporting)
        shown = await values.show(
            self.record.table, self.record.attribute, suggested.get("value"), supporting
        )
        confidence = suggested.get("confidence")
        keep = suggested.get("keep")
        return ConflictSuggestion(
            value=cast(JSON, shown.value),
            value_redacted=shown.redacted,
            confidence=float(confidence) if isinstance(confidence, int | float) else None,
            supporting_sources=_strings(suggested.get("supporting_sources")),
            contradicting_sources=_strings(suggested.get("contradicting_sources")),
            keep=keep if isinstance(keep, str) else None,
            reason=str(suggested.get("why") or ""),
            supporting_row_ids=supporting,
            rejected_row_ids=_strings(suggested.get("would_reject")),
        )

    @strawberry.field(
        description="The evidence as stored (JSON): for a value conflict every value with its "
        "confidence, rows and sources (a personal value null with `value_redacted` for callers "
        "who may not read it); for a semantic one the rule, reason and sentences; for a "
        "version conflict the versions."
    )
    async def evidence(self, info: GraceInfo) -> JSON | None:
        record = self.record
        values = await sealed_values(info.context, record.table, claimed_rows(record.claims))
        return cast(JSON, await values.show_claims(record.table, record.attribute, record.claims))

    @strawberry.field(description="The last decision taken on the conflict; null if none.")
    async def decision(self, info: GraceInfo) -> ConflictDecision | None:
        record = self.record
        if record.resolved_by is None and record.reopened_by is None:
            return None
        values = await sealed_values(info.context, record.table, kept_rows(record.resolution))
        resolution = await values.show_resolution(record.table, record.attribute, record.resolution)
        return ConflictDecision(
            resolved_by=record.resolved_by,
            resolved_at=record.resolved_at,
            resolution=cast(JSON, resolution),
            reopened_by=record.reopened_by,
            reopened_at=record.reopened_at,
        )


@strawberry.type(description="The rows and sources behind a fact.")
class FactEvidence:
    """The rows a fact was resolved from and the sources for and against its value."""

    supporting_count: int
    contradicting_count: int
    supporting_sources: list[str]
    contradicting_sources: list[str]
    row_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The readable rows the fact was resolved from (its `rows`).")
    async def rows(self, info: GraceInfo) -> list[Row]:
        return await load_rows(info.context, self.row_ids)


@strawberry.type(description="A resolved value of one attribute of one entity.")
class Fact:
    """A fact: the winning value, how confident Grace is, and its evidence."""

    id: strawberry.ID
    table: str
    key: str
    entity: str
    attribute: str
    value: JSON | None
    value_redacted: bool
    confidence: float
    status: FactStatus
    resolved_at: datetime | None
    evidence: FactEvidence


async def load_facts(context: GraceContext, ids: Sequence[str]) -> list[Fact]:
    """The facts of `ids` that exist and whose table the caller may read, in order."""
    readable = await context.access.tables()
    found = await context.loader(fact_loader).load_many(list(ids))
    facts = []
    for record in found:
        if record is None or record.table not in readable:
            continue
        values = await sealed_values(context, record.table, record.rows)
        shown = await values.show(record.table, record.attribute, record.value, record.rows)
        facts.append(_fact(record, shown))
    return facts


def _fact(record: FactRecord, shown: ShownValue) -> Fact:
    return Fact(
        id=strawberry.ID(record.id),
        table=record.table,
        key=record.key,
        entity=record.entity,
        attribute=record.attribute,
        value=cast(JSON, shown.value),
        value_redacted=shown.redacted,
        confidence=record.confidence,
        status=FactStatus(record.status),
        resolved_at=record.resolved_at,
        evidence=FactEvidence(
            supporting_count=record.supporting_sources,
            contradicting_count=record.contradicting_sources,
            supporting_sources=list(record.evidence.get("supporting", [])),
            contradicting_sources=list(record.evidence.get("contradicting", [])),
            row_ids=record.rows,
        ),
    )


async def visible_conflicts(context: GraceContext, ids: Sequence[str]) -> list[Conflict]:
    """The conflicts of `ids` that exist and that the caller may see, in order."""
    found = await context.loader(conflict_loader).load_many(list(ids))
    return [
        Conflict.of(record)
        for record in found
        if record is not None and await visible_conflict(context, record)
    ]


async def known_table(context: GraceContext, table: str) -> None:
    """`NotFoundError` unless `table` is a table of the catalog."""
    if await context.access.workspace_of(table) is None:
        raise NotFoundError("table", table)


def _conflict_position(after: str | None) -> tuple[float | None, str | None]:
    """The (score, id) an `after` cursor of the conflict list holds."""
    if after is None:
        return None, None
    position = decode_cursor(after)
    if len(position) != 2:
        raise InvalidCursorError
    score, conflict_id = position
    if not isinstance(score, int | float) or isinstance(score, bool):
        raise InvalidCursorError
    if not isinstance(conflict_id, str):
        raise InvalidCursorError
    return float(score), conflict_id


def _strings(value: JsonValue) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


@strawberry.type
class ReviewQuery:
    """Reading what is under review: conflicts and the facts resolved from rows."""

    @strawberry.field(
        description="Conflicts the caller may see, most confident first; each filter optional.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def conflicts(
        self,
        info: GraceInfo,
        table: str | None = None,
        kind: ConflictKind | None = None,
        status: ConflictStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Conflict]:
        context = info.context
        size = page_size(first)
        if table is not None:
            await known_table(context, table)
        after_score, after_conflict = _conflict_position(after)
        records = await context.services.graph.read(
            "api/review_conflict_page",
            {
                "table": table,
                "kind": kind.value if kind is not None else None,
                "status": status.value if status is not None else None,
                "tables": sorted(await context.access.tables()),
                "documents": context.access.may_read_workspace(),
                "after_score": after_score,
                "after_id": after_conflict,
                "limit": size + 1,
            },
        )
        found = await context.loader(conflict_loader).load_many([r["id"] for r in records])
        conflicts = [Conflict.of(record) for record in found if record is not None]
        return connection(conflicts, size, lambda c: [c.record.score or 0.0, c.record.id])

    @strawberry.field(
        description="One conflict with its rows, suggestion, evidence and decision.",
        extensions=requires(Action.READ, on=conflict_arg("id")),
    )
    async def conflict(self, info: GraceInfo, id: strawberry.ID) -> Conflict:
        record = await info.context.loader(conflict_loader).load(str(id))
        if record is None or not await visible_conflict(info.context, record):
            raise NotFoundError("conflict", str(id))
        return Conflict.of(record)

    @strawberry.field(
        description="The facts of a table by id; key, attribute and status filters optional.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def facts(
        self,
        info: GraceInfo,
        table: str,
        key: str | None = None,
        attribute: str | None = None,
        status: FactStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Fact]:
        context = info.context
        size = page_size(first)
        await known_table(context, table)
        graph = context.services.graph
        filters = {
            "table": table,
            "key": key,
            "attribute": attribute,
            "status": status.value if status is not None else None,
        }
        records = await graph.read(
            "api/review_fact_page",
            {**filters, "after": after_id(after) or None, "limit": size + 1},
        )
        facts = await load_facts(context, [r["id"] for r in records])

        async def count() -> int:
            [record] = await graph.read("api/review_fact_count", filters)
            return int(record["total"])

        return connection(facts, size, id_position, count)

    @strawberry.field(
        description="One fact with its value, confidence and evidence.",
        extensions=requires(Action.READ, on=fact_arg("id")),
    )
    async def fact(self, info: GraceInfo, id: strawberry.ID) -> Fact:
        found = await load_facts(info.context, [str(id)])
        if not found:
            raise NotFoundError("fact", str(id))
        return found[0]
