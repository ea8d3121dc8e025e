"""`grace users`, `grace workspaces`, `grace keys`: accounts and access from the shell.

The local operator acts as the system principal `system:cli` (whoever runs the CLI already
holds the database credentials); every change is still written to the audit log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, TypeVar

import typer

from cli.common import ProfileOption, WideOption, err, make_table, out, resolve, settings_for
from governance.accounts import Accounts
from governance.api_keys import ApiKeys, BearerTokens, IssuedKey, TokenKeys, utc_now
from governance.audit import AuditLog
from governance.rbac import Action, Principal, Role
from governance.secrets import open_secret_store
from graph.events import EventBus
from graph.graph import Graph
from graph.ids import IdKind
from graph.settings import load_settings

T = TypeVar("T")

users_app = typer.Typer(help="People who use Grace.", no_args_is_help=True)
workspaces_app = typer.Typer(help="Workspaces and their members.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (only their hashes are stored).", no_args_is_help=True)
app = typer.Typer()
app.add_typer(users_app, name="users")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(keys_app, name="keys")

CLI = Principal.system("cli")


@dataclass(frozen=True)
class _Session:
    """What one command works with: its changes are audited and published to the API
    processes (`governance.access_events`)."""

    graph: Graph
    accounts: Accounts
    keys: ApiKeys


def _run(profile: str | None, work: Callable[[_Session], Awaitable[T]]) -> T:
    async def opened() -> T:
        settings = load_settings(profile)
        graph = await Graph.connect(settings)
        bus = EventBus.from_settings(settings)
        audit = AuditLog(graph)
        try:
            return await work(
                _Session(graph, Accounts(graph, audit, bus=bus), ApiKeys(graph, audit, bus=bus))
            )
        finally:
            await bus.close()
            await graph.close()

    return asyncio.run(opened())


@users_app.command("add")
def users_add(
    user_id: Annotated[str, typer.Argument(metavar="ID", help="A slug: a-z, 0-9, - and _.")],
    name: Annotated[str, typer.Option("--name", help="The person's name.")],
    email: Annotated[str, typer.Option("--email", help="Their email address (unique).")],
    admin_of: Annotated[
        str | None, typer.Option("--admin-of", help="Also make them admin of this workspace.")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Create a user and their personal workspace."""

    async def work(session: _Session) -> None:
        accounts = session.accounts
        await accounts.create_user(user_id, name=name, email=email, by=CLI)
        if admin_of is not None:
            await accounts.grant(admin_of, user_id, Role.ADMIN, by=CLI)

    _run(profile, work)
    extra = f", admin of {admin_of}" if admin_of is not None else ""
    out.print(f"user {user_id} created with personal workspace personal:{user_id}{extra}")


@users_app.command("list")
def users_list(profile: ProfileOption = None) -> None:
    """Every user."""
    users = _run(profile, lambda session: session.accounts.users())
    table = make_table("id", "name", "email", "created")
    for user in users:
        table.add_row(user.id, user.name, user.email, _when(user.created_at))
    out.print(table)


@workspaces_app.command("add")
def workspaces_add(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="A slug: a-z, 0-9, - and _.")],
    name: Annotated[str, typer.Option("--name", help="A readable name.")],
    profile: ProfileOption = None,
) -> None:
    """Create a team workspace (then `grace workspaces grant` its first admin)."""
    _run(
        profile,
        lambda session: session.accounts.create_workspace(workspace_id, name=name, by=CLI),
    )
    out.print(f"workspace {workspace_id} created")


@workspaces_app.command("members")
def workspaces_members(workspace: str, profile: ProfileOption = None) -> None:
    """The members of a workspace, with their roles and restrictions."""
    listing = _run(profile, lambda session: session.accounts.members(workspace))
    out.print(f"workspace {listing.id} ({listing.kind}): {listing.name}")
    table = make_table("user", "name", "email", "role", "tables", "pii")
    for member in listing.members:
        tables = member.membership.tables
        table.add_row(
            member.user_id,
            member.name,
            member.email,
            str(member.membership.role),
            "all" if tables is None else ", ".join(sorted(tables)),
            "yes" if member.membership.pii else "no",
        )
    out.print(table)


@workspaces_app.command("grant")
def workspaces_grant(
    workspace: str,
    user_id: Annotated[str, typer.Argument(metavar="USER")],
    role: Role,
    tables: Annotated[
        str | None, typer.Option("--tables", help="Only these tables, comma-separated.")
    ] = None,
    pii: Annotated[bool, typer.Option("--pii", help="May read PII below admin.")] = False,
    profile: ProfileOption = None,
) -> None:
    """Add a member to a workspace, or change their role, tables or PII access."""
    chosen = _table_names(tables)
    _run(
        profile,
        lambda session: session.accounts.grant(
            workspace, user_id, role, tables=chosen, pii=pii, by=CLI
        ),
    )
    scope = "every table" if chosen is None else "tables " + ", ".join(sorted(chosen))
    out.print(f"{user_id} is {role} of {workspace} on {scope}" + (" with PII" if pii else ""))


