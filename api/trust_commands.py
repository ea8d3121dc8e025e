"""The trust commands of `grace`: `trust recompute` and `facts export`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from trust.engine import TrustEngine, TrustReport

FACT_COLUMNS = ("key", "attribute", "value", "confidence", "supporting", "contradicting")


class ExportFormat(StrEnum):
    """How `grace facts export` writes."""

    CSV = "csv"
    JSONL = "jsonl"


async def recompute(settings: Settings, console: Console) -> TrustReport:
    """A full trust recompute with a progress bar over the rows read."""
    graph = await Graph.connect(settings)
    bus = EventBus.from_settings(settings)
    try:
        engine = await TrustEngine.create(graph, bus)
        columns = (TextColumn("reading rows"), BarColumn(), TextColumn("{task.completed:,}"))
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("rows", total=None)
            return await engine.recompute(lambda rows: progress.advance(task, rows))
    finally:
        await bus.close()
        await graph.close()


def print_report(report: TrustReport, console: Console) -> None:
    """One paragraph about a recompute."""
    console.print(
        f"rows {report.rows:,}, items {report.items:,}, sources {report.sources:,}, "
        f"facts {report.facts:,}; mean row trust {report.mean_trust:.3f}; "
        f"{report.iterations} iterations ({'converged' if report.converged else 'NOT converged'})"
    )
    console.print(
        f"read {report.seconds_reading:.2f} s, computed {report.seconds_computing:.2f} s, "
        f"wrote {report.seconds_writing:.2f} s"
    )
    for original, copier, score in report.copying:
        console.print(f"suspected copying: {copier} copies {original} (score {score:.2f})")


async def export_facts(
    settings: Settings, table: str, export_format: ExportFormat, output: Path | None
) -> int:
    """Write the active facts of `table`; returns how many."""
    graph = await Graph.connect(settings)
    try:
        records = await graph.read("trust/table_facts", {"table": table})
    finally:
        await graph.close()
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
