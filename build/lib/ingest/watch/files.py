"""What the watcher asks of a file: is it eligible, has it changed, what is its hash."""

from __future__ import annotations

import fnmatch
import hashlib
import stat
from collections.abc import Sequence
from pathlib import Path

DEFAULT_IGNORE: tuple[str, ...] = (".*", "~$*", "*.tmp", "*.part", "*.swp", "*.crdownload", "*~")
HASH_CHUNK_BYTES = 1 << 20

Signature = tuple[int, int, int, int]
"""inode, size, mtime_ns and ctime_ns of a regular file."""


def ignored(name: str, patterns: Sequence[str]) -> bool:
    """Whether a file or folder name matches one of the fnmatch patterns."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def signature(path: Path) -> Signature | None:
    """The identity and timestamps of a regular file; None when it is gone or not one."""
    try:
        found = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, streamed in chunks (blocking: run it in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
