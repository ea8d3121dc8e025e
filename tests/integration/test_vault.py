"""The Vault backends against a real Vault: KV v2 check-and-set, Transit rotate/rewrap/retire.

Runs only when VAULT_ADDR and VAULT_TOKEN point at a Vault with KV v2 mounted at `secret`
and Transit at `transit` (for example `vault server -dev` plus `vault secrets enable
transit`). Every test uses its own path and Transit key and deletes them afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import pytest
from hvac import exceptions as hvac_errors  # type: ignore[import-untyped]
from pydantic import SecretStr

from governance.encryption import FieldCipher, token_key_version
from governance.errors import (
    FieldDecryptionError,
    KeyVersionError,
    SecretBackendError,
    SecretVersionConflictError,
)
from governance.keys import VaultTransitKeyRing, open_keyring
from governance.secrets import VaultSecretStore, open_secret_store
from governance.vault import vault_client
from graph.settings import Settings, load_settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (os.environ.get("VAULT_ADDR") and os.environ.get("VAULT_TOKEN")),
        reason=(
            "needs a real Vault: set VAULT_ADDR and VAULT_TOKEN (KV v2 at 'secret', "
            "Transit at 'transit'); see README 'Vault tests'"
        ),
    ),
]

VALUE = "vault-held-s3cret"


@pytest.fixture
def vault_settings(unique: str) -> Settings:
    return load_settings(
        "dev",
        secret_backend="vault",
        vault_addr=os.environ["VAULT_ADDR"],
        vault_token=os.environ["VAULT_TOKEN"],
        vault_namespace=os.environ.get("VAULT_NAMESPACE") or None,
        vault_transit_key=f"grace-test-{unique}",
    )


@pytest.fixture
def client(vault_settings: Settings) -> Any:
    return vault_client(vault_settings)


@pytest.fixture
def secret_path(client: Any, unique: str) -> Iterator[str]:
    """A KV v2 folder of this test; deleted with all its versions afterwards."""
    folder = f"grace-tests/{unique}"
    yield folder
    for name in ("token", "fields/hmac"):
        client.secrets.kv.v2.delete_metadata_and_all_versions(
            path=f"{folder}/{name}", mount_point="secret"
        )


@pytest.fixture
def transit_key(client: Any, vault_settings: Settings) -> Iterator[str]:
    """The test's Transit key; deleted afterwards."""
    name = vault_settings.vault_transit_key
    yield name
    with suppress(hvac_errors.InvalidPath):  # the test failed before creating it
        client.secrets.transit.update_key_configuration(
            name=name, deletion_allowed=True, mount_point="transit"
        )
        client.secrets.transit.delete_key(name=name, mount_point="transit")


def test_kv_versions_and_check_and_set(vault_settings: Settings, secret_path: str) -> None:
    store = open_secret_store(vault_settings)
    assert isinstance(store, VaultSecretStore)
    name = f"{secret_path}/token"
    assert store.get(name) is None
    assert store.versions(name) == []
    assert store.put(name, SecretStr("one"), cas=0) == 1
    with pytest.raises(SecretVersionConflictError) as conflict:
        store.put(name, SecretStr(VALUE), cas=0)
    assert (conflict.value.expected, conflict.value.current) == (0, 1)
    assert VALUE not in str(conflict.value)
    assert store.put(name, SecretStr("two"), cas=1) == 2
    assert store.put(name, SecretStr("three")) == 3
    assert store.get(name) == SecretStr("three")
    assert store.get_version(name, 1) == SecretStr("one")
    store.destroy(name, 1)
    assert store.get_version(name, 1) is None
    assert [(v.version, v.destroyed) for v in store.versions(name)] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    made = store.get_or_create(f"{secret_path}/fields/hmac", lambda: VALUE)
    assert made == SecretStr(VALUE)
    assert store.get_or_create(f"{secret_path}/fields/hmac", lambda: "other") == made
    assert VALUE not in repr(store) + store.describe()


def test_a_bad_token_is_a_clear_error_without_the_token(vault_settings: Settings) -> None:
    settings = vault_settings.model_copy(update={"vault_token": SecretStr("not-a-real-token")})
    with pytest.raises(SecretBackendError) as refused:
        open_secret_store(settings).get("grace-tests/anything")
    assert "not-a-real-token" not in str(refused.value)


def test_transit_rotate_rewrap_and_retire(
    vault_settings: Settings, secret_path: str, transit_key: str, client: Any
) -> None:
    store = open_secret_store(vault_settings)
    keyring = VaultTransitKeyRing(client, "transit", transit_key)
    hash_key = store.get_or_create(f"{secret_path}/fields/hmac", lambda: "a2V5LWZvci10ZXN0cw==")
    cipher = FieldCipher(keyring, hash_key)
    context = "people/email"

    old = cipher.encrypt({"email": "ada@example.org"}, context=context)
    assert token_key_version(old) == 1
    assert keyring.versions() == [1]
    assert cipher.decrypt(old, context=context) == {"email": "ada@example.org"}
    with pytest.raises(FieldDecryptionError):
        cipher.decrypt(old, context="people/phone")

    first_made = keyring.primary_since()
    assert keyring.rotate() == 2
    assert keyring.versions() == [1, 2]
    assert first_made <= keyring.primary_since() <= datetime.now(UTC)  # the policy's clock
    new = cipher.rewrap(old)
    assert token_key_version(new) == 2
    assert new.split(":")[4:] == old.split(":")[4:]
    assert FieldCipher(keyring, hash_key).decrypt(new, context=context) == {
        "email": "ada@example.org"
    }

    with pytest.raises(KeyVersionError, match="primary"):
        keyring.retire(2)
    keyring.retire(1)
    info = client.secrets.transit.read_key(name=transit_key, mount_point="transit")["data"]
    assert info["min_decryption_version"] == 2
    assert keyring.versions() == [2]
    with pytest.raises(FieldDecryptionError):
        FieldCipher(keyring, hash_key).decrypt(old, context=context)


def test_the_vault_backend_keeps_field_keys_in_transit(
    vault_settings: Settings, transit_key: str
) -> None:
    keyring = open_keyring(vault_settings, open_secret_store(vault_settings))
    assert isinstance(keyring, VaultTransitKeyRing)
    assert keyring.primary() == 1  # created on first use
    assert transit_key in keyring.describe()
