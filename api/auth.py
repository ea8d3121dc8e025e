"""Who is calling: an API key or a bearer token, from HTTP headers or a websocket's
`connection_init` payload, turned into a `Principal` (or refused).

Accepted forms, all carrying one credential:
- `Authorization: Bearer grace_<id>_<secret>` (an API key) or `Authorization: Bearer v1.<...>`
  (a bearer token);
- `X-API-Key: grace_<id>_<secret>`;
- on a websocket, `connection_init` with `{"authorization": "Bearer ..."}` or
  `{"apiKey": "grace_..."}`.

No credential at all is an anonymous caller (`None`): only public fields answer it. A
credential that does not check out raises `InvalidCredentialsError`, the same for every cause.

The principals proved are held per process (`api.held_values`), by the SHA-256 of the
credential (never the credential itself), for at most `Settings.auth_cache_seconds`; an
`access.changed` event (`governance.access_events`: a key revoked or rotated, a user
deactivated, a membership or a table's workspace changed) forgets them all, and nothing is
held while that event subscription is down. A held principal past its key's or token's
expiry is refused. Refusals are never held: a wrong credential is checked against the graph
every time (as costly to an attacker as before; a secret of 256 bits is not guessed), and a
key just created works at once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from api.held_values import HeldValues, every_key
from governance.api_keys import TOKEN_PREFIX, ApiKeys, BearerTokens, Clock, utc_now
from governance.errors import InvalidCredentialsError
from governance.rbac import Principal
from graph.events import EventType

BEARER = "bearer "
ACCESS_FOLLOWED = (EventType.ACCESS_CHANGED,)
"""The events that make what an API process holds of callers and tables stale."""


def credential_digest(credential: str) -> str:
    """What a presented credential is held under: its SHA-256, never the secret itself."""
    return hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()


class Authenticator:
    """Checks API keys and bearer tokens, holding what it proved (see the module docstring);
    one per process."""

    def __init__(
        self,
        keys: ApiKeys,
        tokens: BearerTokens,
        max_age: float,
        *,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keys = keys
        self._tokens = tokens
        self._clock = clock
        self.held: HeldValues[Principal] = HeldValues(
            ACCESS_FOLLOWED, every_key, max_age, monotonic, name="callers"
        )
        """The principals proved, by credential digest; follow the bus to hold any."""

    async def authenticate(self, credential: str | None) -> Principal | None:
        """The principal behind `credential`; None when there is none."""
        if credential is None:
            return None
        digest = credential_digest(credential)
        principal = await self.held.get_or_read(digest, partial(self._check, credential))
        if principal.expires_at is not None and principal.expires_at <= self._clock():
            self.held.forget(digest)
            raise InvalidCredentialsError
        return principal

    async def _check(self, credential: str) -> Principal:
        if credential.startswith(TOKEN_PREFIX):
            return await self._keys.authenticate(credential)
        return await self._tokens.verify_token(credential)


def credential_from_headers(headers: Mapping[str, str]) -> str | None:
    """The credential an HTTP request or websocket upgrade carries, if any."""
    authorization = headers.get("authorization")
    if authorization is not None:
        return _bearer(authorization)
    api_key = headers.get("x-api-key")
    return api_key.strip() if api_key is not None else None


def credential_from_connection_params(params: Any) -> str | None:
    """The credential a websocket client sent in `connection_init`, if any."""
    if not isinstance(params, Mapping):
        return None
    authorization = params.get("authorization") or params.get("Authorization")
    if isinstance(authorization, str):
        return _bearer(authorization)
    api_key = params.get("apiKey")
    return api_key.strip() if isinstance(api_key, str) else None


def _bearer(value: str) -> str:
    if not value.lower().startswith(BEARER):
        raise InvalidCredentialsError
    return value[len(BEARER) :].strip()
