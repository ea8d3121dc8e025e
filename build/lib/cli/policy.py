"""`grace policy`: store, list, evaluate and preview the policies in `policies/`."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from cli.common import ProfileOption, connected, make_table, opened_graph, out
from governance.audit import AuditLog
from governance.policy import load_policies
from governance.policy_diff import PolicyDiff, RowChange, diff_policy
from governance.policy_eval import PolicyReport, check_graph
from governance.policy_store import PolicyVersion, active_policy_set, policy_versions, sync_policies
from graph.graph import Graph
from graph.settings import Settings, load_settings

T = TypeVar("T")
ACTOR = "system:cli"
SHOWN = 20

policy_app = typer.Typer(help="The policies in policies/: sync, list, check, diff.")
app = typer.Typer()
app.add_typer(policy_app, name="policy")

TablesOption = Annotated[
    list[str] | None, typer.Option("--table", help="Only this table (repeatable).")
]


@policy_app.command("sync")
def sync_command(profile: ProfileOption = None) -> None:
    """Validate policies/ and store changed files: new policies are active at once, changed
    ones become proposed versions that need approval."""
    settings = load_settings(profile)
    policies = load_policies(settings.policies_dir)
    created = asyncio.run(
        opened_graph(
            settings,
            lambda graph: sync_policies(graph, policies, AuditLog(graph), actor=ACTOR),
        )
    )
    if not created:
        out.print("policies: unchanged")
    for version in created:
        note = " (needs approval to take effect)" if version.status == "proposed" else ""
        out.print(f"{version.name}@{version.version}: {version.status}{note}")


@policy_app.command("list")
def list_command(profile: ProfileOption = None) -> None:
    """Every stored version of every policy."""
    versions = asyncio.run(opened_graph(load_settings(profile), policy_versions))
    out.print(versions_table(versions))


@policy_app.command("check")
def check_command(tables: TablesOption = None, profile: ProfileOption = None) -> None:
    """Evaluate the active policies over every active row now; violations are written to the
    graph and announced."""
    report = asyncio.run(_check(load_settings(profile), tables or None))
    print_report(report, out)


@policy_app.command("diff")
def diff_command(
    file: Annotated[Path, typer.Argument(help="A changed policy file.", exists=True)],
    tables: TablesOption = None,
    profile: ProfileOption = None,
) -> None:
    """What the changed policy in FILE would newly block or allow (writes nothing)."""
    settings = load_settings(profile)

    async def work(graph: Graph) -> PolicyDiff:
        return await diff_policy(graph, await active_policy_set(graph), file, tables=tables)

    print_diff(asyncio.run(opened_graph(settings, work)), out)


async def _check(settings: Settings, tables: list[str] | None) -> PolicyReport:
    async with connected(settings) as services:
        graph = services.graph
        policies = await active_policy_set(graph)
        columns = (TextColumn("checking rows"), BarColumn(), TextColumn("{task.completed:,}"))
        with Progress(*columns, console=out, transient=True) as progress:
            task = progress.add_task("rows", total=None)
            return await check_graph(
                graph,
                policies,
                services.bus,
                AuditLog(graph),
                lambda rows: progress.advance(task, rows),
                tables=tables,
                actor=ACTOR,
            )


def versions_table(versions: list[PolicyVersion]) -> Table:
    """One line per stored version."""
    table = make_table("policy", "version", "status", "sha256", "created", "activated")
    for version in versions:
        table.add_row(
            version.name,
            str(version.version),
            version.status,
            version.sha256[:12],
            _when(version.created_at),
            _when(version.activated_at),
        )
    return table


def print_report(report: PolicyReport, console: Console) -> None:
    """Totals of an evaluation and a table of violations per rule."""
    console.print(
        f"{report.rows:,} rows in {len(report.tables)} tables checked against "
        f"{', '.join(report.policies) or 'no compliance policy'} in {report.seconds:.2f} s"
    )
    console.print(
        f"{report.violations:,} violations on {report.violating_rows:,} rows; "
        f"{report.newly_violating:,} rows newly violating, {report.resolved:,} resolved"
    )
    if report.by_rule:
        table = make_table("policy.rule", "violations")
        for rule, count in report.by_rule.items():
            table.add_row(rule, f"{count:,}")
        console.print(table)


def print_diff(diff: PolicyDiff, console: Console) -> None:
    """What a candidate policy would change."""
    if diff.unchanged:
        console.print(f"{diff.policy}: the file equals the stored policy")
    for line in diff.settings:
        console.print(line)
    console.print(
        f"rows: {diff.newly_violating_count:,} would newly violate, "
        f"{diff.no_longer_violating_count:,} would stop violating "
        f"(of {diff.rows_checked:,} checked)"
    )
    for title, changes in (
        ("newly violating", diff.newly_violating),
        ("no longer violating", diff.no_longer_violating),
    ):
        if changes:
            console.print(_rows_table(title, changes))
    console.print(
        f"documents: {len(diff.newly_blocked)} would newly be blocked, "
        f"{len(diff.newly_allowed)} newly allowed (of {diff.documents_checked} recent)"
    )
    for title, documents in (("blocked", diff.newly_blocked), ("allowed", diff.newly_allowed)):
        if documents:
            table = make_table(f"newly {title}", "source", "reasons")
            for document in documents[:SHOWN]:
                table.add_row(document.path, document.source, "; ".join(document.reasons))
            console.print(table)


def _rows_table(title: str, changes: tuple[RowChange, ...]) -> Table:
    table = make_table(title, "key", "rules")
    for change in changes[:SHOWN]:
        rules = change.added or change.removed
        table.add_row(change.table, change.key, ", ".join(rules))
    if len(changes) > SHOWN:
        table.add_row("...", f"{len(changes) - SHOWN} more", "")
    return table


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
