"""Bounds that keep one file from exhausting the worker."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

MIB = 1024 * 1024

_FIELD_LIMIT_LOCK = threading.RLock()


@dataclass(frozen=True)
class Limits:
    """Per-file extraction limits.

    `max_field_bytes` bounds one CSV/TSV field; it is enforced with `csv.field_size_limit`,
    which is process-global, so `field_size_limit` sets it under a lock and restores it.
    The `max_zip_*`/`max_unzipped_bytes`/`max_compression_ratio` fields bound XLSX and DOCX
    containers; the `parser_*` fields bound the sandboxed PDF, XLSX and DOCX parsers.
    """

    max_bytes: int = 50 * MIB
    max_rows: int = 1_000_000
    max_field_bytes: int = MIB
    max_chunk_chars: int = 2000
    max_zip_entries: int = 10_000
    max_unzipped_bytes: int = 200 * MIB
    max_compression_ratio: int = 100
    parser_memory_bytes: int = 1024 * MIB
    parser_cpu_seconds: int = 30
    parser_timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) <= 0:
                raise ValueError(f"{field.name} must be positive")


@contextmanager
def field_size_limit(limit: int) -> Iterator[None]:
    """Set `csv.field_size_limit` for the block, then restore the previous value.

    The limit is process-global: the lock gives every csv reader in Grace's extractors its
    own limit while it runs (they wait for each other); csv readers elsewhere in the process
    are not covered.
    """
    with _FIELD_LIMIT_LOCK:
        previous = csv.field_size_limit(limit)
        try:
            yield
        finally:
            csv.field_size_limit(previous)
