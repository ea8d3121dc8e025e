"""A GraphQL operation run in this process as one caller, with the API's own permission
checks: what the MCP server and the `grace` commands that show what the API shows use."""

from __future__ import annotations

from typing import Any

from api.gql.context import GraceContext
from api.schema import build_schema
from api.services import Services
from governance.rbac import Principal


async def execute(
    services: Services, principal: Principal | None, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The data of `query` run as `principal`; its first error raised (a `GraceError` as
    itself)."""
    schema = build_schema(services.settings.profile)
    context = GraceContext(services, principal)
    result = await schema.execute(query, variables, context_value=context)
    if result.errors:
        raise result.errors[0].original_error or RuntimeError(result.errors[0].message)
    data: dict[str, Any] = result.data or {}
    return data
