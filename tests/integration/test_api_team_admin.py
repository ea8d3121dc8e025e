"""Team administration through GraphQL on the real stores: users, workspaces, memberships
and API keys with the rules of the CLI, each change audited, and an admin of one workspace
unable to touch another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from governance.audit import AuditLog
from graph.graph import Graph
from tests.integration.api_support import Caller, Callers, error_codes, gql, make_caller

pytestmark = pytest.mark.integration

CREATE_USER = (
    "mutation($id: String!, $email: String!)"
    ' { createUser(id: $id, name: "N", email: $email) { id email } }'
)
CREATE_WORKSPACE = 'mutation($id: String!) { createWorkspace(id: $id, name: "Team") { id kind } }'
GRANT = """
mutation($ws: String!, $user: String!, $tables: [String!]) {
  grantMembership(workspace: $ws, user: $user, role: EDITOR, tables: $tables) { role tables }
}"""
REVOKE = "mutation($ws: String!, $user: String!) { revokeMembership(workspace: $ws, user: $user) }"
DEACTIVATE = "mutation($id: String!) { deactivateUser(id: $id) }"
CREATE_KEY = 'mutation { createApiKey(name: "laptop", scopes: [READ]) { id token } }'
ROTATE = "mutation($id: String!) { rotateApiKey(id: $id) { id token } }"
REVOKE_KEY = "mutation($id: String!) { revokeApiKey(id: $id) }"
ME = "{ me { user { id } } }"


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def as_token(token: str) -> Caller:
    return Caller("token", "?", token)


@pytest.fixture
async def cleanup(graph: Graph, unique: str) -> AsyncIterator[str]:
    yield unique
    await graph.write("testing/accounts_delete", {"marker": unique})


async def audited(graph: Graph, target: str) -> list[str]:
    return [e.action for e in await AuditLog(graph).events(limit=None) if e.target == target]


async def test_an_instance_admin_creates_and_deactivates_users(
    api_client: TestClient, callers: Callers, graph: Graph, cleanup: str
) -> None:
    new = f"newbie-{cleanup}"
    variables = {"id": new, "email": f"{new}@x.org"}
    created = data(gql(api_client, callers.admin, CREATE_USER, variables), "createUser")
    assert created == {"id": new, "email": f"{new}@x.org"}
    again = gql(api_client, callers.admin, CREATE_USER, variables)
    assert error_codes(again) == ["already_exists"]
    for caller in (callers.editor, callers.viewer, callers.stranger):
        other = {"id": f"x{new}", "email": f"x{new}@x.org"}
        assert error_codes(gql(api_client, caller, CREATE_USER, other)) == ["access_denied"]

    victim = await make_caller(graph, cleanup, "victim", None)
    assert data(gql(api_client, victim, ME), "me")["user"]["id"] == victim.user_id
    assert data(
        gql(api_client, callers.admin, DEACTIVATE, {"id": victim.user_id}), "deactivateUser"
    )
    assert gql(api_client, victim, ME).get("data") is None  # its key no longer works
    assert (
        data(gql(api_client, callers.admin, DEACTIVATE, {"id": victim.user_id}), "deactivateUser")
        is False
    )
    own = gql(api_client, callers.admin, DEACTIVATE, {"id": callers.admin.user_id})
    assert error_codes(own) == ["invalid_account_field"]
    assert await audited(graph, f"user:{new}") == ["user.create"]
    assert await audited(graph, f"user:{victim.user_id}") == ["user.create", "user.deactivate"]


async def test_an_admin_of_one_workspace_cannot_touch_another(
    api_client: TestClient, callers: Callers, graph: Graph, cleanup: str
) -> None:
    team_a, team_b = f"team-a-{cleanup}", f"team-b-{cleanup}"
    lead_a = await make_caller(graph, cleanup, "leada", None)
    member = await make_caller(graph, cleanup, "member", None)
    for team in (team_a, team_b):
        data(gql(api_client, callers.admin, CREATE_WORKSPACE, {"id": team}), "createWorkspace")
    lead = {"ws": team_a, "user": lead_a.user_id}
    admin_grant = (
        "mutation($ws: String!, $user: String!)"
        " { grantMembership(workspace: $ws, user: $user, role: ADMIN) { role } }"
    )
    assert data(gql(api_client, callers.admin, admin_grant, lead), "grantMembership") == {
        "role": "ADMIN"
    }

    granted = gql(
        api_client, lead_a, GRANT, {"ws": team_a, "user": member.user_id, "tables": ["cities"]}
    )
    assert data(granted, "grantMembership") == {"role": "EDITOR", "tables": ["cities"]}
    for workspace in (team_b, "default"):
        crossing = {"ws": workspace, "user": member.user_id, "tables": None}
        assert error_codes(gql(api_client, lead_a, GRANT, crossing)) == ["access_denied"]
        assert error_codes(
            gql(api_client, lead_a, REVOKE, {"ws": workspace, "user": callers.admin.user_id})
        ) == ["access_denied"]
    assert error_codes(gql(api_client, lead_a, CREATE_WORKSPACE, {"id": f"c-{cleanup}"})) == [
        "access_denied"
    ]
    assert data(
        gql(api_client, lead_a, REVOKE, {"ws": team_a, "user": member.user_id}), "revokeMembership"
    )
    assert error_codes(gql(api_client, lead_a, REVOKE, {"ws": team_a, "user": member.user_id})) == [
        "not_found"
    ]
    assert await audited(graph, f"membership:{team_a}/{member.user_id}") == [
        "access.grant",
        "access.revoke",
    ]


async def test_keys_are_created_rotated_and_revoked_with_the_secret_shown_once(
    api_client: TestClient, callers: Callers, graph: Graph, cleanup: str
) -> None:
    owner = await make_caller(graph, cleanup, "owner", None)
    issued = data(gql(api_client, owner, CREATE_KEY), "createApiKey")
    assert issued["token"].startswith(f"grace_{issued['id']}_")
    assert data(gql(api_client, as_token(issued["token"]), ME), "me")["user"]["id"] == owner.user_id
    listed = gql(api_client, owner, "{ me { apiKeys { id name scopes } } }")
    assert issued["token"] not in str(listed)  # listed without secrets

    # another user (even an instance admin) may not mint a secret acting as the owner
    assert error_codes(gql(api_client, callers.admin, ROTATE, {"id": issued["id"]})) == [
        "access_denied"
    ]
    rotated = data(gql(api_client, owner, ROTATE, {"id": issued["id"]}), "rotateApiKey")
    assert gql(api_client, as_token(issued["token"]), ME).get("data") is None
    assert error_codes(gql(api_client, callers.editor, REVOKE_KEY, {"id": issued["id"]})) == [
        "access_denied"
    ]
    assert data(gql(api_client, callers.admin, REVOKE_KEY, {"id": issued["id"]}), "revokeApiKey")
    assert gql(api_client, as_token(rotated["token"]), ME).get("data") is None
    assert await audited(graph, f"key:{issued['id']}") == ["key.create", "key.rotate", "key.revoke"]
