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
    """

    max_bytes: int = 50 * MIB
    max_rows: int = 1_000_000
    max_field_bytes: int = MIB
    max_chunk_chars: int = 2000

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 1:
                raise ValueError(f"{field.name} must be at least 1")


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
