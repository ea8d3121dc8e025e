"""Secrets: the `SecretStore` port and `open_secret_store`, which picks the configured backend.

`local` keeps AES-256-GCM encrypted files under `secrets_dir` (governance/local_secrets.py);
`vault` uses a HashiCorp Vault KV v2 mount (governance/vault.py). Both are synchronous;
async callers use `asyncio.to_thread` where latency matters.
"""

from __future__ import annotations

from governance.local_secrets import LocalSecretStore, load_master_key
from governance.secret_store import SecretStore, SecretVersion, check_secret_name
from governance.vault import VaultSecretStore
from graph.settings import Settings

__all__ = [
    "LocalSecretStore",
    "SecretStore",
    "SecretVersion",
    "VaultSecretStore",
    "check_secret_name",
    "load_master_key",
    "open_secret_store",
]


def open_secret_store(settings: Settings) -> SecretStore:
    """The secret store `settings.secret_backend` names (no network call for Vault yet)."""
    if settings.secret_backend == "vault":  # noqa: S105 - a backend name, not a secret
        return VaultSecretStore.from_settings(settings)
    return LocalSecretStore.from_settings(settings)
