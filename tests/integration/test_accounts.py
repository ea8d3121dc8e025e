"""Users, workspaces and memberships on the real graph: guards, principals and audit entries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from governance.accounts import Accounts, load_principal, personal_workspace
from governance.audit import AuditLog
from governance.errors import (
    AccessDeniedError,
    AlreadyExistsError,
    InvalidAccountFieldError,
    InvalidIdError,
    LastAdminError,
    NotFoundError,
)
from governance.rbac import (
    DEFAULT_WORKSPACE,
    Action,
    Authorizer,
    Membership,
    Principal,
    PrincipalKind,
    Resource,
    Role,
)
from graph.graph import Graph

pytestmark = pytest.mark.integration

SYSTEM = Principal.system("tests")


@pytest.fixture
async def audit(graph: Graph, unique: str) -> AuditLog:
    return AuditLog(graph, chain=f"test-{unique}")


@pytest.fixture
async def accounts(graph: Graph, audit: AuditLog, unique: str) -> AsyncIterator[Accounts]:
    yield Accounts(graph, audit)
    await graph.write("testing/accounts_delete", {"marker": unique})


async def actions(audit: AuditLog) -> list[tuple[str, str, str]]:
    return [(event.actor, event.action, event.target) for event in await audit.events()]


async def test_a_new_user_gets_a_personal_workspace_they_administer(
    graph: Graph, accounts: Accounts, audit: AuditLog, unique: str
) -> None:
    ada = f"ada-{unique}"
    user = await accounts.create_user(
        ada, name=" Ada ", email=f"Ada-{unique}@Example.org", by=SYSTEM
    )

    assert (user.name, user.email) == ("Ada", f"ada-{unique}@example.org")
    principal = await load_principal(graph, ada)
    assert principal.actor == f"user:{ada}"
    assert principal.memberships == {
        personal_workspace(ada): Membership(personal_workspace(ada), Role.ADMIN, None, False)
    }
    listing = await accounts.members(personal_workspace(ada))
    assert listing.kind == "personal"
    assert [member.user_id for member in listing.members] == [ada]
    assert await actions(audit) == [("system:tests", "user.create", f"user:{ada}")]
    assert ada in {listed.id for listed in await accounts.users()}


async def test_ids_and_emails_are_unique_and_validated(accounts: Accounts, unique: str) -> None:
    await accounts.create_user(f"bo-{unique}", name="Bo", email=f"bo-{unique}@x.org", by=SYSTEM)

    with pytest.raises(AlreadyExistsError) as same_id:
        await accounts.create_user(f"bo-{unique}", name="Bo", email=f"o-{unique}@x.org", by=SYSTEM)
    assert same_id.value.field == "id"
    with pytest.raises(AlreadyExistsError) as same_email:
        await accounts.create_user(
            f"bo2-{unique}", name="Bo", email=f"BO-{unique}@x.org", by=SYSTEM
        )
    assert same_email.value.field == "email"
    with pytest.raises(InvalidIdError):
        await accounts.create_user(f"Bo {unique}", name="Bo", email=f"b-{unique}@x", by=SYSTEM)
    with pytest.raises(InvalidAccountFieldError):
        await accounts.create_user(f"bo3-{unique}", name="Bo", email="not-an-email", by=SYSTEM)
    with pytest.raises(InvalidAccountFieldError):
        await accounts.create_user(f"bo4-{unique}", name="  ", email=f"b4-{unique}@x", by=SYSTEM)
    with pytest.raises(InvalidIdError):
        await accounts.create_workspace(f"personal:{unique}", name="Sneaky", by=SYSTEM)


async def test_memberships_change_with_their_audit_entries(
    graph: Graph, accounts: Accounts, audit: AuditLog, unique: str
) -> None:
    team, cy = f"team-{unique}", f"cy-{unique}"
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    await accounts.create_user(cy, name="Cy", email=f"cy-{unique}@x.org", by=SYSTEM)

    await accounts.grant(team, cy, Role.VIEWER, by=SYSTEM)
    assert (await load_principal(graph, cy)).memberships[team] == Membership(team, Role.VIEWER)

    tables = frozenset({"customers", "orders"})
    await accounts.grant(team, cy, Role.EDITOR, tables=tables, pii=True, by=SYSTEM)
    assert (await load_principal(graph, cy)).memberships[team] == Membership(
        team, Role.EDITOR, tables, pii=True
    )
    await accounts.grant(team, cy, Role.EDITOR, tables=tables, pii=True, by=SYSTEM)  # no change

    await accounts.revoke(team, cy, by=SYSTEM)
    assert team not in (await load_principal(graph, cy)).memberships
    with pytest.raises(NotFoundError):
        await accounts.revoke(team, cy, by=SYSTEM)

    target = f"membership:{team}/{cy}"
    assert (await actions(audit))[2:] == [
        ("system:tests", "access.grant", target),
        ("system:tests", "access.change", target),
        ("system:tests", "access.revoke", target),
    ]


async def test_unknown_users_and_workspaces_are_named(accounts: Accounts, unique: str) -> None:
    team = f"team-{unique}"
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    with pytest.raises(NotFoundError) as no_user:
        await accounts.grant(team, f"ghost-{unique}", Role.VIEWER, by=SYSTEM)
    assert no_user.value.kind == "user"
    with pytest.raises(NotFoundError) as no_workspace:
        await accounts.grant(f"void-{unique}", f"ghost-{unique}", Role.VIEWER, by=SYSTEM)
    assert no_workspace.value.kind == "workspace"
    with pytest.raises(NotFoundError):
        await accounts.members(f"void-{unique}")
    with pytest.raises(InvalidAccountFieldError):
        await accounts.grant(team, f"ghost-{unique}", Role.VIEWER, tables=frozenset(), by=SYSTEM)


async def test_the_last_full_admin_cannot_be_removed_demoted_or_restricted(
    graph: Graph, accounts: Accounts, unique: str
) -> None:
    dee, eve = f"dee-{unique}", f"eve-{unique}"
    await accounts.create_user(dee, name="Dee", email=f"dee-{unique}@x.org", by=SYSTEM)
    await accounts.create_user(eve, name="Eve", email=f"eve-{unique}@x.org", by=SYSTEM)
    home = personal_workspace(dee)

    with pytest.raises(LastAdminError):
        await accounts.revoke(home, dee, by=SYSTEM)
    with pytest.raises(LastAdminError):
        await accounts.grant(home, dee, Role.EDITOR, by=SYSTEM)
    # A table-restricted admin cannot administer members, so they do not count.
    await accounts.grant(home, eve, Role.ADMIN, tables=frozenset({"t"}), by=SYSTEM)
    with pytest.raises(LastAdminError):
        await accounts.grant(home, dee, Role.ADMIN, tables=frozenset({"t"}), by=SYSTEM)
    assert (await load_principal(graph, dee)).memberships[home].role is Role.ADMIN

    await accounts.grant(home, eve, Role.ADMIN, by=SYSTEM)
    await accounts.grant(home, dee, Role.VIEWER, by=SYSTEM)
    with pytest.raises(LastAdminError):
        await accounts.revoke(home, eve, by=SYSTEM)
    assert (await load_principal(graph, dee)).memberships[home].role is Role.VIEWER


async def test_concurrent_removals_of_two_admins_leave_one(
    graph: Graph, accounts: Accounts, unique: str
) -> None:
    team, fay, gus = f"team-{unique}", f"fay-{unique}", f"gus-{unique}"
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    for user in (fay, gus):
        await accounts.create_user(user, name=user, email=f"{user}@x.org", by=SYSTEM)
        await accounts.grant(team, user, Role.ADMIN, by=SYSTEM)

    outcomes = await asyncio.gather(
        accounts.revoke(team, fay, by=SYSTEM),
        accounts.revoke(team, gus, by=SYSTEM),
        return_exceptions=True,
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["LastAdminError", "NoneType"]
    remaining = (await accounts.members(team)).members
    assert [member.membership.role for member in remaining] == [Role.ADMIN]


async def test_changes_are_authorized_for_the_acting_principal(
    graph: Graph, accounts: Accounts, audit: AuditLog, unique: str
) -> None:
    hal, ida = f"hal-{unique}", f"ida-{unique}"
    await accounts.create_user(hal, name="Hal", email=f"hal-{unique}@x.org", by=SYSTEM)
    await accounts.create_user(ida, name="Ida", email=f"ida-{unique}@x.org", by=SYSTEM)
    team = f"team-{unique}"
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    await accounts.grant(team, hal, Role.ADMIN, by=SYSTEM)
    await accounts.grant(team, ida, Role.EDITOR, by=SYSTEM)

    hal_principal = await load_principal(graph, hal)
    ida_principal = await load_principal(graph, ida)
    with pytest.raises(AccessDeniedError):
        await accounts.grant(team, ida, Role.ADMIN, by=ida_principal)
    with pytest.raises(AccessDeniedError):
        await accounts.create_user(f"j-{unique}", name="J", email=f"j-{unique}@x", by=hal_principal)
    with pytest.raises(AccessDeniedError):
        await accounts.create_workspace(f"w-{unique}", name="W", by=hal_principal)

    await accounts.grant(team, ida, Role.VIEWER, by=hal_principal)
    assert (await load_principal(graph, ida)).memberships[team].role is Role.VIEWER
    assert (await actions(audit))[-1] == (
        f"user:{hal}",
        "access.change",
        f"membership:{team}/{ida}",
    )


async def test_a_user_creating_a_workspace_becomes_its_admin(
    graph: Graph, accounts: Accounts, unique: str
) -> None:
    jo = f"jo-{unique}"
    await accounts.create_user(jo, name="Jo", email=f"jo-{unique}@x.org", by=SYSTEM)
    jo_as_instance_admin = Principal(
        jo, PrincipalKind.USER, jo, {DEFAULT_WORKSPACE: Membership(DEFAULT_WORKSPACE, Role.ADMIN)}
    )
    await accounts.create_workspace(f"jt-{unique}", name="Jo's team", by=jo_as_instance_admin)
    await accounts.create_workspace(f"st-{unique}", name="System team", by=SYSTEM)

    assert (await load_principal(graph, jo)).memberships[f"jt-{unique}"].role is Role.ADMIN
    assert (await accounts.members(f"st-{unique}")).members == ()
    with pytest.raises(AlreadyExistsError):
        await accounts.create_workspace(f"st-{unique}", name="Again", by=SYSTEM)


async def test_tables_belong_to_the_default_workspace_until_assigned(
    graph: Graph, accounts: Accounts, audit: AuditLog, unique: str
) -> None:
    table, team, kim = f"table_{unique}", f"team-{unique}", f"kim-{unique}"
    await graph.write("testing/accounts_create_table", {"name": table})
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    await accounts.create_user(kim, name="Kim", email=f"kim-{unique}@x.org", by=SYSTEM)
    await accounts.grant(team, kim, Role.VIEWER, by=SYSTEM)

    assert await accounts.workspace_of(table) == DEFAULT_WORKSPACE
    assert table in await accounts.tables_of(DEFAULT_WORKSPACE)

    await accounts.assign_table(table, team, by=SYSTEM)

    assert await accounts.workspace_of(table) == team
    assert await accounts.tables_of(team) == {table}
    assert table not in await accounts.tables_of(DEFAULT_WORKSPACE)
    kim_principal = await load_principal(graph, kim)
    assert Authorizer().readable_tables(kim_principal, team, await accounts.tables_of(team)) == {
        table
    }
    assert not Authorizer().decide(kim_principal, Action.EDIT, Resource(team, table)).allowed
    assert (await actions(audit))[-1] == ("system:tests", "table.assign", f"table:{table}")
    with pytest.raises(NotFoundError):
        await accounts.workspace_of(f"nothing_{unique}")
    with pytest.raises(AccessDeniedError):
        await accounts.assign_table(table, DEFAULT_WORKSPACE, by=kim_principal)


async def test_the_default_workspace_exists_once_granted(
    graph: Graph, accounts: Accounts, unique: str
) -> None:
    lu = f"lu-{unique}"
    await accounts.create_user(lu, name="Lu", email=f"lu-{unique}@x.org", by=SYSTEM)
    await accounts.grant(DEFAULT_WORKSPACE, lu, Role.VIEWER, by=SYSTEM)
    assert (await load_principal(graph, lu)).memberships[DEFAULT_WORKSPACE].role is Role.VIEWER
    assert lu in {m.user_id for m in (await accounts.members(DEFAULT_WORKSPACE)).members}


async def test_load_principal_refuses_an_unknown_user(graph: Graph, unique: str) -> None:
    with pytest.raises(NotFoundError):
        await load_principal(graph, f"nobody-{unique}")
