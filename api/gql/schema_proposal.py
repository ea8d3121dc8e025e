"""The co-pilot's `proposeSchema` mutation: a table suggested for a file, proposed as a
change request (`api.schema_proposal`); approving the request applies it, nothing else does."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from api.gql.arguments import checked_text
from api.gql.context import GraceInfo
from api.gql.mutations import ingestion_workspace
from api.gql.permissions import requires
from api.schema_proposal import SchemaProposal, propose_schema
from governance.rbac import Action

MAX_FILE_NAME = 255


@strawberry.type(description="A table suggested for a file, waiting in a change request.")
class ProposedSchema:
    table: str
    version: int = strawberry.field(description="The proposed (not active) version.")
    change_request: strawberry.ID = strawberry.field(description="The request that decides it.")
    mode: str = strawberry.field(
        description="`inferred` (Grace's inference alone) or `model` (refined by the model)."
    )
    definition: JSON = strawberry.field(description="The proposed table definition.")
    tokens: int = strawberry.field(description="Model tokens spent on it.")

    @classmethod
    def of(cls, proposal: SchemaProposal) -> ProposedSchema:
        """The GraphQL view of a proposal."""
        return cls(
            table=proposal.table.name,
            version=proposal.version,
            change_request=strawberry.ID(proposal.change_request),
            mode=proposal.mode,
            definition=cast(JSON, proposal.table.model_dump(mode="json", exclude_none=True)),
            tokens=proposal.usage.tokens,
        )


@strawberry.type
class SchemaProposalMutation:
    """The co-pilot's schema suggestion."""

    @strawberry.mutation(
        description="Suggest a table for a file (its text content) from Grace's inference "
        "and the configured model, and open a change request proposing it; nothing is "
        "applied until the request is approved. Needs `ingest` on the workspace.",
        extensions=requires(Action.INGEST, on=ingestion_workspace),
    )
    async def propose_schema(
        self, info: GraceInfo, file_name: str, content: str, table: str | None = None
    ) -> ProposedSchema:
        context = info.context
        name = checked_text("fileName", file_name, MAX_FILE_NAME, required=True).strip()
        proposal = await propose_schema(
            context.services, context.access, name, content.encode(), table
        )
        return ProposedSchema.of(proposal)
