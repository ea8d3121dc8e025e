"""`grace ask "QUESTION"`: the co-pilot on the command line, as Grace itself (every table) or
`--as` a user (that user's tables); `grace propose-schema FILE`: a table suggested for a file,
proposed as a change request; `grace mcp`: the MCP server over stdio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import ProfileOption, err, out, run, settings_for

if TYPE_CHECKING:
    from pydantic import JsonValue

    from api.gql.access import Access
    from api.services import Services

app = typer.Typer()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Answer with this user's rights (default: all).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer as JSON.")
    ] = False,
    profile: ProfileOption = None,
) -> None:
    """Answer a question about the graph, with the Cypher and the rows it rests on."""
    from dataclasses import asdict

    from cli.common import connected

    async def answer() -> dict[str, object]:
        from api.copilot_audit import audit_answer
        from api.copilot_view import view_of

        async with connected(settings_for(profile)) as services:
            access = await _access(services, as_user)
            actor = access.caller().actor
            copilot = await services.copilot.get()
            result = await copilot.ask(question, await view_of(access), actor)
            await audit_answer(services.audit, services.settings, actor, "cli", result)
            return asdict(result)

    result = run(answer())
    if as_json:
        out.print_json(json.dumps(result, default=str))
    else:
        out.print(result["text"], highlight=False, soft_wrap=True)
        if result["cypher"]:
            out.print(f"\n[dim]{result['mode']} Cypher:[/dim]", highlight=False)
            out.print(str(result["cypher"]).strip(), highlight=False, soft_wrap=True, markup=False)
    if not result["answered"]:
        err.print("not answered")
        raise typer.Exit(1)


@app.command("propose-schema")
def propose_schema_command(
    file: Annotated[Path, typer.Argument(help="The file to suggest a table for.", exists=True)],
    table: Annotated[
        str | None, typer.Option("--table", help="The table's name (default: the file's stem).")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Propose as this user (needs `ingest`).")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Suggest a table for a file and open a change request proposing it (never applied here)."""
    from cli.common import connected

    async def propose() -> dict[str, JsonValue]:
        from api.schema_proposal import propose_schema

        async with connected(settings_for(profile)) as services:
            access = await _access(services, as_user)
            found = await propose_schema(services, access, file.name, file.read_bytes(), table)
            return found.summary()

    out.print_json(json.dumps(run(propose())))


async def _access(services: Services, as_user: str | None) -> Access:
    """The `Access` of `--as` USER, or of Grace itself (every table) without it."""
    from api.gql.access import Access
    from governance.accounts import load_principal
    from governance.rbac import Principal

    principal = (
        await load_principal(services.graph, as_user) if as_user else Principal.system("cli")
    )
    return Access(services.graph, services.authorizer, principal)


@app.command("mcp")
def mcp_command(profile: ProfileOption = None) -> None:
    """Serve Grace over MCP on stdio as the owner of the API key in GRACE_API_KEY."""
    import os

    from cli.common import connected

    key = os.environ.get("GRACE_API_KEY", "").strip()
    if not key:
        err.print("set GRACE_API_KEY to a Grace API key (grace keys create ...)")
        raise typer.Exit(2)

    async def serve() -> None:
        from api.mcp_server import GraceMcp

        async with connected(settings_for(profile)) as services:
            principal = await services.authenticator.authenticate(key)
            if principal is None:
                err.print("GRACE_API_KEY is not a valid Grace API key")
                raise typer.Exit(2)
            await GraceMcp(lambda: services, principal).server.run_stdio_async()

    run(serve())
