"""The callers and the table map an API process holds (`api.auth`, `api.gql.shared_tables`),
on the real graph and Redis: a held caller is served without reading, forgotten once the
`access.changed` of a revocation, deactivation, membership or table move is heard, bounded
by the max age when that event is missed, never held while the subscription is down or
past its credential's expiry; refusals are never held (a wrong key is refused every time, a
key made since works at once); a change made through the API applies to its next request."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.auth import Authenticator
from api.gql.shared_tables import SharedTableMap
from governance.access_events import AccessChange
from governance.accounts import Accounts
from governance.api_keys import TOKEN_KEY_NAME, ApiKeys, BearerTokens, TokenKeys, hash_secret
from governance.audit import AuditLog
from governance.errors import InvalidCredentialsError
from governance.local_secrets import LocalSecretStore
from governance.rbac import DEFAULT_WORKSPACE, Principal, Role
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.model import ReviewStatus
from graph.settings import Settings
from tests.clocks import Clock, WallClock
from tests.integration.api_support import Caller, Callers, error_codes, gql, make_callers
from tests.integration.collab_support import owned_team
from tests.integration.hearing import hearing
from tests.integration.held_support import WAIT, following, holding_app

pytestmark = pytest.mark.integration

SYSTEM = Principal.system("tests")
MAX_AGE = 60.0
"""Long enough that only an event can make a held caller stale within a test."""
KEY_READ = "governance/key_for_auth"
QUERY = "query($table: String!) { trustDashboard(table: $table) { table } }"


@pytest.fixture
def audit(graph: Graph, unique: str) -> AuditLog:
    return AuditLog(graph, chain=f"test-{unique}")


@pytest.fixture
async def user(graph: Graph, audit: AuditLog, unique: str) -> AsyncIterator[str]:
    """A viewer of the default workspace; removed with their keys afterwards."""
    accounts = Accounts(graph, audit)
    await accounts.ensure_default_workspace(by=SYSTEM)
    user_id = f"held-{unique}"
    await accounts.create_user(user_id, name="Held", email=f"{user_id}@x.org", by=SYSTEM)
    await accounts.grant(DEFAULT_WORKSPACE, user_id, Role.VIEWER, by=SYSTEM)
    yield user_id
    await graph.write("testing/accounts_delete", {"marker": unique})


def token_keys(folder: Path) -> TokenKeys:
    store = LocalSecretStore(folder, os.urandom(32))
    store.put(TOKEN_KEY_NAME, SecretStr("k" * 32))
    return TokenKeys(store)


def authenticator(
    graph: Graph, audit: AuditLog, folder: Path, clock: Clock, max_age: float = MAX_AGE
) -> Authenticator:
    return Authenticator(
        ApiKeys(graph, audit), BearerTokens(graph, token_keys(folder)), max_age, monotonic=clock
    )


async def new_key(
    graph: Graph, audit: AuditLog, user: str, expires_at: datetime | None = None
) -> tuple[str, str]:
    """A key of `user`: its id and its token."""
    issued = await ApiKeys(graph, audit).create_key(
        user, name="held", scopes=None, expires_at=expires_at, by=SYSTEM
    )
    return issued.id, issued.token.get_secret_value()


async def refused_within(wait: float, attempt: Callable[[], Awaitable[object]]) -> bool:
    """Whether `attempt` raises `InvalidCredentialsError` within `wait` seconds."""
    deadline = asyncio.get_running_loop().time() + wait
    while asyncio.get_running_loop().time() < deadline:
        try:
            await attempt()
        except InvalidCredentialsError:
            return True
        await asyncio.sleep(0.02)
    return False


def nowhere() -> EventBus:
    """A bus on a port where no Redis answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return EventBus.from_url(f"redis://127.0.0.1:{probe.getsockname()[1]}/0")


