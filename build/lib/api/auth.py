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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from governance.api_keys import TOKEN_PREFIX, ApiKeys, BearerTokens
from governance.errors import InvalidCredentialsError
from governance.rbac import Principal

BEARER = "bearer "


class Authenticator:
    """Checks API keys and bearer tokens; one per process."""

    def __init__(self, keys: ApiKeys, tokens: BearerTokens) -> None:
        self._keys = keys
        self._tokens = tokens

    async def authenticate(self, credential: str | None) -> Principal | None:
        """The principal behind `credential`; None when there is none."""
        if credential is None:
            return None
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
