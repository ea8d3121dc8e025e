"""API keys and bearer tokens: how a caller proves who it is (issue 7's storage side).

An API key is `grace_<key id>_<secret>`, the secret 32 random bytes (urlsafe base64). The
plaintext is returned once, at creation or rotation, and never stored: the `ApiKey` node
(`(User)-[:OWNS]->(ApiKey)`) keeps only `sha256("grace-api-key:" + secret)`.

Why a plain SHA-256 and not a slow password hash or an HMAC with a server-side pepper: the
secret is 256 bits from `secrets`, so a stolen hash cannot be brute-forced or looked up in
a dictionary whatever the hash's speed. bcrypt or argon2 would add tens of milliseconds to
every authenticated request for no gain, and a pepper would make every key depend on one
more secret to store and rotate, again for no gain at this entropy. The domain prefix keeps
these hashes distinct from any other SHA-256 of the same bytes.

A bearer token is `v1.<payload>.<signature>`: base64url of a compact JSON payload
`{"sub", "iat", "exp"}`, signed with HMAC-SHA256 under a key of at least 32 bytes. The
newest kept version of the secret `auth/token-key` signs and every kept version verifies,
so a token signed before a rotation stays valid until its key version is retired
(`governance.key_rotation`). `TokenKeys` reads the versions again every
`TOKEN_KEY_REFRESH_SECONDS`, so a rotation or a retirement by another process takes effect
in this one. Tokens are stateless and short-lived; the principal's memberships are read
fresh on every check.

Whatever is wrong with a key or token (malformed, unknown, wrong secret, revoked, expired,
tampered), `InvalidCredentialsError` says the same thing, so a caller learns nothing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import JsonValue, SecretStr

from governance.access_events import AccessChange, Publisher, publish_access_change
from governance.accounts import as_datetime, load_principal, user_principal
from governance.audit import AuditEntry, AuditLog
from governance.errors import (
    InvalidAccountFieldError,
    InvalidCredentialsError,
    KeyNotUsableError,
    NotFoundError,
)
from governance.rbac import Action, Authorizer, KeyOperation, Principal, PrincipalKind
from governance.secret_store import SecretStore
from graph.errors import ConfigurationError
from graph.graph import Graph

Clock = Callable[[], datetime]

TOKEN_PREFIX = "grace_"  # noqa: S105 - the public prefix of key tokens, not a secret
SECRET_BYTES = 32
TOUCH_INTERVAL = timedelta(minutes=1)
"""`last_used_at` is written at most once per interval per key (no write per request)."""
TOKEN_KEY_NAME = "auth/token-key"  # noqa: S105 - a secret store name, not a secret
MIN_TOKEN_KEY_BYTES = 32
TOKEN_KEY_REFRESH_SECONDS = 30.0
_KEY_TOKEN = re.compile(r"^grace_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_HASH_DOMAIN = b"grace-api-key:"
_NO_KEY_HASH = hashlib.sha256(b"no such key").hexdigest()
_BEARER_VERSION = "v1"


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def hash_secret(secret: str) -> str:
    """The stored form of a key's secret (see the module docstring for why SHA-256)."""
    return hashlib.sha256(_HASH_DOMAIN + secret.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A key just created or rotated: the token is shown once, then only its hash exists."""

    id: str
    token: SecretStr


@dataclass(frozen=True)
class KeyInfo:
    """An API key as listed: never its hash or secret."""

    id: str
    name: str
    scopes: frozenset[Action] | None
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        """Not revoked and not expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def _parse_scopes(value: list[str] | None) -> frozenset[Action] | None:
    return None if value is None else frozenset(Action(scope) for scope in value)


def _scope_list(scopes: frozenset[Action] | None) -> list[str] | None:
    return None if scopes is None else sorted(str(scope) for scope in scopes)


def _key_info(record: Mapping[str, Any]) -> KeyInfo:
    return KeyInfo(
        id=record["id"],
        name=record["name"],
        scopes=_parse_scopes(record["scopes"]),
        created_at=as_datetime(record["created_at"]),
        expires_at=as_datetime(record["expires_at"]),
        last_used_at=as_datetime(record["last_used_at"]),
        revoked_at=as_datetime(record["revoked_at"]),
    )


class ApiKeys:
    """Creates, checks, rotates, revokes and lists API keys; changes are audited."""

    def __init__(
        self,
        graph: Graph,
        audit: AuditLog,
        authorizer: Authorizer | None = None,
        clock: Clock = utc_now,
        *,
        bus: Publisher | None = None,
    ) -> None:
        self.graph = graph
        self.audit = audit
        self.authorizer = authorizer or Authorizer()
        self.clock = clock
        self.bus = bus
        """Where revocations and rotations are published (`governance.access_events`)."""

    async def create_key(
        self,
        user_id: str,
        *,
        name: str,
        scopes: frozenset[Action] | None,
        expires_at: datetime | None,
        by: Principal,
    ) -> IssuedKey:
        """A new key acting for `user_id`, narrowed to `scopes` (None: all the user's rights)."""
        name = name.strip()
        if not name:
            raise InvalidAccountFieldError("name", "must not be empty")
        if scopes is not None and not scopes:
            raise InvalidAccountFieldError("scopes", "name at least one scope, or none for all")
        now = self.clock()
        if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
            raise InvalidAccountFieldError("expires_at", "must be a timezone-aware future time")
        self.authorizer.require_on_keys(by, KeyOperation.ISSUE, user_id, scopes)
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        rows = await self.graph.write(
            "governance/create_key",
            {
                "user": user_id,
                "id": key_id,
                "name": name,
                "hash": hash_secret(secret),
                "scopes": _scope_list(scopes),
                "now": now,
                "expires_at": expires_at,
            },
        )
        if not rows:
            raise NotFoundError("user", user_id)
        scope_names: JsonValue = None if scopes is None else [str(s) for s in sorted(scopes)]
        after: JsonValue = {
            "owner": user_id,
            "name": name,
            "scopes": scope_names,
            "expires_at": None if expires_at is None else expires_at.isoformat(),
        }
        await self.audit.append([AuditEntry(by.actor, "key.create", f"key:{key_id}", None, after)])
        return IssuedKey(key_id, SecretStr(f"{TOKEN_PREFIX}{key_id}_{secret}"))

    async def authenticate(self, token: str) -> Principal:
        """The principal a key token acts as, or `InvalidCredentialsError` (always the same)."""
        match = _KEY_TOKEN.fullmatch(token)
        key_id, secret = match.groups() if match else ("", "")
        rows = await self.graph.read("governance/key_for_auth", {"id": key_id}) if match else []
        stored = rows[0]["hash"] if rows else _NO_KEY_HASH
        matches = hmac.compare_digest(hash_secret(secret), stored)
        if not rows or not matches:
            raise InvalidCredentialsError
        row = rows[0]
        now = self.clock()
        expires_at = as_datetime(row["expires_at"])
        if row["revoked_at"] is not None or (expires_at is not None and expires_at <= now):
            raise InvalidCredentialsError
        last_used = as_datetime(row["last_used_at"])
        if last_used is None or now - last_used >= TOUCH_INTERVAL:
            await self.graph.write(
                "governance/touch_key", {"id": key_id, "now": now, "cutoff": now - TOUCH_INTERVAL}
            )
        owner = user_principal(row["user"], row["memberships"])
        return Principal(
            id=key_id,
            kind=PrincipalKind.API_KEY,
            user_id=owner.id,
            memberships=owner.memberships,
            scopes=_parse_scopes(row["scopes"]),
            expires_at=expires_at,
        )

    async def revoke(self, key_id: str, *, by: Principal) -> None:
        """Stop a key from working, for good (revoking twice changes nothing)."""
        owner, _ = await self._key(key_id)
        self.authorizer.require_on_keys(by, KeyOperation.REVOKE, owner)
        rows = await self.graph.write("governance/revoke_key", {"id": key_id, "now": self.clock()})
        await publish_access_change(self.bus, AccessChange.KEY, f"key:{key_id}")
        if rows and not rows[0]["already"]:
            await self.audit.append(
                [
                    AuditEntry(
                        by.actor,
                        "key.revoke",
                        f"key:{key_id}",
                        {"revoked": False},
                        {"revoked": True},
                    )
                ]
            )

    async def rotate(self, key_id: str, *, by: Principal) -> IssuedKey:
        """A new secret for a usable key: the old token stops working at once."""
        owner, info = await self._key(key_id)
        self.authorizer.require_on_keys(by, KeyOperation.ISSUE, owner, info.scopes)
        now = self.clock()
        if not info.usable(now):
            raise KeyNotUsableError(key_id, "revoked" if info.revoked_at else "expired")
        secret = secrets.token_urlsafe(SECRET_BYTES)
        rows = await self.graph.write(
            "governance/rotate_key", {"id": key_id, "hash": hash_secret(secret), "now": now}
        )
        if not rows:
            raise KeyNotUsableError(key_id, "revoked or expired")
        await publish_access_change(self.bus, AccessChange.KEY, f"key:{key_id}")
        await self.audit.append([AuditEntry(by.actor, "key.rotate", f"key:{key_id}", None, None)])
        return IssuedKey(key_id, SecretStr(f"{TOKEN_PREFIX}{key_id}_{secret}"))

    async def list_keys(self, user_id: str, *, by: Principal) -> list[KeyInfo]:
        """A user's keys, oldest first, without hashes; `NotFoundError` for an unknown user."""
        self.authorizer.require_on_keys(by, KeyOperation.LIST, user_id)
        rows = await self.graph.read("governance/list_keys", {"user": user_id})
        if not rows:
            raise NotFoundError("user", user_id)
        keys = [_key_info(record) for record in rows[0]["keys"]]
        return sorted(
            keys, key=lambda key: (key.created_at or datetime.min.replace(tzinfo=UTC), key.id)
        )

    async def _key(self, key_id: str) -> tuple[str, KeyInfo]:
        rows = await self.graph.read("governance/key", {"id": key_id})
        if not rows:
            raise NotFoundError("API key", key_id)
        return rows[0]["owner"], _key_info({**rows[0], "id": key_id})


def new_token_key() -> str:
    """A fresh bearer-token signing key as stored in the secret store."""
    return secrets.token_urlsafe(48)


@dataclass(frozen=True)
class TokenKeySet:
    """The signing key (the newest kept version) and every key that verifies, newest first."""

    signing: bytes = field(repr=False)
    verifying: tuple[bytes, ...] = field(repr=False)


def read_token_keys(store: SecretStore) -> TokenKeySet:
    """Every kept version of `auth/token-key`, creating the first on first use;
    `ConfigurationError` when one is shorter than `MIN_TOKEN_KEY_BYTES`."""
    store.get_or_create(TOKEN_KEY_NAME, new_token_key)
    kept = [
        store.get_version(TOKEN_KEY_NAME, entry.version)
        for entry in reversed(store.versions(TOKEN_KEY_NAME))
        if not entry.destroyed
    ]
    keys = tuple(value.get_secret_value().encode("utf-8") for value in kept if value is not None)
    if not keys or any(len(key) < MIN_TOKEN_KEY_BYTES for key in keys):
        raise ConfigurationError(
            f"the bearer token signing key needs at least {MIN_TOKEN_KEY_BYTES} bytes"
        )
    return TokenKeySet(keys[0], keys)


class TokenKeys:
    """`read_token_keys` of a store, read again when older than `refresh_seconds`."""

    def __init__(
        self,
        store: SecretStore,
        refresh_seconds: float = TOKEN_KEY_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._keys: TokenKeySet | None = None
        self._read_at = float("-inf")

    def __repr__(self) -> str:
        return "TokenKeys(keys=**********)"

    async def current(self) -> TokenKeySet:
        """The keys, from the store at most `refresh_seconds` ago."""
        if self._keys is None or self._clock() - self._read_at >= self.refresh_seconds:
            self._keys = await asyncio.to_thread(read_token_keys, self._store)
            self._read_at = self._clock()
        return self._keys


class BearerTokens:
    """Issues and verifies signed, expiring bearer tokens for users."""

    def __init__(self, graph: Graph, keys: TokenKeys, clock: Clock = utc_now) -> None:
        self.graph = graph
        self._keys = keys
        self.clock = clock

    def __repr__(self) -> str:
        return "BearerTokens(key=**********)"

    async def issue_token(self, user_id: str, ttl: timedelta) -> str:
        """A token for `user_id` valid for `ttl`; `NotFoundError` for an unknown user."""
        if ttl <= timedelta(0):
            raise InvalidAccountFieldError("ttl", "must be positive")
        await load_principal(self.graph, user_id)
        issued = int(self.clock().timestamp())
        payload = {"sub": user_id, "iat": issued, "exp": issued + int(ttl.total_seconds())}
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        signed = f"{_BEARER_VERSION}.{body}"
        keys = await self._keys.current()
        return f"{signed}.{_b64(_sign(keys.signing, signed))}"

    async def verify_token(self, token: str) -> Principal:
        """The user a token was issued to, with their memberships now; else
        `InvalidCredentialsError` (tampered, expired, malformed, or the user is gone)."""
        sub, exp = self._claims(token, await self._keys.current())
        try:
            principal = await load_principal(self.graph, sub)
        except NotFoundError:
            raise InvalidCredentialsError from None
        return replace(principal, expires_at=datetime.fromtimestamp(exp, UTC))

    async def subject(self, token: str) -> str:
        """The user id a token names when its signature (under any kept key version) and
        expiry check, else `InvalidCredentialsError`; reads no graph."""
        sub, _ = self._claims(token, await self._keys.current())
        return sub

    def _claims(self, token: str, keys: TokenKeySet) -> tuple[str, int]:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _BEARER_VERSION:
            raise InvalidCredentialsError
        try:
            body, signature = _unb64(parts[1]), _unb64(parts[2])
        except ValueError:
            raise InvalidCredentialsError from None
        signed = f"{parts[0]}.{parts[1]}"
        if not any(hmac.compare_digest(signature, _sign(key, signed)) for key in keys.verifying):
            raise InvalidCredentialsError
        try:
            payload = json.loads(body)
        except ValueError:
            raise InvalidCredentialsError from None
        if not isinstance(payload, dict):
            raise InvalidCredentialsError
        sub, exp = payload.get("sub"), payload.get("exp")
        if not isinstance(sub, str) or not isinstance(exp, int) or isinstance(exp, bool):
            raise InvalidCredentialsError
        if exp <= self.clock().timestamp():
            raise InvalidCredentialsError
        return sub, exp


def _sign(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict base64url without padding; `ValueError` on anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
