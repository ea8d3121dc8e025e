"""Stable identities: the same input always gets the same id, so every write can be a MERGE."""

from __future__ import annotations

import hashlib
import json
from typing import Any

SEPARATOR = "\x1f"


def digest(*parts: str) -> str:
    """A short, collision-safe digest of several strings (128 bits, hex); a file name that
    is not UTF-8 (its bytes as lone surrogates) is digested as its bytes."""
    joined = SEPARATOR.join(parts).encode("utf-8", "surrogateescape")
    return hashlib.sha256(joined).hexdigest()[:32]


def content_sha256(data: bytes) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""One encoder for every call: `json.dumps` with options builds a new one each time."""


def canonical_json(values: dict[str, Any]) -> str:
    """Equal values, equal text: sorted keys, no spaces."""
    return _CANONICAL.encode(values)


def document_id(source: str, path: str, version: int) -> str:
    """One version of one file of one source."""
    return f"doc:{digest(source, path, str(version))}"


def run_id(source: str, path: str, sha256: str) -> str:
    """One ingestion of one content of one file: retries of the same job share it."""
    return f"run:{digest(source, path, sha256)}"


def row_id(source: str, path: str, table: str, key: str, values_sha256: str) -> str:
    """A record: unchanged in a new version of its file, it keeps this id."""
    return f"row:{digest(source, path, table, key, values_sha256)}"


def chunk_id(source: str, path: str, text: str) -> str:
    """A span of text: unchanged in a new version, it keeps this id (and its embedding)."""
    return f"chunk:{digest(source, path, hashlib.sha256(text.encode('utf-8')).hexdigest())}"


def entity_id(table: str, key: str) -> str:
    """What rows of `table` with entity key `key` describe."""
    return f"{table}:{key}"


def job_id(path: str, sha256: str) -> str:
    """The queue job for one content of one file: duplicates collapse onto it."""
    return f"ingest:{digest(path, sha256)}"
