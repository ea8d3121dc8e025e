"""The governance part of the GraphQL API on the real stores: change requests, the audit log,
the caller (`me`), users and workspaces, as every kind of caller."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import GraphQLObjectType, build_schema
from pydantic import SecretStr

from api.gql.audit_views import chain_state
from api.gql.pagination import encode_cursor
from api.schema import build_schema as build_grace_schema
from governance.accounts import Accounts, personal_workspace
from governance.api_keys import ApiKeys
from governance.approvals import Approvals
from governance.audit import AuditEntry, AuditLog
from governance.checkpoint import key_from_secret, new_key_text, sign_checkpoint, store_checkpoint
from governance.comments import Comments
from governance.notifications import Notifier
from governance.policy import ApprovalRule
from governance.rbac import DEFAULT_WORKSPACE, Action, Role
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Profile
from tests.integration.api_support import (
    RESTRICTED_TABLE,
    SYSTEM,
    Caller,
    Callers,
    error_codes,
    gql,
)

pytestmark = pytest.mark.integration

OTHER_TABLE = "organizations"
REVIEW = ApprovalRule(required=1, role=Role.EDITOR, expires_after_hours=24, stage="review")
SIGN_OFF = ApprovalRule(required=1, role=Role.ADMIN, expires_after_hours=None, stage="sign-off")

REQUEST_FIELDS = """
  id kind title status requestedBy workspace table stage required
  stages { name required role expiresAfterHours }
  approvals { user at note stage }
  rejections { user at note stage }
  comments { id author text mentions at }
  target { type id table }
  openedAt updatedAt expiresAt appliedAt applyError payload
