"""Clocks a test moves by hand, so a slow machine cannot age what a test holds and expiry
needs no sleeping."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """A monotonic clock (seconds) that stands still until the test sets `now`."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class WallClock:
    """A timezone-aware wall clock that stands still until the test moves `now`."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now
