"""`grace audit`: verify the tamper-evident audit log, checkpoint it, export it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.common import ProfileOption, err, make_table, out
from governance.audit import MAIN_CHAIN, AuditLog, canonical_json
from governance.audit_processes import SegmentProcesses, default_workers
from governance.audit_verify import Progress as ProgressCallback
from governance.audit_verify import VerifyReport, checkpoint_with_store, verify
from governance.checkpoint import Checkpoint, Trust, drop_anchor, read_trust
from governance.secrets import open_secret_store
from graph.graph import Graph
from graph.settings import Settings, load_settings

T = TypeVar("T")

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app = typer.Typer()
app.add_typer(audit_app, name="audit")


ChainOption = Annotated[str, typer.Option("--chain", help="The audit chain.")]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=0,
        show_default=False,
        help="Worker processes that read and check a long chain's ranges side by side "
        "(default: one per core, none on a single core; 0: all in this process). A chain "
        "shorter than two ranges per worker is checked in this process anyway.",
    ),
]


@audit_app.command("verify")
def verify_command(
    checkpoint: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="An exported checkpoint, checked as well."),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="Trust this checkpoint key (hex) instead of reading the secret store "
            "(for an auditor without it; the store's anchor is then not checked).",
        ),
    ] = None,
    chain: ChainOption = MAIN_CHAIN,
    workers: WorkersOption = None,
    profile: ProfileOption = None,
) -> None:
    """Recompute every hash and link of the chain and check it against its signed
    checkpoints; exit code 1 when anything was tampered."""
    settings = load_settings(profile)
    loaded = [Checkpoint.from_file(checkpoint)] if checkpoint is not None else []
    if public_key is not None:
        trust = Trust(frozenset({public_key.lower()}))
        err.print("[yellow]note:[/] trusting the given key; the secret store's anchor is skipped")
    else:
        trust = read_trust(open_secret_store(settings), chain)

    async def work(log: AuditLog, processes: SegmentProcesses | None) -> VerifyReport:
        with _progress("verifying") as progress:
            return await verify(log, trust, loaded, progress, processes=processes)

    report = _with_log(settings, chain, work, workers)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint_command(
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Write the checkpoint here (default: print it)."),
    ] = None,
    chain: ChainOption = MAIN_CHAIN,
    workers: WorkersOption = None,
    profile: ProfileOption = None,
) -> None:
    """Verify the chain, then store, anchor and export a signed checkpoint of it."""
    settings = load_settings(profile)
    store = open_secret_store(settings)

    async def work(log: AuditLog, processes: SegmentProcesses | None) -> Checkpoint:
        with _progress("checkpointing") as progress:
            return await checkpoint_with_store(log, store, progress, processes)

    checkpoint = _with_log(settings, chain, work, workers)
    if output is None:
        out.print_json(checkpoint.to_json())
    else:
        output.write_text(checkpoint.to_json(), encoding="utf-8")
    err.print(
        f"checkpoint of chain {chain!r} at seq {checkpoint.seq}: root {checkpoint.root}"
        + (f", written to {output}" if output is not None else "")
    )


@audit_app.command("drop-anchor")
def drop_anchor_command(
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the chain was started again on purpose.")
    ] = False,
    chain: ChainOption = MAIN_CHAIN,
    profile: ProfileOption = None,
) -> None:
    """Forget the chain's latest checkpoint kept in the secret store, after the database was
    emptied on purpose (otherwise verify and checkpoint report the chain truncated)."""
    if not yes:
        err.print("[red]refused:[/] pass --yes: until the next checkpoint a truncation goes unseen")
        raise typer.Exit(2)
    dropped = drop_anchor(open_secret_store(load_settings(profile)), chain)
    if dropped is None:
        out.print(f"chain {chain!r} has no anchor")
    else:
        out.print(f"anchor of chain {chain!r} at seq {dropped.seq} dropped")


@audit_app.command("export")
def export_command(
    output: Annotated[str, typer.Option("--out", help="A file, or - for standard output.")] = "-",
    after_seq: Annotated[
        int, typer.Option("--after-seq", min=0, help="Only events after this seq.")
    ] = 0,
    chain: ChainOption = MAIN_CHAIN,
    profile: ProfileOption = None,
) -> None:
    """Write the chain's events as JSON Lines (one event per line, in seq order)."""
    settings = load_settings(profile)
    with _output(output) as stream:
        count = _with_log(
            settings, chain, lambda log, _: export_events(log, stream, after_seq), workers=0
        )
    err.print(f"{count} events of chain {chain!r} exported")


async def export_events(log: AuditLog, stream: IO[str], after_seq: int = 0) -> int:
    """Write events after `after_seq` to `stream` as JSON Lines; returns how many.

    Each line is the canonical JSON of one event, so `hash` is the sha256 of the canonical
    JSON of the line without it, and `prev_hash` the `hash` of the line before.
    """
    count = 0
    async for event in log.pages(after_seq):
        stream.write(canonical_json(event.valid().document()).decode("utf-8") + "\n")
        count += 1
    return count


@contextmanager
def _output(name: str) -> Iterator[IO[str]]:
    if name == "-":
        yield sys.stdout
        return
    with Path(name).open("w", encoding="utf-8") as stream:
        yield stream


def _with_log(
    settings: Settings,
    chain: str,
    work: Callable[[AuditLog, SegmentProcesses | None], Awaitable[T]],
    workers: int | None,
) -> T:
    """Run `work` on the chain's log, with `workers` worker processes for verification
    (`default_workers()` when None)."""
    count = default_workers() if workers is None else workers
    processes = SegmentProcesses(settings, count) if count else None

    async def run() -> T:
        graph = await Graph.connect(settings)
        try:
            return await work(AuditLog(graph, chain), processes)
        finally:
            await graph.close()
            if processes is not None:
                processes.close()

    return asyncio.run(run())


@contextmanager
def _progress(description: str) -> Iterator[ProgressCallback]:
    columns = (
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _print_report(report: VerifyReport) -> None:
    against = (
        f", against {report.checkpoints} checkpoint(s) up to seq {report.checkpoint_seq}"
        if report.checkpoint_seq is not None
        else ", no trusted checkpoint yet"
    )
    legacy = f" ({report.legacy_events:,} with the legacy hash)" if report.legacy_events else ""
    summary = f"chain {report.chain!r}: {report.events:,} events checked{legacy}{against}"
    if report.ok:
        out.print(f"[green]OK[/] {summary}; last seq {report.last_seq}, root {report.root}")
        return
    count = len(report.problems) + report.more_problems
    out.print(f"[bold red]TAMPERED[/] {summary}: {count} problem(s)")
    table = make_table("kind", "seq", "detail")
    for problem in report.problems:
        table.add_row(problem.kind.value, str(problem.seq), problem.detail)
    out.print(table)
    if report.more_problems:
        out.print(f"... and {report.more_problems} more")