@workspaces_app.command("revoke")
def workspaces_revoke(
    workspace: str,
    user_id: Annotated[str, typer.Argument(metavar="USER")],
    profile: ProfileOption = None,
) -> None:
    """Remove a member from a workspace (never its last admin)."""
    _run(profile, lambda session: session.accounts.revoke(workspace, user_id, by=CLI))
    out.print(f"{user_id} removed from {workspace}")


@workspaces_app.command("assign-table")
def workspaces_assign_table(workspace: str, table: str, profile: ProfileOption = None) -> None:
    """Move a table into a workspace (tables in none belong to `default`)."""
    _run(
        profile,
        lambda session: session.accounts.assign_table(table, workspace, by=CLI),
    )
    out.print(f"table {table} is in workspace {workspace}")


@keys_app.command("create")
def keys_create(
    user_id: Annotated[str, typer.Argument(metavar="USER")],
    name: Annotated[str, typer.Option("--name", help="What the key is for.")],
    scope: Annotated[
        list[Action] | None,
        typer.Option("--scope", help="Allow only this action (repeatable; default: all)."),
    ] = None,
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, help="Expire after N days.")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Create an API key for a user and print its token, once."""
    scopes = frozenset(scope) if scope else None
    expires_at = utc_now() + timedelta(days=expires_days) if expires_days else None
    issued = _run(
        profile,
        lambda session: session.keys.create_key(
            user_id, name=name, scopes=scopes, expires_at=expires_at, by=CLI
        ),
    )
    _print_issued(issued)


@keys_app.command("revoke")
def keys_revoke(key_id: str, profile: ProfileOption = None) -> None:
    """Revoke an API key: it stops working at once."""
    key_id = resolve(settings_for(profile), IdKind.API_KEY, key_id)
    _run(profile, lambda session: session.keys.revoke(key_id, by=CLI))
    out.print(f"key {key_id} revoked")


@keys_app.command("rotate")
def keys_rotate(key_id: str, profile: ProfileOption = None) -> None:
    """Give a key a new secret and print its token, once; the old token stops working."""
    key_id = resolve(settings_for(profile), IdKind.API_KEY, key_id)
    issued = _run(profile, lambda session: session.keys.rotate(key_id, by=CLI))
    _print_issued(issued)


@keys_app.command("token")
def keys_token(
    user_id: Annotated[str, typer.Argument(metavar="USER")],
    minutes: Annotated[
        int, typer.Option("--minutes", min=1, max=24 * 60, help="How long it stays valid.")
    ] = 60,
    profile: ProfileOption = None,
) -> None:
    """Print a short-lived bearer token for a user (signed, not stored: it acts with the
    user's memberships at each request until it expires)."""
    settings = load_settings(profile)

    async def issue(session: _Session) -> str:
        keys = TokenKeys(open_secret_store(settings))
        return await BearerTokens(session.graph, keys).issue_token(
            user_id, timedelta(minutes=minutes)
        )

    token = _run(profile, issue)
    err.print(f"bearer token for {user_id}, valid {minutes} minutes:")
    out.print(token, highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(
    user_id: Annotated[str, typer.Argument(metavar="USER")],
    wide: WideOption = False,
    profile: ProfileOption = None,
) -> None:
    """A user's API keys (never their secrets)."""
    keys = _run(profile, lambda session: session.keys.list_keys(user_id, by=CLI))
    now = utc_now()
    table = make_table(
        "id", "name", "scopes", "created", "expires", "last used", "state", wide=wide
    )
    for key in keys:
        scopes = "all" if key.scopes is None else ", ".join(sorted(key.scopes))
        state = "active" if key.usable(now) else ("revoked" if key.revoked_at else "expired")
        table.add_row(
            key.id,
            key.name,
            scopes,
            _when(key.created_at),
            _when(key.expires_at),
            _when(key.last_used_at),
            state,
        )
    out.print(table)


def _table_names(tables: str | None) -> frozenset[str] | None:
    if tables is None:
        return None
    return frozenset(name.strip() for name in tables.split(",") if name.strip())


def _print_issued(issued: IssuedKey) -> None:
    err.print(f"key {issued.id}: the token below is shown once; store it now.")
    out.print(issued.token.get_secret_value(), highlight=False, soft_wrap=True)


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""
