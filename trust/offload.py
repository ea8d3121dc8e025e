"""CPU-bound trust work off the event loop, in a daemon thread of its own.

`asyncio.to_thread` would keep the loop serving (other jobs, health checks, signals), but
its executor's threads are joined when the interpreter exits: a worker stopped in the middle
of a large settle waited for it, past its stop timeout, and was killed. A daemon thread is
left behind instead; the pass it served was cancelled and is resumed later
(`ingest.pass_state`), so nothing of its result is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")


async def off_loop(work: Callable[[], T]) -> T:
    """`work()` in a daemon thread; the awaiting task may be cancelled at any time."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def run() -> None:
        try:
            outcome: tuple[T | None, BaseException | None] = (work(), None)
        except BaseException as error:  # handed to the awaiting task as it is
            outcome = (None, error)
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody awaits any more
            loop.call_soon_threadsafe(_deliver, done, *outcome)

    threading.Thread(target=run, name="grace-trust-compute", daemon=True).start()
    return await done


def _deliver(done: asyncio.Future[T], result: T | None, error: BaseException | None) -> None:
    if done.done():  # the awaiting task was cancelled meanwhile
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(cast(T, result))  # what `work` returned
