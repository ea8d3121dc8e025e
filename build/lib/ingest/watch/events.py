"""watchdog events, read in the observer thread and handed to the asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from watchdog.events import (
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from ingest.watch.files import signature

EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
]
"""The events the observer asks inotify for; directory events are not needed."""


class Signal(Enum):
    """What an event says about a path."""

    READY = "ready"  # closed after writing, renamed or moved in, or created with content
    WRITING = "writing"  # modified, or created empty: a close should follow
    GONE = "gone"  # deleted, renamed away or moved out


def classify(event: FileSystemEvent) -> list[tuple[Path, Signal]]:
    """The paths a watchdog event concerns, each with what it says."""
    source = Path(os.fsdecode(event.src_path))
    if isinstance(event, FileMovedEvent):
        return [(source, Signal.GONE), (Path(os.fsdecode(event.dest_path)), Signal.READY)]
    if isinstance(event, FileDeletedEvent):
        return [(source, Signal.GONE)]
    if isinstance(event, FileModifiedEvent):
        return [(source, Signal.WRITING)]
    if isinstance(event, FileCreatedEvent):
        found = signature(source)
        return [(source, Signal.WRITING if found is not None and found[1] == 0 else Signal.READY)]
    return [(source, Signal.READY)]


class Handler(FileSystemEventHandler):
    """Runs in the observer thread: passes each eligible path of an event to the loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        eligible: Callable[[Path], bool],
        signal: Callable[[Path, Signal], None],
    ) -> None:
        self._loop = loop
        self._eligible = eligible
        self._signal = signal

    def dispatch(self, event: FileSystemEvent) -> None:
        """Schedule `signal` in the loop for every eligible path; nothing else runs here."""
        for path, kind in classify(event):
            if self._eligible(path):
                with contextlib.suppress(RuntimeError):  # the loop closed during shutdown
                    self._loop.call_soon_threadsafe(self._signal, path, kind)
