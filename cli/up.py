"""`grace up` and `grace with-services`: the local stack (`cli/stack/`) started, watched and
stopped from the shell."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import FreshOption, ProfileOption, err, out, run, settings_for, with_graph
from cli.ingest import ingest_with_progress, print_overview, print_summary
from cli.trust import print_report, recompute

if TYPE_CHECKING:
    from api.prestart import PrestartReport
    from cli.stack.stack import LocalStack
    from graph.schema_store import SyncedVersion
    from graph.settings import Settings

app = typer.Typer()

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@app.command()
def up(
    profile: ProfileOption = None,
    fresh: FreshOption = False,
    api: Annotated[
        bool, typer.Option(help="Also serve the API and run the ingestion worker and watcher.")
    ] = True,
    demo: Annotated[
        bool, typer.Option(help="Ingest the demo (examples/sources/) once everything is up.")
    ] = True,
) -> None:
    """Start Neo4j, Redis, the API, the worker and the watcher; Ctrl-C stops them all.

    Ports: NEO4J_URI, GRACE_NEO4J_HTTP_PORT, REDIS_URL, GRACE_API_PORT; data: GRACE_DATA_DIR.
    """
    from cli.stack.stack import LocalStack, StackConfig
    from graph.settings import Profile

    settings = settings_for(profile)
    stack = LocalStack(settings, StackConfig.from_settings(settings, with_api=api, fresh=fresh))
    started = time.monotonic()
    try:
        print_prestart(run(stack.start(_step)))
        if fresh:
            _forget_audit_anchor(stack.settings)
        if settings.profile is Profile.DEV:
            _first_admin(stack.settings)
        if demo:
            _demo(stack)
        for name, url in stack.urls.items():
            out.print(f"  {name:<14} {url}")
        out.print(
            f"Neo4j user [bold]{settings.neo4j_user}[/]; logs in {settings.data_dir / 'logs'}"
        )
        folders = ", ".join(str(folder) for folder in settings.watch_dirs)
        out.print(f"Watching {folders}: drop files into a subfolder (one per source).")
        out.print(f"Grace is up ({time.monotonic() - started:.0f} s). Press Ctrl-C to stop.")
        run(_supervise(stack))
    finally:
        out.print("stopping...")
        with signals_ignored():
            codes = stack.stop()
        out.print(
            "stopped: " + ", ".join(f"{name} ({_exit(code)})" for name, code in codes.items())
        )


def _step(message: str) -> None:
    out.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {message}", highlight=False)


def _demo(stack: LocalStack) -> None:
    """Ingest the demo's sources with the after-ingest pass, then say what Grace found."""
    from ingest.demo import demo_sources
    from trust.overview import read_overview

    settings = stack.settings
    sources = demo_sources(settings.root)
    _step(f"ingesting the demo ({sources})")
    report = ingest_with_progress(settings, [sources], out)
    print_summary(report, out)
    if report.passes:  # new documents: estimate the sources now, not at the nightly pass
        _step("a full trust pass: sources are estimated from what they claim")
        print_report(run(recompute(settings, out)), out)
    overview = with_graph(settings, read_overview)
    print_overview(overview, out)
    out.print(f"the demo's answer key: {sources.parent / 'README.md'}")
    example = next((group.example for group in overview.conflicts if group.example), None)
    _where_next(stack, example)


def _where_next(stack: LocalStack, entity: str | None) -> None:
    """The commands and queries that show what the demo found."""
    out.print("[bold]where to look next[/]:")
    out.print("  grace conflicts list               the open conflicts and what Grace suggests")
    if entity is not None:
        out.print(
            f"  grace browser {entity:<20} Neo4j Browser on that entity's rows, documents "
            "and sources (Grace's guide opens on connect: :play)",
            highlight=False,
        )
    if stack.config.api_port is not None:
        out.print(f"  {stack.urls['GraphQL']} (header X-API-Key: the admin key):", highlight=False)
        out.print(
            "    { conflicts(status: OPEN) { nodes { id attribute entity { table key } "
            "suggestion { value confidence } } } }",
            highlight=False,
        )


def print_prestart(report: PrestartReport) -> None:
    """Migrations applied, table and policy versions, and what waits for approval."""
    out.print(f"migrations applied: {len(report.migrations)}")
    print_versions(report.schema_versions)
    for version in report.policies.versions:
        out.print(f"policy {version.name}: version {version.version} ({version.status})")
    if report.policies.requests:
        out.print("changed policies wait for approval: grace requests list")


def print_versions(versions: list[SyncedVersion]) -> None:
    """One line per synced table version (or that nothing changed)."""
    if not versions:
        out.print("schemas: unchanged")
    for version in versions:
        out.print(f"schema {version.table}: version {version.version} ({version.status})")
    if any(version.status == "proposed" for version in versions):
        out.print("changed tables wait for approval: grace requests list")


def _forget_audit_anchor(settings: Settings) -> None:
    """A fresh database starts its audit chain again: the anchor the secret store kept of the
    old one would make it read as truncated."""
    from governance.audit import MAIN_CHAIN
    from governance.checkpoint import drop_anchor
    from governance.secrets import open_secret_store

    if drop_anchor(open_secret_store(settings), MAIN_CHAIN) is not None:
        _step(f"--fresh: the audit anchor of the old database (chain {MAIN_CHAIN!r}) was dropped")


def _first_admin(settings: Settings) -> None:
    """In dev, the first start creates the admin user and prints their API key once."""
    from governance.audit import AuditLog
    from governance.first_admin import ensure_first_admin

    issued = with_graph(settings, lambda graph: ensure_first_admin(graph, AuditLog(graph)))
    if issued is None:
        return
    token = settings.data_dir / "admin-token"
    token.write_text(issued.token.get_secret_value() + "\n", encoding="utf-8")
    token.chmod(0o600)
    out.print(f"created user [bold]admin[/]; its API key is in {token} (mode 600, dev only)")


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
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
    """Restart what exits on its own until Ctrl-C; stop with a clear message when a service
    keeps exiting."""
    from cli.stack.supervisor import RestartPolicy, supervise

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    policy = RestartPolicy()
    gave_up = await supervise(stack.processes, policy, stop, _step)
    if gave_up is not None:
        process = gave_up.process
        err.print(
            f"[bold red]{process.name} exited {policy.limit + 1} times within "
            f"{policy.window_seconds / 60:g} min (last exit code {gave_up.exit_code}); "
            f"stopping everything.[/] log: {process.log_path}",
            highlight=False,
        )
        raise typer.Exit(1)


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
    from cli.stack.stack import LocalStack, StackConfig

    if not ctx.args:
        raise typer.BadParameter("give the command to run after --, e.g. -- pytest")
    config = StackConfig(
        data_dir=data_dir.resolve(),
        bolt_port=bolt_port,
        http_port=http_port,
        redis_port=redis_port,
        api_port=None,
        fresh=fresh,
    )
    stack = LocalStack(settings_for(None), config)
    try:
        with _terminate_raises():
            print_prestart(run(stack.start(_step)))
            if fresh:
                _forget_audit_anchor(stack.settings)
            code = subprocess.call(ctx.args, env={**os.environ, **stack.env})
    finally:
        with signals_ignored():
            stack.stop()
    raise typer.Exit(code)


@contextlib.contextmanager
def _terminate_raises() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl-C does, through `finally` (the services are stopped,
    the command run is killed), instead of leaving Neo4j and Redis running."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
