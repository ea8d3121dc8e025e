"""The bearer-token signing key comes from the secret store, created once."""

from __future__ import annotations

import os
from pathlib import Path

from governance.api_keys import MIN_TOKEN_KEY_BYTES, TOKEN_KEY_NAME, token_signing_key
from governance.local_secrets import LocalSecretStore


def test_the_signing_key_is_created_once_and_long_enough(tmp_path: Path) -> None:
    master = os.urandom(32)

    first = token_signing_key(LocalSecretStore(tmp_path, master))
    again = token_signing_key(LocalSecretStore(tmp_path, master))

    assert len(first) >= MIN_TOKEN_KEY_BYTES
    assert again == first
    assert LocalSecretStore(tmp_path, master).get(TOKEN_KEY_NAME) is not None
    assert token_signing_key(LocalSecretStore(tmp_path / "other", master)) != first
