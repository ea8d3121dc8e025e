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


async def test_a_failing_flush_keeps_its_files_and_retries_them_with_later_ones() -> None:
    calls: list[list[str]] = []
    down = True

    async def flaky(items: Sequence[QueuedFile]) -> int:
        calls.append([str(i.path) for i in items])
        if down:
            raise ConnectionError("redis down")
        return 1

    batcher = Batcher(flaky, window_seconds=0.01)
    await batcher.submit(item("a"))
    while len(calls) < 2:  # the first attempt and one retry failed
        await asyncio.sleep(0.01)
    await batcher.submit(item("b"))
    assert batcher.pending == 2
    down = False
    while batcher.pending:
        await asyncio.sleep(0.01)
    assert calls[0] == ["a"]
    assert calls[-1] == ["a", "b"]


async def test_a_failing_full_batch_is_retried_in_the_background() -> None:
    calls: list[list[str]] = []
    down = True

    async def flaky(items: Sequence[QueuedFile]) -> int:
        calls.append([str(i.path) for i in items])
        if down:
            raise ConnectionError("redis down")
        return 1

    batcher = Batcher(flaky, window_seconds=10, max_items=2)
    await batcher.submit(item("a"))
    await batcher.submit(item("b"))  # full: sent at once, fails, submit does not raise
    assert calls == [["a", "b"]]
    await batcher.submit(item("c"))
    down = False
    while batcher.pending:
        await asyncio.sleep(0.01)
    assert calls[-2:] == [["a", "b"], ["c"]]
