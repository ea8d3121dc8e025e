"""What the watcher asks of a file: is it eligible, has it changed, what is its hash."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import stat
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

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


_SPECIAL_KINDS = (
    (stat.S_ISLNK, "a symbolic link (never followed: it may lead out of the folder)"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)
_reported: set[Path] = set()


def regular_file(path: Path) -> bool:
    """Whether `path` is a regular file (not followed if a link); a symlink, FIFO, socket or
    device is logged once per process with what it is, and skipped."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    if stat.S_ISREG(mode):
        return True
    kind = next((name for test, name in _SPECIAL_KINDS if test(mode)), None)
    if kind is not None and path not in _reported:
        _reported.add(path)
        log.warning("%s skipped: it is %s, not a regular file", path, kind)
    return False
