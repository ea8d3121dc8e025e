"""`grace status`, `grace migrate` and `grace schemas sync`: the database and its tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from cli.common import ProfileOption, make_table, opened_graph, out, run, settings_for, with_graph
from cli.up import print_prestart, print_versions

if TYPE_CHECKING:
    from graph.graph import Graph
    from graph.settings import Settings

schemas_app = typer.Typer(help="The table definitions in schemas/.")
app = typer.Typer()
app.add_typer(schemas_app, name="schemas")


@app.command()
def status(profile: ProfileOption = None) -> None:
    """Whether Neo4j and Redis answer, and how many nodes each label has."""
    healthy = run(_status(settings_for(profile)))
    raise typer.Exit(0 if healthy else 1)


@app.command("migrate")
def migrate_command(profile: ProfileOption = None) -> None:
    """Apply pending migrations and sync the table definitions (idempotent)."""
    from api.prestart import prestart

    settings = settings_for(profile)
    print_prestart(with_graph(settings, lambda graph: prestart(graph, settings)))


@schemas_app.command("sync")
def schemas_sync(profile: ProfileOption = None) -> None:
    """Validate every file in schemas/ and write changed definitions as new versions."""
    from api.prestart import sync_schemas

    settings = settings_for(profile)
    print_versions(with_graph(settings, lambda graph: sync_schemas(graph, settings)))


async def _versions_and_counts(graph: Graph) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    [versions] = await graph.read("admin/plugin_versions")
    return versions, await graph.read("admin/count_labels")


async def _status(settings: Settings) -> bool:
    from graph.errors import GraceError
    from graph.events import EventBus

    bus = EventBus.from_settings(settings)
    try:
        redis_ok = await bus.ping()
    finally:
        await bus.close()
    out.print(f"Redis {settings.redis_url}: {'[green]up[/]' if redis_ok else '[red]down[/]'}")
    try:
        versions, counts = await opened_graph(settings, _versions_and_counts)
    except GraceError as error:
        out.print(f"Neo4j {settings.neo4j_uri}: [red]down[/] ({error})")
        return False
    out.print(
        f"Neo4j {settings.neo4j_uri}: [green]up[/] (Neo4j {versions['neo4j']} "
        f"{versions['edition']}, APOC {versions['apoc']}, GDS {versions['gds']})"
    )
    table = make_table("label", "nodes")
    for record in counts:
        table.add_row(record["label"], str(record["nodes"]))
    out.print(table)
    return redis_ok
