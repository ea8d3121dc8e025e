"""The first administrator of a fresh instance (`grace up` in dev)."""

from __future__ import annotations

from governance.accounts import Accounts
from governance.api_keys import ApiKeys, IssuedKey
from governance.audit import AuditLog
from governance.errors import AlreadyExistsError
from governance.rbac import DEFAULT_WORKSPACE, Principal, Role
from graph.graph import Graph


async def ensure_first_admin(
    graph: Graph, audit: AuditLog, user_id: str = "admin"
) -> IssuedKey | None:
    """On a fresh instance: create the admin user (admin of `default`) and a key for them.

    Returns the key the first time, None once the user exists (also when another process
    created it concurrently). Should this stop between the user and the key, run
    `grace keys create admin --name ...` to make one.
    """
    system = Principal.system("setup")
    accounts = Accounts(graph, audit)
    try:
        await accounts.create_user(
            user_id, name="Administrator", email=f"{user_id}@localhost", by=system
        )
    except AlreadyExistsError:
        return None
    await accounts.grant(DEFAULT_WORKSPACE, user_id, Role.ADMIN, by=system)
    return await ApiKeys(graph, audit).create_key(
        user_id, name="first admin key", scopes=None, expires_at=None, by=system
    )
