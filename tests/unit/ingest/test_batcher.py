from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from ingest.batcher import Batcher
from ingest.queue import QueuedFile


def item(name: str) -> QueuedFile:
    return QueuedFile(Path(name), Path("."), "0" * 64, 10)


class Recorder:
    def __init__(self) -> None:
        self.flushes: list[list[str]] = []

    async def __call__(self, items: Sequence[QueuedFile]) -> int:
        self.flushes.append([str(i.path) for i in items])
        return 1


async def test_files_arriving_together_are_flushed_together() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder, window_seconds=0.05)
    for name in ("a", "b", "c"):
        await batcher.submit(item(name))
    assert recorder.flushes == []
    await asyncio.sleep(0.2)
    assert recorder.flushes == [["a", "b", "c"]]


async def test_a_full_batch_is_flushed_at_once() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder, window_seconds=10, max_items=2)
    await batcher.submit(item("a"))
    await batcher.submit(item("b"))
    assert recorder.flushes == [["a", "b"]]
    await batcher.submit(item("c"))
    assert await batcher.flush() == 1
    assert recorder.flushes == [["a", "b"], ["c"]]


class Flaky:
    """A flush that fails while `down`; `retried` is set at its second call, `sent` at its
    first success."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.down = True
        self.retried = asyncio.Event()
        self.sent = asyncio.Event()

    async def __call__(self, items: Sequence[QueuedFile]) -> int:
        self.calls.append([str(i.path) for i in items])
        if len(self.calls) == 2:
            self.retried.set()
        if self.down:
            raise ConnectionError("redis down")
        self.sent.set()
        return 1


async def test_a_failing_flush_keeps_its_files_and_retries_them_with_later_ones() -> None:
    flaky = Flaky()
    batcher = Batcher(flaky, window_seconds=0.01)
    await batcher.submit(item("a"))
    await flaky.retried.wait()  # the first attempt and one retry failed
    await batcher.submit(item("b"))
    assert batcher.pending == 2
    flaky.down = False
    await flaky.sent.wait()
    assert batcher.pending == 0
    assert flaky.calls[0] == ["a"]
    assert flaky.calls[-1] == ["a", "b"]


async def test_a_failing_full_batch_is_retried_in_the_background() -> None:
    flaky = Flaky()
    batcher = Batcher(flaky, window_seconds=10, max_items=2)
    await batcher.submit(item("a"))
    await batcher.submit(item("b"))  # full: sent at once, fails, submit does not raise
    assert flaky.calls == [["a", "b"]]
    await batcher.submit(item("c"))  # full again: sent at once, fails again
    flaky.down = False
    await flaky.sent.wait()
    assert batcher.pending == 0
    assert flaky.calls[-2:] == [["a", "b"], ["c"]]
