"""Keeps the local services running: a service that exits on its own is started again after
a back-off, a limited number of times in a window; past that limit the stack gives up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cli.stack.process import ManagedProcess

CHECK_SECONDS = 0.5


@dataclass
class RestartPolicy:
    """At most `limit` restarts of one service in `window_seconds`, the delay doubling from
    `first_delay_seconds` up to `max_delay_seconds` with each recent restart."""

    limit: int = 5
    window_seconds: float = 600.0
    first_delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    _history: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False)

    def next_restart(self, name: str, now: float) -> tuple[int, float] | None:
        """Record a restart of `name` at `now`: (its number in the window, its delay), or
        None when the window already holds `limit` restarts."""
        recent = [at for at in self._history.get(name, []) if now - at < self.window_seconds]
        if len(recent) >= self.limit:
            return None
        recent.append(now)
        self._history[name] = recent
        delay = min(self.first_delay_seconds * 2 ** (len(recent) - 1), self.max_delay_seconds)
        return len(recent), delay


@dataclass(frozen=True)
class GaveUp:
    """The service that exited more often than the policy allows."""

    process: ManagedProcess
    exit_code: int | None


async def supervise(
    processes: Sequence[ManagedProcess],
    policy: RestartPolicy,
    stop: asyncio.Event,
    say: Callable[[str], None],
) -> GaveUp | None:
    """Restart each service that exits on its own (saying so in one line) until `stop` is
    set (None) or a service uses up its restarts (`GaveUp`)."""
    while not stop.is_set():
        for process in processes:
            if process.running():
                continue
            code = process.exit_code()
            planned = policy.next_restart(process.name, time.monotonic())
            if planned is None:
                return GaveUp(process, code)
            number, delay = planned
            say(
                f"{process.name} exited with code {code}; restarting in {delay:g} s "
                f"(restart {number} of {policy.limit} in {policy.window_seconds / 60:g} min); "
                f"log: {process.log_path}"
            )
            if await _stopped_within(stop, delay):
                return None
            process.start()
        if await _stopped_within(stop, CHECK_SECONDS):
            return None
    return None


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
