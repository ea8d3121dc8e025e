"""Read a file from disk without trusting its reported size."""

from __future__ import annotations

from pathlib import Path

from graph.errors import FileTooLargeError

CHUNK_BYTES = 1024 * 1024


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, read in chunks; `FileTooLargeError` once more than `max_bytes` arrive.

    The size from `stat` is never consulted: a file that grows while it is read (or a device
    that never ends) is read at most one byte past the limit.
    """
    parts: list[bytes] = []
    total = 0
    with path.open("rb") as stream:
        while chunk := stream.read(min(CHUNK_BYTES, max_bytes + 1 - total)):
            total += len(chunk)
            if total > max_bytes:
                raise FileTooLargeError(str(path), total, max_bytes)
            parts.append(chunk)
    return b"".join(parts)
