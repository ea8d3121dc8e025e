"""Key rotation by policy: the scheduled `key_rotation` job's work.

Three kinds of key, each in the store that already holds it, each rotated once its newest
version is older than the policy's maximum age (`Settings.key_rotation`), and each
rotation and retirement written to the audit log:

- bearer-token signing keys (`auth/token-key`): a new version signs; an old one verifies
  until `api_token_retire_after_hours` after its successor was made, then is destroyed.
- field-encryption KEKs (`governance.keys`): a new version, every row's tokens rewrapped
  to it, then the old versions retired (`governance.encrypted_rows.finish_field_rotation`).
- audit checkpoint signing keys (`audit/checkpoint-key`): a new version, every stored
  checkpoint and chain anchor still signed by an old one re-signed with it (chain, seq,
  root and time unchanged; only checkpoints whose signature checks are re-signed), then the
  old versions destroyed.

Each run also finishes what an earlier run left undone (rows not rewrapped, checkpoints not
re-signed): old versions stay readable and trusted until their work is done, so a rotation
cut short leaves everything readable and the next run completes it.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import SecretStr

from governance.api_keys import TOKEN_KEY_NAME, new_token_key, read_token_keys
from governance.audit import AuditEntry, AuditLog
from governance.checkpoint import KEY_NAME as CHECKPOINT_KEY_NAME
from governance.checkpoint import (
    Checkpoint,
    anchor_name,
    load_anchor,
    new_key_text,
    public_key_hex,
    sign_checkpoint,
    signing_key,
    trusted_public_keys,
)
from governance.encrypted_rows import (
    RewrapProgress,
    finish_field_rotation,
    rotate_field_key,
)
from governance.encryption import FieldCipher
from governance.secret_store import SecretStore, SecretVersion
from graph.graph import Graph
from graph.settings import KeyRotationPolicy

ACTOR = "system:key-rotation"


class KeyKind(StrEnum):
    """The kinds of key the policy rotates."""

    API_TOKEN = "api_token"  # noqa: S105 - a kind of key, not a secret
    FIELD = "field"
    AUDIT = "audit"


@dataclass(frozen=True)
class KeyRotation:
    """What one run did to one kind of key."""

    kind: KeyKind
    rotated: bool
    primary: int
    retired: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    """Old versions still alive (their grace period, or work left for the next run)."""


@dataclass(frozen=True)
class RotationServices:
    """What rotation works on: the graph, the one secret store, the field cipher, the log."""

    graph: Graph
    store: SecretStore
    cipher: FieldCipher
    audit: AuditLog


def is_due(since: datetime, max_age_days: float, now: datetime) -> bool:
    """True when a key made at `since` has reached `max_age_days` at `now`."""
    return now - since >= timedelta(days=max_age_days)


async def rotate_due_keys(
    services: RotationServices,
    policy: KeyRotationPolicy,
    now: datetime,
    *,
    progress: RewrapProgress | None = None,
    batch_size: int = 500,
) -> list[KeyRotation]:
    """Rotate every kind of key that is due and finish earlier rotations, in a fixed order."""
    return [
        await rotate_token_key(services, policy, now),
        await rotate_field_keys(services, policy, now, progress=progress, batch_size=batch_size),
        await rotate_audit_key(services, policy, now),
    ]


async def rotate_token_key(
    services: RotationServices, policy: KeyRotationPolicy, now: datetime
) -> KeyRotation:
    """A new signing version when due; old versions destroyed once past their grace."""
    store, audit = services.store, services.audit
    await asyncio.to_thread(read_token_keys, store)  # the first version, on first use
    versions = await asyncio.to_thread(_kept, store, TOKEN_KEY_NAME)
    rotated = is_due(versions[-1].created_at, policy.api_token_max_age_days, now)
    if rotated:
        versions = await _put_version(store, TOKEN_KEY_NAME, new_token_key())
        await audit.append(
            [_entry("auth.token_key.rotate", "token-key", versions[-1], versions[-2].version)]
        )
    grace = timedelta(hours=policy.api_token_retire_after_hours)
    retired = [
        old.version
        for old, successor in itertools.pairwise(versions)
        if successor.created_at + grace <= now
    ]
    await _destroy(services, TOKEN_KEY_NAME, "auth.token_key.retire", "token-key", retired)
    return _outcome(KeyKind.API_TOKEN, rotated, versions, retired)


async def rotate_field_keys(
    services: RotationServices,
    policy: KeyRotationPolicy,
    now: datetime,
    *,
    progress: RewrapProgress | None = None,
    batch_size: int = 500,
) -> KeyRotation:
    """`rotate_field_key` when the primary KEK is due; else finish an earlier rotation."""
    keyring = services.cipher.keyring
    since = await asyncio.to_thread(keyring.primary_since)
    versions = await asyncio.to_thread(keyring.versions)
    rotated = is_due(since, policy.field_max_age_days, now)
    if not rotated and len(versions) == 1:
        return KeyRotation(KeyKind.FIELD, False, versions[-1])
    graph, cipher, audit = services.graph, services.cipher, services.audit
    if rotated:
        report = await rotate_field_key(
            graph, cipher, audit, actor=ACTOR, progress=progress, batch_size=batch_size
        )
    else:
        report = await finish_field_rotation(
            graph,
            cipher,
            audit,
            actor=ACTOR,
            previous=versions[-1],
            progress=progress,
            batch_size=batch_size,
        )
    kept = [v for v in await asyncio.to_thread(keyring.versions) if v != report.primary]
    return KeyRotation(KeyKind.FIELD, rotated, report.primary, report.retired, kept)


async def rotate_audit_key(
    services: RotationServices, policy: KeyRotationPolicy, now: datetime
) -> KeyRotation:
    """A new checkpoint key when due; every checkpoint and anchor re-signed with the newest
    key, then the old versions destroyed."""
    store = services.store
    await asyncio.to_thread(signing_key, store)  # the first version, on first use
    versions = await asyncio.to_thread(_kept, store, CHECKPOINT_KEY_NAME)
    rotated = is_due(versions[-1].created_at, policy.audit_max_age_days, now)
    if rotated:
        versions = await _put_version(store, CHECKPOINT_KEY_NAME, new_key_text())
        await services.audit.append(
            [_entry("audit.key.rotate", "checkpoint-key", versions[-1], versions[-2].version)]
        )
    old = [version.version for version in versions[:-1]]
    if old:
        await _resign_checkpoints(services)
    await _destroy(services, CHECKPOINT_KEY_NAME, "audit.key.retire", "checkpoint-key", old)
    return _outcome(KeyKind.AUDIT, rotated, versions, old)


async def _resign_checkpoints(services: RotationServices) -> None:
    """Re-sign with the newest key every stored checkpoint and anchor whose signature an
    older kept key made (and which checks); returns when all are done."""
    store, graph = services.store, services.graph
    key = await asyncio.to_thread(signing_key, store)
    newest = public_key_hex(key.public_key())
    trusted = await asyncio.to_thread(trusted_public_keys, store)
    rows = await graph.read("audit/checkpoints_to_resign", {"public_key": newest})
    chains: set[str] = set()
    for row in rows:
        old = Checkpoint.model_validate(row["checkpoint"])
        chains.add(old.chain)
        if old.public_key not in trusted or not old.signature_valid():
            continue  # verification reports it; re-signing would make it look genuine
        new = sign_checkpoint(old.chain, old.seq, old.root, key, at=old.at)
        await graph.write(
            "audit/resign_checkpoint",
            {
                "chain": old.chain,
                "seq": old.seq,
                "previous_key": old.public_key,
                "previous_signature": old.signature,
                "public_key": new.public_key,
                "signature": new.signature,
            },
        )
    for chain in sorted(chains):
        await asyncio.to_thread(_resign_anchor, store, chain, trusted)


def _resign_anchor(store: SecretStore, chain: str, trusted: frozenset[str]) -> None:
    anchor = load_anchor(store, chain)
    key = signing_key(store)
    if anchor is None or anchor.public_key == public_key_hex(key.public_key()):
        return
    if anchor.public_key not in trusted or not anchor.signature_valid():
        return
    name = anchor_name(chain)
    new = sign_checkpoint(anchor.chain, anchor.seq, anchor.root, key, at=anchor.at)
    store.put(name, SecretStr(new.to_json()), cas=store.versions(name)[-1].version)


def _kept(store: SecretStore, name: str) -> list[SecretVersion]:
    return [version for version in store.versions(name) if not version.destroyed]


async def _put_version(store: SecretStore, name: str, value: str) -> list[SecretVersion]:
    """Store a new version (check-and-set: two rotations at once do not both land)."""
    history = await asyncio.to_thread(store.versions, name)
    await asyncio.to_thread(store.put, name, SecretStr(value), cas=history[-1].version)
    return await asyncio.to_thread(_kept, store, name)


async def _destroy(
    services: RotationServices, name: str, action: str, target: str, versions: list[int]
) -> None:
    for version in versions:
        await asyncio.to_thread(services.store.destroy, name, version)
        await services.audit.append([AuditEntry(ACTOR, action, f"{target}@{version}")])


def _entry(action: str, target: str, new: SecretVersion, previous: int) -> AuditEntry:
    return AuditEntry(ACTOR, action, f"{target}@{new.version}", {"primary": previous}, {})


def _outcome(
    kind: KeyKind, rotated: bool, versions: list[SecretVersion], retired: list[int]
) -> KeyRotation:
    kept = [version.version for version in versions[:-1] if version.version not in retired]
    return KeyRotation(kind, rotated, versions[-1].version, retired, kept)
