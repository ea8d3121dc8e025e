"""What an API process holds (`api.held_values`), following the real event bus in a test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.held_values import HeldValues
from api.services import Services
from graph.events import EventBus
from graph.settings import Settings

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


@contextmanager
def holding_app(
    settings: Settings, max_age: float, held: Callable[[Services], Iterable[HeldValues[Any]]]
) -> Iterator[TestClient]:
    """The real app holding for `max_age`, once the subscriptions of what `held` names are
    confirmed."""
    app = create_app(settings.model_copy(update={"auth_cache_seconds": max_age}))
    with TestClient(app) as client:
        deadline = time.monotonic() + WAIT
        while not all(values.live.is_set() for values in held(app.state.services)):
            assert time.monotonic() < deadline, "the app did not subscribe"
            time.sleep(0.02)
        yield client
