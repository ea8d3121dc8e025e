"""The GraphQL schema (Strawberry): the root types merged from one module per area of
`api/gql/`, with the limits every operation passes before any resolver runs."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from api.gql.catalog import CatalogQuery
from api.gql.errors import ErrorCodes
from api.gql.system import SystemQuery
from graph.settings import Profile

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_BATCHED_OPERATIONS = 10

Query = merge_types("Query", (SystemQuery, CatalogQuery))


def build_schema(profile: Profile) -> strawberry.Schema:
    """The schema for one deployment profile."""
    return strawberry.Schema(
        query=Query,
        config=StrawberryConfig(batching_config={"max_operations": MAX_BATCHED_OPERATIONS}),
        extensions=[
            partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
            partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
            partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
            ErrorCodes,
        ],
    )
