"""`grace users`, `grace workspaces` and `grace keys` on the real graph, and the first admin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import typer
from typer.testing import CliRunner, Result

from cli.access import keys_app, users_app, workspaces_app
from governance.accounts import load_principal
from governance.api_keys import ApiKeys, BearerTokens, TokenKeys
from governance.audit import AuditLog
from governance.errors import LastAdminError, NotFoundError
from governance.first_admin import ensure_first_admin
from governance.rbac import DEFAULT_WORKSPACE, Action, PrincipalKind, Role
from governance.secrets import open_secret_store
from graph.graph import Graph
from graph.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
async def marker(graph: Graph, unique: str) -> AsyncIterator[str]:
    """The unique marker of this test's users and workspaces, removed afterwards."""
    yield unique
    await graph.write("testing/accounts_delete", {"marker": unique})


async def invoke(settings: Settings, app: typer.Typer, *args: str) -> Result:
    env = {
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
        "COLUMNS": "250",
    }
    return await asyncio.to_thread(lambda: CliRunner().invoke(app, list(args), env=env))


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


async def test_users_workspaces_and_members_from_the_shell(
    settings: Settings, graph: Graph, marker: str
) -> None:
    team, ann, ben = f"team-{marker}", f"ann-{marker}", f"ben-{marker}"
    ok(await invoke(settings, workspaces_app, "add", team, "--name", "Team"))
    created = ok(
        await invoke(
            settings,
            users_app,
            "add",
            ann,
            "--name",
            "Ann",
            "--email",
            f"{ann}@x.org",
            "--admin-of",
            team,
        )
    )
    assert f"personal:{ann}" in created
    ok(await invoke(settings, users_app, "add", ben, "--name", "Ben", "--email", f"{ben}@x.org"))
    ok(
        await invoke(
            settings,
            workspaces_app,
            "grant",
            team,
            ben,
            "viewer",
            "--tables",
            "orders, items",
            "--pii",
        )
    )

    assert ann in ok(await invoke(settings, users_app, "list"))
    members = ok(await invoke(settings, workspaces_app, "members", team))
    assert f"{ann} " in members
    assert "items, orders" in members
    ben_memberships = (await load_principal(graph, ben)).memberships
    assert ben_memberships[team].role is Role.VIEWER
    assert ben_memberships[team].tables == frozenset({"items", "orders"})
    assert ben_memberships[team].pii

    ok(await invoke(settings, workspaces_app, "revoke", team, ben))
    assert team not in (await load_principal(graph, ben)).memberships
    refused = await invoke(settings, workspaces_app, "revoke", team, ann)
    assert isinstance(refused.exception, LastAdminError)


async def test_keys_from_the_shell_print_the_token_once(
    settings: Settings, graph: Graph, marker: str
) -> None:
    cat = f"cat-{marker}"
    ok(await invoke(settings, users_app, "add", cat, "--name", "Cat", "--email", f"{cat}@x.org"))

    created = await invoke(
        settings,
        keys_app,
        "create",
        cat,
        "--name",
        "ci",
        "--scope",
        "read",
        "--scope",
        "ingest",
        "--expires-days",
        "3",
    )
    token = ok(created).strip()
    assert "shown once" in created.stderr
    principal = await ApiKeys(graph, AuditLog(graph)).authenticate(token)
    assert principal.kind is PrincipalKind.API_KEY
    assert principal.scopes == frozenset({Action.READ, Action.INGEST})

    listing = ok(await invoke(settings, keys_app, "list", cat))
    assert principal.id in listing
    assert "ingest, read" in listing
    assert "active" in listing
    assert token not in listing
    assert token.split("_", 2)[2] not in listing

    ok(await invoke(settings, keys_app, "revoke", principal.id))
    assert "revoked" in ok(await invoke(settings, keys_app, "list", cat))


async def test_a_bearer_token_from_the_shell_acts_as_its_user(
    settings: Settings, graph: Graph, marker: str
) -> None:
    dan = f"dan-{marker}"
    ok(await invoke(settings, users_app, "add", dan, "--name", "Dan", "--email", f"{dan}@x.org"))
    issued = await invoke(settings, keys_app, "token", dan, "--minutes", "5")
    token = ok(issued).strip()
    assert "valid 5 minutes" in issued.stderr
    keys = TokenKeys(open_secret_store(settings))
    principal = await BearerTokens(graph, keys).verify_token(token)
    assert principal.user_id == dan
    refused = await invoke(settings, keys_app, "token", f"nobody-{marker}")
    assert isinstance(refused.exception, NotFoundError)


async def test_the_first_admin_is_created_once_with_a_key(graph: Graph, marker: str) -> None:
    audit = AuditLog(graph, chain=f"test-{marker}")
    admin = f"admin-{marker}"

    issued = await ensure_first_admin(graph, audit, admin)
    again = await ensure_first_admin(graph, audit, admin)

    assert issued is not None
    assert again is None
    principal = await ApiKeys(graph, audit).authenticate(issued.token.get_secret_value())
    assert principal.user_id == admin
    assert principal.scopes is None
    assert principal.memberships[DEFAULT_WORKSPACE].role is Role.ADMIN
    assert principal.memberships[DEFAULT_WORKSPACE].tables is None
