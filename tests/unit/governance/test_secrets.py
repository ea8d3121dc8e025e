"""The local secret store (real files, real processes) and the secret settings."""

from __future__ import annotations

import base64
import logging
import multiprocessing
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from governance.errors import (
    InvalidSecretNameError,
    SecretBackendError,
    SecretStoreCorruptError,
    SecretVersionConflictError,
)
from governance.secrets import (
    LocalSecretStore,
    SecretStore,
    VaultSecretStore,
    open_secret_store,
)
from graph.errors import ConfigurationError
from graph.settings import Settings, load_settings

VALUE = "s3cret-value-that-must-never-show"
KEY = os.urandom(32)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("GRACE_MASTER", "GRACE_SECRET", "GRACE_VAULT", "VAULT_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GRACE_PROFILE", raising=False)


def dev_settings(folder: Path, **overrides: object) -> Settings:
    return load_settings(
        "dev", secrets_dir=folder, master_key_file=folder / "master.key", **overrides
    )


@pytest.fixture
def store(tmp_path: Path) -> LocalSecretStore:
    return LocalSecretStore(tmp_path / "secrets", KEY)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------ master key and settings


def test_dev_creates_a_private_master_key_file_once(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path / "secrets")
    first = open_secret_store(settings)
    first.put("app/token", SecretStr(VALUE))
    key_file = tmp_path / "secrets" / "master.key"
    assert _mode(key_file) == 0o600
    assert len(base64.b64decode(key_file.read_text().strip())) == 32
    again = open_secret_store(dev_settings(tmp_path / "secrets"))
    assert again.get("app/token") == SecretStr(VALUE)


def test_master_key_from_the_environment_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRACE_MASTER_KEY", base64.b64encode(KEY).decode())
    store = open_secret_store(dev_settings(tmp_path / "secrets"))
    store.put("a", SecretStr(VALUE))
    assert not (tmp_path / "secrets" / "master.key").exists()
    assert LocalSecretStore(tmp_path / "secrets", KEY).get("a") == SecretStr(VALUE)


