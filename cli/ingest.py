"""`grace ingest`, `grace worker` and `grace watch`: files into the graph."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn
from rich.progress import Progress as Bar

from cli.common import ProfileOption, WideOption, make_table, out, run, settings_for, with_graph
from ingest.lane import Lane

if TYPE_CHECKING:
    from graph.settings import Settings
    from ingest.once import OnceReport
    from ingest.service import IngestOutcome
    from trust.overview import Overview, SourceTrust

runs_app = typer.Typer(help="Ingestion runs: one per file version, failed ones included.")
app = typer.Typer()
app.add_typer(runs_app, name="runs")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders (a folder's subfolders are sources; a file below a watched "
            "folder is named as the watcher names it)."
        ),
    ],
    profile: ProfileOption = None,
) -> None:
    """Ingest files or folders once, with a progress bar and a summary; exit 1 if any failed."""
    from cli.common import with_graph
    from trust.overview import read_overview

    settings = settings_for(profile)
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}")
    report = ingest_with_progress(settings, paths, out)
    print_summary(report, out)
    print_overview(with_graph(settings, read_overview), out)
    raise typer.Exit(1 if report.failed else 0)


def ingest_with_progress(settings: Settings, paths: Sequence[Path], console: Console) -> OnceReport:
    """Ingest `paths` once with the after-ingest pass, showing a bar for each phase."""
    from ingest.once import ingest_once

    with _Bars(console) as bars:
        return run(ingest_once(settings, paths, bars))


class _Bars:
    """A progress bar per phase of `ingest_once`."""

    def __init__(self, console: Console) -> None:
        columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn())
        self._bar = Bar(*columns, console=console, transient=True)
        self._task: TaskID | None = None

    def __enter__(self) -> _Bars:
        self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._bar.stop()

    def phase(self, name: str, total: int) -> None:
        if self._task is not None:
            self._bar.update(self._task, visible=False)
        self._task = self._bar.add_task(name, total=total)

    def step(self) -> None:
        if self._task is not None:
            self._bar.advance(self._task)


def print_summary(report: OnceReport, console: Console) -> None:
    """Counts by status, then one line per file that needs attention."""
    from ingest.service import OutcomeStatus, summarize

    counts = summarize(report.outcomes)
    console.print(", ".join(f"{status.value}: {count}" for status, count in counts.items()))
    failed_passes = [p for p in report.passes if p.status != "succeeded"]
    console.print(
        f"after-ingest pass: {len(report.passes)} document(s)"
        + (f", {len(failed_passes)} not finished" if failed_passes else "")
    )
    attention = [
        o
        for o in report.outcomes
        if o.status is not OutcomeStatus.UNCHANGED and (o.error or o.warnings or o.change_request)
    ]
    if not attention:
        return
    table = make_table("file", "status", "detail")
    for outcome in attention:
        table.add_row(f"{outcome.source}:{outcome.path}", outcome.summary, _detail(outcome))
    console.print(table)


def _detail(outcome: IngestOutcome) -> str:
    error = f"{outcome.code}: {outcome.error}" if outcome.code and outcome.error else outcome.error
    detail = error or (
        f"schema proposed: {outcome.change_request}" if outcome.change_request else ""
    )
    if outcome.warnings:
        more = f" (+{len(outcome.warnings) - 1} more)" if len(outcome.warnings) > 1 else ""
        detail = (detail + "; " if detail else "") + outcome.warnings[0] + more
    return detail


def print_overview(overview: Overview, console: Console) -> None:
    """The open conflicts by attribute and the least and most trusted sources."""
    if overview.conflicts:
        console.print(f"[bold]{overview.open_conflicts} open conflict(s)[/]:")
        for group in overview.conflicts:
            where = f"{group.table}.{group.attribute}" if group.table else "between texts"
            example = f"  (e.g. {group.example})" if group.example else ""
            console.print(
                f"  {group.conflicts:>3} {group.kind:<9} {where}{example}", highlight=False
            )
    else:
        console.print("no open conflicts")
    estimated = [source for source in overview.sources if source.estimated]
    if overview.sources and not estimated:
        console.print(
            "sources hold their starting trust until the first full pass "
            "(grace trust recompute; the worker runs one on schedule)"
        )
    elif len(estimated) > 1:
        least, most = estimated[0], estimated[-1]
        console.print(
            f"least trusted source: {_source(least)}; most trusted: {_source(most)}",
            highlight=False,
        )


def _source(source: SourceTrust) -> str:
    return f"{source.id} (trust {source.trust:.2f}, {source.documents} document(s))"


@runs_app.command("list")
def list_runs_command(
    failed: Annotated[bool, typer.Option("--failed", help="Only failed files.")] = False,
    source: Annotated[
        str | None, typer.Option(help="Only this source, e.g. folder:registry.")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Only runs started at or after this time (UTC).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    wide: WideOption = False,
    profile: ProfileOption = None,
) -> None:
    """Runs, newest first: file, outcome (with rows skipped), rows and the error or warning."""
    from graph.model import RunStatus
    from ingest.runs import RUN_COLUMNS, list_runs, run_cells

    status = RunStatus.FAILED if failed else None
    runs = with_graph(
        settings_for(profile),
        lambda graph: list_runs(graph, status=status, source=source, since=since, limit=limit),
    )
    if not runs:
        out.print("no runs")
        return
    table = make_table(*RUN_COLUMNS, wide=wide)
    for listing in runs:
        table.add_row(*run_cells(listing))
    out.print(table)


@app.command()
def worker(
    profile: ProfileOption = None,
    lane: Annotated[
        Lane | None,
        typer.Option(help="Run only this lane (default both): files, or after-ingest passes."),
    ] = None,
) -> None:
    """Run the ingestion worker (arq) until SIGTERM or Ctrl-C."""
    from ingest.worker import run_worker

    settings = settings_for(profile)
    _log_to_stderr("worker", settings)
    run(run_worker(settings, lane))


@app.command()
def watch(profile: ProfileOption = None) -> None:
    """Watch the configured folders and queue every new or changed file, until stopped."""
    from ingest.watcher import run_watcher

    settings = settings_for(profile)
    _log_to_stderr("watcher", settings)
    run(_until_signal(run_watcher(settings)))


def _log_to_stderr(process: str, settings: Settings) -> None:
    from graph import logs

    logs.configure(process, settings)


async def _until_signal(work: Coroutine[Any, Any, None]) -> None:
    import asyncio

    task = asyncio.create_task(work)
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
