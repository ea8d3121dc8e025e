"""The `grace` command line: the root of the command groups in `cli/`, each loaded when used.

`grace --help` imports no command module at all: the root lists each command with its
one-line help from `COMMANDS` and imports a module only when one of its commands runs (or
shows its own help). Every module in turn imports the driver, the trust engine or the web
framework only where a command needs them.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

from cli.common import err


@dataclass(frozen=True)
class Entry:
    """Where a command of the root lives: the module whose `app` holds it, and its one-line
    help (a test checks it is the command's own)."""

    module: str
    help: str


COMMANDS: dict[str, Entry] = {
    "up": Entry(
        "cli.up",
        "Start Neo4j, Redis, the API, the worker and the watcher; Ctrl-C stops them all.",
    ),
    "status": Entry(
        "cli.status", "Whether Neo4j and Redis answer, and how many nodes each label has."
    ),
    "ingest": Entry(
        "cli.ingest",
        "Ingest files or folders once, with a progress bar and a summary; exit 1 if any failed.",
    ),
    "runs": Entry("cli.ingest", "Ingestion runs: one per file version, failed ones included."),
    "conflicts": Entry("cli.conflicts", "Contradictions between rows, and their review."),
    "rows": Entry("cli.conflicts", "Quarantine and release of rows."),
    "trust": Entry("cli.trust", "Trust scores of rows, documents and sources."),
    "facts": Entry("cli.trust", "Resolved facts: one value per entity and attribute."),
    "sources": Entry("cli.sources", "Sources: trust, claims, accuracy and suspected copying."),
    "requests": Entry("cli.requests", "Change requests: list, show, approve, reject, comment."),
    "policy": Entry("cli.policy", "The policies in policies/: sync, list, check, diff."),
    "schemas": Entry("cli.status", "The table definitions in schemas/."),
    "browser": Entry(
        "cli.browser",
        "Print the Neo4j Browser link that opens an entity's rows, documents and sources.",
    ),
    "audit": Entry("cli.audit", "The tamper-evident audit log."),
    "users": Entry("cli.access", "People who use Grace."),
    "workspaces": Entry("cli.access", "Workspaces and their members."),
    "keys": Entry("cli.access", "API keys (only their hashes are stored)."),
    "secrets": Entry("cli.secrets", "Secrets and field-encryption keys."),
    "migrate": Entry(
        "cli.status", "Apply pending migrations and sync the table definitions (idempotent)."
    ),
    "worker": Entry("cli.ingest", "Run the ingestion worker (arq) until SIGTERM or Ctrl-C."),
    "watch": Entry(
        "cli.ingest",
        "Watch the configured folders and queue every new or changed file, until stopped.",
    ),
    "backup": Entry(
        "cli.backup",
        "Write every node and relationship to a file; stop the writers first for a "
        "consistent copy.",
    ),
    "restore": Entry(
        "cli.backup", "Restore a backup into an empty database and check its fingerprint."
    ),
    "ask": Entry(
        "cli.ask", "Answer a question about the graph, with the Cypher and the rows it rests on."
    ),
    "propose-schema": Entry(
        "cli.ask",
        "Suggest a table for a file and open a change request proposing it (never applied here).",
    ),
    "mcp": Entry(
        "cli.ask",
        "Serve Grace over MCP on stdio as the owner of the API key in GRACE_API_KEY.",
    ),
    "with-services": Entry(
        "cli.up",
        "Run a command (after `--`) against a Neo4j and Redis started for it, then stop them.",
    ),
}


class _Listed(TyperCommand):
    """A command as `grace --help` lists it, before its module is imported."""


class LazyGroup(TyperGroup):
    """The root group: commands are imported when resolved, listed from `COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        return _Listed(cmd_name, help=entry.help, short_help=entry.help)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name is not None and isinstance(command, _Listed):
            command = load(name)
        return name, command, rest


def load(name: str) -> click.Command:
    """The command `name` of the root, its module imported now."""
    module = importlib.import_module(COMMANDS[name].module)
    group = typer.main.get_group(module.app)
    command = group.commands[name]
    return command


app = typer.Typer(
    cls=LazyGroup,
    help="Grace: a knowledge graph with provenance, trust and governance.",
    no_args_is_help=True,
)


@app.callback()
def _root() -> None:
    """Grace: a knowledge graph with provenance, trust and governance."""


def main() -> None:
    """Entry point of the `grace` console script: Grace's errors become one clear line."""
    from graph.errors import GraceError

    try:
        app()
    except GraceError as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False)
        sys.exit(1)
