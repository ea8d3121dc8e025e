"""`grace backup` and `grace restore`: the whole graph to a file and back (`graph.backup`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ProfileOption, out, settings_for, with_graph

app = typer.Typer()


@app.command("backup")
def backup_command(
    output: Annotated[Path, typer.Argument(help="The file to write (gzipped JSON Lines).")],
    profile: ProfileOption = None,
) -> None:
    """Write every node and relationship to a file; stop the writers first for a consistent copy."""
    from graph.backup import backup

    started = time.perf_counter()
    summary = with_graph(settings_for(profile), lambda graph: backup(graph, output, _progress))
    out.print(
        f"backed up {summary.nodes} nodes and {summary.relationships} relationships to "
        f"{output} in {time.perf_counter() - started:.1f} s (fingerprint {summary.fingerprint})"
    )


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(help="A file written by `grace backup`.")],
    profile: ProfileOption = None,
) -> None:
    """Restore a backup into an empty database and check its fingerprint."""
    from graph.backup import restore

    started = time.perf_counter()
    summary = with_graph(settings_for(profile), lambda graph: restore(graph, source, _progress))
    out.print(
        f"restored {summary.nodes} nodes and {summary.relationships} relationships in "
        f"{time.perf_counter() - started:.1f} s; fingerprint {summary.fingerprint} matches"
    )


def _progress(what: str, done: int) -> None:
    out.print(f"  {done} {what}", style="dim")
