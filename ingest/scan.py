"""Walking a watched folder: which files are eligible, and their content hashes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

from ingest.queue import QueuedFile

IGNORED_NAMES = (".*", "~$*", "*.tmp", "*.part", "*.swp", "*.crdownload", "*~")
"""Hidden, temporary and partial files: never ingested."""

HASH_CHUNK_BYTES = 1024 * 1024


def is_ignored(name: str, patterns: tuple[str, ...] = IGNORED_NAMES) -> bool:
    """True for a file name that matches an ignore pattern."""
    return any(fnmatch(name, pattern) for pattern in patterns)


def walk(root: Path) -> Iterator[Path]:
    """Every eligible file below `root`, in a stable order; hidden folders are skipped."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if not is_ignored(name):
                yield Path(folder) / name


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def scan(root: Path) -> list[QueuedFile]:
    """Every eligible file below `root` with its hash and size (files that vanish are skipped)."""
    found = []
    for path in walk(root):
        try:
            found.append(QueuedFile(path, root, file_sha256(path), path.stat().st_size))
        except FileNotFoundError:
            continue
    return found
