"""Signed audit checkpoints: the Merkle root over a chain's first `seq` event hashes.

A checkpoint is signed with Ed25519, stored as an `AuditCheckpoint` node and exported as a
small JSON file to be held elsewhere; a chain rewritten after the checkpoint (even one
re-hashed consistently) no longer produces its root.

Trust: the private key lives in the secret store under `KEY_NAME` (the hex of its 32 raw
bytes), and so does the latest checkpoint of each chain (its "anchor", `anchor_name`). A
checkpoint counts only when signed by one of the store's keys, so whoever can write Neo4j
but not the secret store can neither forge a checkpoint nor hide a truncation by deleting
the checkpoint nodes: the anchor still names the last one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ConfigDict, JsonValue, SecretStr, ValidationError

from governance.audit import canonical_json, timestamp_text
from governance.errors import (
    CheckpointAnchorError,
    CheckpointFileError,
    CheckpointKeyError,
    SecretVersionConflictError,
)
from governance.secret_store import SecretStore
from graph.graph import Graph
from graph.model import AuditCheckpoint

KEY_NAME = "audit/checkpoint-key"
"""The secret holding the checkpoint signing key."""
SIGNING_CONTEXT = b"grace.audit.checkpoint/1\n"
ANCHOR_PREFIX = "audit/anchor"
"""Secrets under this prefix hold the latest checkpoint of each chain."""


class Checkpoint(AuditCheckpoint):
    """A signed statement: chain `chain` had Merkle root `root` over events 1..`seq`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def signed_bytes(self) -> bytes:
        """What the signature covers."""
        return signed_bytes(self.chain, self.seq, self.root, self.at)

    def signature_valid(self) -> bool:
        """True when `signature` is the public key's Ed25519 signature of the checkpoint."""
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key))
            key.verify(bytes.fromhex(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_json(self) -> str:
        """The exported form: one JSON object."""
        return json.dumps(self.document(), indent=2, sort_keys=True) + "\n"

    def document(self) -> dict[str, Any]:
        """The checkpoint as JSON values (`at` in its hashed text form)."""
        return {**self.model_dump(), "at": timestamp_text(self.at)}

    @classmethod
    def from_file(cls, path: Path) -> Checkpoint:
        """Read an exported checkpoint; `CheckpointFileError` when it is not one."""
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CheckpointFileError(path, error.strerror or str(error)) from error
        except ValidationError as error:
            raise CheckpointFileError(path, _first_problem(error)) from error


def signed_bytes(chain: str, seq: int, root: str, at: datetime) -> bytes:
    """The message a checkpoint signs: a context tag, then canonical JSON of its fields."""
    fields: dict[str, JsonValue] = {
        "chain": chain,
        "seq": seq,
        "root": root,
        "at": timestamp_text(at),
    }
    return SIGNING_CONTEXT + canonical_json(fields)


def sign_checkpoint(
    chain: str, seq: int, root: str, key: Ed25519PrivateKey, at: datetime | None = None
) -> Checkpoint:
    """A checkpoint of `chain` at `seq` with Merkle root `root` (hex), signed with `key`."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    return Checkpoint(
        chain=chain,
        seq=seq,
        root=root,
        at=at,
        public_key=public_key_hex(key.public_key()),
        signature=key.sign(signed_bytes(chain, seq, root, at)).hex(),
    )


def public_key_hex(key: Ed25519PublicKey) -> str:
    """The hex of a public key's 32 raw bytes."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def new_key_text() -> str:
    """A fresh signing key as stored in the secret store (hex of the raw private bytes)."""
    return Ed25519PrivateKey.generate().private_bytes_raw().hex()


def key_from_secret(secret: SecretStr) -> Ed25519PrivateKey:
    """The signing key held in a secret; `CheckpointKeyError` when it is malformed."""
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret.get_secret_value()))
    except ValueError:
        raise CheckpointKeyError(KEY_NAME, "not the hex of a 32-byte Ed25519 key") from None


def signing_key(store: SecretStore) -> Ed25519PrivateKey:
    """The checkpoint signing key from the secret store, created on first use."""
    return key_from_secret(store.get_or_create(KEY_NAME, new_key_text))


