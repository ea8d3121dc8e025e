"""The `grace` command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from api.access_commands import ensure_first_admin, keys_app, users_app, workspaces_app
from api.approval_commands import requests_app
from api.audit_commands import audit_app
from api.conflict_commands import conflicts_app, rows_app
from api.ingest_commands import ingest_paths, print_summary, run_watcher, run_worker
from api.policy_commands import policy_app
from api.prestart import PrestartReport, prestart, sync_schemas
from api.secret_commands import secrets_app
from api.services import with_graph
from api.stack.stack import LocalStack, StackConfig
from api.trust_commands import (
    ExportFormat,
    export_facts,
    print_report,
    print_train_report,
    recompute,
    train,
)
from governance.audit import AuditLog
from graph.errors import GraceError
from graph.events import EventBus
from graph.graph import Graph
from graph.schema_store import SyncedVersion
from graph.settings import Profile, Settings, load_settings
from ingest.service import OutcomeStatus

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

app = typer.Typer(help="Grace: a knowledge graph with provenance, trust and governance.")
schemas_app = typer.Typer(help="The table definitions in schemas/.")
app.add_typer(schemas_app, name="schemas")
trust_app = typer.Typer(help="Trust scores of rows, documents and sources.")
app.add_typer(trust_app, name="trust")
facts_app = typer.Typer(help="Resolved facts: one value per entity and attribute.")
app.add_typer(facts_app, name="facts")
app.add_typer(conflicts_app, name="conflicts")
app.add_typer(rows_app, name="rows")
app.add_typer(policy_app, name="policy")
app.add_typer(requests_app, name="requests")
app.add_typer(audit_app, name="audit")
app.add_typer(secrets_app, name="secrets")
app.add_typer(users_app, name="users")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(keys_app, name="keys")

out = Console()
err = Console(stderr=True)

ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="dev, staging or prod (default: GRACE_PROFILE).")
]
FreshOption = Annotated[
    bool, typer.Option("--fresh", help="Start from empty Neo4j and Redis data folders.")
]


def main() -> None:
    """Entry point of the `grace` console script: Grace's errors become one clear line."""
    try:
        app()
    except GraceError as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False)
        sys.exit(1)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _print_prestart(report: PrestartReport) -> None:
    out.print(f"migrations applied: {len(report.migrations)}")
    _print_versions(report.schema_versions)
    for version in report.policies.versions:
        out.print(f"policy {version.name}: version {version.version} ({version.status})")
    if report.policies.requests:
        out.print("changed policies wait for approval: grace requests list")


def _print_versions(versions: list[SyncedVersion]) -> None:
    if not versions:
        out.print("schemas: unchanged")
    for version in versions:
        out.print(f"schema {version.table}: version {version.version} ({version.status})")
    if any(version.status == "proposed" for version in versions):
        out.print("changed tables wait for approval: grace requests list")


def _first_admin(settings: Settings) -> None:
    """In dev, the first start creates the admin user and prints their API key once."""
    issued = _run(with_graph(settings, lambda graph: ensure_first_admin(graph, AuditLog(graph))))
    if issued is None:
        return
    token = settings.data_dir / "admin-token"
    token.write_text(issued.token.get_secret_value() + "\n", encoding="utf-8")
    token.chmod(0o600)
    out.print(f"created user [bold]admin[/]; its API key is in {token} (mode 600, dev only)")


@app.command()
def up(
    profile: ProfileOption = None,
    fresh: FreshOption = False,
    api: Annotated[
        bool, typer.Option(help="Also serve the API and run the ingestion worker and watcher.")
    ] = True,
    demo: Annotated[bool, typer.Option(help="Ingest examples/ once everything is up.")] = True,
) -> None:
    """Start Neo4j, Redis, the API, the worker and the watcher; Ctrl-C stops them all."""
    settings = load_settings(profile)
    stack = LocalStack(settings, StackConfig.from_settings(settings, with_api=api, fresh=fresh))
    out.print("starting Neo4j and Redis (the first start builds the Neo4j launcher with Maven)...")
    try:
        _print_prestart(_run(stack.start()))
        if settings.profile is Profile.DEV:
            _first_admin(stack.settings)
        for name, url in stack.urls.items():
            out.print(f"  {name:<14} {url}")
        out.print(
            f"Neo4j user [bold]{settings.neo4j_user}[/]; logs in {settings.data_dir / 'logs'}"
        )
        if demo:
            examples = settings.root / "examples"
            print_summary(_run(ingest_paths(stack.settings, [examples], out)), out)
        folders = ", ".join(str(folder) for folder in settings.watch_dirs)
        out.print(f"Watching {folders}: drop files into a subfolder (one per source).")
        out.print("Grace is up. Press Ctrl-C to stop.")
        _run(_supervise(stack))
    finally:
        out.print("stopping...")
        with _signals_ignored():
            codes = stack.stop()
        out.print(
            "stopped: " + ", ".join(f"{name} ({_exit(code)})" for name, code in codes.items())
        )


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """A second Ctrl-C (or SIGTERM) must not cut the shutdown short and orphan services."""
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _exit(code: int | None) -> str:
    # uvicorn re-raises the SIGTERM it handled, so -SIGTERM is a clean stop too.
    return "clean" if code in (0, -signal.SIGTERM) else f"exit {code}"


