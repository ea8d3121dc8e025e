"""`grace ask "QUESTION"`: the co-pilot on the command line, as Grace itself (every table) or
`--as` a user (that user's tables); `grace mcp`: the MCP server over stdio."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import ProfileOption, err, out, run, settings_for

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
        from api.copilot_view import view_of
        from api.gql.access import Access
        from governance.accounts import load_principal
        from governance.rbac import Principal

        async with connected(settings_for(profile)) as services:
            principal = (
                await load_principal(services.graph, as_user)
                if as_user
                else Principal.system("cli")
            )
            access = Access(services.graph, services.authorizer, principal)
            copilot = await services.copilot.get()
            result = await copilot.ask(question, await view_of(access), principal.actor)
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
