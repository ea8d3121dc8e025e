"""`grace conflicts list|show|resolve|dismiss|reopen|scan` and `grace rows quarantine|release`.

The acting person is named with `--as` (authentication is the API's job); the audit log
records them as `user:<id>`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.progress import BarColumn, Progress, TextColumn

from cli.common import (
    ActorOption,
    ProfileOption,
    WideOption,
    make_table,
    out,
    resolve,
    resolve_all,
    settings_for,
    with_services,
    with_trust_services,
)
from graph.ids import IdKind

if TYPE_CHECKING:
    from api.conflict_values import ConflictView, ListedConflict
    from api.services import Services
    from governance.rbac import Principal
    from graph.graph import Graph
    from trust.services import TrustServices, TrustTools

T = TypeVar("T")

conflicts_app = typer.Typer(help="Contradictions between rows, and their review.")
rows_app = typer.Typer(help="Quarantine and release of rows.")
app = typer.Typer()
app.add_typer(conflicts_app, name="conflicts")
app.add_typer(rows_app, name="rows")


def _with_services(profile: str | None, work: Callable[[TrustTools], Awaitable[T]]) -> T:
    async def with_tools(services: TrustServices) -> T:
        return await work(await services.current())

    return with_trust_services(settings_for(profile), with_tools)


ReaderOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Read as this user: their tables, personal values shown only if they may read "
        "them (default: the operator, who may read everything).",
    ),
]


async def _principal(graph: Graph, user: str | None) -> Principal:
    from governance.accounts import load_principal
    from governance.rbac import Principal

    return Principal.system("cli") if user is None else await load_principal(graph, user)


@conflicts_app.command("list")
def list_conflicts(
    status: Annotated[str | None, typer.Option(help="open, resolved or dismissed.")] = "open",
    table: Annotated[str | None, typer.Option(help="Only conflicts of this table.")] = None,
    kind: Annotated[str | None, typer.Option(help="value, version or semantic.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    reader: ReaderOption = None,
    wide: WideOption = False,
    profile: ProfileOption = None,
) -> None:
    """Conflicts, most confident suggestion first (the list GraphQL's `conflicts` gives)."""
    from api.conflict_values import readable_conflicts

    async def work(services: Services) -> list[ListedConflict]:
        principal = await _principal(services.graph, reader)
        return await readable_conflicts(
            services.graph,
            services.cipher,
            principal,
            status=status,
            table=table,
            kind=kind,
            limit=limit,
        )

    listed = with_services(settings_for(profile), work)
    view = make_table("id", "status", "attribute", "score", "suggested value", wide=wide)
    for conflict in listed:
        view.add_row(
            conflict.id,
            conflict.status,
            conflict.attribute or "",
            f"{conflict.score or 0:.2f}",
            _shown(conflict.suggested.value, redacted=conflict.suggested.redacted),
        )
    out.print(view)
    out.print(f"{len(listed)} conflict(s)")


def _shown(value: object, *, redacted: bool) -> str:
    return "(redacted)" if redacted else json.dumps(value, ensure_ascii=False)


def _resolution(resolution: Mapping[str, Any], by: str | None) -> str:
    """How a conflict was closed, in words: the value kept (the suggestion or not) and the rows
    rejected, or the reason it closed, then who closed it and their note."""
    if "value" in resolution:
        shown = _shown(resolution["value"], redacted=bool(resolution.get("value_redacted")))
        which = "the suggestion" if resolution.get("suggested") else "over the suggestion"
        text = f"resolution: kept {shown} ({which}; Grace gave it {resolution['confidence']:.2f})"
        rejected = resolution.get("rejected_rows") or []
        text += f"; rejected {', '.join(rejected)}" if rejected else ""
    else:
        reason = "dismissed" if resolution.get("dismissed") else resolution.get("reason")
        text = f"resolution: {reason or 'closed'}"
    text += f"; by {by}" if by else ""
    note = resolution.get("note")
    return text + (f"; note: {note}" if note else "")


@conflicts_app.command("show")
def show_conflict(
    conflict_id: str,
    reader: ReaderOption = None,
    wide: WideOption = False,
    profile: ProfileOption = None,
) -> None:
    """One conflict: its rows, the suggestion and its evidence."""
    from api.conflict_values import readable_conflict

    settings = settings_for(profile)
    conflict_id = resolve(settings, IdKind.CONFLICT, conflict_id)

    async def work(services: Services) -> ConflictView | None:
        principal = await _principal(services.graph, reader)
        return await readable_conflict(services.graph, services.cipher, conflict_id, principal)

    view = with_services(settings, work)
    if view is None:
        out.print(f"no conflict {conflict_id!r}")
        raise typer.Exit(1)
    conflict = view.conflict
    out.print(f"[bold]{conflict['id']}[/]  {conflict['status']}  score {conflict['score']:.2f}")
    if view.suggestion is not None:
        shown = _shown(view.suggestion["value"], redacted=bool(view.suggestion["value_redacted"]))
        out.print(f"suggestion: {shown} - {view.suggestion['why']}", highlight=False)
    if conflict.get("resolution"):
        by = conflict.get("resolved_by")
        out.print(_resolution(conflict["resolution"], by), highlight=False)
    rows = make_table("row", "value", "trust", "status", "source", "document", wide=wide)
    attribute = conflict.get("attribute")
    for row in view.rows:
        rejected = " (rejected)" if attribute in row["rejected"] else ""
        value = _shown(row["values"].get(attribute), redacted=attribute in row["redacted"])
        rows.add_row(
            row["id"],
            value + rejected,
            f"{row['trust'] or 0:.2f}",
            row["status"],
            row["source"] or "",
            row["document"] or "",
        )
    out.print(rows)


@conflicts_app.command("resolve")
def resolve_conflict(
    conflict_id: str,
    actor: ActorOption,
    row: Annotated[
        str | None, typer.Option(help="Keep this row's value (default: the suggestion).")
    ] = None,
    note: Annotated[str, typer.Option(help="Why (recorded).")] = "",
    profile: ProfileOption = None,
) -> None:
    """Reconcile: keep one value, reject the others (reversible with `reopen`)."""
    conflict_id = resolve(settings_for(profile), IdKind.CONFLICT, conflict_id)
    if row is not None:
        row = resolve(settings_for(profile), IdKind.ROW, row)
    conflict = _with_services(
        profile,
        lambda s: s.healer.reconcile(conflict_id, actor=f"user:{actor}", choose_row=row, note=note),
    )
    kept = conflict.kept(row).value
    out.print(f"resolved {conflict.id}: kept {json.dumps(kept, ensure_ascii=False)}")


@conflicts_app.command("dismiss")
def dismiss_conflict(
    conflict_id: str,
    actor: ActorOption,
    note: Annotated[str, typer.Option(help="Why (recorded).")] = "",
    profile: ProfileOption = None,
) -> None:
    """Close a conflict without changing any row."""
    conflict_id = resolve(settings_for(profile), IdKind.CONFLICT, conflict_id)
    _with_services(
        profile, lambda s: s.healer.dismiss(conflict_id, actor=f"user:{actor}", note=note)
    )
    out.print(f"dismissed {conflict_id}")


@conflicts_app.command("reopen")
def reopen_conflict(conflict_id: str, actor: ActorOption, profile: ProfileOption = None) -> None:
    """Undo a resolution or dismissal: rejected values count again."""
    conflict_id = resolve(settings_for(profile), IdKind.CONFLICT, conflict_id)
    restored = _with_services(
        profile, lambda s: s.healer.reopen(conflict_id, actor=f"user:{actor}")
    )
    out.print(f"reopened {conflict_id}; {len(restored)} row value(s) restored")


@conflicts_app.command("scan")
def scan_conflicts(profile: ProfileOption = None) -> None:
    """Scan every active row for value and version conflicts and policy violations now."""

    async def work(services: TrustServices) -> None:
        tools = await services.current()
        columns = (TextColumn("reading rows"), BarColumn(), TextColumn("{task.completed:,}"))
        with Progress(*columns, console=out, transient=True) as progress:
            task = progress.add_task("rows", total=None)
            report = await tools.detector.scan_all(lambda n: progress.advance(task, n))
            semantic = await tools.semantic.scan_all()
            checked = await services.governance.check_policies()
        out.print(
            f"rows {report.rows:,}, entities {report.entities:,}: {report.conflicts:,} "
            f"conflict(s), {report.new:,} new, {report.reopened:,} reopened, "
            f"{report.closed:,} closed"
        )
        out.print(
            f"text: {semantic.conflicts:,} semantic conflict(s), {semantic.new:,} new, "
            f"{semantic.closed:,} closed"
        )
        out.print(
            f"policies: {checked.rows:,} rows checked, {checked.violating_rows:,} violating "
            f"({checked.newly_violating:,} new, {checked.resolved:,} resolved)"
        )

    with_trust_services(settings_for(profile), work)


@rows_app.command("quarantine")
def quarantine_rows(
    row_ids: list[str],
    actor: ActorOption,
    reason: Annotated[str, typer.Option(help="Why (recorded).")],
    profile: ProfileOption = None,
) -> None:
    """Quarantine rows by hand (reversible with `release`)."""
    row_ids = resolve_all(settings_for(profile), IdKind.ROW, row_ids)
    reasons = dict.fromkeys(row_ids, reason)
    changed = _with_services(profile, lambda s: s.healer.quarantine(reasons, actor=f"user:{actor}"))
    out.print(f"quarantined {len(changed)} of {len(row_ids)} row(s)")


@rows_app.command("release")
def release_rows(row_ids: list[str], actor: ActorOption, profile: ProfileOption = None) -> None:
    """Release quarantined rows; they are exempt from automatic quarantine afterwards."""
    row_ids = resolve_all(settings_for(profile), IdKind.ROW, row_ids)
    changed = _with_services(profile, lambda s: s.healer.release(row_ids, actor=f"user:{actor}"))
    out.print(f"released {len(changed)} of {len(row_ids)} row(s)")