async def _supervise(stack: LocalStack) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    while not stop.is_set():
        exited = stack.exited()
        if exited:
            names = ", ".join(f"{p.name} (exit {p.exit_code()}, log {p.log_path})" for p in exited)
            err.print(f"[bold red]a service stopped on its own:[/] {names}")
            raise typer.Exit(1)
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            continue


@app.command(
    "with-services",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def with_services(
    ctx: typer.Context,
    data_dir: Annotated[Path, typer.Option(help="Where the services keep data.")] = Path(
        "var/test"
    ),
    bolt_port: Annotated[int, typer.Option(help="Neo4j Bolt port.")] = 17687,
    http_port: Annotated[int, typer.Option(help="Neo4j HTTP port.")] = 17474,
    redis_port: Annotated[int, typer.Option(help="Redis port.")] = 16379,
    fresh: FreshOption = False,
) -> None:
    """Run a command (after `--`) against a Neo4j and Redis started for it, then stop them.

    The command sees NEO4J_URI, NEO4J_PASSWORD and REDIS_URL; its exit code is returned.
    """
    if not ctx.args:
        raise typer.BadParameter("give the command to run after --, e.g. -- pytest")
    settings = load_settings()
    config = StackConfig(
        data_dir=data_dir.resolve(),
        bolt_port=bolt_port,
        http_port=http_port,
        redis_port=redis_port,
        api_port=None,
        fresh=fresh,
    )
    stack = LocalStack(settings, config)
    try:
        _print_prestart(_run(stack.start()))
        code = subprocess.call(ctx.args, env={**os.environ, **stack.env})
    finally:
        with _signals_ignored():
            stack.stop()
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (a folder's subfolders are sources).")
    ],
    profile: ProfileOption = None,
) -> None:
    """Ingest files or folders once, with a progress bar and a summary; exit 1 if any failed."""
    settings = load_settings(profile)
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}")
    outcomes = _run(ingest_paths(settings, paths, out))
    print_summary(outcomes, out)
    failed = any(outcome.status is OutcomeStatus.FAILED for outcome in outcomes)
    raise typer.Exit(1 if failed else 0)


@app.command()
def worker(profile: ProfileOption = None) -> None:
    """Run the ingestion worker (arq) until SIGTERM or Ctrl-C."""
    _log_to_stderr()
    _run(run_worker(load_settings(profile)))


@app.command()
def watch(profile: ProfileOption = None) -> None:
    """Watch the configured folders and queue every new or changed file, until stopped."""
    _log_to_stderr()
    _run(_until_signal(run_watcher(load_settings(profile))))


def _log_to_stderr() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


async def _until_signal(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(work)
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


@trust_app.command("recompute")
def trust_recompute(profile: ProfileOption = None) -> None:
    """Recompute every trust score and fact now (decay applied), with a progress bar."""
    report = _run(recompute(load_settings(profile), out))
    print_report(report, out)


@trust_app.command("train")
def trust_train(profile: ProfileOption = None) -> None:
    """Train the trust model on people's decisions; in force if it beats the combined score."""
    print_train_report(_run(train(load_settings(profile))), out)


@facts_app.command("export")
def facts_export(
    table: Annotated[str, typer.Option("--table", help="The table whose facts to write.")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="csv or jsonl.")
    ] = ExportFormat.CSV,
    output: Annotated[
        Path | None, typer.Option("--output", help="A file (default: stdout).")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """One line per entity and attribute: key, attribute, value, confidence, supporting and
    contradicting sources."""
    count = _run(export_facts(load_settings(profile), table, export_format, output))
    if output is not None:
        out.print(f"{count} facts written to {output}")


@app.command("migrate")
def migrate_command(profile: ProfileOption = None) -> None:
    """Apply pending migrations and sync the table definitions (idempotent)."""
    settings = load_settings(profile)
    _print_prestart(_run(with_graph(settings, lambda graph: prestart(graph, settings))))


@schemas_app.command("sync")
def schemas_sync(profile: ProfileOption = None) -> None:
    """Validate every file in schemas/ and write changed definitions as new versions."""
    settings = load_settings(profile)
    versions = _run(with_graph(settings, lambda graph: sync_schemas(graph, settings)))
    _print_versions(versions)


@app.command()
def status(profile: ProfileOption = None) -> None:
    """Whether Neo4j and Redis answer, and how many nodes each label has."""
    settings = load_settings(profile)
    healthy = _run(_status(settings))
    raise typer.Exit(0 if healthy else 1)


async def _versions_and_counts(graph: Graph) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    [versions] = await graph.read("admin/plugin_versions")
    return versions, await graph.read("admin/count_labels")


async def _status(settings: Settings) -> bool:
    bus = EventBus.from_settings(settings)
    try:
        redis_ok = await bus.ping()
    finally:
        await bus.close()
    out.print(f"Redis {settings.redis_url}: {'[green]up[/]' if redis_ok else '[red]down[/]'}")
    try:
        versions, counts = await with_graph(settings, _versions_and_counts)
    except GraceError as error:
        out.print(f"Neo4j {settings.neo4j_uri}: [red]down[/] ({error})")
        return False
    out.print(
        f"Neo4j {settings.neo4j_uri}: [green]up[/] (Neo4j {versions['neo4j']} "
        f"{versions['edition']}, APOC {versions['apoc']}, GDS {versions['gds']})"
    )
    table = Table("label", "nodes")
    for record in counts:
        table.add_row(record["label"], str(record["nodes"]))
    out.print(table)
    return redis_ok
