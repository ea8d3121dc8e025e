"""`grace sources list|show`: sources by trust, with their claims, their accuracy against the
active facts by table and attribute (with the accuracy the trust engine votes with on each
attribute, the one behind its votes on facts), and the copying the last full trust pass
found. The commands run the API's own `sources` and `source` queries in this process (as
Grace, or `--as` a user, with that user's tables), so they show what GraphQL shows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import (
    ProfileOption,
    WideOption,
    make_table,
    out,
    resolve,
    settings_for,
    with_services,
)
from graph.ids import IdKind

if TYPE_CHECKING:
    from api.services import Services

app = typer.Typer()
sources_app = typer.Typer(
    help="Sources: trust, claims, accuracy and suspected copying.", invoke_without_command=True
)
app.add_typer(sources_app, name="sources")

LISTED_FIELDS = """
  id kind location trust estimated tables claims
  accuracyByTable { table claims checked agreeing accuracy }
  copies { source probability sharedTrue sharedFalse since }
"""
LIST_QUERY = (
    "query($table: String, $minTrust: Float, $first: Int) {"
    " sources(table: $table, minTrust: $minTrust, first: $first) {"
    f" totalCount nodes {{ {LISTED_FIELDS} }} }} }}"
)
SHOW_QUERY = (
    "query($id: ID!) { source(id: $id) {"
    f" {LISTED_FIELDS}"
    " accuracyByAttribute { table attribute claims checked agreeing accuracy votesWith }"
    " copiedBy { source probability sharedTrue sharedFalse since } } }"
)

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Read as this user: their tables only (default: every table)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]


def _query(profile: str | None, user: str | None, query: str, variables: dict[str, Any]) -> Any:
    async def work(services: Services) -> dict[str, Any]:
        from api.local_query import execute
        from governance.accounts import load_principal
        from governance.rbac import Principal

        principal = (
            Principal.system("cli") if user is None else await load_principal(services.graph, user)
        )
        return await execute(services, principal, query, variables)

    return with_services(settings_for(profile), work)


@sources_app.callback()
def sources(context: typer.Context) -> None:
    """Sources: trust, claims, accuracy and suspected copying."""
    if context.invoked_subcommand is None:  # `grace sources` alone lists them
        list_sources(None, None, 50, None, False, False, None)


@sources_app.command("list")
def list_sources(
    table: Annotated[str | None, typer.Option(help="Only sources of this table.")] = None,
    min_trust: Annotated[float | None, typer.Option(help="Only sources at least this trusted.")] = (
        None
    ),
    limit: Annotated[int, typer.Option(min=1, max=80, help="At most this many.")] = 50,
    reader: AsOption = None,
    as_json: JsonOption = False,
    wide: WideOption = False,
    profile: ProfileOption = None,
) -> None:
    """Sources, most trusted first: claims, accuracy by table, suspected copying."""
    variables = {"table": table, "minTrust": min_trust, "first": limit}
    page = _query(profile, reader, LIST_QUERY, variables)["sources"]
    if as_json:
        out.print_json(json.dumps(page))
        return
    view = make_table("source", "trust", "claims", "accuracy by table", "copies", wide=wide)
    for source in page["nodes"]:
        view.add_row(
            source["id"],
            f"{source['trust']:.2f}",
            f"{source['claims']:,}",
            _accuracies(source["accuracyByTable"], "table"),
            _copying(source["copies"]),
        )
    out.print(view)
    out.print(f"{len(page['nodes'])} of {page['totalCount']} source(s)")


@sources_app.command("show")
def show_source(
    source_id: str,
    reader: AsOption = None,
    as_json: JsonOption = False,
    profile: ProfileOption = None,
) -> None:
    """One source (its id, its name, or the start of either): trust, claims, accuracy by
    table and attribute, copying both ways."""
    source_id = resolve(settings_for(profile), IdKind.SOURCE, source_id)
    source = _query(profile, reader, SHOW_QUERY, {"id": source_id})["source"]
    if source is None:
        out.print(f"no source {source_id!r} (unknown, never scored, or of no table you may read)")
        raise typer.Exit(1)
    if as_json:
        out.print_json(json.dumps(source))
        return
    basis = "estimated by a full pass" if source["estimated"] else "starting trust"
    out.print(f"[bold]{source['id']}[/]  trust {source['trust']:.2f} ({basis})", highlight=False)
    out.print(f"claims {source['claims']:,} in {', '.join(source['tables'])}", highlight=False)
    out.print(f"accuracy by table: {_accuracies(source['accuracyByTable'], 'table')}")
    out.print(f"accuracy by attribute: {_accuracies(source['accuracyByAttribute'], 'attribute')}")
    out.print(f"copies: {_copying(source['copies'])}", highlight=False)
    out.print(f"copied by: {_copying(source['copiedBy'])}", highlight=False)


def _accuracies(rows: list[dict[str, Any]], by: str) -> str:
    """`table 0.93 (41/44)`, or `table.attribute 0.93 (41/44) votes 0.91/0.95` (the accuracy
    the engine votes with on each half of the attribute's items), joined; `-` where none was
    checked."""
    shown = []
    for row in rows:
        name = row["table"] if by == "table" else f"{row['table']}.{row['attribute']}"
        value = "-" if row["accuracy"] is None else f"{row['accuracy']:.2f}"
        votes = "/".join(f"{v:.2f}" for v in row.get("votesWith") or ())
        shown.append(f"{name} {value} ({row['agreeing']}/{row['checked']})")
        shown[-1] += f" votes {votes}" if votes else ""
    return ", ".join(shown) or "-"


def _copying(edges: list[dict[str, Any]]) -> str:
    """`other (p 0.97)`, joined; `-` for none."""
    return ", ".join(f"{edge['source']} (p {edge['probability']:.2f})" for edge in edges) or "-"
