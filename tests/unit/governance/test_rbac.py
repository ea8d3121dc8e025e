"""The authorizer against an independent oracle, over every action, role and kind of principal."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from governance.errors import AccessDeniedError
from governance.rbac import (
    RULES,
    Action,
    Authorizer,
    KeyOperation,
    Membership,
    Principal,
    PrincipalKind,
    Resource,
    Role,
    role_at_least,
)
from graph.errors import NotAllowedError

WORKSPACE = "team"
INSIDE = "customers"
OUTSIDE = "invoices"

# The oracle: written from the specification, independently of governance.rbac.RULES.
LEVEL = {"viewer": 1, "editor": 2, "admin": 3}
NEEDS = {"read": 1, "read_pii": 3, "ingest": 2, "edit": 2, "approve": 2, "administer": 3}
LISTING = {"read", "read_pii"}  # a table-restricted member may list the workspace, filtered


@dataclass(frozen=True)
class Case:
    """One kind of principal asking about one resource."""

    name: str
    member: bool = True
    restricted: bool = False  # the membership covers INSIDE only
    table: str | None = INSIDE
    pii: bool = False
    key_scoped: bool | None = None  # None: a user; True/False: an API key with/without the action
    system: bool = False


CASES = (
    Case("member on a table"),
    Case("member on the workspace", table=None),
    Case("member with pii", pii=True),
    Case("restricted member inside its tables", restricted=True),
    Case("restricted member outside its tables", restricted=True, table=OUTSIDE),
    Case("restricted member on the workspace", restricted=True, table=None),
    Case("stranger", member=False),
    Case("api key with the scope", key_scoped=True),
    Case("api key without the scope", key_scoped=False),
    Case("system", member=False, system=True),
)


def oracle(case: Case, action: str, role: str) -> bool:
    if case.system:
        return True
    if case.key_scoped is False or not case.member:
        return False
    level_ok = LEVEL[role] >= NEEDS[action] or (action == "read_pii" and case.pii)
    if not level_ok:
        return False
    if not case.restricted:
        return True
    if action == "administer":
        return False
    if case.table is None:
        return action in LISTING
    return case.table == INSIDE


def principal(case: Case, action: Action, role: Role) -> Principal:
    if case.system:
        return Principal.system("worker")
    tables = frozenset({INSIDE}) if case.restricted else None
    workspace = WORKSPACE if case.member else "elsewhere"
    memberships = {workspace: Membership(workspace, role, tables, pii=case.pii)}
    if case.key_scoped is None:
        return Principal("ada", PrincipalKind.USER, "ada", memberships)
    scopes = frozenset(Action) if case.key_scoped else frozenset(Action) - {action}
    return Principal("k1", PrincipalKind.API_KEY, "ada", memberships, scopes)


def test_the_full_matrix_matches_the_oracle() -> None:
    authorizer = Authorizer()
    checked = 0
    mismatches = []
    for action in Action:
        for role in Role:
            for case in CASES:
                decision = authorizer.decide(
                    principal(case, action, role), action, Resource(WORKSPACE, case.table)
                )
                checked += 1
                if decision.allowed != oracle(case, action.value, role.value):
                    mismatches.append((action.value, role.value, case.name, decision.reason))
    assert checked == len(Action) * len(Role) * len(CASES) == 180
    assert mismatches == []


def test_the_oracle_allows_and_refuses_in_every_case_kind() -> None:
    """The matrix would prove little if the oracle said the same thing everywhere."""
    outcomes = {
        case.name: {oracle(case, action.value, role.value) for action in Action for role in Role}
        for case in CASES
    }
    assert outcomes["stranger"] == {False}
    assert outcomes["system"] == {True}
    never = {"stranger", "restricted member outside its tables", "api key without the scope"}
    assert all(outcomes[name] == {False} for name in never)
    assert all(
        values == {True, False}
        for name, values in outcomes.items()
        if name not in {*never, "system"}
    )


def test_every_action_has_a_rule() -> None:
    assert set(RULES) == set(Action)


def test_roles_are_ordered() -> None:
    assert role_at_least(Role.ADMIN, Role.EDITOR)
    assert role_at_least(Role.EDITOR, Role.EDITOR)
    assert not role_at_least(Role.VIEWER, Role.EDITOR)
    assert [str(role) for role in Role] == ["viewer", "editor", "admin"]


def test_api_key_scopes_never_widen_the_owners_role() -> None:
    memberships = {WORKSPACE: Membership(WORKSPACE, Role.VIEWER)}
    key = Principal("k1", PrincipalKind.API_KEY, "ada", memberships, frozenset(Action))
    decision = Authorizer().decide(key, Action.ADMINISTER, Resource(WORKSPACE))
    assert not decision.allowed
    assert "below admin" in decision.reason


def test_a_membership_filed_under_another_workspace_does_not_count() -> None:
    memberships = {WORKSPACE: Membership("other", Role.ADMIN)}
    user = Principal("ada", PrincipalKind.USER, "ada", memberships)
    assert not Authorizer().decide(user, Action.READ, Resource(WORKSPACE)).allowed


def test_require_raises_a_not_allowed_error_naming_actor_action_and_reason() -> None:
    stranger = Principal("bob", PrincipalKind.USER, "bob", {})
    with pytest.raises(AccessDeniedError) as raised:
        Authorizer().require(stranger, Action.INGEST, Resource(WORKSPACE, INSIDE))
    error = raised.value
    assert isinstance(error, NotAllowedError)
    assert error.code == "access_denied"
    assert (error.actor, error.action) == ("user:bob", "ingest")
    assert "not a member of workspace team" in str(error)


def test_require_passes_silently_when_allowed() -> None:
    memberships = {WORKSPACE: Membership(WORKSPACE, Role.EDITOR)}
    editor = Principal("ada", PrincipalKind.USER, "ada", memberships)
    Authorizer().require(editor, Action.EDIT, Resource(WORKSPACE, INSIDE))


def test_readable_tables_filters_a_list_to_what_may_be_read() -> None:
    tables = {INSIDE, OUTSIDE, "orders"}
    restricted = Principal(
        "ada",
        PrincipalKind.USER,
        "ada",
        {WORKSPACE: Membership(WORKSPACE, Role.ADMIN, frozenset({INSIDE, "gone"}))},
    )
    full = Principal(
        "bo", PrincipalKind.USER, "bo", {WORKSPACE: Membership(WORKSPACE, Role.VIEWER)}
    )
    no_read = Principal(
        "k", PrincipalKind.API_KEY, "bo", full.memberships, frozenset({Action.INGEST})
    )
    authorizer = Authorizer()
    assert authorizer.readable_tables(restricted, WORKSPACE, tables) == {INSIDE}
    assert authorizer.readable_tables(full, WORKSPACE, tables) == tables
    assert authorizer.readable_tables(full, "elsewhere", tables) == frozenset()
    assert authorizer.readable_tables(no_read, WORKSPACE, tables) == frozenset()


def test_principals_name_themselves_for_the_audit_log() -> None:
    assert Principal("ada", PrincipalKind.USER, "ada").actor == "user:ada"
    assert Principal("k9", PrincipalKind.API_KEY, "ada").actor == "key:k9"
    assert Principal.system("worker").actor == "system:worker"


def key_principal(scopes: frozenset[Action] | None, user: str = "ada") -> Principal:
    return Principal("k1", PrincipalKind.API_KEY, user, {}, scopes)


INSTANCE_ADMIN = Principal(
    "root", PrincipalKind.USER, "root", {"default": Membership("default", Role.ADMIN)}
)


@pytest.mark.parametrize(
    ("who", "operation", "scopes", "allowed"),
    [
        (Principal("ada", PrincipalKind.USER, "ada"), KeyOperation.ISSUE, None, True),
        (Principal("ada", PrincipalKind.USER, "ada"), KeyOperation.REVOKE, None, True),
        (Principal("bob", PrincipalKind.USER, "bob"), KeyOperation.ISSUE, None, False),
        (Principal("bob", PrincipalKind.USER, "bob"), KeyOperation.LIST, None, False),
        (INSTANCE_ADMIN, KeyOperation.ISSUE, None, False),  # no minting keys to act as others
        (INSTANCE_ADMIN, KeyOperation.REVOKE, None, True),
        (INSTANCE_ADMIN, KeyOperation.LIST, None, True),
        (key_principal(None), KeyOperation.ISSUE, None, True),
        (key_principal(frozenset({Action.READ})), KeyOperation.LIST, None, False),
        (key_principal(frozenset({Action.ADMINISTER})), KeyOperation.REVOKE, None, True),
        (
            key_principal(frozenset({Action.ADMINISTER, Action.READ})),
            KeyOperation.ISSUE,
            frozenset({Action.READ}),
            True,
        ),
        (key_principal(frozenset({Action.ADMINISTER})), KeyOperation.ISSUE, None, False),
        (
            key_principal(frozenset({Action.ADMINISTER})),
            KeyOperation.ISSUE,
            frozenset({Action.READ}),
            False,
        ),
        (Principal.system("cli"), KeyOperation.ISSUE, None, True),
    ],
)
def test_who_may_manage_whose_keys(
    who: Principal, operation: KeyOperation, scopes: frozenset[Action] | None, allowed: bool
) -> None:
    assert Authorizer().decide_on_keys(who, operation, "ada", scopes).allowed is allowed


def test_require_on_keys_raises_access_denied() -> None:
    with pytest.raises(AccessDeniedError) as raised:
        Authorizer().require_on_keys(
            Principal("bob", PrincipalKind.USER, "bob"), KeyOperation.ISSUE, "ada"
        )
    assert raised.value.resource == "user ada"
