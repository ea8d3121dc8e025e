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
    """How deep lists and maps nest in `value` (a scalar is 0), without recursion. A container
    reached from several parents (YAML aliases) is measured once, so a YAML bomb costs its
    distinct containers, not their exponential expansion; one that holds itself is
    `UNBOUNDED`."""
    heights: dict[int, int] = {}
    on_path: set[int] = set()
    pending: list[tuple[object, bool]] = [(value, False)]
    while pending:
        item, measured_children = pending.pop()
        children = _children(item)
        if children is None:
            continue
        key = id(item)
        if measured_children:
            on_path.discard(key)
            heights[key] = 1 + max((heights.get(id(child), 0) for child in children), default=-1)
            continue
        if key in heights:
            continue
        if key in on_path:  # reached again from below itself: a cycle
            return UNBOUNDED
        on_path.add(key)
        pending.append((item, True))
        pending += [(child, False) for child in children if id(child) not in heights]
    return heights.get(id(value), 0)


UNBOUNDED = 2**31
"""The depth of a value that contains itself."""


def _children(value: object) -> list[object] | None:
    """The values a list or map holds; None for a scalar."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return None