async def test_a_held_caller_is_served_without_reading_until_its_revocation_is_heard(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    auth = authenticator(graph, audit, tmp_path, Clock())
    key_id, token = await new_key(graph, audit, user)
    async with following(auth.held, bus):
        first = await auth.authenticate(token)
        assert first is not None
        assert first.user_id == user
        graph.reads.clear()
        assert await auth.authenticate(token) is first
        assert graph.reads[KEY_READ] == 0
        await ApiKeys(graph, audit, bus=bus).revoke(key_id, by=SYSTEM)  # another process's
        assert await refused_within(WAIT, lambda: auth.authenticate(token))


async def test_a_missed_revocation_is_refused_once_the_max_age_is_reached(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    clock = Clock()
    auth = authenticator(graph, audit, tmp_path, clock, max_age=1.0)
    key_id, token = await new_key(graph, audit, user)
    async with following(auth.held, bus):
        await auth.authenticate(token)
        await ApiKeys(graph, audit).revoke(key_id, by=SYSTEM)  # its event lost
        clock.now = 0.5
        assert await auth.authenticate(token) is not None  # held: at most the max age
        clock.now = 1.0
        with pytest.raises(InvalidCredentialsError):
            await auth.authenticate(token)


async def test_nothing_is_held_while_the_event_subscription_is_down(
    graph: Graph, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    auth = authenticator(graph, audit, tmp_path, Clock())
    key_id, token = await new_key(graph, audit, user)
    down = nowhere()
    task = asyncio.create_task(auth.held.follow(down))
    try:
        graph.reads.clear()
        await auth.authenticate(token)
        await auth.authenticate(token)
        assert graph.reads[KEY_READ] == 2
        await ApiKeys(graph, audit).revoke(key_id, by=SYSTEM)
        with pytest.raises(InvalidCredentialsError):
            await auth.authenticate(token)  # at once: nothing was held
        assert not auth.held.live.is_set()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await down.close()


async def test_a_wrong_secret_is_refused_and_read_every_time_beside_the_held_key(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    auth = authenticator(graph, audit, tmp_path, Clock())
    _, token = await new_key(graph, audit, user)
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    async with following(auth.held, bus):
        assert await auth.authenticate(token) is not None
        graph.reads.clear()
        for _ in range(5):
            with pytest.raises(InvalidCredentialsError):
                await auth.authenticate(wrong)
        assert graph.reads[KEY_READ] == 5  # refusals are never held
        assert await auth.authenticate(token) is not None
        assert graph.reads[KEY_READ] == 5


async def test_a_key_created_after_its_token_was_refused_works_at_once(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path, unique: str
) -> None:
    auth = authenticator(graph, audit, tmp_path, Clock())
    key_id, secret = unique.ljust(16, "0")[:16], "s" * 43
    token = f"grace_{key_id}_{secret}"
    async with following(auth.held, bus):
        with pytest.raises(InvalidCredentialsError):
            await auth.authenticate(token)
        created = await graph.write(
            "governance/create_key",
            {
                "user": user,
                "id": key_id,
                "name": "chosen",
                "hash": hash_secret(secret),
                "scopes": None,
                "now": datetime.now(UTC),
                "expires_at": None,
            },
        )
        assert created
        principal = await auth.authenticate(token)
        assert principal is not None
        assert principal.id == key_id


async def test_a_held_caller_past_its_keys_expiry_is_refused(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    wall = WallClock()
    keys = ApiKeys(graph, audit, clock=wall)
    auth = Authenticator(keys, BearerTokens(graph, token_keys(tmp_path)), MAX_AGE, clock=wall)
    _, token = await new_key(graph, audit, user, expires_at=wall.now + timedelta(minutes=5))
    async with following(auth.held, bus):
        assert await auth.authenticate(token) is not None
        graph.reads.clear()
        wall.now += timedelta(minutes=5)
        with pytest.raises(InvalidCredentialsError):
            await auth.authenticate(token)
        assert graph.reads[KEY_READ] == 0  # refused from what was held, then forgotten
        with pytest.raises(InvalidCredentialsError):
            await auth.authenticate(token)
        assert graph.reads[KEY_READ] == 1


async def test_a_deactivated_users_token_is_refused_once_the_event_is_heard(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    keys = token_keys(tmp_path)
    auth = Authenticator(ApiKeys(graph, audit), BearerTokens(graph, keys), MAX_AGE)
    bearer = await BearerTokens(graph, keys).issue_token(user, timedelta(minutes=5))
    async with following(auth.held, bus):
        principal = await auth.authenticate(bearer)
        assert principal is not None
        assert principal.expires_at is not None
        await Accounts(graph, audit, bus=bus).deactivate_user(user, by=SYSTEM)
        assert await refused_within(WAIT, lambda: auth.authenticate(bearer))


async def test_a_max_age_of_zero_holds_nothing(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    auth = authenticator(graph, audit, tmp_path, Clock(), max_age=0.0)
    _, token = await new_key(graph, audit, user)
    async with following(auth.held, bus):
        graph.reads.clear()
        for _ in range(3):
            await auth.authenticate(token)
        assert graph.reads[KEY_READ] == 3


async def test_every_change_of_access_is_published_with_ids_only(
    graph: Graph, bus: EventBus, audit: AuditLog, user: str, unique: str
) -> None:
    accounts, keys = Accounts(graph, audit, bus=bus), ApiKeys(graph, audit, bus=bus)
    async with hearing(bus, [EventType.ACCESS_CHANGED]) as heard:
        key_id, token = await new_key(graph, audit, user)
        await keys.rotate(key_id, by=SYSTEM)
        await keys.revoke(key_id, by=SYSTEM)
        team = f"team-{unique}"
        await accounts.create_workspace(team, name="Team", by=SYSTEM)
        await accounts.grant(team, user, Role.EDITOR, by=SYSTEM)
        await accounts.grant(team, user, Role.EDITOR, by=SYSTEM)  # unchanged: nothing to say
        await accounts.revoke(team, user, by=SYSTEM)
        table = await owned_table(graph, unique)
        await accounts.assign_table(table, team, by=SYSTEM)
        await accounts.deactivate_user(user, by=SYSTEM)
        expected = [
            ("key", f"key:{key_id}"),
            ("key", f"key:{key_id}"),
            ("membership", f"workspace:{team}"),
            ("membership", f"membership:{team}/{user}"),
            ("membership", f"membership:{team}/{user}"),
            ("table", f"table:{table}"),
            ("user", f"user:{user}"),
        ]
        await heard.until(lambda events: len(events) >= len(expected))
        assert [(e.payload["kind"], e.subject) for e in heard.events] == expected
        assert not any(token.split("_", 2)[2] in e.model_dump_json() for e in heard.events)
        assert {str(kind) for kind in AccessChange} == {kind for kind, _ in expected}


async def owned_table(graph: Graph, unique: str) -> str:
    table = f"owned_{unique}"
    await graph.write("testing/collab_owned_table", {"name": table, "owner": "nobody"})
    return table


async def test_a_change_is_made_even_when_its_event_cannot_be_published(
    graph: Graph, audit: AuditLog, user: str, tmp_path: Path
) -> None:
    down = nowhere()
    try:
        key_id, token = await new_key(graph, audit, user)
        await ApiKeys(graph, audit, bus=down).revoke(key_id, by=SYSTEM)
        auth = authenticator(graph, audit, tmp_path, Clock())
        with pytest.raises(InvalidCredentialsError):
            await auth.authenticate(token)
    finally:
        await down.close()


async def test_the_table_map_is_held_until_a_table_moves(
    graph: Graph, bus: EventBus, unique: str
) -> None:
    tables = SharedTableMap(graph, MAX_AGE, clock=Clock())
    async with following(tables.held, bus):
        graph.reads.clear()
        before = await asyncio.gather(*(tables.get() for _ in range(50)))
        assert graph.reads["api/table_workspaces"] == 1
        assert all(found is before[0] for found in before)
        try:
            team = await owned_team(graph, unique, 1)  # assigned without an event
            assert team.table not in await tables.get()
            await Accounts(graph, AuditLog(graph), bus=bus).assign_table(
                team.table, DEFAULT_WORKSPACE, by=SYSTEM
            )
            deadline = asyncio.get_running_loop().time() + WAIT
            while team.table not in await tables.get():
                assert asyncio.get_running_loop().time() < deadline, "the move was not heard"
                await asyncio.sleep(0.02)
            assert (await tables.get())[team.table] == DEFAULT_WORKSPACE
        finally:
            await graph.write("testing/accounts_delete", {"marker": unique})


async def test_a_missed_table_move_shows_once_the_max_age_is_reached(
    graph: Graph, bus: EventBus, unique: str
) -> None:
    clock = Clock()
    tables = SharedTableMap(graph, 1.0, clock=clock)
    async with following(tables.held, bus):
        await tables.get()
        try:
            team = await owned_team(graph, unique, 1)
            clock.now = 0.99
            assert team.table not in await tables.get()
            clock.now = 1.0
            assert (await tables.get())[team.table] == team.workspace
        finally:
            await graph.write("testing/accounts_delete", {"marker": unique})


@pytest.fixture(scope="module")
def held_client(settings: Settings) -> Iterator[TestClient]:
    """The real app holding callers for `MAX_AGE`: only events make them stale."""
    with holding_app(
        settings, MAX_AGE, lambda services: (services.authenticator.held, services.table_map.held)
    ) as client:
        yield client


@pytest.fixture
async def held_callers(graph: Graph, unique: str) -> AsyncIterator[Callers]:
    yield await make_callers(graph, unique)
    await graph.write("testing/accounts_delete", {"marker": unique})


async def test_a_membership_changed_through_the_api_applies_to_the_next_request(
    held_client: TestClient, held_callers: Callers
) -> None:
    viewer, admin = held_callers.viewer, held_callers.admin
    variables = {"table": "organizations"}
    for _ in range(2):  # the second from what the first left held
        assert gql(held_client, viewer, QUERY, variables)["data"]["trustDashboard"]
    narrowed = gql(
        held_client,
        admin,
        'mutation($user: String!) { grantMembership(workspace: "default", user: $user, '
        'role: VIEWER, tables: ["cities"]) { role } }',
        {"user": viewer.user_id},
    )
    assert narrowed["data"], narrowed
    assert error_codes(gql(held_client, viewer, QUERY, variables)) == ["access_denied"]


async def test_a_key_revoked_elsewhere_is_refused_by_the_api_once_the_event_is_heard(
    graph: Graph, bus: EventBus, held_client: TestClient, held_callers: Callers
) -> None:
    viewer = held_callers.viewer
    assert viewer.token is not None
    me = "{ me { user { id } } }"
    for _ in range(2):  # the second from what the first left held
        assert gql(held_client, viewer, me)["data"]["me"]["user"]["id"] == viewer.user_id
    key_id = viewer.token.split("_")[1]
    await ApiKeys(graph, AuditLog(graph), bus=bus).revoke(key_id, by=SYSTEM)
    deadline = time.monotonic() + WAIT
    while (
        held_client.post("/graphql", json={"query": me}, headers=viewer.headers()).status_code
        != 401
    ):
        assert time.monotonic() < deadline, "the revocation was not heard"
        await asyncio.sleep(0.02)


async def test_a_table_created_after_the_map_was_held_is_known_at_its_first_request(
    graph: Graph, held_client: TestClient, held_callers: Callers, unique: str
) -> None:
    services = held_client.app.state.services  # type: ignore[attr-defined]
    viewer = held_callers.viewer
    assert gql(held_client, viewer, QUERY, {"table": "cities"})["data"]["trustDashboard"]
    try:
        team = await owned_team(graph, unique, 1)  # made and assigned without an event
        assert team.table not in await services.table_map.get()
        _, token = await new_key(graph, AuditLog(graph), team.members[0])
        member = Caller("member", team.members[0], token)
        body = gql(held_client, member, QUERY, {"table": team.table})
        assert body["data"]["trustDashboard"]["table"] == team.table, body
        assert (await services.table_map.get())[team.table] == team.workspace
        assert error_codes(gql(held_client, viewer, QUERY, {"table": team.table})) == [
            "access_denied"
        ]
        unknown = {"table": f"nowhere_{unique}"}
        reads = services.graph.reads["api/table_workspaces"]
        for _ in range(2):  # an unknown name is never held: each request looks again
            assert error_codes(gql(held_client, viewer, QUERY, unknown)) == ["not_found"]
        assert services.graph.reads["api/table_workspaces"] == reads + 2
    finally:
        await graph.write("testing/accounts_delete", {"marker": unique})


async def test_an_applied_change_request_forgets_the_table_map(
    graph: Graph, bus: EventBus, unique: str
) -> None:
    tables = SharedTableMap(graph, MAX_AGE, clock=Clock())
    async with following(tables.held, bus):
        await tables.get()
        try:
            team = await owned_team(graph, unique, 1)  # as an approved schema would make it
            await bus.publish(
                DomainEvent(
                    type=EventType.CHANGE_REQUEST_UPDATED,
                    subject="cr",
                    payload={"status": ReviewStatus.APPLIED},
                )
            )
            deadline = asyncio.get_running_loop().time() + WAIT
            while team.table not in await tables.get():
                assert asyncio.get_running_loop().time() < deadline, "the change was not heard"
                await asyncio.sleep(0.02)
        finally:
            await graph.write("testing/accounts_delete", {"marker": unique})
