"""Grace as an MCP server (issue 17, item 7), with the official `mcp` SDK.

Tools: `ask`, `run_cypher` (read-only, through the co-pilot's guard), `get_node` (a row,
fact, conflict, entity, document or source with its provenance), `explain_trust` (in words,
from GraphQL's `trustExplanation`), `summarise_conflict` (from GraphQL's `conflict`),
`list_open_conflicts`, `propose_schema` (a table for a file, as a change request);
resources: the graph schema and the table definitions the caller may read (`grace://schema/graph`, `grace://schema/tables`).

Authentication is a Grace API key: over stdio (`grace mcp`) from `GRACE_API_KEY`, checked
once at start; over streamable HTTP (mounted by the API at `/mcp`) from each request's
`Authorization: Bearer` or `X-API-Key` header. Permissions are GraphQL's: the same `Access`,
the same `View`. Every tool call and resource read is written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import FastAPI
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import JsonValue

from api.auth import credential_from_headers
from api.copilot_audit import audit_answer
from api.copilot_view import view_of
from api.gql.access import Access, NotAuthenticatedError
from api.gql.arguments import InvalidArgumentError
from api.schema_proposal import propose_schema as proposal_of
from api.services import Services
from copilot.explain_words import conflict_in_words, trust_in_words
from copilot.grounding import GraphSchema
from copilot.visibility import Visible
from governance.audit import AuditEntry
from governance.rbac import Action, Principal
from graph.errors import GraceError

T = TypeVar("T")
NODE_PROVENANCE = (
    "MATCH (n {id: $id}) "
    "OPTIONAL MATCH (n)-[:EXTRACTED_FROM|DESCRIBES|ABOUT|INVOLVES|FROM_SOURCE]-(m) "
    "RETURN n, collect(m) AS related"
)
"""Checked and filtered like any generated query: a related node the caller may not see
drops the whole answer, so `get_node` falls back to the node alone (`NODE_ALONE`)."""
NODE_ALONE = "MATCH (n {id: $id}) RETURN n"
EXPLANATION = """query($id: ID!) { trustExplanation(nodeId: $id, top: 3) {
  nodeId table score mode sumsTo summary contributions { name value }
  evidence { description weight nodeIds } } }"""

MCP_PATH = "/mcp"
RUN_CYPHER = (
    "Run one read-only Cypher query; $tables is your readable tables. Writes, procedures, "
    "files and labels outside the view are refused."
)
CONFLICT = """query($id: ID!) { conflict(id: $id) { id kind status attribute
  suggestion { value valueRedacted confidence supportingSources contradictingSources reason } } }"""
ServicesOf = Callable[[], Services]


class GraceMcp:
    """The MCP server over one process's services, for callers proved by API key."""

    def __init__(self, services: ServicesOf, principal: Principal | None = None) -> None:
        self._services = services
        self._stdio_principal = principal
        self.server: MCPServer[Any] = MCPServer(
            "grace",
            instructions="Ask Grace's knowledge graph: answers carry their Cypher and the ids "
            "of the rows they rest on; you see only the tables your API key may read.",
        )
        self._register()

    async def access(self, context: Context[Any, Any] | None) -> Access:
        """The caller's `Access`: the stdio principal, or the HTTP request's API key."""
        services = self._services()
        principal = self._stdio_principal
        if principal is None and context is not None:
            request = context.request_context.request
            headers = getattr(request, "headers", None) or {}
            credential = credential_from_headers({k.lower(): v for k, v in headers.items()})
            principal = await services.authenticator.authenticate(credential)
        if principal is None:
            raise NotAuthenticatedError
        return services.access(principal)

    async def audited(
        self, context: Context[Any, Any] | None, action: str, target: str,
        work: Callable[[Access], Awaitable[T]],
    ) -> T:  # fmt: skip
        """Run `work` for the caller once they may read anything, and audit the call; a
        Grace error reaches the client with its code."""
        try:
            access = await self.access(context)
            if not await access.allowed_anywhere(Action.READ):
                raise access.deny(Action.READ, "the co-pilot", "no readable table or workspace")
            entry = AuditEntry(access.caller().actor, f"mcp.{action}", target[:200])
            await self._services().audit.append([entry])
            return await work(access)
        except GraceError as error:
            raise ToolError(f"{error.code}: {error}") from error

    def _register(self) -> None:
        server = self.server

        @server.tool(description="Answer a question about the graph (curated or by model).")
        async def ask(question: str, ctx: Context[Any, Any]) -> dict[str, JsonValue]:
            async def work(access: Access) -> dict[str, JsonValue]:
                services = self._services()
                copilot, actor = await services.copilot.get(), access.caller().actor
                answer = await copilot.ask(question, await view_of(access), actor)
                await audit_answer(services.audit, services.settings, actor, "mcp", answer)
                return {
                    "answered": answer.answered, "text": answer.text, "mode": str(answer.mode),
                    "cypher": answer.cypher, "columns": list(answer.columns),
                    "rows": list[JsonValue](answer.rows), "links": list(answer.links),
                }  # fmt: skip

            return await self.audited(ctx, "ask", question, work)

        @server.tool(description=RUN_CYPHER)
        async def run_cypher(cypher: str, ctx: Context[Any, Any]) -> dict[str, JsonValue]:
            async def work(access: Access) -> dict[str, JsonValue]:
                copilot = await self._services().copilot.get()
                return _visible(await copilot.run_cypher(cypher, await view_of(access)))

            return await self.audited(ctx, "run_cypher", cypher, work)

        @server.tool(description="A row, fact, conflict, entity, document or source by id, "
                     "with the nodes of its provenance you may see.")  # fmt: skip
        async def get_node(node_id: str, ctx: Context[Any, Any]) -> dict[str, JsonValue]:
            async def work(access: Access) -> dict[str, JsonValue]:
                copilot, view = await self._services().copilot.get(), await view_of(access)
                found = await copilot.run_cypher(NODE_PROVENANCE, view, {"id": node_id})
                if not found.rows:
                    found = await copilot.run_cypher(NODE_ALONE, view, {"id": node_id})
                return _visible(found)

            return await self.audited(ctx, "get_node", node_id, work)

        @server.tool(description="Why a row, document or source has its trust, in words.")
        async def explain_trust(node_id: str, ctx: Context[Any, Any]) -> str:
            async def work(access: Access) -> str:
                return trust_in_words(await self.graphql(access, EXPLANATION, {"id": node_id}))

            return await self.audited(ctx, "explain_trust", node_id, work)

        @server.tool(description="A conflict summarised for a reviewer, with its evidence.")
        async def summarise_conflict(conflict_id: str, ctx: Context[Any, Any]) -> str:
            async def work(access: Access) -> str:
                return conflict_in_words(await self.graphql(access, CONFLICT, {"id": conflict_id}))

            return await self.audited(ctx, "summarise_conflict", conflict_id, work)

        @server.tool(description="The open conflicts of the tables you may read.")
        async def list_open_conflicts(ctx: Context[Any, Any], limit: int = 50) -> list[Any]:
            async def work(access: Access) -> list[Any]:
                readable = sorted(await access.tables())
                params = {"tables": readable, "limit": max(1, min(limit, 500))}
                return await self._services().graph.read("copilot/open_conflicts_list", params)

            return await self.audited(ctx, "list_open_conflicts", "conflicts", work)

        @server.tool(description="Suggest a table for a file (its text content) and propose "
                     "it as a change request; nothing is applied until it is approved. Needs "
                     "`ingest` on the workspace.")  # fmt: skip
        async def propose_schema(
            file_name: str, content: str, ctx: Context[Any, Any], table: str | None = None
        ) -> dict[str, JsonValue]:
            async def work(access: Access) -> dict[str, JsonValue]:
                data = content.encode()
                found = await proposal_of(self._services(), access, file_name, data, table)
                return found.summary()

            return await self.audited(ctx, "propose_schema", file_name, work)

        @server.resource(
            "grace://schema/{part}",
            description="The schema you may query: `graph` (labels, relationship types and "
            "properties, in words) or `tables` (your tables' definitions, JSON).",
        )
        async def schema(part: str, ctx: Context[Any, Any]) -> str:
            async def work(access: Access) -> str:
                readable = await access.tables()
                if part == "graph":
                    return (await GraphSchema.load(access.graph, readable)).text()
                if part != "tables":
                    raise InvalidArgumentError("part", "must be graph or tables")
                found = await access.graph.read(
                    "api/catalog_pii_fields", {"tables": sorted(readable)}
                )
                return json.dumps({str(r["table"]): json.loads(r["fields"]) for r in found})

            return await self.audited(ctx, "schema", part, work)

    def mount(self, app: FastAPI, host: str) -> None:
        """Serve streamable HTTP at `/mcp` of `app` (stateless: every request carries its
        key); the caller runs `self.server.session_manager.run()` in the app's lifespan."""
        http = self.server.streamable_http_app(
            streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, host=host
        )
        app.router.routes.extend(http.routes)

    async def graphql(
        self, access: Access, query: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        """Run a GraphQL query as the caller (GraphQL's own permission checks apply)."""
        from api.local_query import execute

        return await execute(self._services(), access.principal, query, variables)


def _visible(found: Visible) -> dict[str, JsonValue]:
    return {
        "columns": list(found.keys),
        "rows": list[JsonValue](found.rows),
        "links": list(found.links),
        "redacted": list(found.redacted),
        "left_out": found.dropped,
        "truncated": found.truncated,
    }