@pytest.mark.parametrize("profile", ["staging", "prod"])
def test_outside_dev_a_missing_master_key_is_refused(
    tmp_path: Path, profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRACE_NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", "real-password")
    monkeypatch.setenv("GRACE_API_SECRET_KEY", "real-api-secret")
    settings = load_settings(profile, secrets_dir=tmp_path, master_key_file=tmp_path / "master.key")
    with pytest.raises(ConfigurationError, match="needs a master key: set GRACE_MASTER_KEY"):
        open_secret_store(settings)
    assert not (tmp_path / "master.key").exists()


def test_a_master_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(base64.b64encode(KEY).decode())
    key_file.chmod(0o644)
    settings = load_settings("dev", secrets_dir=tmp_path, master_key_file=key_file)
    with pytest.raises(ConfigurationError, match="readable by others: chmod 600"):
        open_secret_store(settings)


def test_a_malformed_master_key_is_refused_without_quoting_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRACE_MASTER_KEY", "not-base64-of-32-bytes-" + VALUE)
    with pytest.raises(ConfigurationError) as refused:
        load_settings("dev")
    assert "base64 of exactly 32 bytes" in str(refused.value)
    assert VALUE not in str(refused.value)


def test_the_vault_backend_needs_an_address_and_a_token() -> None:
    with pytest.raises(ConfigurationError, match="needs vault_addr and vault_token"):
        load_settings("dev", secret_backend="vault", vault_addr="http://127.0.0.1:8200")


def test_open_secret_store_picks_vault_without_calling_it(tmp_path: Path) -> None:
    settings = dev_settings(
        tmp_path, secret_backend="vault", vault_addr="http://127.0.0.1:1", vault_token=VALUE
    )
    store = open_secret_store(settings)
    assert isinstance(store, VaultSecretStore)
    assert isinstance(store, SecretStore)
    assert VALUE not in repr(store) + store.describe() + repr(settings)


def test_an_unreachable_vault_is_a_clear_error_without_the_token(tmp_path: Path) -> None:
    settings = dev_settings(
        tmp_path, secret_backend="vault", vault_addr="http://127.0.0.1:1", vault_token=VALUE
    )
    with pytest.raises(SecretBackendError, match="vault: read 'app/token' failed: unreachable"):
        open_secret_store(settings).get("app/token")


# ------------------------------------------------------------------ versions and check-and-set


def test_put_adds_versions_and_get_reads_the_newest(store: LocalSecretStore) -> None:
    assert store.get("app/token") is None
    assert store.versions("app/token") == []
    assert store.put("app/token", SecretStr("one")) == 1
    assert store.put("app/token", SecretStr("two")) == 2
    assert store.get("app/token") == SecretStr("two")
    assert store.get_version("app/token", 1) == SecretStr("one")
    assert store.get_version("app/token", 3) is None
    assert [v.version for v in store.versions("app/token")] == [1, 2]
    assert not any(v.destroyed for v in store.versions("app/token"))


def test_check_and_set_refuses_a_stale_version(store: LocalSecretStore) -> None:
    assert store.put("db/password", SecretStr("first"), cas=0) == 1
    with pytest.raises(SecretVersionConflictError) as conflict:
        store.put("db/password", SecretStr(VALUE), cas=0)
    assert (conflict.value.expected, conflict.value.current) == (0, 1)
    assert "expected version 0, current is 1" in str(conflict.value)
    assert VALUE not in str(conflict.value)
    assert store.put("db/password", SecretStr("second"), cas=1) == 2
    with pytest.raises(SecretVersionConflictError):
        store.put("db/password", SecretStr("late"), cas=1)
    assert store.get("db/password") == SecretStr("second")


def test_get_or_create_calls_the_factory_once(store: LocalSecretStore) -> None:
    calls: list[int] = []

    def factory() -> str:
        calls.append(1)
        return VALUE

    assert store.get_or_create("fields/hmac", factory) == SecretStr(VALUE)
    assert store.get_or_create("fields/hmac", factory) == SecretStr(VALUE)
    assert len(calls) == 1


def test_destroy_erases_one_version_and_keeps_its_number(store: LocalSecretStore) -> None:
    store.put("k", SecretStr("one"))
    store.put("k", SecretStr("two"))
    store.destroy("k", 1)
    assert store.get_version("k", 1) is None
    assert store.get("k") == SecretStr("two")
    assert [(v.version, v.destroyed) for v in store.versions("k")] == [(1, True), (2, False)]
    assert store.put("k", SecretStr("three")) == 3


@pytest.mark.parametrize("name", ["", "../escape", "/abs", "a//b", "Upper", "a/", "a b", "a/.."])
def test_names_outside_the_pattern_are_refused(store: LocalSecretStore, name: str) -> None:
    with pytest.raises(InvalidSecretNameError):
        store.put(name, SecretStr(VALUE))


# ------------------------------------------------------------------ files on disk


def test_files_are_private_encrypted_and_replaced_whole(
    store: LocalSecretStore, tmp_path: Path
) -> None:
    store.put("fields/kek", SecretStr(VALUE))
    store.put("fields/kek", SecretStr(VALUE + "-2"))
    folder = tmp_path / "secrets"
    secret_file = folder / "fields" / "kek.secret"
    assert _mode(secret_file) == 0o600
    assert _mode(folder) == 0o700
    assert VALUE.encode() not in secret_file.read_bytes()
    assert sorted(p.name for p in (folder / "fields").iterdir()) == ["kek.lock", "kek.secret"]


def test_a_wrong_master_key_is_a_clear_error(store: LocalSecretStore, tmp_path: Path) -> None:
    store.put("app/token", SecretStr(VALUE))
    other = LocalSecretStore(tmp_path / "secrets", os.urandom(32))
    with pytest.raises(SecretStoreCorruptError, match="wrong master key") as refused:
        other.get("app/token")
    assert refused.value.name == "app/token"
    assert VALUE not in str(refused.value)


def test_an_altered_file_is_a_clear_error(store: LocalSecretStore, tmp_path: Path) -> None:
    store.put("app/token", SecretStr(VALUE))
    path = tmp_path / "secrets" / "app" / "token.secret"
    data = bytearray(path.read_bytes())
    middle = data.index(b'"ciphertext": "') + 30
    data[middle] = ord("A") if data[middle] != ord("A") else ord("B")
    path.write_bytes(bytes(data))
    with pytest.raises(SecretStoreCorruptError, match="altered"):
        store.get("app/token")
    path.write_bytes(b"garbage")
    with pytest.raises(SecretStoreCorruptError, match="not a secret file"):
        store.get("app/token")


def test_a_file_renamed_to_another_secret_does_not_decrypt(
    store: LocalSecretStore, tmp_path: Path
) -> None:
    store.put("app/token", SecretStr(VALUE))
    folder = tmp_path / "secrets" / "app"
    (folder / "other.secret").write_bytes((folder / "token.secret").read_bytes())
    with pytest.raises(SecretStoreCorruptError, match="renamed"):
        store.get("app/other")


# ------------------------------------------------------------------ concurrency


def _append_versions(folder: str, key: bytes, worker: int, count: int) -> list[int]:
    """Runs in another process: `count` unconditional puts."""
    store = LocalSecretStore(Path(folder), key)
    return [store.put("shared", SecretStr(f"{worker}-{i}")) for i in range(count)]


def _create_once(folder: str, key: bytes, worker: int) -> str:
    """Runs in another process: get_or_create racing the others."""
    store = LocalSecretStore(Path(folder), key)
    return store.get_or_create("race", lambda: f"made-by-{worker}").get_secret_value()


def test_concurrent_writers_in_several_processes_lose_no_version(tmp_path: Path) -> None:
    folder, workers, count = str(tmp_path / "secrets"), 4, 15
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        results = list(
            pool.map(
                _append_versions,
                [folder] * workers,
                [KEY] * workers,
                range(workers),
                [count] * workers,
            )
        )
    numbers = sorted(number for result in results for number in result)
    assert numbers == list(range(1, workers * count + 1))
    store = LocalSecretStore(Path(folder), KEY)
    values = {store.get_version("shared", n).get_secret_value() for n in numbers}  # type: ignore[union-attr]
    assert values == {f"{w}-{i}" for w in range(workers) for i in range(count)}
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        created = set(pool.map(_create_once, [folder] * workers, [KEY] * workers, range(workers)))
    assert len(created) == 1
    assert [v.version for v in store.versions("race")] == [1]


# ------------------------------------------------------------------ nothing leaks


def test_no_secret_value_in_logs_repr_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = dev_settings(tmp_path / "secrets")
    store = open_secret_store(settings)
    store.put("app/token", SecretStr(VALUE))
    store.get_or_create("app/other", lambda: VALUE)
    value = store.get("app/token")
    texts = [
        repr(store),
        store.describe(),
        repr(value),
        str(value),
        repr(store.versions("app/token")),
    ]
    for attempt in (
        lambda: store.put("app/token", SecretStr(VALUE), cas=0),
        lambda: LocalSecretStore(tmp_path / "secrets", os.urandom(32)).get("app/token"),
        lambda: store.put("Bad Name", SecretStr(VALUE)),
    ):
        with pytest.raises(Exception) as failure:  # noqa: PT011 - each raises its own kind
            attempt()
        texts += [str(failure.value), repr(failure.value)]
    assert "created a development master key" in caplog.text
    assert VALUE not in caplog.text
    assert not [text for text in texts if VALUE in text]
