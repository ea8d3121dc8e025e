"""Tables proposed for files that fit none (and suggested by the co-pilot, `api.schema_proposal`):
never guessed silently, never applied without approval.

The inferred definition is stored as a `proposed` SchemaVersion and a `schema` change request
asks for approval under the rules in force (`schema.create`, falling back to `schema`). On
approval the version is activated (`governance.appliers`); the file, which waits for it, is
ingested again at its next scan or queueing.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        the approval."""
        [version] = await self._graph.write(
            "schemas/propose_table", {"document_id": document_id, "table": table_params(table)}
        )
        for request in await self._approvals.list(
            ReviewStatus.OPEN, kind="schema.create", limit=1000
        ):
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
