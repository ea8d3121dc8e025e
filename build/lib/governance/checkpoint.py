"""Signed audit checkpoints: the Merkle root over a chain's first `seq` event hashes.

A checkpoint is signed with Ed25519 and exported as a small JSON file to be held
elsewhere; a chain rewritten after the checkpoint (even one re-hashed consistently) no
longer produces its root. The private key lives in the secret store under `KEY_NAME`,
as the hex of its 32 raw bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ConfigDict, JsonValue, SecretStr, ValidationError

from governance.audit import canonical_json, timestamp_text
from governance.errors import CheckpointFileError, CheckpointKeyError
from governance.secret_store import SecretStore
from graph.graph import Graph
from graph.model import AuditCheckpoint

KEY_NAME = "audit/checkpoint-key"
"""The secret holding the checkpoint signing key."""
SIGNING_CONTEXT = b"grace.audit.checkpoint/1\n"


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


def trusted_public_key(store: SecretStore) -> str | None:
    """The hex public key of the store's checkpoint key, or None when there is none yet."""
    secret = store.get(KEY_NAME)
    return None if secret is None else public_key_hex(key_from_secret(secret).public_key())


async def store_checkpoint(graph: Graph, checkpoint: Checkpoint) -> Checkpoint:
    """Keep a checkpoint as an `AuditCheckpoint` node; the first one at a (chain, seq) stays."""
    [row] = await graph.write("audit/store_checkpoint", checkpoint.model_dump())
    return Checkpoint.model_validate(row["checkpoint"])


async def latest_checkpoint(graph: Graph, chain: str) -> Checkpoint | None:
    """The stored checkpoint of `chain` with the highest seq, if any."""
    rows = await graph.read("audit/latest_checkpoint", {"chain": chain})
    return Checkpoint.model_validate(rows[0]["checkpoint"]) if rows else None


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
