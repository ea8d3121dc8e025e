"""`grace browser [ENTITY]`: the Neo4j Browser link that opens an entity's provenance."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import ProfileOption, out, settings_for

app = typer.Typer()


@app.command()
def browser(
    entity: Annotated[
        str | None,
        typer.Argument(help="An entity as TABLE:KEY, e.g. cities:lyon-fr (default: none)."),
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Print the Neo4j Browser link that opens an entity's rows, documents and sources."""
    from graph.browser_links import entity_link
    from graph.cypher_registry import CypherRegistry

    settings = settings_for(profile)
    registry = CypherRegistry.load(settings.cypher_dir)
    out.print(entity_link(settings, registry, entity), highlight=False, soft_wrap=True)
