"""The GraphQL schema (Strawberry): the root types merged from one module per area of
`api/gql/`, with the limits every operation passes before any resolver runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.gql.activity import ActivityQuery
from api.gql.ask import AskQuery, AskSubscription
from api.gql.assignments import AssignmentMutation, AssignmentQuery
from api.gql.audit_views import AuditQuery
from api.gql.catalog import CatalogQuery
from api.gql.comment_events import CommentSubscription
from api.gql.comments import CommentMutation, CommentQuery
from api.gql.errors import ErrorCodes, log_errors
from api.gql.governance_views import GovernanceQuery
from api.gql.mutations import ReviewMutation
from api.gql.notifications import NotificationMutation, NotificationQuery, NotificationSubscription
from api.gql.people import PeopleQuery
from api.gql.provenance import ProvenanceQuery
from api.gql.review import ReviewQuery
from api.gql.runs import IngestionQuery
from api.gql.schema_proposal import SchemaProposalMutation
from api.gql.sources import SourceQuery
from api.gql.subscriptions import LiveSubscription
from api.gql.system import SystemQuery
from api.gql.team_admin import TeamAdminMutation
from api.gql.trust_views import TrustQuery
from api.limits import limit_extensions, schema_config
from graph.settings import Profile

Query = merge_types(
    "Query",
    (
        SystemQuery,
        CatalogQuery,
        IngestionQuery,
        GovernanceQuery,
        AuditQuery,
        PeopleQuery,
        ReviewQuery,
        TrustQuery,
        ProvenanceQuery,
        SourceQuery,
        AskQuery,
        CommentQuery,
        NotificationQuery,
        AssignmentQuery,
        ActivityQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        ReviewMutation,
        CommentMutation,
        NotificationMutation,
        AssignmentMutation,
        TeamAdminMutation,
        SchemaProposalMutation,
    ),
)
Subscription = merge_types(
    "Subscription",
    (LiveSubscription, NotificationSubscription, CommentSubscription, AskSubscription),
)


class GraceSchema(strawberry.Schema):
    """A Strawberry schema that logs a refusal in one line (`api.gql.errors.log_errors`)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the errors of one operation, before they are masked."""
        log_errors(errors, execution_context.operation_name if execution_context else None)


def build_schema(
    profile: Profile, observers: Sequence[Callable[[], SchemaExtension]] = ()
) -> strawberry.Schema:
    """The schema for one deployment profile, `observers` (metrics, tracing) around every
    operation."""
    return schema_for(profile, Query, Mutation, Subscription, observers)


def schema_for(
    profile: Profile,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    observers: Sequence[Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    """A schema over these root types with what every Grace schema has: the limits of
    `api.limits`, error codes, and errors masked in prod."""
    return GraceSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        config=schema_config(),
        extensions=[
            *observers,
            *limit_extensions(profile),
            partial(ErrorCodes, mask=profile is Profile.PROD),
        ],
    )