def trusted_public_keys(store: SecretStore) -> frozenset[str]:
    """The hex public keys of every kept version of the store's checkpoint key (none when
    it has no key yet, so no checkpoint can be genuine)."""
    keys = set()
    for version in store.versions(KEY_NAME):
        secret = None if version.destroyed else store.get_version(KEY_NAME, version.version)
        if secret is not None:
            keys.add(public_key_hex(key_from_secret(secret).public_key()))
    return frozenset(keys)


@dataclass(frozen=True)
class Trust:
    """What verification trusts: the public keys of the checkpoint key (hex; none when there
    is no key yet, so no checkpoint is genuine) and checkpoints kept out of Neo4j's reach."""

    keys: frozenset[str]
    anchors: tuple[Checkpoint, ...] = ()


def read_trust(store: SecretStore, chain: str) -> Trust:
    """The secret store's checkpoint keys and `chain`'s anchor."""
    anchor = load_anchor(store, chain)
    return Trust(trusted_public_keys(store), () if anchor is None else (anchor,))


def anchor_name(chain: str) -> str:
    """The secret holding `chain`'s latest checkpoint (chain names need not be secret names)."""
    return f"{ANCHOR_PREFIX}/{hashlib.sha256(chain.encode('utf-8')).hexdigest()[:32]}"


def load_anchor(store: SecretStore, chain: str) -> Checkpoint | None:
    """The latest checkpoint of `chain` kept in the secret store, if any."""
    name = anchor_name(chain)
    secret = store.get(name)
    if secret is None:
        return None
    try:
        return Checkpoint.model_validate_json(secret.get_secret_value())
    except ValidationError as error:
        raise CheckpointAnchorError(name, _first_problem(error)) from None


def save_anchor(store: SecretStore, checkpoint: Checkpoint) -> None:
    """Keep `checkpoint` as its chain's anchor unless the anchor is already as far along."""
    name = anchor_name(checkpoint.chain)
    for _ in range(5):  # another writer may move the anchor meanwhile: read again
        versions = store.versions(name)
        current = load_anchor(store, checkpoint.chain)
        if current is not None and current.seq >= checkpoint.seq:
            return
        try:
            store.put(
                name,
                SecretStr(checkpoint.to_json()),
                cas=versions[-1].version if versions else 0,
            )
        except SecretVersionConflictError:
            continue
        return
    raise CheckpointAnchorError(name, "kept changing while being written")


def drop_anchor(store: SecretStore, chain: str) -> Checkpoint | None:
    """Forget `chain`'s anchor, for a chain deliberately started again (a new database);
    returns the anchor dropped, if any. Until the next checkpoint a truncation goes unseen."""
    anchor = load_anchor(store, chain)
    if anchor is not None:
        name = anchor_name(chain)
        store.destroy(name, store.versions(name)[-1].version)
    return anchor


async def store_checkpoint(graph: Graph, checkpoint: Checkpoint) -> Checkpoint:
    """Keep a checkpoint as an `AuditCheckpoint` node; the first one at a (chain, seq) stays."""
    [row] = await graph.write("audit/store_checkpoint", checkpoint.model_dump())
    return Checkpoint.model_validate(row["checkpoint"])


async def latest_checkpoint(graph: Graph, chain: str) -> Checkpoint | None:
    """The stored checkpoint of `chain` with the highest seq, if any."""
    rows = await graph.read("audit/latest_checkpoint", {"chain": chain})
    return Checkpoint.model_validate(rows[0]["checkpoint"]) if rows else None


@dataclass(frozen=True)
class StoredCheckpoint:
    """An `AuditCheckpoint` node as read back: `checkpoint` is None (and `problem` says
    why) when its properties are not those of a checkpoint."""

    seq: int
    checkpoint: Checkpoint | None
    problem: str = ""


async def stored_checkpoints(graph: Graph, chain: str) -> list[StoredCheckpoint]:
    """Every `AuditCheckpoint` node of `chain`, by seq."""
    found = []
    for row in await graph.read("audit/checkpoints", {"chain": chain}):
        node: dict[str, Any] = row["checkpoint"]
        seq = node.get("seq")
        seq = seq if isinstance(seq, int) else 0
        try:
            found.append(StoredCheckpoint(seq, Checkpoint.model_validate(node)))
        except ValidationError as error:
            found.append(StoredCheckpoint(seq, None, _first_problem(error)))
    return found


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
