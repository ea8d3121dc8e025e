"""Reads shared by the live subscriptions of one API process: one read per key, awaited by
every subscription that asks for it while it is kept.

A comment event reaches every `commentEvents` subscription on its thread, and each shows the
comment as it is now. Keyed by the event's id, the first subscription to ask reads it and the
others await that read, so an event heard by 50 costs one read instead of 50; a later event
(an edit) has a key of its own and reads again, so nothing is served stale.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

KEPT = 256
"""How many keys' reads are kept (the newest): far more events than arrive while their
subscribers are still reading them."""


class SharedReads(Generic[T]):
    """One read per key, shared; the newest `kept` keys' reads kept."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._reads: OrderedDict[str, asyncio.Future[T]] = OrderedDict()

    async def get(self, key: str, read: Callable[[], Awaitable[T]]) -> T:
        """What `read` gives for `key`: read now by the first to ask, awaited by the others
        (a caller cancelled meanwhile leaves the read running for them)."""
        pending = self._reads.get(key)
        if pending is None:
            pending = self._reads[key] = asyncio.ensure_future(read())
            while len(self._reads) > self._kept:
                self._reads.popitem(last=False)
        return await asyncio.shield(pending)
