"""The MCP server through the SDK's own client, over stdio (`grace mcp`) and over streamable
HTTP (mounted by the API): the same permissions as GraphQL, every call audited."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from graph.graph import Graph
from graph.settings import Settings
from tests.integration.api_support import Callers, LiveApi
from tests.integration.copilot_support import OTHER_TABLE, CopilotSeed

pytestmark = pytest.mark.integration

TOOLS = {
    "ask", "run_cypher", "get_node", "explain_trust", "summarise_conflict", "list_open_conflicts",
    "propose_schema",
}  # fmt: skip


def stdio(settings: Settings, key: str | None) -> StdioServerParameters:
    grace = str(Path(sys.executable).with_name("grace"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "GRACE_API_KEY": key or "",
    }
    return StdioServerParameters(command=grace, args=["mcp"], env=env)


def http(api: LiveApi, key: str) -> Any:
    client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=120)
    return streamable_http_client(f"{api.url}/mcp", http_client=client)


def payload(result: Any) -> Any:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content)
    return json.loads(result.content[0].text)


async def test_over_stdio_a_restricted_key_sees_only_its_table(
    settings: Settings, copilot_seed: CopilotSeed, callers: Callers, graph: Graph
) -> None:
    assert callers.restricted.token is not None
    async with Client(stdio(settings, callers.restricted.token)) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        # the seed's rows in both tables (a query of every row is cut at the row limit)
        cypher = (
            f"MATCH (r:Row) WHERE r.key = '{copilot_seed.key}' RETURN r"
            f" // audited {copilot_seed.key}"
        )

        def conflict(table: str) -> str:
            attribute = "population" if table == "cities" else "employees"
            return f"conflict:value:{copilot_seed.entities[table]}:{attribute}"

        found = payload(await client.call_tool("run_cypher", {"cypher": cypher}))
        refused = await client.call_tool("run_cypher", {"cypher": "MATCH (n:Row) DELETE n"})
        schema = await client.read_resource("grace://schema/graph")
        mine = await client.call_tool("summarise_conflict", {"conflict_id": conflict("cities")})
        theirs = await client.call_tool(
            "summarise_conflict", {"conflict_id": conflict(OTHER_TABLE)}
        )
    assert tools >= TOOLS
    assert copilot_seed.markers["cities"] in json.dumps(found)
    assert copilot_seed.markers[OTHER_TABLE] not in json.dumps(found)
    assert refused.is_error
    assert "forbidden_clause" in str(getattr(refused.content[0], "text", ""))
    text = str(getattr(schema.contents[0], "text", ""))
    assert "- cities:" in text
    assert f"- {OTHER_TABLE}:" not in text
    assert "population" in str(getattr(mine.content[0], "text", "")), mine
    assert theirs.is_error
    assert "access_denied" in str(getattr(theirs.content[0], "text", ""))
    audited = await graph.read("testing/copilot_mcp_audit", {"marker": copilot_seed.key})
    assert sorted(r["action"] for r in audited) == [
        "mcp.run_cypher", "mcp.summarise_conflict", "mcp.summarise_conflict"
    ]  # fmt: skip
    assert str(audited[0]["actor"]).startswith("key:")


async def test_over_stdio_a_missing_key_stops_the_server(settings: Settings) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's error when the child exits
        async with Client(stdio(settings, None)) as client:
            await client.list_tools()


async def test_over_http_the_key_of_each_request_decides(
    live_api: LiveApi, copilot_seed: CopilotSeed, callers: Callers
) -> None:
    assert callers.admin.token is not None
    assert callers.restricted.token is not None
    query = {"cypher": f"MATCH (r:Row) WHERE r.values CONTAINS '{copilot_seed.key}' RETURN r"}
    async with Client(http(live_api, callers.admin.token)) as client:
        everything = payload(await client.call_tool("run_cypher", query))
        answer = payload(await client.call_tool("ask", {"question": "list the tables"}))
    async with Client(http(live_api, callers.restricted.token)) as client:
        restricted = payload(await client.call_tool("run_cypher", query))
    assert copilot_seed.markers[OTHER_TABLE] in json.dumps(everything)
    assert copilot_seed.markers[OTHER_TABLE] not in json.dumps(restricted)
    assert answer["answered"]
    assert answer["mode"] == "curated"


async def test_over_http_a_request_without_a_key_is_refused(
    live_api: LiveApi, copilot_seed: CopilotSeed
) -> None:
    async with Client(http(live_api, "grace_not_a_real_key")) as client:
        result = await client.call_tool("run_cypher", {"cypher": "MATCH (r:Row) RETURN r"})
    assert result.is_error


async def test_over_http_propose_schema_opens_a_change_request_for_an_ingest_key_only(
    live_api: LiveApi, callers: Callers, graph: Graph, unique: str
) -> None:
    assert callers.editor.token is not None
    assert callers.viewer.token is not None
    table = f"gauges_{unique}"
    arguments = {"file_name": "gauges.csv", "content": "gauge_id,level\nG1,3\n", "table": table}
    try:
        async with Client(http(live_api, callers.viewer.token)) as client:
            refused = await client.call_tool("propose_schema", arguments)
        async with Client(http(live_api, callers.editor.token)) as client:
            proposed = payload(await client.call_tool("propose_schema", arguments))
        [stored] = await graph.read("testing/schema_proposal", {"table": table})
    finally:
        await graph.write("testing/delete_table_requests", {"names": [table]})
        await graph.write("testing/delete_tables", {"names": [table]})
    assert refused.is_error
    assert "access_denied" in str(getattr(refused.content[0], "text", ""))
    assert proposed["mode"] == "inferred"
    assert stored["statuses"] == ["proposed"]
    assert [(r["id"], r["status"]) for r in stored["requests"]] == [
        (proposed["change_request"], "open")
    ]
