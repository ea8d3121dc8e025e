"""HashiCorp Vault: the client, its error mapping, and the KV v2 secret store.

Every hvac call goes through `vault_call`, which turns hvac and transport errors into
`SecretBackendError` with Vault's own error text (Vault never echoes request bodies)
and never chains the original exception, whose attributes hold the raw response.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Any, TypeVar

import hvac  # type: ignore[import-untyped]
import requests
from hvac import exceptions as hvac_errors
from pydantic import SecretStr

from governance.errors import SecretBackendError, SecretVersionConflictError
from governance.secret_store import SecretVersion, check_secret_name
from graph.errors import ConfigurationError
from graph.settings import Settings

T = TypeVar("T")
VALUE_KEY = "value"
"""The one key of the KV v2 data map that holds a secret's value."""


def vault_client(settings: Settings) -> Any:
    """An hvac client for `settings.vault_addr` (no network call yet)."""
    if not settings.vault_addr or settings.vault_token is None:
        raise ConfigurationError("Vault needs vault_addr and vault_token")
    return hvac.Client(
        url=settings.vault_addr,
        token=settings.vault_token.get_secret_value(),
        namespace=settings.vault_namespace,
    )


def vault_call(operation: str, call: Callable[[], T]) -> T:
    """Run one hvac call, mapping its failures to `SecretBackendError`."""
    try:
        return call()
    except (hvac_errors.VaultError, requests.RequestException) as error:
        raise backend_error(operation, error) from None


def backend_error(operation: str, error: Exception) -> SecretBackendError:
    """The `SecretBackendError` for a failed hvac call (Vault's error texts, no secrets)."""
    if isinstance(error, hvac_errors.VaultError):
        reason = ", ".join(error.errors) if error.errors else type(error).__name__
    else:
        reason = f"unreachable ({type(error).__name__})"
    return SecretBackendError("vault", operation, reason)


class VaultSecretStore:
    """Secrets in a KV v2 mount, one path per secret, the value under the key `value`."""

    def __init__(self, client: Any, mount: str) -> None:
        self._client = client
        self._mount = mount

    @classmethod
    def from_settings(cls, settings: Settings) -> VaultSecretStore:
        """The store at `settings.vault_kv_mount`."""
        return cls(vault_client(settings), settings.vault_kv_mount)

    def __repr__(self) -> str:
        return f"VaultSecretStore(url={self._client.url!r}, mount={self._mount!r})"

    def describe(self) -> str:
        """Where the secrets are."""
        return f"Vault KV v2 at {self._client.url}, mount {self._mount!r}"

    def get(self, name: str) -> SecretStr | None:
        """The current value, or None (never written, deleted or destroyed)."""
        return self._read(name, None)

    def get_version(self, name: str, version: int) -> SecretStr | None:
        """One version's value, or None."""
        return self._read(name, version)

    def versions(self, name: str) -> list[SecretVersion]:
        """Every version Vault still lists (KV v2 keeps `max_versions`), oldest first."""
        metadata = self._metadata(name)
        if metadata is None:
            return []
        return sorted(
            (
                SecretVersion(
                    version=int(number),
                    created_at=datetime.fromisoformat(entry["created_time"]),
                    destroyed=bool(entry["destroyed"] or entry["deletion_time"]),
                )
                for number, entry in metadata["versions"].items()
            ),
            key=lambda version: version.version,
        )

    def put(self, name: str, value: SecretStr, *, cas: int | None = None) -> int:
        """Write a new version, with Vault's native check-and-set when `cas` is given."""
        path = check_secret_name(name)
        try:
            response = self._client.secrets.kv.v2.create_or_update_secret(
                path=path,
                secret={VALUE_KEY: value.get_secret_value()},
                cas=cas,
                mount_point=self._mount,
            )
        except hvac_errors.InvalidRequest as error:
            if cas is not None and any("check-and-set" in text for text in error.errors or []):
                metadata = self._metadata(name)
                current = int(metadata["current_version"]) if metadata else 0
                raise SecretVersionConflictError(name, cas, current) from None
            raise backend_error(f"write {name!r}", error) from None
        except (hvac_errors.VaultError, requests.RequestException) as error:
            raise backend_error(f"write {name!r}", error) from None
        return int(response["data"]["version"])

    def get_or_create(self, name: str, factory: Callable[[], str]) -> SecretStr:
        """The current value, creating version 1 with `cas=0` when there is none."""
        existing = self.get(name)
        if existing is not None:
            return existing
        current = self._metadata(name)
        expected = int(current["current_version"]) if current else 0
        with suppress(SecretVersionConflictError):  # another process created it first
            self.put(name, SecretStr(factory()), cas=expected)
        created = self.get(name)
        if created is None:
            raise SecretBackendError("vault", f"read {name!r}", "missing right after creation")
        return created

    def destroy(self, name: str, version: int) -> None:
        """Destroy one version for good (KV v2 `destroy`)."""
        path = check_secret_name(name)
        vault_call(
            f"destroy {name!r} version {version}",
            lambda: self._client.secrets.kv.v2.destroy_secret_versions(
                path=path, versions=[version], mount_point=self._mount
            ),
        )

    def _read(self, name: str, version: int | None) -> SecretStr | None:
        path = check_secret_name(name)
        try:
            response = self._client.secrets.kv.v2.read_secret_version(
                path=path,
                version=version,
                mount_point=self._mount,
                raise_on_deleted_version=True,
            )
        except hvac_errors.InvalidPath:
            return None
        except (hvac_errors.VaultError, requests.RequestException) as error:
            raise backend_error(f"read {name!r}", error) from None
        data = response["data"]["data"]
        if not data or VALUE_KEY not in data:
            return None
        return SecretStr(str(data[VALUE_KEY]))

    def _metadata(self, name: str) -> dict[str, Any] | None:
        path = check_secret_name(name)
        try:
            response = self._client.secrets.kv.v2.read_secret_metadata(
                path=path, mount_point=self._mount
            )
        except hvac_errors.InvalidPath:
            return None
        except (hvac_errors.VaultError, requests.RequestException) as error:
            raise backend_error(f"read metadata of {name!r}", error) from None
        metadata: dict[str, Any] = response["data"]
        return metadata
