"""`grace secrets`: the secret backend's status and field-key rotation. Never prints a value."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cli.common import ProfileOption, err, out
from governance.audit import AuditLog
from governance.encrypted_rows import GraphKeyUsage, RotationReport, rotate_field_key
from governance.encryption import FieldCipher, open_field_cipher
from governance.secrets import open_secret_store
from graph.errors import GraceError
from graph.graph import Graph
from graph.settings import Settings, load_settings

secrets_app = typer.Typer(help="Secrets and field-encryption keys.", no_args_is_help=True)
app = typer.Typer()
app.add_typer(secrets_app, name="secrets")


@secrets_app.command("status")
def status_command(
    usage: Annotated[
        bool, typer.Option("--usage", help="Also count the rows using each key version.")
    ] = False,
    profile: ProfileOption = None,
) -> None:
    """The backend, where secrets live, and the field-key versions (no values)."""
    settings = load_settings(profile)
    try:
        store = open_secret_store(settings)
        keyring = open_field_cipher(settings, store).keyring
        versions = keyring.versions()
        counts = asyncio.run(_usage(settings, versions)) if usage else {}
    except GraceError as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    out.print(f"backend: {settings.secret_backend}")
    out.print(f"secrets: {store.describe()}")
    if settings.secret_backend == "local":  # noqa: S105 - a backend name, not a secret
        source = "GRACE_MASTER_KEY" if settings.master_key else str(settings.master_key_file)
        out.print(f"master key: from {source}")
    out.print(f"field keys: {keyring.describe()}")
    for version in versions:
        primary = " (primary)" if version == versions[-1] else ""
        used = f": {counts[version]:,} rows" if version in counts else ""
        out.print(f"  version {version}{primary}{used}")


@secrets_app.command("rotate-field-key")
def rotate_command(
    retire: Annotated[
        bool, typer.Option("--retire/--keep-old", help="Retire old versions once unused.")
    ] = True,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per page.")] = 500,
    profile: ProfileOption = None,
) -> None:
    """Rotate the field key, rewrap every encrypted row to it, retire the old versions."""
    settings = load_settings(profile)
    try:
        cipher = open_field_cipher(settings, open_secret_store(settings))
        report = asyncio.run(_rotate(settings, cipher, retire=retire, batch_size=batch_size))
    except GraceError as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    _print_rotation(report)
    if report.rewrap.failed or report.still_used:
        raise typer.Exit(1)


async def _rotate(
    settings: Settings, cipher: FieldCipher, *, retire: bool, batch_size: int
) -> RotationReport:
    graph = await Graph.connect(settings)
    try:
        columns = (TextColumn("rewrapping rows"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=out, transient=True) as progress:
            task = progress.add_task("rows", total=None)
            return await rotate_field_key(
                graph,
                cipher,
                AuditLog(graph),
                actor="system:cli",
                progress=lambda done: progress.update(
                    task, total=done.total, completed=done.rows_read
                ),
                retire=retire,
                batch_size=batch_size,
            )
    finally:
        await graph.close()


async def _usage(settings: Settings, versions: list[int]) -> dict[int, int]:
    graph = await Graph.connect(settings)
    try:
        usage = GraphKeyUsage(graph)
        return {version: await usage.references(version) for version in versions}
    finally:
        await graph.close()


def _print_rotation(report: RotationReport) -> None:
    rewrap = report.rewrap
    out.print(f"field key rotated: version {report.previous} -> {report.primary}")
    out.print(
        f"rewrapped {rewrap.tokens:,} values in {rewrap.rows_rewrapped:,} rows "
        f"({rewrap.rows_read:,} read) in {rewrap.seconds:.1f} s"
    )
    if rewrap.skipped:
        out.print(f"[yellow]{rewrap.skipped:,} rows changed meanwhile; run it again[/]")
    if rewrap.failed:
        listed = ", ".join(rewrap.failed_ids)
        err.print(f"[red]{rewrap.failed:,} rows could not be rewrapped[/] (e.g. {listed})")
    if report.retired:
        out.print(f"retired versions: {', '.join(map(str, report.retired))}")
    for version, rows in report.still_used.items():
        err.print(f"[yellow]version {version} kept: {rows:,} rows still use it[/]")
