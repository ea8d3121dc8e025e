"""The bearer-token signing keys come from the secret store: created once, every kept
version verifying, the newest signing, each read again after the refresh interval."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from governance.api_keys import (
    MIN_TOKEN_KEY_BYTES,
    TOKEN_KEY_NAME,
    TokenKeys,
    new_token_key,
    read_token_keys,
)
from governance.local_secrets import LocalSecretStore
from graph.errors import ConfigurationError


def test_the_signing_key_is_created_once_and_long_enough(tmp_path: Path) -> None:
    master = os.urandom(32)

    first = read_token_keys(LocalSecretStore(tmp_path, master))
    again = read_token_keys(LocalSecretStore(tmp_path, master))

    assert len(first.signing) >= MIN_TOKEN_KEY_BYTES
    assert again == first
    assert first.verifying == (first.signing,)
    assert LocalSecretStore(tmp_path, master).get(TOKEN_KEY_NAME) is not None
    assert read_token_keys(LocalSecretStore(tmp_path / "other", master)) != first


def test_the_newest_version_signs_and_every_kept_one_verifies(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path, os.urandom(32))
    old = read_token_keys(store).signing
    store.put(TOKEN_KEY_NAME, SecretStr(new_token_key()))
    keys = read_token_keys(store)
    assert keys.signing != old
    assert keys.verifying == (keys.signing, old)
    store.destroy(TOKEN_KEY_NAME, 1)
    assert read_token_keys(store).verifying == (keys.signing,)
    assert "k" * 8 not in repr(keys)


def test_a_short_stored_key_is_refused(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path, os.urandom(32))
    store.put(TOKEN_KEY_NAME, SecretStr("short"))
    with pytest.raises(ConfigurationError):
        read_token_keys(store)


async def test_keys_are_read_again_after_the_refresh_interval(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path, os.urandom(32))
    now = [0.0]
    keys = TokenKeys(store, refresh_seconds=30, clock=lambda: now[0])
    first = (await keys.current()).signing
    store.put(TOKEN_KEY_NAME, SecretStr(new_token_key()))
    now[0] = 29.0
    assert (await keys.current()).signing == first
    now[0] = 30.0
    assert (await keys.current()).signing != first
