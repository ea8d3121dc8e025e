"""Review assignments in GraphQL: `assign` gives an open conflict or change request to a
person or a role (again: reassigns); `myQueue` lists what waits for the caller, oldest first,
with due dates (`governance.assignments` owns the rules)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.gql import actors
from api.gql.arguments import MAX_NOTE_CHARS, checked_id, checked_text
from api.gql.context import GraceInfo
from api.gql.notifications import readable_scope
from api.gql.pagination import Connection, after_time, connection, page_size, time_position
from api.gql.permissions import authenticated, requires
from api.gql.targets import CHANGE_REQUEST, CONFLICT, find_node, node_arg, subject_of
from governance.assignments import AssignmentRecord
from governance.rbac import Action, Role


@strawberry.type(description="An open conflict or change request given to a person or a role.")
class Assignment:
    """Who reviews what, since when, due when."""

    id: strawberry.ID
    node_id: strawberry.ID
    node_kind: str
    table: str | None
    workspace: str
    user: str | None
    role: Role | None
    assigned_by: str
    assigned_at: datetime
    due_at: datetime | None
    note: str

    @classmethod
    def of(cls, record: AssignmentRecord) -> Assignment:
        """The view of an assignment."""
        return cls(
            id=strawberry.ID(record.id),
            node_id=strawberry.ID(record.node),
            node_kind=record.node_kind,
            table=record.table,
            workspace=record.workspace,
            user=record.user,
            role=record.role,
            assigned_by=record.assigned_by,
            assigned_at=record.assigned_at,
            due_at=record.due_at,
            note=record.note,
        )


@strawberry.type
class AssignmentQuery:
    """The caller's review queue."""

    @strawberry.field(
        description="Open conflicts and change requests assigned to you or to a role you hold, "
        "oldest assignment first, with due dates.",
        extensions=authenticated(),
    )
    async def my_queue(
        self, info: GraceInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Assignment]:
        context = info.context
        actors.acting_user(context, Action.READ)
        size = page_size(first)
        records = await actors.assignments(context.services).queue(
            context.access.caller(),
            limit=size + 1,
            after=after_time(after),
            **await readable_scope(context.access),
        )
        views = [Assignment.of(record) for record in records]
        return connection(views, size, lambda a: time_position(a.assigned_at, str(a.id)))


@strawberry.type
class AssignmentMutation:
    """Assigning reviews."""

    @strawberry.mutation(
        description="Assign an open conflict or change request to a user or to a role of its "
        "workspace (assigning again reassigns); the assignees are notified.",
        extensions=requires(Action.EDIT, on=node_arg("node_id", CONFLICT, CHANGE_REQUEST)),
    )
    async def assign(
        self,
        info: GraceInfo,
        node_id: str,
        user: str | None = None,
        role: Role | None = None,
        note: str = "",
    ) -> Assignment:
        context = info.context
        by = actors.acting_user(context, Action.EDIT)
        node = await find_node(context, "nodeId", node_id, (CONFLICT, CHANGE_REQUEST))
        for table in node.tables:
            await context.access.require(Action.EDIT, table=table)
        note = checked_text("note", note, MAX_NOTE_CHARS)
        assignee = checked_id("user", user) if user is not None else None
        subject = await subject_of(context, node)
        record = await actors.assignments(context.services).assign(
            subject, by=f"user:{by}", user=assignee, role=role, note=note
        )
        return Assignment.of(record)
