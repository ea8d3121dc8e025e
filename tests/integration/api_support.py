"""Calling the real API as each kind of caller: the roles of the default workspace, a
member restricted to one table, a user with no membership, and an anonymous caller."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from governance.accounts import Accounts
from governance.api_keys import ApiKeys
from governance.audit import AuditLog
from governance.rbac import DEFAULT_WORKSPACE, Principal, Role
from graph.graph import Graph

SYSTEM = Principal.system("tests")
RESTRICTED_TABLE = "cities"
"""The one table the `restricted` caller may read."""


@dataclass(frozen=True)
class Caller:
    """One way of calling the API: a user's API key, or nothing (anonymous)."""

    name: str
    user_id: str | None
    token: str | None
    role: Role | None = None
    tables: frozenset[str] | None = None

    def headers(self) -> dict[str, str]:
        """The HTTP headers that carry this caller's credential."""
        return {} if self.token is None else {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Callers:
    """Every kind of caller, as fresh users of one test."""

    admin: Caller
    editor: Caller
    viewer: Caller
    restricted: Caller
    stranger: Caller
    anonymous: Caller

    def all(self) -> list[Caller]:
        """Every caller, the most powerful first."""
        return [
            self.admin,
            self.editor,
            self.viewer,
            self.restricted,
            self.stranger,
            self.anonymous,
        ]


async def make_caller(
    graph: Graph,
    unique: str,
    name: str,
    role: Role | None,
    tables: frozenset[str] | None = None,
    *,
    pii: bool = False,
) -> Caller:
    """Create one user with an API key (id `name-unique`, removed by
    `testing/accounts_delete`); with `role`, a member of the default workspace (`pii`: who
    may read personal data whatever the role)."""
    audit = AuditLog(graph)
    accounts, keys = Accounts(graph, audit), ApiKeys(graph, audit)
    await accounts.ensure_default_workspace(by=SYSTEM)
    user_id = f"{name}-{unique}"
    await accounts.create_user(user_id, name=name, email=f"{user_id}@example.org", by=SYSTEM)
    if role is not None:
        await accounts.grant(DEFAULT_WORKSPACE, user_id, role, tables=tables, pii=pii, by=SYSTEM)
    issued = await keys.create_key(user_id, name="tests", scopes=None, expires_at=None, by=SYSTEM)
    return Caller(name, user_id, issued.token.get_secret_value(), role, tables)


async def make_callers(graph: Graph, unique: str) -> Callers:
    """Create the users (ids end in `unique`, removed by `testing/accounts_delete`)."""

    async def user(name: str, role: Role | None, tables: frozenset[str] | None = None) -> Caller:
        return await make_caller(graph, unique, name, role, tables)

    return Callers(
        admin=await user("admin", Role.ADMIN),
        editor=await user("editor", Role.EDITOR),
        viewer=await user("viewer", Role.VIEWER),
        restricted=await user("restricted", Role.VIEWER, frozenset({RESTRICTED_TABLE})),
        stranger=await user("stranger", None),
        anonymous=Caller("anonymous", None, None),
    )


def gql(
    client: TestClient, caller: Caller, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST one GraphQL operation as `caller`; the decoded body (any HTTP status)."""
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=caller.headers()
    )
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    """The `extensions.code` of every error in a response, in order."""
    return [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []]


EXPLANATION_QUERY = """
query($id: ID!, $top: Int) {
  trustExplanation(nodeId: $id, top: $top) {
    nodeId table score mode sumsTo summary
    contributions { name value }
    evidence { description weight nodeIds }
  }
}"""
"""Why a row, document or source has its trust (`trustExplanation`)."""


@dataclass(frozen=True)
class LiveApi:
    """The real app served by uvicorn in its own process (fixture `live_api`)."""

    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        """Where it answers HTTP."""
        return f"http://{self.host}:{self.port}"

    def connect(self) -> Connection:
        """A new keep-alive connection to it."""
        return Connection(socket.create_connection((self.host, self.port), timeout=60))


@dataclass
class Reply:
    """One HTTP response read off a `Connection`."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


@dataclass
class Connection:
    """One TCP connection speaking HTTP/1.1 by hand: every request goes over this very
    connection, so a test sees whether the server keeps it open after an answer."""

    sock: socket.socket
    _buffer: bytes = field(default=b"", repr=False)

    def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        """Send one request and read its response (which must give its length)."""
        lines = [f"{method} {target} HTTP/1.1", "Host: grace", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ")[1])
        fields = dict(line.split(":", 1) for line in head[1:] if line)
        reply_headers = {name.strip().lower(): value.strip() for name, value in fields.items()}
        return Reply(status, reply_headers, self._read(int(reply_headers["content-length"])))

    def post_json(self, path: str, body: bytes) -> Reply:
        """POST `body` as `application/json`."""
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._receive()
        head, self._buffer = self._buffer.split(marker, 1)
        return head

    def _read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._receive()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _receive(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk
