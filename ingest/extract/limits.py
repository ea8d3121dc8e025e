"""Bounds that keep one file from exhausting the worker."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

from graph.errors import TooDeepError

MIB = 1024 * 1024

_FIELD_LIMIT_LOCK = threading.RLock()


@dataclass(frozen=True)
class Limits:
    """Per-file extraction limits.

    `max_field_bytes` bounds one CSV/TSV field; it is enforced with `csv.field_size_limit`,
    which is process-global, so `field_size_limit` sets it under a lock and restores it.
    `max_depth` bounds how deep the values of one JSON or YAML record nest.
    The `max_zip_*`/`max_unzipped_bytes`/`max_compression_ratio` fields bound XLSX and DOCX
    containers; the `parser_*` fields bound the sandboxed PDF, XLSX and DOCX parsers.
    """

    max_bytes: int = 50 * MIB
    max_rows: int = 1_000_000
    max_field_bytes: int = MIB
    max_chunk_chars: int = 2000
    max_depth: int = 64
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


def check_depth(record: object, path: str, locator: str, limits: Limits) -> None:
    """Raise `TooDeepError` when the values of a record nest deeper than the limit."""
    if nesting_depth(record) > limits.max_depth:
        reason = f"{locator}: values nested deeper than the limit of {limits.max_depth} levels"
        raise TooDeepError(path, None, None, reason)


def nesting_depth(value: object) -> int:
    """How deep lists and maps nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            pending += [(child, depth + 1) for child in item.values()]
        elif isinstance(item, list | tuple):
            pending += [(child, depth + 1) for child in item]
    return deepest
