"""The trust commands of `grace`: `trust recompute`, `trust train` and `facts export`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from cli.common import ProfileOption, out, run, settings_for, trust_services, with_graph

if TYPE_CHECKING:
    from graph.graph import Graph
    from graph.settings import Settings
    from trust.engine import TrustReport
    from trust.training import TrainReport

trust_app = typer.Typer(help="Trust scores of rows, documents and sources.")
facts_app = typer.Typer(help="Resolved facts: one value per entity and attribute.")
app = typer.Typer()
app.add_typer(trust_app, name="trust")
app.add_typer(facts_app, name="facts")

FACT_COLUMNS = (
    "key",
    "attribute",
    "value",
    "confidence",
    "status",
    "supporting",
    "contradicting",
    "supporting_sources",
    "contradicting_sources",
)


class ExportFormat(StrEnum):
    """How `grace facts export` writes."""

    CSV = "csv"
    JSONL = "jsonl"


class FactStatus(StrEnum):
    """Which facts `grace facts export` writes: synced (`active`), kept below the policy's
    threshold (`candidate`), or both."""

    ACTIVE = "active"
    CANDIDATE = "candidate"
    ALL = "all"

    @property
    def statuses(self) -> list[str]:
        """The stored statuses this choice covers."""
        return ["active", "candidate"] if self is FactStatus.ALL else [self.value]


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
    for original, copier, probability in report.copying:
        console.print(
            f"suspected copying: {copier} copies {original} (probability {probability:.2f})"
        )


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
    settings: Settings,
    table: str,
    export_format: ExportFormat,
    output: Path | None,
    status: FactStatus = FactStatus.ACTIVE,
    min_confidence: float = 0.0,
) -> int:
    """Write the facts of `table` with `status` and at least `min_confidence`, each with the
    names of its supporting and contradicting sources; returns how many."""
    records = with_graph(settings, partial(_read_facts, table, status, min_confidence))
    if output is None:
        _write(records, export_format, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            _write(records, export_format, stream)
    return len(records)


async def _read_facts(
    table: str, status: FactStatus, min_confidence: float, graph: Graph
) -> list[dict[str, Any]]:
    """The facts asked for, with source names in place of the evidence's source ids."""
    params = {"table": table, "statuses": status.statuses, "min_confidence": min_confidence}
    records = [dict(record) for record in await graph.read("trust/table_facts", params)]
    evidence = [json.loads(record.pop("evidence") or "{}") for record in records]
    ids = sorted({i for e in evidence for side in e.values() for i in side})
    names = {r["id"]: r["name"] for r in await graph.read("trust/source_names", {"ids": ids})}
    for record, sides in zip(records, evidence, strict=True):
        for side in ("supporting", "contradicting"):
            record[f"{side}_sources"] = [names.get(i, i) for i in sides.get(side, [])]
    return records


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
        writer.writerow(
            {
                **row,
                "value": value if isinstance(value, str) else json.dumps(value),
                "supporting_sources": "; ".join(row["supporting_sources"]),
                "contradicting_sources": "; ".join(row["contradicting_sources"]),
            }
        )


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
    status: Annotated[
        FactStatus,
        typer.Option("--status", help="active (synced), candidate (below the policy), or all."),
    ] = FactStatus.ACTIVE,
    min_confidence: Annotated[
        float,
        typer.Option("--min-confidence", min=0.0, max=1.0, help="Only facts at least this sure."),
    ] = 0.0,
    profile: ProfileOption = None,
) -> None:
    """One line per entity and attribute: key, attribute, value, confidence, status, how
    many sources support and contradict it, and their names."""
    count = export_facts(
        settings_for(profile), table, export_format, output, status, min_confidence
    )
    if output is not None:
        out.print(f"{count} facts written to {output}")
