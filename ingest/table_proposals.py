"""Tables proposed for files that fit none (and suggested by the co-pilot, `api.schema_proposal`):
never guessed silently, never applied without approval.

The inferred definition is stored as a `proposed` SchemaVersion and a `schema` change request
asks for approval under the rules in force (`schema.create`, falling back to `schema`). On
approval the version is activated (`governance.appliers`); the file, which waits for it, is
ingested again at its next scan or queueing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue, ValidationError

from governance.approvals import Approvals
from governance.policy import PolicySet
from graph.graph import Graph
from graph.model import ReviewStatus
from graph.schema_store import table_params
from graph.schemas import TableSchema

REQUESTER = "system:ingest"
WORKSPACE = "default"


@dataclass(frozen=True)
class ProposedTable:
    """A stored proposal and the change request that decides it."""

    table: str
    version: int
    request: str


class TableProposals:
    """Proposes inferred tables for approval, once per definition."""

    def __init__(self, graph: Graph, approvals: Approvals, policies: PolicySet) -> None:
        self._graph = graph
        self._approvals = approvals
        self._policies = policies

    async def propose(
        self,
        table: TableSchema,
        origin: str,
        *,
        requested_by: str = REQUESTER,
        document_id: str | None = None,
    ) -> ProposedTable:
        """Store the definition (once) and open its `schema.create` change request (once).
        `origin` says where the definition comes from; the document, when given, waits for
        the approval, and a table inferred for it joins an open proposal inferred with the
        same fields and entity key under another name (files of one shape named apart, such
        as two suppliers' catalogues, wait for one table and so meet in it)."""
        open_requests = await self._approvals.list(
            ReviewStatus.OPEN, kind="schema.create", limit=1000
        )
        if document_id is not None:
            table = same_shape(table, [request.payload for request in open_requests]) or table
        [version] = await self._graph.write(
            "schemas/propose_table", {"document_id": document_id, "table": table_params(table)}
        )
        for request in open_requests:
            payload = request.payload
            if (payload.get("table"), payload.get("version")) == (table.name, version["version"]):
                return ProposedTable(version["table"], version["version"], request.id)
        opened = await self._approvals.open(
            kind="schema.create",
            title=f"create table {table.name} ({origin})",
            payload={
                "table": version["table"],
                "version": version["version"],
                "definition": table.model_dump(mode="json", exclude_none=True),
                "document": document_id,
            },
            requested_by=requested_by,
            workspace=WORKSPACE,
            rule=self._policies.approval_rule("schema.create"),
            target_id=document_id,
        )
        return ProposedTable(version["table"], version["version"], opened.id)


def same_shape(table: TableSchema, proposals: list[dict[str, JsonValue]]) -> TableSchema | None:
    """The table of the first proposal inferred for a file (one naming its document) with
    `table`'s fields and entity key under another name, if any."""
    for payload in proposals:
        definition = payload.get("definition")
        if payload.get("document") is None or not isinstance(definition, dict):
            continue
        try:
            proposed = TableSchema.model_validate(definition)
        except ValidationError:  # stored under an older definition format: not joined
            continue
        same = (proposed.fields, proposed.entity_key) == (table.fields, table.entity_key)
        if same and proposed.name != table.name:
            return proposed
    return None
