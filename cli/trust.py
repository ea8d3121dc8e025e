"""The trust commands of `grace`: `trust recompute`, `trust train` and `facts export`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from cli.common import ProfileOption, out, run, settings_for, trust_services, with_graph

if TYPE_CHECKING:
    from graph.settings import Settings
    from trust.engine import TrustReport
    from trust.training import TrainReport

trust_app = typer.Typer(help="Trust scores of rows, documents and sources.")
facts_app = typer.Typer(help="Resolved facts: one value per entity and attribute.")
app = typer.Typer()
app.add_typer(trust_app, name="trust")
app.add_typer(facts_app, name="facts")

FACT_COLUMNS = ("key", "attribute", "value", "confidence", "supporting", "contradicting")


class ExportFormat(StrEnum):
    """How `grace facts export` writes."""

    CSV = "csv"
    JSONL = "jsonl"


async def recompute(settings: Settings, console: Console) -> TrustReport:
    """A full trust recompute with a progress bar over the rows read; facts are synced by
    the policies in force, as in the scheduled recompute."""
    async with trust_services(settings) as services:
        engine = (await services.current()).engine
        columns = (TextColumn("reading rows"), BarColumn(), TextColumn("{task.completed:,}"))
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("rows", total=None)
            return await engine.recompute(lambda rows: progress.advance(task, rows))


def print_report(report: TrustReport, console: Console) -> None:
    """One paragraph about a recompute."""
    console.print(
        f"rows {report.rows:,}, items {report.items:,}, sources {report.sources:,}, "
        f"facts {report.facts:,}; mean row trust {report.mean_trust:.3f}; "
        f"{report.iterations} iterations ({'converged' if report.converged else 'NOT converged'})"
    )
    console.print(
        f"scored with the {report.mode.value} score; {report.rows_written:,} rows and "
        f"{report.facts_written:,} facts changed and were written"
    )
    console.print(
        f"read {report.seconds_reading:.2f} s, computed {report.seconds_computing:.2f} s, "
        f"wrote {report.seconds_writing:.2f} s"
    )
    for original, copier, score in report.copying:
        console.print(f"suspected copying: {copier} copies {original} (score {score:.2f})")


def print_train_report(report: TrainReport, console: Console) -> None:
    """What a training used, how the model validated, and whether it is in force."""
    kinds = ", ".join(f"{count} {kind.value}" for kind, count in report.by_kind.items() if count)
    console.print(
        f"decisions: {report.decisions} ({kinds or 'none'}); {report.needed} needed"
        + (
            f"; {report.without_features} left out (rows scored before signals were stored)"
            if report.without_features
            else ""
        )
    )
    if report.model is not None:
        m = report.model.metrics
        console.print(
            f"model version {report.model.version}, validated on {m.n_validation} held-out "
            f"decisions (trained on {m.n_train}):"
        )
        console.print(
            f"  model:          AUC {m.roc_auc:.3f}, accuracy {m.accuracy:.3f}, Brier {m.brier:.3f}"
        )
        console.print(
            f"  combined score: AUC {m.baseline_roc_auc:.3f}, accuracy {m.baseline_accuracy:.3f}, "
            f"Brier {m.baseline_brier:.3f}"
        )
    console.print(("in force: " if report.in_force else "not in force: ") + report.reason)
    console.print(
        f"rows are scored with model version {report.model_in_force} from the next pass on"
        if report.model_in_force is not None
        else "rows are scored with the combined score"
    )


def export_facts(
    settings: Settings, table: str, export_format: ExportFormat, output: Path | None
) -> int:
    """Write the active facts of `table`; returns how many."""
    records = with_graph(settings, lambda graph: graph.read("trust/table_facts", {"table": table}))
    if output is None:
        _write(records, export_format, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            _write(records, export_format, stream)
    return len(records)


def _write(records: list[dict[str, Any]], export_format: ExportFormat, stream: IO[str]) -> None:
    rows = [{**record, "value": json.loads(record["value"])} for record in records]
    if export_format is ExportFormat.JSONL:
        for row in rows:
            stream.write(json.dumps({column: row[column] for column in FACT_COLUMNS}) + "\n")
        return
    writer = csv.DictWriter(stream, fieldnames=FACT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        value = row["value"]
        writer.writerow({**row, "value": value if isinstance(value, str) else json.dumps(value)})


@trust_app.command("recompute")
def trust_recompute(profile: ProfileOption = None) -> None:
    """Recompute every trust score and fact now (decay applied), with a progress bar."""
    print_report(run(recompute(settings_for(profile), out)), out)


@trust_app.command("train")
def trust_train(profile: ProfileOption = None) -> None:
    """Train the trust model on people's decisions; in force if it beats the combined score."""
    from trust.training import train_model

    print_train_report(with_graph(settings_for(profile), train_model), out)


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
    count = export_facts(settings_for(profile), table, export_format, output)
    if output is not None:
        out.print(f"{count} facts written to {output}")
