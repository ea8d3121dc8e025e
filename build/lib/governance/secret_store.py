"""The secret store port: what every backend (local files, Vault KV v2) offers.

Secrets are named like paths (`fields/kek`, `fields/hmac`), versioned from 1, and written
with optional check-and-set: `put(name, value, cas=n)` succeeds only while the current
version is `n` (`cas=0`: only when the secret does not exist yet). Values are `SecretStr`
in and out, so they never show in logs, errors or repr.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from governance.errors import InvalidSecretNameError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")
_MAX_NAME = 200


@dataclass(frozen=True)
class SecretVersion:
    """One version of a secret, without its value."""

    version: int
    created_at: datetime
    destroyed: bool


@runtime_checkable
class SecretStore(Protocol):
    """Named, versioned secrets with check-and-set writes (synchronous: hvac is)."""

    def get(self, name: str) -> SecretStr | None:
        """The current value, or None when the secret does not exist (or was destroyed)."""
        ...

    def put(self, name: str, value: SecretStr, *, cas: int | None = None) -> int:
        """Store a new version and return its number; `cas` as in the module docstring."""
        ...

    def get_or_create(self, name: str, factory: Callable[[], str]) -> SecretStr:
        """The current value, creating it from `factory()` once (safe against races)."""
        ...

    def get_version(self, name: str, version: int) -> SecretStr | None:
        """One version's value, or None when it does not exist or was destroyed."""
        ...

    def versions(self, name: str) -> list[SecretVersion]:
        """Every version of the secret, oldest first (empty when it does not exist)."""
        ...

    def destroy(self, name: str, version: int) -> None:
        """Erase one version's value for good; its number stays taken."""
        ...

    def describe(self) -> str:
        """Where the store keeps secrets (for status output; no secret in it)."""
        ...


def check_secret_name(name: str) -> str:
    """`name` when it is a valid secret name, else `InvalidSecretNameError`."""
    if len(name) > _MAX_NAME or not _NAME.fullmatch(name):
        raise InvalidSecretNameError(name)
    return name
