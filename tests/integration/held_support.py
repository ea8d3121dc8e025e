"""What an API process holds (`api.held_values`), following the real event bus in a test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from api.held_values import HeldValues
from graph.events import EventBus

WAIT = 10.0
"""How long a subscription or an event may take (a busy machine)."""


@asynccontextmanager
async def following(held: HeldValues[Any], bus: EventBus) -> AsyncIterator[None]:
    """`held` following `bus`, its subscription confirmed."""
    task = asyncio.create_task(held.follow(bus))
    try:
        await asyncio.wait_for(held.live.wait(), WAIT)
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
