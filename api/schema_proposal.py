"""Suggesting a schema for a file (issue 17, item 5): Grace's inference, refined by the
co-pilot's model when one is configured, proposed as a `schema.create` change request (never
applied here: approval applies it). GraphQL's `proposeSchema`, `grace propose-schema` and the
MCP tool `propose_schema` all come here.

Right: `ingest` on the default workspace, as for uploading a file (a file is matched to its
table there, so a proposal for a new table is the same right); checked before the file is read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import PurePosixPath

from pydantic import JsonValue

from api.gql import actors
from api.gql.access import Access
from api.gql.arguments import InvalidArgumentError
from api.services import Services
from copilot.answers import Usage
from governance.policy_store import active_policy_set
from governance.rbac import DEFAULT_WORKSPACE, Action
from graph.schemas import TableSchema
from ingest.extract import extract
from ingest.inference import infer_table
from ingest.table_proposals import TableProposals

MAX_FILE_BYTES = 2_000_000
"""A larger sample is refused: the first rows are enough to suggest a table."""


@dataclass(frozen=True)
class SchemaProposal:
    """The proposed definition, how it was made, and the change request that decides it."""

    table: TableSchema
    mode: str
    version: int
    change_request: str
    usage: Usage

    def summary(self) -> dict[str, JsonValue]:
        """The proposal as JSON (the MCP tool's result, `grace propose-schema`'s output)."""
        return {
            "table": self.table.name,
            "version": self.version,
            "change_request": self.change_request,
            "mode": self.mode,
            "definition": self.table.model_dump(mode="json", exclude_none=True),
            "tokens": self.usage.tokens,
        }


async def propose_schema(
    services: Services, access: Access, file_name: str, data: bytes, table: str | None = None
) -> SchemaProposal:
    """Suggest a table for the file `data` (named `file_name`) and open its change request,
    as the caller of `access`; `table` names it (default: the file's stem)."""
    await access.require(Action.INGEST, workspace=DEFAULT_WORKSPACE)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidArgumentError("content", f"is longer than {MAX_FILE_BYTES} bytes")
    stem = PurePosixPath(file_name).stem
    if not stem:
        raise InvalidArgumentError("fileName", "must name the file, with its extension")
    principal = access.caller()
    rows = [row.values for row in (await asyncio.to_thread(extract, data, file_name)).rows]
    try:
        inferred = infer_table(table or stem, rows, principal.actor)
    except ValueError as error:
        raise InvalidArgumentError("content", f"has no table to suggest: {error}") from error
    copilot = await services.copilot.get()
    suggestion = await copilot.suggest_table(inferred, rows, principal.actor)
    proposals = TableProposals(
        services.graph, actors.approvals(services), await active_policy_set(services.graph)
    )
    proposed = await proposals.propose(
        suggestion.table,
        f"suggested by the co-pilot ({suggestion.mode}) from {file_name}",
        requested_by=principal.user_id or principal.actor,
    )
    return SchemaProposal(
        suggestion.table, suggestion.mode, proposed.version, proposed.request, suggestion.usage
    )