"""
LISTED_FIELDS = "id openedAt payload comments { author text } target { id table }"
"""What list tests select: a full selection of a page of 50 is over the complexity budget."""
LIST = (
    "query($kind: String, $status: ReviewStatus, $workspace: String, $first: Int, "
    "$after: String) { changeRequests(kind: $kind, status: $status, workspace: $workspace, "
    "first: $first, after: $after) { nodes {" + LISTED_FIELDS + "} pageInfo { hasNextPage "
    "endCursor } } }"
)
ONE = "query($id: ID!) { changeRequest(id: $id) {" + REQUEST_FIELDS + "} }"
AUDIT = (
    "query($actor: String, $action: String, $target: String, $since: DateTime, $first: Int, "
    "$after: String) { auditEvents(actor: $actor, action: $action, target: $target, "
    "since: $since, first: $first, after: $after) { nodes { seq id actor action target at "
    "beforeDigest afterDigest prevHash hash } pageInfo { hasNextPage endCursor } } }"
)
ME = """{ me { actor scopes
  user { id name email createdAt
         memberships { role tables pii workspace { id name kind tables } } }
  apiKeys { id name scopes createdAt lastUsedAt expiresAt revokedAt } } }"""
USERS = (
    "query($first: Int, $after: String) { users(first: $first, after: $after) { "
    "nodes { id name email createdAt memberships { role tables workspace { id } } } "
    "pageInfo { hasNextPage endCursor } totalCount } }"
)
WORKSPACE = (
    "query($id: ID!) { workspace(id: $id) { id name kind tables "
    "members { userId name email role tables pii } } }"
)


@dataclass(frozen=True)
class World:
    """Change requests in two team workspaces and a personal one, about two tables."""

    callers: Callers
    kind: str
    team: str
    cities: str  # default workspace, table cities: approved once, commented
    organizations: str  # default workspace, table organizations: rejected
    workspace_wide: str  # default workspace, no table, targets the workspace
    by_target: str  # default workspace, no table, targets the cities schema
    team_request: str  # the team workspace, table cities
    personal: str  # the stranger's personal workspace
    markers: dict[str, str]  # request id -> a marker only its payload holds

    def ids(self, *names: str) -> set[str]:
        return {getattr(self, name) for name in names}


@pytest.fixture
async def world(graph: Graph, bus: EventBus, callers: Callers, unique: str) -> AsyncIterator[World]:
    audit = AuditLog(graph)
    approvals = Approvals(graph, bus, audit)
    accounts = Accounts(graph, audit)
    team = f"team-{unique}"
    await accounts.create_workspace(team, name="Team", by=SYSTEM)
    await accounts.grant(team, user(callers.editor), Role.VIEWER, by=SYSTEM)
    kind = f"test-{unique}"
    markers: dict[str, str] = {}

    async def open_request(
        name: str,
        requester: str,
        *,
        workspace: str = DEFAULT_WORKSPACE,
        table: str | None = None,
        target: str | None = None,
    ) -> str:
        marker = f"marker-{name}-{unique}"
        payload: dict[str, Any] = {"marker": marker, **({"table": table} if table else {})}
        request = await approvals.open(
            kind=kind,
            title=f"{name} change",
            payload=payload,
            requested_by=requester,
            workspace=workspace,
            rule=REVIEW,
            target_id=target,
            stages=[REVIEW, SIGN_OFF],
        )
        markers[request.id] = marker
        return request.id

    editor = user(callers.editor)
    cities = await open_request("cities", editor, table=RESTRICTED_TABLE)
    organizations = await open_request("organizations", editor, table=OTHER_TABLE)
    workspace_wide = await open_request("workspace", editor, target=DEFAULT_WORKSPACE)
    by_target = await open_request("target", editor, target=RESTRICTED_TABLE)
    team_request = await open_request(
        "team", "system:tests", workspace=team, table=RESTRICTED_TABLE
    )
    stranger = user(callers.stranger)
    personal = await open_request("personal", stranger, workspace=personal_workspace(stranger))
    thread = Comments(graph, bus, audit, Notifier(graph, bus))
    await approvals.comment(
        thread, cities, user(callers.viewer), f"see @{user(callers.admin)} please"
    )
    await approvals.approve(cities, user(callers.admin), "fine")
    await approvals.reject(organizations, user(callers.admin), "not now")
    yield World(
        callers,
        kind,
        team,
        cities,
        organizations,
        workspace_wide,
        by_target,
        team_request,
        personal,
        markers,
    )
    await graph.write("testing/governance_api_delete_requests", {"ids": list(markers)})


def user(caller: Caller) -> str:
    assert caller.user_id is not None
    return caller.user_id


def key_id(caller: Caller) -> str:
    assert caller.token is not None
    return caller.token.split("_")[1]


def listed(client: TestClient, caller: Caller, **variables: Any) -> dict[str, Any]:
    body = gql(client, caller, LIST, {"first": 10, **variables})
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["changeRequests"]
    return page


# --- change requests ------------------------------------------------------------------


def test_each_caller_lists_only_the_change_requests_it_may_read(
    api_client: TestClient, world: World
) -> None:
    callers = world.callers
    default = ("cities", "organizations", "workspace_wide", "by_target")
    expected = {
        callers.admin.name: world.ids(*default),
        callers.editor.name: world.ids(*default, "team_request"),
        callers.viewer.name: world.ids(*default),
        callers.restricted.name: world.ids("cities", "by_target"),
        callers.stranger.name: world.ids("personal"),
    }
    for caller in callers.all()[:-1]:
        page = listed(api_client, caller, kind=world.kind)
        got = [node["id"] for node in page["nodes"]]
        assert set(got) == expected[caller.name], caller.name
        assert len(got) == len(set(got))
        hidden = set(world.markers) - expected[caller.name]
        text = json.dumps(page)
        assert not [world.markers[i] for i in hidden if world.markers[i] in text], caller.name
    body = gql(api_client, callers.anonymous, LIST, {"kind": world.kind, "first": 10})
    assert body["data"] is None
    assert error_codes(body) == ["unauthenticated"]


def test_a_change_request_shows_stages_votes_comments_and_its_change(
    api_client: TestClient, world: World
) -> None:
    callers = world.callers
    body = gql(api_client, callers.viewer, ONE, {"id": world.cities})
    request = body["data"]["changeRequest"]
    opened = datetime.fromisoformat(request["openedAt"])
    assert datetime.now(UTC) - opened < timedelta(minutes=5)
    [approval] = request["approvals"]
    [comment] = request["comments"]
    assert request == {
        "id": world.cities,
        "kind": world.kind,
        "title": "cities change",
        "status": "OPEN",
        "requestedBy": user(callers.editor),
        "workspace": DEFAULT_WORKSPACE,
        "table": RESTRICTED_TABLE,
        "stage": 1,
        "required": 1,
        "stages": [
            {"name": "review", "required": 1, "role": "EDITOR", "expiresAfterHours": 24.0},
            {"name": "sign-off", "required": 1, "role": "ADMIN", "expiresAfterHours": None},
        ],
        "approvals": [
            {"user": user(callers.admin), "at": approval["at"], "note": "fine", "stage": 0}
        ],
        "rejections": [],
        "comments": [
            {
                "id": comment["id"],
                "author": user(callers.viewer),
                "text": f"see @{user(callers.admin)} please",
                "mentions": [user(callers.admin)],
                "at": comment["at"],
            }
        ],
        "target": None,
        "openedAt": request["openedAt"],
        "updatedAt": request["updatedAt"],
        "expiresAt": None,
        "appliedAt": None,
        "applyError": None,
        "payload": {"marker": world.markers[world.cities], "table": RESTRICTED_TABLE},
    }
    assert opened <= datetime.fromisoformat(approval["at"])
    assert datetime.fromisoformat(request["updatedAt"]) >= opened


def test_a_rejection_and_targets_are_shown(api_client: TestClient, world: World) -> None:
    admin = world.callers.admin
    rejected = gql(api_client, admin, ONE, {"id": world.organizations})["data"]["changeRequest"]
    assert rejected["status"] == "REJECTED"
    assert [(v["user"], v["note"], v["stage"]) for v in rejected["rejections"]] == [
        (user(admin), "not now", 0)
    ]
    by_target = gql(api_client, admin, ONE, {"id": world.by_target})["data"]["changeRequest"]
    assert by_target["table"] is None
    assert by_target["target"] == {"type": "Schema", "id": RESTRICTED_TABLE, "table": "cities"}
    wide = gql(api_client, admin, ONE, {"id": world.workspace_wide})["data"]["changeRequest"]
    assert wide["target"] == {"type": "Workspace", "id": DEFAULT_WORKSPACE, "table": None}
    assert wide["expiresAt"] is not None


@pytest.mark.parametrize(
    ("caller", "request_name", "code"),
    [
        ("restricted", "organizations", "access_denied"),
        ("restricted", "workspace_wide", "access_denied"),
        ("restricted", "team_request", "access_denied"),
        ("stranger", "cities", "access_denied"),
        ("admin", "team_request", "access_denied"),
        ("admin", "personal", "access_denied"),
        ("anonymous", "cities", "unauthenticated"),
    ],
)
def test_a_change_request_outside_the_callers_reach_is_refused(
    api_client: TestClient, world: World, caller: str, request_name: str, code: str
) -> None:
    body = gql(
        api_client, getattr(world.callers, caller), ONE, {"id": getattr(world, request_name)}
    )
    assert body["data"] is None
    assert error_codes(body) == [code]
    assert world.markers[getattr(world, request_name)] not in json.dumps(body)


@pytest.mark.parametrize(
    ("caller", "request_name"),
    [
        ("restricted", "cities"),
        ("restricted", "by_target"),
        ("stranger", "personal"),
        ("editor", "team_request"),
    ],
)
def test_a_change_request_within_reach_is_shown(
    api_client: TestClient, world: World, caller: str, request_name: str
) -> None:
    request_id = getattr(world, request_name)
    body = gql(api_client, getattr(world.callers, caller), ONE, {"id": request_id})
    assert body["data"]["changeRequest"]["id"] == request_id


def test_an_unknown_change_request_is_not_found(api_client: TestClient, callers: Callers) -> None:
    body = gql(api_client, callers.admin, ONE, {"id": "cr:nothing-here"})
    assert body["data"] is None
    assert error_codes(body) == ["change_request_not_found"]


def test_change_requests_filter_by_status_and_workspace(
    api_client: TestClient, world: World
) -> None:
    editor = world.callers.editor
    rejected = listed(api_client, editor, kind=world.kind, status="REJECTED")
    assert [node["id"] for node in rejected["nodes"]] == [world.organizations]
    team = listed(api_client, editor, kind=world.kind, workspace=world.team)
    assert [node["id"] for node in team["nodes"]] == [world.team_request]
    default = listed(api_client, editor, kind=world.kind, workspace=DEFAULT_WORKSPACE)
    assert len(default["nodes"]) == 4


@pytest.mark.parametrize(("caller", "workspace"), [("stranger", "default"), ("admin", "team")])
def test_listing_a_workspace_needs_read_on_it(
    api_client: TestClient, world: World, caller: str, workspace: str
) -> None:
    name = world.team if workspace == "team" else workspace
    body = gql(
        api_client,
        getattr(world.callers, caller),
        LIST,
        {"kind": world.kind, "workspace": name, "first": 10},
    )
    assert body["data"] is None
    assert error_codes(body) == ["access_denied"]


def test_change_requests_page_newest_first_without_repeats(
    api_client: TestClient, world: World
) -> None:
    everything = listed(api_client, world.callers.editor, kind=world.kind)["nodes"]
    order = [(node["openedAt"], node["id"]) for node in everything]
    assert order == sorted(order, reverse=True)
    seen: list[str] = []
    after = None
    while True:
        page = listed(api_client, world.callers.editor, kind=world.kind, first=2, after=after)
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [node["id"] for node in everything]
    assert len(seen) == 5


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "page_size"),
        ({"first": 501}, "page_size"),
        ({"after": "not a cursor"}, "invalid_cursor"),
        ({"after": encode_cursor([1])}, "invalid_cursor"),
        ({"after": encode_cursor(["yesterday", "cr:x"])}, "invalid_cursor"),
    ],
)
def test_a_bad_page_request_is_refused(
    api_client: TestClient, callers: Callers, variables: dict[str, Any], code: str
) -> None:
    query = "query($first: Int, $after: String) { changeRequests(first: $first, after: $after) { "
    query += "nodes { id } } }"
    body = gql(api_client, callers.viewer, query, variables)
    assert error_codes(body) == [code]


# --- the audit log --------------------------------------------------------------------


def test_audit_events_are_for_instance_admins_only(
    api_client: TestClient, callers: Callers
) -> None:
    for caller in callers.all()[1:]:
        for query in (AUDIT, "{ auditChain { headSeq } }"):
            body = gql(api_client, caller, query)
            assert body["data"] is None
            expected = "unauthenticated" if caller.token is None else "access_denied"
            assert error_codes(body) == [expected], caller.name


def test_audit_events_newest_first_filtered_and_paged_by_seq(
    api_client: TestClient, world: World
) -> None:
    admin = world.callers.admin
    target = f"change_request:{world.cities}"
    body = gql(api_client, admin, AUDIT, {"target": target})
    events = body["data"]["auditEvents"]["nodes"]
    assert [e["action"] for e in events] == [
        "change_request.approve",
        "change_request.comment",
        "change_request.open",
    ]
    assert [e["actor"] for e in events] == [
        f"user:{user(admin)}",
        f"user:{user(world.callers.viewer)}",
        f"user:{user(world.callers.editor)}",
    ]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs, reverse=True)
    assert all(len(e["hash"]) == 64 and len(e["prevHash"]) == 64 for e in events)

    paged: list[int] = []
    after = None
    while True:
        page = gql(api_client, admin, AUDIT, {"target": target, "first": 1, "after": after})
        paged += [e["seq"] for e in page["data"]["auditEvents"]["nodes"]]
        info = page["data"]["auditEvents"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert paged == seqs

    by_actor = gql(
        api_client,
        admin,
        AUDIT,
        {"actor": f"user:{user(admin)}", "action": "change_request.reject"},
    )
    [rejection] = by_actor["data"]["auditEvents"]["nodes"]
    assert rejection["target"] == f"change_request:{world.organizations}"
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert (
        gql(api_client, admin, AUDIT, {"target": target, "since": later})["data"]["auditEvents"][
            "nodes"
        ]
        == []
    )
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    since = gql(api_client, admin, AUDIT, {"target": target, "since": earlier})
    assert [e["seq"] for e in since["data"]["auditEvents"]["nodes"]] == seqs


@pytest.mark.parametrize("after", [encode_cursor(["7"]), encode_cursor([True]), "%%%"])
def test_a_bad_audit_cursor_is_refused(
    api_client: TestClient, callers: Callers, after: str
) -> None:
    body = gql(api_client, callers.admin, AUDIT, {"after": after})
    assert error_codes(body) == ["invalid_cursor"]


def test_the_audit_chain_state_is_shown_to_instance_admins(
    api_client: TestClient, callers: Callers
) -> None:
    query = "{ auditChain { chain headSeq headHash lastSeq headIntact } }"
    state = gql(api_client, callers.admin, query)["data"]["auditChain"]
    assert state["chain"] == "main"
    assert state["headIntact"] is True
    assert state["headSeq"] >= 1
    assert state["lastSeq"] >= state["headSeq"]
    assert len(state["headHash"]) == 64


@pytest.fixture
async def test_chain(graph: Graph, unique: str) -> AsyncIterator[AuditLog]:
    log = AuditLog(graph, chain=f"test-{unique}")
    yield log
    await graph.write("testing/audit_delete_chain", {"chain": log.chain})


async def test_the_chain_state_notices_a_tampered_head(graph: Graph, test_chain: AuditLog) -> None:
    empty = await chain_state(test_chain)
    assert (empty.head_seq, empty.last_seq, empty.head_intact, empty.checkpoint) == (
        0,
        0,
        True,
        None,
    )
    records = await test_chain.append(
        [
            AuditEntry("system:tests", "test.one", "x:1"),
            AuditEntry("system:tests", "test.two", "x:2"),
        ]
    )
    state = await chain_state(test_chain)
    assert (state.head_seq, state.last_seq, state.head_intact) == (2, 2, True)
    assert state.head_hash == records[-1].hash

    key = key_from_secret(SecretStr(new_key_text()))
    await store_checkpoint(graph, sign_checkpoint(test_chain.chain, 2, "ab" * 32, key))
    checkpoint = (await chain_state(test_chain)).checkpoint
    assert checkpoint is not None
    assert (checkpoint.seq, checkpoint.root, checkpoint.signature_valid) == (2, "ab" * 32, True)

    await graph.write(
        "testing/audit_edit_actor", {"chain": test_chain.chain, "seq": 2, "actor": "user:mallory"}
    )
    assert (await chain_state(test_chain)).head_intact is False
    await graph.write(
        "testing/audit_set_head", {"chain": test_chain.chain, "seq": 1, "hash": "0" * 64}
    )
    moved = await chain_state(test_chain)
    assert (moved.head_seq, moved.last_seq, moved.head_intact) == (1, 2, False)
    await graph.write(
        "testing/audit_set_head", {"chain": test_chain.chain, "seq": 9, "hash": "0" * 64}
    )
    assert (await chain_state(test_chain)).head_intact is False


# --- the caller, users and workspaces -----------------------------------------------


def test_me_describes_every_authenticated_caller(
    api_client: TestClient, graph: Graph, callers: Callers
) -> None:
    for caller in callers.all()[:-1]:
        body = gql(api_client, caller, ME)
        assert "errors" not in body, body
        me = body["data"]["me"]
        assert me["actor"] == f"key:{key_id(caller)}"
        assert me["scopes"] is None
        assert me["user"]["id"] == user(caller)
        assert me["user"]["email"] == f"{user(caller)}@example.org"
        memberships = {m["workspace"]["id"]: m for m in me["user"]["memberships"]}
        personal = memberships.pop(personal_workspace(user(caller)))
        assert (personal["role"], personal["tables"], personal["workspace"]["kind"]) == (
            "ADMIN",
            None,
            "personal",
        )
        if caller.role is None:
            assert memberships == {}
        else:
            default = memberships[DEFAULT_WORKSPACE]
            assert default["role"] == caller.role.name
            assert default["tables"] == (None if caller.tables is None else sorted(caller.tables))
            readable = default["workspace"]["tables"]
            assert (readable == [RESTRICTED_TABLE]) is (caller.tables is not None)
        [key] = me["apiKeys"]
        assert (key["id"], key["name"], key["scopes"], key["revokedAt"]) == (
            key_id(caller),
            "tests",
            None,
            None,
        )
        assert key["lastUsedAt"] is not None
    body = gql(api_client, callers.anonymous, ME)
    assert body["data"] is None
    assert error_codes(body) == ["unauthenticated"]


async def test_me_never_carries_a_key_hash(
    api_client: TestClient, graph: Graph, callers: Callers
) -> None:
    [row] = await graph.read("testing/api_key_node", {"id": key_id(callers.viewer)})
    text = json.dumps(gql(api_client, callers.viewer, ME))
    assert row["key"]["hash"] not in text
    assert callers.viewer.token is not None
    assert callers.viewer.token not in text


async def test_a_key_without_the_administer_scope_sees_itself_but_not_its_keys(
    api_client: TestClient, graph: Graph, callers: Callers
) -> None:
    issued = await ApiKeys(graph, AuditLog(graph)).create_key(
        user(callers.viewer),
        name="read only",
        scopes=frozenset({Action.READ}),
        expires_at=None,
        by=SYSTEM,
    )
    reader = Caller("reader", callers.viewer.user_id, issued.token.get_secret_value())
    body = gql(api_client, reader, "{ me { actor scopes user { id } apiKeys { id } } }")
    assert body["data"]["me"] == {
        "actor": f"key:{issued.id}",
        "scopes": ["READ"],
        "user": {"id": user(callers.viewer)},
        "apiKeys": None,
    }
    assert error_codes(body) == ["access_denied"]


def test_key_hashes_appear_nowhere_in_the_schema() -> None:
    sdl = build_grace_schema(Profile.DEV).as_str()
    schema = build_schema(sdl)
    api_key = schema.type_map["ApiKey"]
    assert isinstance(api_key, GraphQLObjectType)
    assert set(api_key.fields) == {
        "id",
        "name",
        "scopes",
        "createdAt",
        "lastUsedAt",
        "expiresAt",
        "revokedAt",
    }
    secretive = {
        (name, field)
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType)
        for field in kind.fields
        if any(word in field.lower() for word in ("hash", "secret", "password"))
    }
    assert {name for name, _ in secretive} <= {"AuditEvent", "AuditChainState"}


def test_users_are_listed_to_instance_admins_by_id(
    api_client: TestClient, callers: Callers
) -> None:
    ours = sorted(user(c) for c in callers.all()[:-1])
    found: list[dict[str, Any]] = []
    after = encode_cursor([ours[0][:-1]])
    while True:
        body = gql(api_client, callers.admin, USERS, {"first": 3, "after": after})
        page = body["data"]["users"]
        assert page["totalCount"] >= len(ours)  # every user, not the page
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"] or ours[-1] in {u["id"] for u in found}:
            break
        after = page["pageInfo"]["endCursor"]
    ids = [u["id"] for u in found]
    assert ids == sorted(ids)
    mine = {u["id"]: u for u in found if u["id"] in ours}
    assert sorted(mine) == ours
    restricted = mine[user(callers.restricted)]
    assert restricted["email"] == f"{user(callers.restricted)}@example.org"
    default = [m for m in restricted["memberships"] if m["workspace"]["id"] == DEFAULT_WORKSPACE]
    assert default == [
        {"role": "VIEWER", "tables": [RESTRICTED_TABLE], "workspace": {"id": DEFAULT_WORKSPACE}}
    ]
    for caller in callers.all()[1:]:
        refused = gql(api_client, caller, USERS, {"first": 1})
        assert refused["data"] is None
        assert error_codes(refused) == [
            "unauthenticated" if caller.token is None else "access_denied"
        ]


@pytest.mark.parametrize(
    ("variables", "code"),
    [({"first": 0}, "page_size"), ({"after": encode_cursor([3])}, "invalid_cursor")],
)
def test_a_bad_users_page_is_refused(
    api_client: TestClient, callers: Callers, variables: dict[str, Any], code: str
) -> None:
    query = "query($first: Int, $after: String) { users(first: $first, after: $after) { "
    query += "nodes { id } } }"
    assert error_codes(gql(api_client, callers.admin, query, variables)) == [code]


def test_workspaces_are_the_callers_with_the_tables_it_may_read(
    api_client: TestClient, world: World
) -> None:
    callers = world.callers
    query = "{ workspaces { id kind tables } }"
    for caller in callers.all()[:-1]:
        got = {w["id"]: w for w in gql(api_client, caller, query)["data"]["workspaces"]}
        expected = {personal_workspace(user(caller))}
        if caller.role is not None:
            expected.add(DEFAULT_WORKSPACE)
        if caller is callers.editor:
            expected.add(world.team)
        assert set(got) == expected, caller.name
        assert got[personal_workspace(user(caller))]["tables"] == []
        if caller.role is not None:
            tables = got[DEFAULT_WORKSPACE]["tables"]
            if caller.tables is None:
                assert {RESTRICTED_TABLE, OTHER_TABLE} <= set(tables)
            else:
                assert tables == [RESTRICTED_TABLE]
    body = gql(api_client, callers.anonymous, query)
    assert error_codes(body) == ["unauthenticated"]


def test_workspace_members_show_emails_to_its_admins_only(
    api_client: TestClient, world: World
) -> None:
    callers = world.callers
    for caller in (callers.admin, callers.editor, callers.viewer, callers.restricted):
        body = gql(api_client, caller, WORKSPACE, {"id": DEFAULT_WORKSPACE})
        workspace = body["data"]["workspace"]
        assert (workspace["id"], workspace["kind"]) == (DEFAULT_WORKSPACE, "team")
        members = {m["userId"]: m for m in workspace["members"]}
        restricted = members[user(callers.restricted)]
        assert (restricted["role"], restricted["tables"], restricted["pii"]) == (
            "VIEWER",
            [RESTRICTED_TABLE],
            False,
        )
        email = members[user(callers.viewer)]["email"]
        if caller is callers.admin:
            assert email == f"{user(callers.viewer)}@example.org"
        else:
            assert email is None
            assert not any(m["email"] for m in workspace["members"])
    for caller, workspace_id in (
        (callers.stranger, DEFAULT_WORKSPACE),
        (callers.admin, world.team),
        (callers.viewer, f"nowhere-{world.kind}"),
        (callers.anonymous, DEFAULT_WORKSPACE),
    ):
        body = gql(api_client, caller, WORKSPACE, {"id": workspace_id})
        assert (body["data"] or {}).get("workspace") is None
        expected = "unauthenticated" if caller.token is None else "access_denied"
        assert error_codes(body) == [expected]


def test_members_of_a_workspace_reached_through_users_need_read_on_it(
    api_client: TestClient, world: World
) -> None:
    editor = user(world.callers.editor)
    query = (
        "query($after: String) { users(first: 1, after: $after) { nodes { id memberships { "
        "workspace { id tables members { userId } } } } } }"
    )
    body = gql(api_client, world.callers.admin, query, {"after": encode_cursor([editor[:-1]])})
    [node] = body["data"]["users"]["nodes"]
    assert node["id"] == editor
    workspaces = {m["workspace"]["id"]: m["workspace"] for m in node["memberships"]}
    assert workspaces[world.team]["members"] is None
    assert workspaces[personal_workspace(editor)]["members"] is None
    assert workspaces[world.team]["tables"] == []
    assert workspaces[DEFAULT_WORKSPACE]["members"]
    assert error_codes(body) == ["access_denied", "access_denied"]


async def test_a_members_restriction_lists_only_tables_the_caller_may_read(
    api_client: TestClient, world: World, graph: Graph, unique: str
) -> None:
    accounts = Accounts(graph, AuditLog(graph))
    other = f"orgs-only-{unique}"
    await accounts.create_user(other, name="o", email=f"{other}@example.org", by=SYSTEM)
    await accounts.grant(
        DEFAULT_WORKSPACE, other, Role.VIEWER, tables=frozenset({"organizations"}), by=SYSTEM
    )
    seen = {}
    for caller in (world.callers.admin, world.callers.restricted):
        body = gql(api_client, caller, WORKSPACE, {"id": DEFAULT_WORKSPACE})
        members = {m["userId"]: m for m in body["data"]["workspace"]["members"]}
        seen[caller.name] = members[other]["tables"]
    assert seen == {"admin": ["organizations"], "restricted": []}
