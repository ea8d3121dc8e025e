"""Key-encryption keys (KEKs) for envelope encryption: versioned, rotated, retired.

A `KeyRing` makes fresh data keys (DEKs) wrapped under its primary KEK version, unwraps
them under any version still alive, rewraps them to the primary, rotates (a new primary)
and retires a version once nothing uses it (callers check usage first; see
`governance.encrypted_rows.retire_key_version`).

- `LocalKeyRing`: KEKs are versions of one secret (`fields/kek`) in the `SecretStore`;
  a DEK is wrapped with AES-256-GCM under the KEK, the KEK version as associated data.
- `VaultTransitKeyRing`: KEKs are the versions of a Transit key; Vault generates, unwraps
  and rewraps DEKs and never hands out a KEK. Retiring raises `min_decryption_version`,
  so Transit retires versions oldest first.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import requests
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hvac import exceptions as hvac_errors  # type: ignore[import-untyped]
from pydantic import SecretStr

from governance.errors import FieldDecryptionError, KeyVersionError
from governance.secret_store import SecretStore
from governance.vault import backend_error, vault_call, vault_client
from graph.settings import Settings

DEK_BYTES = 32
KEK_SECRET = "fields/kek"  # noqa: S105 - a secret name, not a secret
_NONCE_BYTES = 12
_VAULT_CIPHERTEXT = re.compile(r"^vault:v(\d+):")


@dataclass(frozen=True)
class DataKey:
    """A fresh data key: its plaintext (never shown), and its wrapped form under `version`."""

    plaintext: bytes = field(repr=False)
    version: int
    wrapped: bytes = field(repr=False)


class KeyRing(Protocol):
    """Versioned key-encryption keys; see the module docstring."""

    def primary(self) -> int:
        """The version new data keys are wrapped under."""
        ...

    def versions(self) -> list[int]:
        """The versions that can still unwrap, ascending (the primary is the last)."""
        ...

    def generate(self) -> DataKey:
        """A fresh 256-bit data key wrapped under the primary version."""
        ...

    def unwrap(self, version: int, wrapped: bytes) -> bytes:
        """The plaintext of a data key wrapped under `version`."""
        ...

    def rewrap(self, version: int, wrapped: bytes) -> tuple[int, bytes]:
        """The same data key wrapped under the primary version: (primary, wrapped)."""
        ...

    def rotate(self) -> int:
        """Add a new version, make it primary, return it."""
        ...

    def primary_since(self) -> datetime:
        """When the primary version was made (the age the rotation policy checks)."""
        ...

    def retire(self, version: int) -> None:
        """Disable `version` for good; refused for the primary. Check usage first."""
        ...

    def describe(self) -> str:
        """What backs the key ring (for status output)."""
        ...


class LocalKeyRing:
    """KEKs as versions of one secret in a `SecretStore`."""

    def __init__(self, store: SecretStore, name: str = KEK_SECRET) -> None:
        self._store = store
        self._name = name
        self._keks: dict[int, AESGCM] = {}

    def __repr__(self) -> str:
        return f"LocalKeyRing(name={self._name!r})"

    def describe(self) -> str:
        """The secret holding the KEKs, and the store."""
        return f"secret {self._name!r} in {self._store.describe()}"

    def versions(self) -> list[int]:
        """Live versions, ascending; the first call creates version 1."""
        live = [entry.version for entry in self._store.versions(self._name) if not entry.destroyed]
        if live:
            return live
        self._store.get_or_create(self._name, _new_key)
        return [entry.version for entry in self._store.versions(self._name) if not entry.destroyed]

    def primary(self) -> int:
        """The newest live version."""
        return self.versions()[-1]

    def primary_since(self) -> datetime:
        """When the secret's newest live version was stored."""
        self.versions()  # creates version 1 on first use
        live = [entry for entry in self._store.versions(self._name) if not entry.destroyed]
        return live[-1].created_at

    def generate(self) -> DataKey:
        """A random data key, wrapped under the primary KEK."""
        version = self.primary()
        plaintext = secrets.token_bytes(DEK_BYTES)
        return DataKey(plaintext, version, self._wrap(version, plaintext))

    def unwrap(self, version: int, wrapped: bytes) -> bytes:
        """Unwrap with the KEK of `version`."""
        nonce, sealed = wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:]
        if len(nonce) != _NONCE_BYTES:
            raise FieldDecryptionError("data key", "the wrapped data key is truncated")
        try:
            return self._kek(version).decrypt(nonce, sealed, _kek_associated(version))
        except InvalidTag:
            raise FieldDecryptionError("data key", "the wrapped data key was altered") from None

    def rewrap(self, version: int, wrapped: bytes) -> tuple[int, bytes]:
        """Unwrap under `version`, wrap under the primary (unchanged when already there)."""
        primary = self.primary()
        if version == primary:
            return version, wrapped
        return primary, self._wrap(primary, self.unwrap(version, wrapped))

    def rotate(self) -> int:
        """A new KEK version; check-and-set, so two rotations at once do not both land."""
        history = self._store.versions(self._name)
        current = history[-1].version if history else 0
        return self._store.put(self._name, SecretStr(_new_key()), cas=current)

    def retire(self, version: int) -> None:
        """Destroy a non-primary version's KEK."""
        live = self.versions()
        if version not in live:
            raise KeyVersionError(version, "unknown or already retired")
        if version == live[-1]:
            raise KeyVersionError(version, "is the primary version: rotate first")
        self._store.destroy(self._name, version)
        self._keks.pop(version, None)

    def _wrap(self, version: int, plaintext: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._kek(version).encrypt(nonce, plaintext, _kek_associated(version))

    def _kek(self, version: int) -> AESGCM:
        cached = self._keks.get(version)
        if cached is not None:
            return cached
        value = self._store.get_version(self._name, version)
        if value is None:
            raise KeyVersionError(version, "unknown or retired: values under it cannot be read")
        kek = AESGCM(base64.b64decode(value.get_secret_value()))
        self._keks[version] = kek
        return kek


class VaultTransitKeyRing:
    """KEKs as the versions of one Vault Transit key (created on first use)."""

    def __init__(self, client: Any, mount: str, key: str) -> None:
        self._client = client
        self._mount = mount
        self._key = key

    @classmethod
    def from_settings(cls, settings: Settings) -> VaultTransitKeyRing:
        """The Transit key `vault_transit_key` at `vault_transit_mount`."""
        return cls(vault_client(settings), settings.vault_transit_mount, settings.vault_transit_key)

    def __repr__(self) -> str:
        return f"VaultTransitKeyRing(mount={self._mount!r}, key={self._key!r})"

    def describe(self) -> str:
        """The Transit key."""
        return f"Vault Transit key {self._key!r} at {self._client.url}, mount {self._mount!r}"

    def versions(self) -> list[int]:
        """From `min_decryption_version` to `latest_version`."""
        info = self._info()
        return list(range(int(info["min_decryption_version"]), int(info["latest_version"]) + 1))

    def primary(self) -> int:
        """Transit's `latest_version`."""
        return int(self._info()["latest_version"])

    def primary_since(self) -> datetime:
        """The creation time Transit keeps for `latest_version` (Unix seconds)."""
        info = self._info()
        return datetime.fromtimestamp(int(info["keys"][str(info["latest_version"])]), UTC)

    def generate(self) -> DataKey:
        """Transit `datakey/plaintext`: the plaintext and its ciphertext in one call."""
        self._info()  # creates the key on first use
        response = vault_call(
            "generate a data key",
            lambda: self._client.secrets.transit.generate_data_key(
                name=self._key, key_type="plaintext", bits=256, mount_point=self._mount
            ),
        )
        ciphertext = str(response["data"]["ciphertext"])
        plaintext = base64.b64decode(response["data"]["plaintext"])
        return DataKey(plaintext, _vault_version(ciphertext), ciphertext.encode("ascii"))

    def unwrap(self, version: int, wrapped: bytes) -> bytes:
        """Transit `decrypt`; a retired version or an altered key is refused by Vault."""
        ciphertext = wrapped.decode("ascii")
        if _vault_version(ciphertext) != version:
            raise FieldDecryptionError("data key", "the key version does not match the token")
        try:
            response = self._client.secrets.transit.decrypt_data(
                name=self._key, ciphertext=ciphertext, mount_point=self._mount
            )
        except hvac_errors.InvalidRequest as error:
            reason = ", ".join(error.errors or []) or "refused by Vault"
            raise FieldDecryptionError("data key", reason) from None
        except (hvac_errors.VaultError, requests.RequestException) as error:
            raise backend_error("decrypt a data key", error) from None
        return base64.b64decode(response["data"]["plaintext"])

    def rewrap(self, version: int, wrapped: bytes) -> tuple[int, bytes]:
        """Transit `rewrap`: Vault re-encrypts to the latest version without showing the key."""
        response = vault_call(
            "rewrap a data key",
            lambda: self._client.secrets.transit.rewrap_data(
                name=self._key, ciphertext=wrapped.decode("ascii"), mount_point=self._mount
            ),
        )
        ciphertext = str(response["data"]["ciphertext"])
        return _vault_version(ciphertext), ciphertext.encode("ascii")

    def rotate(self) -> int:
        """Transit `rotate`; returns the new latest version."""
        self._info()
        vault_call(
            "rotate the key",
            lambda: self._client.secrets.transit.rotate_key(
                name=self._key, mount_point=self._mount
            ),
        )
        return self.primary()

    def retire(self, version: int) -> None:
        """Raise `min_decryption_version` past `version`, which must be the oldest live one."""
        live = self.versions()
        if version not in live:
            raise KeyVersionError(version, "unknown or already retired")
        if version == live[-1]:
            raise KeyVersionError(version, "is the primary version: rotate first")
        if version != live[0]:
            raise KeyVersionError(version, f"Transit retires oldest first: retire {live[0]} first")
        vault_call(
            f"retire version {version}",
            lambda: self._client.secrets.transit.update_key_configuration(
                name=self._key, min_decryption_version=version + 1, mount_point=self._mount
            ),
        )

    def _info(self) -> dict[str, Any]:
        try:
            response = self._client.secrets.transit.read_key(
                name=self._key, mount_point=self._mount
            )
        except hvac_errors.InvalidPath:
            vault_call(
                "create the key",
                lambda: self._client.secrets.transit.create_key(
                    name=self._key, key_type="aes256-gcm96", mount_point=self._mount
                ),
            )
            response = vault_call(
                "read the key",
                lambda: self._client.secrets.transit.read_key(
                    name=self._key, mount_point=self._mount
                ),
            )
        except (hvac_errors.VaultError, requests.RequestException) as error:
            raise backend_error("read the key", error) from None
        data: dict[str, Any] = response["data"]
        return data


def open_keyring(settings: Settings, store: SecretStore) -> KeyRing:
    """Transit when the backend is Vault, else KEKs kept in the local `store`."""
    if settings.secret_backend == "vault":  # noqa: S105 - a backend name, not a secret
        return VaultTransitKeyRing.from_settings(settings)
    return LocalKeyRing(store)


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(DEK_BYTES)).decode("ascii")


def _kek_associated(version: int) -> bytes:
    return f"grace-dek/1\x1f{version}".encode()


def _vault_version(ciphertext: str) -> int:
    match = _VAULT_CIPHERTEXT.match(ciphertext)
    if match is None:
        raise FieldDecryptionError("data key", "not a Vault Transit ciphertext")
    return int(match.group(1))
