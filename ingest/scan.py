"""Walking a watched folder for the CLI and the scheduled rescan: the same eligibility and
hashing rules as the watcher (`ingest.watch.files`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ingest.queue import QueuedFile
from ingest.watch.files import DEFAULT_IGNORE, ignored, regular_file, sha256_of


def walk(root: Path) -> Iterator[Path]:
    """Every eligible regular file below `root`, in a stable order; ignored folders are
    skipped, and so are symlinks (never followed), FIFOs, sockets and devices."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not ignored(name, DEFAULT_IGNORE))
        for name in sorted(files):
            if not ignored(name, DEFAULT_IGNORE) and regular_file(Path(folder) / name):
                yield Path(folder) / name


def scan(root: Path) -> list[QueuedFile]:
    """Every eligible file below `root` with its hash and size (files that vanish are skipped)."""
    found = []
    for path in walk(root):
        try:
            found.append(QueuedFile(path, root, sha256_of(path), path.stat().st_size))
        except FileNotFoundError:
            continue
    return found
