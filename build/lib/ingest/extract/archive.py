"""Refuse hostile ZIP containers (XLSX, DOCX) before any parser opens them.

Only the central directory is read. Python's `zipfile` (which openpyxl and python-docx use)
stops inflating an entry at its declared size, so the declared sizes checked here bound what
a parser can unpack; the sandbox's memory limit is the backstop.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from graph.errors import UnsafeArchiveError
from ingest.extract.limits import Limits

RATIO_FLOOR = 100 * 1024  # entries smaller than this unpack to little whatever their ratio
ENCRYPTED = 0x1


def check_archive(data: bytes, path: str, limits: Limits) -> None:
    """Raise `UnsafeArchiveError` when the ZIP in `data` breaks a limit of `limits`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnsafeArchiveError(path, f"damaged ZIP archive: {error}") from error
    if len(entries) > limits.max_zip_entries:
        raise UnsafeArchiveError(
            path, f"{len(entries)} entries is over the limit of {limits.max_zip_entries}"
        )
    total = 0
    for entry in entries:
        problem = _entry_problem(entry, limits)
        if problem is not None:
            raise UnsafeArchiveError(path, f"entry {entry.filename!r}: {problem}")
        total += entry.file_size
        if total > limits.max_unzipped_bytes:
            raise UnsafeArchiveError(
                path, f"unpacks to more than the limit of {limits.max_unzipped_bytes} bytes"
            )


def _entry_problem(entry: zipfile.ZipInfo, limits: Limits) -> str | None:
    name = entry.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if ".." in PurePosixPath(name).parts:
        return "path leaves the archive"
    if entry.flag_bits & ENCRYPTED:
        return "encrypted"
    ratio = entry.file_size / max(entry.compress_size, 1)
    if entry.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
        return (
            f"compression ratio {ratio:.0f} is over the limit of {limits.max_compression_ratio}"
            " (zip bomb)"
        )
    return None
