"""API keys and bearer tokens on the real graph: issue, check, rotate, revoke, expire."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from governance.accounts import Accounts, load_principal, personal_workspace
from governance.api_keys import (
    TOKEN_KEY_NAME,
    ApiKeys,
    BearerTokens,
    IssuedKey,
    KeyInfo,
    TokenKeys,
    hash_secret,
)
from governance.audit import AuditLog
from governance.errors import (
    AccessDeniedError,
    InvalidAccountFieldError,
    InvalidCredentialsError,
    KeyNotUsableError,
    NotFoundError,
)
from governance.local_secrets import LocalSecretStore
from governance.rbac import Action, Authorizer, Principal, PrincipalKind, Resource, Role
from graph.errors import ConfigurationError
from graph.graph import Graph
from tests.clocks import WallClock as Clock

pytestmark = pytest.mark.integration

SYSTEM = Principal.system("tests")
TOKEN_KEY = "k" * 32


@pytest.fixture
async def audit(graph: Graph, unique: str) -> AuditLog:
    return AuditLog(graph, chain=f"test-{unique}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def stored_token_keys(folder: Path, key: str) -> TokenKeys:
    """Token keys from a secret store of their own holding `key`."""
    store = LocalSecretStore(folder, os.urandom(32))
    store.put(TOKEN_KEY_NAME, SecretStr(key))
    return TokenKeys(store)


@pytest.fixture
def token_keys(tmp_path: Path) -> TokenKeys:
    return stored_token_keys(tmp_path, TOKEN_KEY)


@pytest.fixture
def keys(graph: Graph, audit: AuditLog, clock: Clock) -> ApiKeys:
    return ApiKeys(graph, audit, clock=clock)


@pytest.fixture
async def owner(graph: Graph, audit: AuditLog, unique: str) -> AsyncIterator[str]:
    """A user, editor of a team workspace; removed with their keys afterwards."""
    accounts = Accounts(graph, audit)
    user, team = f"kay-{unique}", f"team-{unique}"
    await accounts.create_user(user, name="Kay", email=f"kay-{unique}@x.org", by=SYSTEM)
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    await accounts.grant(team, user, Role.EDITOR, by=SYSTEM)
    yield user
    await graph.write("testing/accounts_delete", {"marker": unique})


async def create(keys: ApiKeys, owner: str, **changes: object) -> IssuedKey:
    arguments: dict[str, object] = {"name": "ci", "scopes": None, "expires_at": None, "by": SYSTEM}
    arguments.update(changes)
    return await keys.create_key(owner, **arguments)  # type: ignore[arg-type]


def token(issued: IssuedKey) -> str:
    return issued.token.get_secret_value()


def flip_tail(text: str) -> str:
    """`text` with its last two characters changed (to other base64url characters)."""
    return text[:-2] + ("AA" if not text.endswith("AA") else "BB")


async def refusal(keys: ApiKeys, presented: str) -> str:
    with pytest.raises(InvalidCredentialsError) as raised:
        await keys.authenticate(presented)
    return str(raised.value)


async def test_a_key_authenticates_as_its_owner_narrowed_to_its_scopes(
    graph: Graph, keys: ApiKeys, owner: str, unique: str
) -> None:
    issued = await create(keys, owner, scopes=frozenset({Action.READ}))

    assert token(issued).startswith(f"grace_{issued.id}_")
    assert token(issued) not in repr(issued)
    principal = await keys.authenticate(token(issued))
    assert (principal.id, principal.kind, principal.user_id) == (
        issued.id,
        PrincipalKind.API_KEY,
        owner,
    )
    assert principal.actor == f"key:{issued.id}"
    assert principal.scopes == frozenset({Action.READ})
    assert principal.memberships == (await load_principal(graph, owner)).memberships
    team = Resource(f"team-{unique}", "customers")
    assert Authorizer().decide(principal, Action.READ, team).allowed
    assert not Authorizer().decide(principal, Action.INGEST, team).allowed


async def test_only_a_hash_is_stored_and_none_is_listed(
    graph: Graph, keys: ApiKeys, owner: str
) -> None:
    issued = await create(keys, owner, expires_at=datetime.now(UTC) + timedelta(days=3))
    secret = token(issued).removeprefix(f"grace_{issued.id}_")

    [row] = await graph.read("testing/api_key_node", {"id": issued.id})
    stored = row["key"]
    assert stored["hash"] == hash_secret(secret)
    assert all(secret not in str(value) for value in stored.values())

    [listed] = await keys.list_keys(owner, by=SYSTEM)
    assert "hash" not in {field.name for field in dataclasses.fields(KeyInfo)}
    assert stored["hash"] not in repr(listed)
    assert (listed.id, listed.name, listed.scopes) == (issued.id, "ci", None)
    assert listed.expires_at is not None
    assert listed.revoked_at is None


async def test_every_refusal_reads_the_same(keys: ApiKeys, owner: str, clock: Clock) -> None:
    good = await create(keys, owner)
    revoked = await create(keys, owner)
    await keys.revoke(revoked.id, by=SYSTEM)
    expiring = await create(keys, owner, expires_at=clock.now + timedelta(hours=1))
    wrong_secret = flip_tail(token(good))
    unknown_id = "grace_0123456789abcdef_" + token(good).split("_", 2)[2]

    messages = {
        await refusal(keys, wrong_secret),
        await refusal(keys, unknown_id),
        await refusal(keys, token(revoked)),
        await refusal(keys, "grace_nonsense"),
        await refusal(keys, ""),
    }
    clock.now += timedelta(hours=2)
    messages.add(await refusal(keys, token(expiring)))

    assert messages == {"invalid or expired credentials"}
    clock.now -= timedelta(hours=2)
    await keys.authenticate(token(expiring))
    await keys.authenticate(token(good))


async def test_revoke_and_rotate_are_audited(keys: ApiKeys, audit: AuditLog, owner: str) -> None:
    issued = await create(keys, owner)

    rotated = await keys.rotate(issued.id, by=SYSTEM)
    assert rotated.id == issued.id
    await refusal(keys, token(issued))
    await keys.authenticate(token(rotated))

    await keys.revoke(issued.id, by=SYSTEM)
    await keys.revoke(issued.id, by=SYSTEM)
    await refusal(keys, token(rotated))
    with pytest.raises(KeyNotUsableError):
        await keys.rotate(issued.id, by=SYSTEM)
    with pytest.raises(NotFoundError):
        await keys.revoke("0000000000000000", by=SYSTEM)

    events = [(event.actor, event.action, event.target) for event in await audit.events()]
    target = f"key:{issued.id}"
    assert [event for event in events if event[2] == target] == [
        ("system:tests", "key.create", target),
        ("system:tests", "key.rotate", target),
        ("system:tests", "key.revoke", target),
    ]


async def test_expired_keys_cannot_be_rotated(keys: ApiKeys, owner: str, clock: Clock) -> None:
    issued = await create(keys, owner, expires_at=clock.now + timedelta(minutes=5))
    clock.now += timedelta(minutes=10)
    with pytest.raises(KeyNotUsableError) as raised:
        await keys.rotate(issued.id, by=SYSTEM)
    assert raised.value.state == "expired"
    with pytest.raises(InvalidAccountFieldError):
        await create(keys, owner, expires_at=clock.now - timedelta(seconds=1))


async def test_last_used_is_written_at_most_once_a_minute(
    keys: ApiKeys, owner: str, clock: Clock
) -> None:
    issued = await create(keys, owner)

    async def last_used() -> datetime | None:
        [listed] = [key for key in await keys.list_keys(owner, by=SYSTEM) if key.id == issued.id]
        return listed.last_used_at

    assert await last_used() is None
    first = clock.now
    await keys.authenticate(token(issued))
    assert await last_used() == first

    clock.now = first + timedelta(seconds=30)
    await keys.authenticate(token(issued))
    assert await last_used() == first

    clock.now = first + timedelta(seconds=61)
    await keys.authenticate(token(issued))
    assert await last_used() == clock.now


async def test_who_may_manage_whose_keys(
    graph: Graph, keys: ApiKeys, audit: AuditLog, owner: str, unique: str
) -> None:
    other = f"lee-{unique}"
    await Accounts(graph, audit).create_user(other, name="Lee", email=f"lee-{unique}@x", by=SYSTEM)
    owner_principal = await load_principal(graph, owner)
    other_principal = await load_principal(graph, other)

    mine = await keys.create_key(
        owner, name="mine", scopes=None, expires_at=None, by=owner_principal
    )
    with pytest.raises(AccessDeniedError):
        await keys.create_key(owner, name="x", scopes=None, expires_at=None, by=other_principal)
    with pytest.raises(AccessDeniedError):
        await keys.revoke(mine.id, by=other_principal)
    with pytest.raises(AccessDeniedError):
        await keys.list_keys(owner, by=other_principal)

    narrow = await create(keys, owner, scopes=frozenset({Action.READ, Action.ADMINISTER}))
    narrow_principal = await keys.authenticate(token(narrow))
    await keys.create_key(
        owner, name="n", scopes=frozenset({Action.READ}), expires_at=None, by=narrow_principal
    )
    with pytest.raises(AccessDeniedError):
        await keys.create_key(owner, name="w", scopes=None, expires_at=None, by=narrow_principal)
    read_only = await create(keys, owner, scopes=frozenset({Action.READ}))
    with pytest.raises(AccessDeniedError):
        await keys.list_keys(owner, by=await keys.authenticate(token(read_only)))
    with pytest.raises(NotFoundError):
        await create(keys, f"ghost-{unique}")
    with pytest.raises(InvalidAccountFieldError):
        await create(keys, owner, scopes=frozenset())
    assert personal_workspace(owner) in owner_principal.memberships


async def test_bearer_tokens_carry_the_users_current_memberships(
    graph: Graph, audit: AuditLog, owner: str, clock: Clock, unique: str, token_keys: TokenKeys
) -> None:
    tokens = BearerTokens(graph, token_keys, clock)
    bearer = await tokens.issue_token(owner, timedelta(minutes=15))

    principal = await tokens.verify_token(bearer)
    assert (principal.kind, principal.user_id) == (PrincipalKind.USER, owner)
    assert principal.memberships[f"team-{unique}"].role is Role.EDITOR

    await Accounts(graph, audit).grant(f"team-{unique}", owner, Role.VIEWER, by=SYSTEM)
    assert (await tokens.verify_token(bearer)).memberships[f"team-{unique}"].role is Role.VIEWER
    assert "kkkk" not in repr(tokens)


async def test_bearer_tokens_refuse_expiry_tampering_and_other_keys(
    graph: Graph, owner: str, clock: Clock, unique: str, token_keys: TokenKeys, tmp_path: Path
) -> None:
    tokens = BearerTokens(graph, token_keys, clock)
    bearer = await tokens.issue_token(owner, timedelta(minutes=15))
    version, body, signature = bearer.split(".")
    forged_body = flip_tail(body)

    async def refused(presented: str, verifier: BearerTokens = tokens) -> str:
        with pytest.raises(InvalidCredentialsError) as raised:
            await verifier.verify_token(presented)
        return str(raised.value)

    messages = {
        await refused(f"{version}.{forged_body}.{signature}"),
        await refused(f"{version}.{body}.{flip_tail(signature)}"),
        await refused(f"v2.{body}.{signature}"),
        await refused(
            bearer, BearerTokens(graph, stored_token_keys(tmp_path / "other", "x" * 32), clock)
        ),
        await refused("not.a.token!"),
        await refused("garbage"),
    }
    clock.now += timedelta(minutes=16)
    messages.add(await refused(bearer))
    assert messages == {"invalid or expired credentials"}

    clock.now -= timedelta(minutes=16)
    assert (await tokens.verify_token(bearer)).user_id == owner
    with pytest.raises(NotFoundError):
        await tokens.issue_token(f"ghost-{unique}", timedelta(minutes=1))
    with pytest.raises(InvalidAccountFieldError):
        await tokens.issue_token(owner, timedelta(0))
    short = BearerTokens(graph, stored_token_keys(tmp_path / "short", "short"), clock)
    with pytest.raises(ConfigurationError):
        await short.issue_token(owner, timedelta(minutes=1))


async def test_a_token_for_a_deleted_user_is_refused(
    graph: Graph, audit: AuditLog, clock: Clock, unique: str, token_keys: TokenKeys
) -> None:
    gone = f"gone-{unique}"
    await Accounts(graph, audit).create_user(gone, name="Gone", email=f"{gone}@x", by=SYSTEM)
    tokens = BearerTokens(graph, token_keys, clock)
    bearer = await tokens.issue_token(gone, timedelta(minutes=5))
    await graph.write("testing/accounts_delete", {"marker": gone})
    with pytest.raises(InvalidCredentialsError):
        await tokens.verify_token(bearer)
