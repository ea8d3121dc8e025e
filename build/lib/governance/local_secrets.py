"""The local secret store: one AES-256-GCM encrypted file per secret under `secrets_dir`.

A file holds every version of its secret, encrypted as a whole with the master key and
the secret's name as associated data (a file copied under another name does not decrypt).
Writes take an exclusive lock on a sibling `.lock` file, write a 0600 temporary file and
`os.replace` it, so two processes never lose each other's versions and a reader never
sees half a file.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from governance.errors import SecretStoreCorruptError, SecretVersionConflictError
from governance.secret_store import SecretVersion, check_secret_name
from graph.errors import ConfigurationError
from graph.settings import Profile, Settings

log = logging.getLogger(__name__)

FORMAT = "grace-secret/1"
SUFFIX = ".secret"
KEY_BYTES = 32
_NONCE_BYTES = 12


class LocalSecretStore:
    """Secrets in encrypted files; see the module docstring."""

    def __init__(self, folder: Path, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ConfigurationError("the master key must be 32 bytes")
        self._folder = folder
        self._aead = AESGCM(master_key)

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalSecretStore:
        """The store at `settings.secrets_dir` with the configured master key."""
        return cls(settings.secrets_dir, load_master_key(settings))

    def __repr__(self) -> str:
        return f"LocalSecretStore(folder={str(self._folder)!r})"

    def describe(self) -> str:
        """Where the files are."""
        return f"local encrypted files in {self._folder}"

    def get(self, name: str) -> SecretStr | None:
        """The current value, or None."""
        versions = self._read(name)
        if not versions:
            return None
        return _value(versions[-1])

    def get_version(self, name: str, version: int) -> SecretStr | None:
        """One version's value, or None."""
        for entry in self._read(name):
            if entry["version"] == version:
                return _value(entry)
        return None

    def versions(self, name: str) -> list[SecretVersion]:
        """Every version, oldest first, without values."""
        return [
            SecretVersion(
                version=entry["version"],
                created_at=datetime.fromisoformat(entry["created_at"]),
                destroyed=entry["value"] is None,
            )
            for entry in self._read(name)
        ]

    def put(self, name: str, value: SecretStr, *, cas: int | None = None) -> int:
        """Append a version; with `cas`, only while the current version is `cas`."""
        with self._locked(name):
            versions = self._read(name)
            current = versions[-1]["version"] if versions else 0
            if cas is not None and cas != current:
                raise SecretVersionConflictError(name, cas, current)
            return self._append(name, versions, value)

    def get_or_create(self, name: str, factory: Callable[[], str]) -> SecretStr:
        """The current value, creating a version from `factory()` when there is none."""
        with self._locked(name):
            versions = self._read(name)
            if versions and versions[-1]["value"] is not None:
                return SecretStr(versions[-1]["value"])
            value = SecretStr(factory())
            self._append(name, versions, value)
            return value

    def destroy(self, name: str, version: int) -> None:
        """Erase one version's value; the number stays taken (no-op when unknown)."""
        with self._locked(name):
            versions = self._read(name)
            if not any(entry["version"] == version for entry in versions):
                return
            kept = [
                {**entry, "value": None} if entry["version"] == version else entry
                for entry in versions
            ]
            self._write(name, kept)

    def _append(self, name: str, versions: list[dict[str, Any]], value: SecretStr) -> int:
        number = versions[-1]["version"] + 1 if versions else 1
        entry = {
            "version": number,
            "created_at": datetime.now(UTC).isoformat(),
            "value": value.get_secret_value(),
        }
        self._write(name, [*versions, entry])
        return number

    def _path(self, name: str) -> Path:
        return self._folder / (check_secret_name(name) + SUFFIX)

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        path = self._path(name)
        _make_private_dirs(self._folder, path.parent)
        descriptor = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _read(self, name: str) -> list[dict[str, Any]]:
        path = self._path(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            envelope = json.loads(raw)
            if envelope.get("format") != FORMAT:
                raise SecretStoreCorruptError(name, str(path), "unknown file format")
            nonce = base64.b64decode(envelope["nonce"], validate=True)
            sealed = base64.b64decode(envelope["ciphertext"], validate=True)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise SecretStoreCorruptError(name, str(path), "not a secret file") from None
        try:
            plain = self._aead.decrypt(nonce, sealed, _associated(name))
        except InvalidTag:
            reason = "wrong master key, or the file was altered or renamed"
            raise SecretStoreCorruptError(name, str(path), reason) from None
        versions: list[dict[str, Any]] = json.loads(plain)["versions"]
        return versions

    def _write(self, name: str, versions: list[dict[str, Any]]) -> None:
        path = self._path(name)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plain = json.dumps({"versions": versions}).encode("utf-8")
        envelope = {
            "format": FORMAT,
            "nonce": base64.b64encode(nonce).decode("ascii"),
            "ciphertext": base64.b64encode(
                self._aead.encrypt(nonce, plain, _associated(name))
            ).decode("ascii"),
        }
        _write_private(path, json.dumps(envelope).encode("utf-8"))


def load_master_key(settings: Settings) -> bytes:
    """The 32-byte master key: `master_key`, else `master_key_file` (created in dev only)."""
    if settings.master_key is not None:
        return base64.b64decode(settings.master_key.get_secret_value())
    path = settings.master_key_file
    if path is None:
        raise ConfigurationError("no master key: set GRACE_MASTER_KEY or master_key_file")
    if not path.exists():
        if settings.profile is not Profile.DEV:
            raise ConfigurationError(
                f"profile {settings.profile.value!r} needs a master key: set GRACE_MASTER_KEY "
                f"or create {path} (mode 0600) holding the base64 of 32 random bytes"
            )
        _create_master_key_file(path)
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(f"master key file {path} is readable by others: chmod 600 it")
    try:
        key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigurationError(f"master key file {path} must hold the base64 of 32 bytes")
    return key


def _create_master_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(descriptor, "wb") as file:
        file.write(encoded)
        file.flush()
        os.fsync(file.fileno())
    log.info("created a development master key at %s", path)


def _associated(name: str) -> bytes:
    return f"{FORMAT}\x1f{name}".encode()


def _value(entry: dict[str, Any]) -> SecretStr | None:
    value = entry["value"]
    return None if value is None else SecretStr(value)


def _make_private_dirs(root: Path, folder: Path) -> None:
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def _write_private(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
