"""The co-pilot's `View` of one caller, from the same `Access` every GraphQL resolver uses
(GraphQL's `ask` and the MCP server share it)."""

from __future__ import annotations

from api.gql.access import Access
from copilot.visibility import View
from governance.rbac import Action


async def view_of(access: Access) -> View:
    """What the caller of `access` may see of co-pilot results."""
    known = frozenset((await access.table_workspaces()).keys())
    return await View.load(
        access.graph,
        readable=await access.tables(Action.READ),
        readable_pii=await access.tables(Action.READ_PII),
        whole_workspace=access.may_read_workspace(),
        known_tables=known,
    )
