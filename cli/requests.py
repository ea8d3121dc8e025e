"""The change-request commands of `grace`: `requests list|show|approve|reject|comment`.

`--as` names the acting user; authenticating that user is the API's job, not this one's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
import yaml

from cli.common import (
    ActorOption,
    ProfileOption,
    WideOption,
    connected,
    make_table,
    out,
    resolve,
    settings_for,
    with_services,
)
from governance.approvals import Approvals, ChangeRequestRecord, CommentRecord
from governance.audit import AuditLog
from graph.ids import IdKind
from graph.model import ReviewStatus
from graph.settings import Settings, load_settings
from ingest.approved import approval_appliers

if TYPE_CHECKING:
    from api.services import Services

T = TypeVar("T")

requests_app = typer.Typer(help="Change requests: list, show, approve, reject, comment.")
app = typer.Typer()
app.add_typer(requests_app, name="requests")

NoteOption = Annotated[str, typer.Option("--note", help="Why (kept with the decision).")]
RequestArgument = Annotated[str, typer.Argument(help="The change request's id.")]


@asynccontextmanager
async def open_approvals(settings: Settings) -> AsyncIterator[Approvals]:
    """An approvals service on the configured graph and bus, with Grace's appliers: an
    approved table or file queues the files that waited for it at once."""
    async with connected(settings) as services:
        audit = AuditLog(services.graph)
        appliers = approval_appliers(services.graph, audit, services.queue)
        yield Approvals(services.graph, services.bus, audit, appliers)


def _with_approvals(profile: str | None, work: Callable[[Approvals], Awaitable[T]]) -> T:
    async def run() -> T:
        async with open_approvals(load_settings(profile)) as approvals:
            return await work(approvals)

    return asyncio.run(run())


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _progress(request: ChangeRequestRecord) -> str:
    stage = f"stage {request.stage + 1}/{len(request.stages)}, " if len(request.stages) > 1 else ""
    return f"{stage}{len(request.stage_approvals())}/{request.required} {request.role}"


def print_requests(requests: list[ChangeRequestRecord], *, wide: bool = False) -> None:
    """One line per request."""
    table = make_table(
        "id", "kind", "status", "approvals", "requested by", "workspace", "expires", wide=wide
    )
    for request in requests:
        table.add_row(
            request.id,
            request.kind,
            request.status.value,
            _progress(request),
            request.requested_by or "-",
            request.workspace or "-",
            _when(request.expires_at),
        )
    out.print(table)


def print_request(request: ChangeRequestRecord, comments: list[CommentRecord]) -> None:
    """A request in full: state, stages, decisions and comments."""
    out.print(f"[bold]{request.id}[/] {request.kind}: {request.title}", highlight=False)
    out.print(f"status {request.status.value}; approvals {_progress(request)}", highlight=False)
    out.print(
        f"requested by {request.requested_by or '-'} in {request.workspace or '-'} "
        f"on {_when(request.created_at)}; expires {_when(request.expires_at)}",
        highlight=False,
    )
    if request.target:
        out.print(f"targets {request.target}", highlight=False)
    if request.applied_at:
        out.print(f"applied {_when(request.applied_at)}", highlight=False)
    if request.apply_error:
        out.print(f"[red]apply failed:[/] {request.apply_error}", highlight=False)
    for number, stage in enumerate(request.stages, start=1):
        name = f" {stage.name}" if stage.name else ""
        out.print(f"stage {number}{name}: {stage.required} x {stage.role}", highlight=False)
    for verb, votes in (("approved", request.approvals), ("rejected", request.rejections)):
        for vote in votes:
            note = f": {vote.note}" if vote.note else ""
            out.print(f"  {verb} by {vote.user} {_when(vote.at)}{note}", highlight=False)
    for comment in comments:
        out.print(f"  {comment.user} {_when(comment.at)}: {comment.text}", highlight=False)
    out.print("payload:", highlight=False)
    out.print(_indented(yaml.safe_dump(request.payload, sort_keys=False)), highlight=False)


def _indented(text: str) -> str:
    """`text` two spaces in, without its last line break."""
    return "\n".join(f"  {line}" for line in text.rstrip("\n").splitlines())


@requests_app.command("list")
def list_command(
    status: Annotated[
        ReviewStatus | None, typer.Option("--status", help="Only requests in this status.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only requests of this kind.")] = None,
    wide: WideOption = False,
    profile: ProfileOption = None,
) -> None:
    """Change requests, newest first."""
    requests = _with_approvals(profile, lambda approvals: approvals.list(status, kind))
    print_requests(requests, wide=wide)


@requests_app.command("show")
def show_command(request_id: RequestArgument, profile: ProfileOption = None) -> None:
    """One change request with its approvals, rejections and comments."""
    request_id = resolve(settings_for(profile), IdKind.CHANGE_REQUEST, request_id)

    async def read(approvals: Approvals) -> tuple[ChangeRequestRecord, list[CommentRecord]]:
        return await approvals.get(request_id), await approvals.comments(request_id)

    print_request(*_with_approvals(profile, read))


@requests_app.command("approve")
def approve_command(
    request_id: RequestArgument,
    user: ActorOption,
    note: NoteOption = "",
    profile: ProfileOption = None,
) -> None:
    """Approve; the last approval applies the change (exit 1 if applying fails)."""
    request_id = resolve(settings_for(profile), IdKind.CHANGE_REQUEST, request_id)
    request = _with_approvals(profile, lambda approvals: approvals.approve(request_id, user, note))
    _print_outcome(request)
    if request.status is ReviewStatus.APPLY_FAILED:
        raise typer.Exit(1)


@requests_app.command("reject")
def reject_command(
    request_id: RequestArgument,
    user: ActorOption,
    note: NoteOption = "",
    profile: ProfileOption = None,
) -> None:
    """Reject: the request closes and nothing is applied."""
    request_id = resolve(settings_for(profile), IdKind.CHANGE_REQUEST, request_id)
    _print_outcome(
        _with_approvals(profile, lambda approvals: approvals.reject(request_id, user, note))
    )


@requests_app.command("comment")
def comment_command(
    request_id: RequestArgument,
    user: ActorOption,
    text: Annotated[str, typer.Argument(help="The comment; `@user` mentions a user.")],
    profile: ProfileOption = None,
) -> None:
    """Comment on a change request."""
    request_id = resolve(settings_for(profile), IdKind.CHANGE_REQUEST, request_id)

    async def write(services: Services) -> None:  # mentions notify through the API's channels
        from api.gql import actors  # the API's services: loaded only for this command

        await actors.approvals(services).comment(actors.comments(services), request_id, user, text)

    with_services(load_settings(profile), write)
    out.print(f"commented on {request_id}", highlight=False)


def _print_outcome(request: ChangeRequestRecord) -> None:
    out.print(f"{request.id}: {request.status.value} ({_progress(request)})", highlight=False)
    if request.apply_error:
        out.print(f"[red]apply failed:[/] {request.apply_error}", highlight=False)
