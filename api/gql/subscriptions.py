"""Live events over graphql-transport-ws: ingestion progress, trust updates, conflicts and
change requests, read from Redis pub/sub, so an event published by any process (the worker,
another API process) reaches the subscribers of every API process.

Each event is delivered only to a subscriber that may read it at that moment. The decision is
made with a fresh context per event: the caller is authenticated again from the connection's
credential (a revoked key or a changed membership takes effect at the next event) and gets a
new `Access` and new DataLoaders. An event about a table needs READ on that table; an event
about no table (a source's trust, a semantic conflict, a file not matched to a table yet)
needs READ on its whole workspace, so a member restricted to some tables never receives it.
Payloads name tables, ids and counts, never the values of rows.

The Redis subscription lives as long as the GraphQL one: the generators below close it when
the client completes the operation or disconnects.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any, Self, TypedDict

import strawberry
from pydantic import JsonValue
from strawberry.scalars import JSON

from api.auth import credential_from_connection_params
from api.gql.access import Access, NotAuthenticatedError
from api.gql.context import GraceContext, GraceInfo
from api.gql.errors import INTERNAL_MESSAGE, USER_ERROR_CODES
from api.gql.governance_views import ReviewStatus
from api.gql.permissions import anywhere, optional_workspace_arg, requires, table_arg
from governance.rbac import DEFAULT_WORKSPACE, Action, Resource
from graph.events import DomainEvent, EventType

INGESTION_TYPES = (
    EventType.INGESTION_STARTED,
    EventType.INGESTION_PROGRESS,
    EventType.INGESTION_COMPLETED,
    EventType.INGESTION_FAILED,
    EventType.PIPELINE_STEP,
)
TRUST_TYPES = (EventType.TRUST_UPDATED,)
CONFLICT_TYPES = (EventType.CONFLICT_DETECTED, EventType.CONFLICT_RESOLVED)
CHANGE_REQUEST_TYPES = (EventType.CHANGE_REQUEST_UPDATED,)

strawberry.enum(EventType, name="EventType", description="A kind of domain event.")

Wanted = Callable[[DomainEvent], bool]


def _text(event: DomainEvent, key: str) -> str | None:
    value = event.payload.get(key)
    return value if isinstance(value, str) else None


def _number(event: DomainEvent, key: str) -> float | None:
    value = event.payload.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def event_table(event: DomainEvent) -> str | None:
    """The table an event is about, as its publisher named it; None when it names none."""
    return _text(event, "table")


@strawberry.interface(description="What every live event carries.")
class LiveEvent:
    """The common part of every event a subscription delivers."""

    type: EventType
    subject: strawberry.ID = strawberry.field(description="Id of the node the event is about.")
    at: datetime
    table: str | None = strawberry.field(description="The table the event is about, if one.")
    workspace: str | None
    payload: JSON = strawberry.field(description="The event's details, as published.")


class _Common(TypedDict):
    type: EventType
    subject: strawberry.ID
    at: datetime
    table: str | None
    workspace: str | None
    payload: Any


def common_fields(event: DomainEvent) -> _Common:
    """The fields every `LiveEvent` view takes from its domain event."""
    return {
        "type": event.type,
        "subject": strawberry.ID(event.subject),
        "at": event.at,
        "table": event_table(event),
        "workspace": event.workspace,
        "payload": shown_payload(event.payload),
    }


def shown_payload(payload: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """An event's payload as subscribers see it: the message of an error not meant for users
    (a defect's text may carry driver messages or paths) becomes `internal error`; the run
    keeps the full message and the worker's log the traceback."""
    if "error" in payload and payload.get("code") not in USER_ERROR_CODES:
        return {**payload, "error": INTERNAL_MESSAGE}
    return payload


@strawberry.type(description="A file's ingestion or a step of its after-ingest pipeline.")
class IngestionEvent(LiveEvent):
    """`ingestion.*` (subject: the ingestion run) or `pipeline.step` (subject: the document)."""

    path: str | None
    document_id: strawberry.ID | None

    @classmethod
    def of(cls, event: DomainEvent) -> Self:
        """The GraphQL view of a domain event."""
        document = document_of(event)
        return cls(
            **common_fields(event),
            path=_text(event, "path"),
            document_id=strawberry.ID(document) if document is not None else None,
        )


@strawberry.type(
    description="The trust of a document or a source moved, or a table's aggregate was stored."
)
class TrustEvent(LiveEvent):
    """`trust.updated`: the subject is a document, a source or a table (`kind`)."""

    kind: str | None
    before: float | None
    after: float | None

    @classmethod
    def of(cls, event: DomainEvent) -> Self:
        """The GraphQL view of a domain event."""
        return cls(
            **common_fields(event),
            kind=_text(event, "kind"),
            before=_number(event, "before"),
            after=_number(event, "after"),
        )


@strawberry.type(description="A conflict was detected (or reopened) or resolved.")
class ConflictEvent(LiveEvent):
    """`conflict.detected` or `conflict.resolved`: the subject is the conflict."""

    entity: str | None
    reason: str | None

    @classmethod
    def of(cls, event: DomainEvent) -> Self:
        """The GraphQL view of a domain event."""
        return cls(
            **common_fields(event),
            entity=_text(event, "entity"),
            reason=_text(event, "reason"),
        )


@strawberry.type(description="A change request was opened, voted on, applied or commented.")
class ChangeRequestEvent(LiveEvent):
    """`change_request.updated`: the subject is the change request."""

    action: str | None
    status: ReviewStatus | None

    @classmethod
    def of(cls, event: DomainEvent) -> Self:
        """The GraphQL view of a domain event."""
        status = _text(event, "status")
        return cls(
            **common_fields(event),
            action=_text(event, "action"),
            status=ReviewStatus(status) if status in set(ReviewStatus) else None,
        )


def document_of(event: DomainEvent) -> str | None:
    """The document an ingestion or pipeline event is about, if known yet."""
    if event.type is EventType.PIPELINE_STEP:
        return event.subject
    return _text(event, "document")


def ingestion_filter(path: str | None, document_id: str | None) -> Wanted:
    """Events of the file at `path` and of the document `document_id` (each when given)."""

    def wanted(event: DomainEvent) -> bool:
        return (path is None or _text(event, "path") == path) and (
            document_id is None or document_of(event) == document_id
        )

    return wanted


def table_filter(table: str | None) -> Wanted:
    """Events about `table` (every event when None)."""
    return lambda event: table is None or event_table(event) == table


def workspace_filter(workspace: str | None) -> Wanted:
    """Events of `workspace` (every event when None)."""
    return lambda event: workspace is None or (event.workspace or DEFAULT_WORKSPACE) == workspace


RECHECK_SECONDS = 1.0
"""How long a subscriber's rights serve between events: a burst of events costs one check
(one credential read; the table map is shared by every subscriber of the process,
`shared_tables.py`), and a revoked key or a narrowed membership applies to the events
published from this long after the change."""


async def event_context(context: GraceContext) -> GraceContext:
    """The subscriber's rights now: authenticated again from the credential of its websocket's
    `connection_init`, in a fresh context (new `Access` and loaders; the table map shared by
    the process's subscriptions). A credential revoked or expired since raises
    `InvalidCredentialsError`; no credential, `NotAuthenticatedError`."""
    credential = credential_from_connection_params(context.connection_params)
    principal = await context.services.authenticator.authenticate(credential)
    if principal is None:
        raise NotAuthenticatedError
    fresh = context.fresh()
    fresh.authenticate_as(principal)
    return fresh


async def may_read(access: Access, event: DomainEvent) -> bool:
    """Whether the caller may read `event`: its table, or else its whole workspace."""
    principal = access.caller()
    table = event_table(event)
    if table is not None:
        workspace = (await access.table_workspaces()).get(table) or event.workspace
        resource = Resource(workspace or DEFAULT_WORKSPACE, table)
        return access.authorizer.decide(principal, Action.READ, resource).allowed
    return access.may_read_workspace(event.workspace or DEFAULT_WORKSPACE)


Readable = Callable[[Access, DomainEvent], Awaitable[bool]]


async def checked_deliveries(
    context: GraceContext, types: Sequence[EventType], wanted: Wanted, readable: Readable
) -> AsyncGenerator[tuple[DomainEvent, GraceContext], None]:
    """The events of `types` that pass `wanted` and that the subscriber may read now
    (`readable`, its rights checked again once `RECHECK_SECONDS` have passed since the last
    check), each with the context of that check (to read what the event names with them)."""
    checked: GraceContext | None = None
    checked_at = 0.0
    async with aclosing(context.services.bus.subscribe(types)) as events:
        async for event in events:
            if not wanted(event):
                continue
            now = time.monotonic()
            if checked is None or now - checked_at >= RECHECK_SECONDS:
                checked, checked_at = await event_context(context), now
            if await readable(checked.access, event):
                yield event, checked


async def deliveries(
    context: GraceContext, types: Sequence[EventType], wanted: Wanted
) -> AsyncGenerator[DomainEvent, None]:
    """The events of `types` that pass `wanted` and that the subscriber may read now: of a
    table it may read, else of a workspace it may read whole (`may_read`)."""
    async with aclosing(checked_deliveries(context, types, wanted, may_read)) as checked:
        async for event, _ in checked:
            yield event


@strawberry.type
class LiveSubscription:
    """Live views: each event reaches only subscribers allowed to read it."""

    @strawberry.subscription(
        description="Ingestion runs (started, progress, completed, failed) and the steps of "
        "their after-ingest pipeline, of one file (`path`) or one document when given.",
        extensions=requires(Action.READ, on=anywhere),
    )
    async def ingestion_progress(
        self,
        info: GraceInfo,
        path: str | None = None,
        document_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[IngestionEvent, None]:
        wanted = ingestion_filter(path, document_id)
        async with aclosing(deliveries(info.context, INGESTION_TYPES, wanted)) as events:
            async for event in events:
                yield IngestionEvent.of(event)

    @strawberry.subscription(
        description="Trust of documents (of `table` when given) and of sources moved.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def trust_updates(
        self, info: GraceInfo, table: str | None = None
    ) -> AsyncGenerator[TrustEvent, None]:
        async with aclosing(deliveries(info.context, TRUST_TYPES, table_filter(table))) as events:
            async for event in events:
                yield TrustEvent.of(event)

    @strawberry.subscription(
        description="Conflicts detected, reopened or resolved (of `table` when given).",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def conflict_events(
        self, info: GraceInfo, table: str | None = None
    ) -> AsyncGenerator[ConflictEvent, None]:
        wanted = table_filter(table)
        async with aclosing(deliveries(info.context, CONFLICT_TYPES, wanted)) as events:
            async for event in events:
                yield ConflictEvent.of(event)

    @strawberry.subscription(
        description="Change requests opened, voted on, applied or commented (of `workspace` "
        "when given).",
        extensions=requires(Action.READ, on=optional_workspace_arg()),
    )
    async def change_request_events(
        self, info: GraceInfo, workspace: str | None = None
    ) -> AsyncGenerator[ChangeRequestEvent, None]:
        wanted = workspace_filter(workspace)
        async with aclosing(deliveries(info.context, CHANGE_REQUEST_TYPES, wanted)) as events:
            async for event in events:
                yield ChangeRequestEvent.of(event)
