"""The folder watcher against the real filesystem and real inotify (bounded waits, no timings)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from ingest.watcher import CLOSE_EVENTS, DEFAULT_IGNORE, FileReady, FolderWatcher

MARKER = "watcher-started.txt"
QUIET = 0.4  # how long to watch for a submission that should not come


class Recorder:
    """A submit that records what it is given, failing the first `failures` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.ready: list[FileReady] = []
        self.failures = failures
        self._changed = asyncio.Event()

    async def __call__(self, item: FileReady) -> None:
        self._changed.set()
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the queue is down")
        self.ready.append(item)

    async def until(self, predicate: Callable[[list[FileReady]], bool]) -> None:
        """Wait (at most 5 s) until the recorded submissions satisfy `predicate`."""

        async def wait() -> None:
            while not predicate(self.ready):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), 5)

    async def got(self, path: Path, sha256: str | None = None) -> None:
        """Wait until `path` was submitted (with `sha256`, if given)."""
        await self.until(
            lambda ready: any(item.path == path and sha256 in (None, item.sha256) for item in ready)
        )

    async def submitted(self, path: Path, count: int) -> None:
        """Wait until `path` was submitted `count` times."""
        await self.until(lambda ready: len([item for item in ready if item.path == path]) >= count)

    def of(self, path: Path) -> list[FileReady]:
        return [item for item in self.ready if item.path == path]

    def names(self) -> set[str]:
        return {item.path.name for item in self.ready} - {MARKER}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@asynccontextmanager
async def watching(roots: list[Path], recorder: Recorder) -> AsyncIterator[FolderWatcher]:
    """Run a watcher until the block ends; it watches once its initial rescan found a marker."""
    marker = roots[0] / MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_bytes(os.urandom(8))
    watcher = FolderWatcher(roots, recorder)
    task = asyncio.create_task(watcher.run())
    try:
        await recorder.got(marker)
        yield watcher
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


# watchdog warns (harmlessly) when a nested folder it is already walking reports its creation.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
async def test_a_file_in_a_new_subfolder_is_submitted_once_with_its_hash(tmp_path: Path) -> None:
    root, other = tmp_path / "inbox", tmp_path / "missing" / "other"
    recorder = Recorder()
    async with watching([root, other], recorder):
        assert other.is_dir()
        path = root / "a" / "b" / "cities.csv"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"city_id,population\nc1,100\n")
        await recorder.got(path)
        nested = other / "x.json"
        nested.write_bytes(b"{}")
        await recorder.got(nested)
        await asyncio.sleep(QUIET)
    assert recorder.of(path) == [
        FileReady(path=path, sha256=sha(b"city_id,population\nc1,100\n"), size=26, root=root)
    ]
    assert [item.root for item in recorder.of(nested)] == [other]


async def test_quick_writes_collapse_into_one_submission_of_the_final_content(
    tmp_path: Path,
) -> None:
    recorder = Recorder()
    async with watching([tmp_path], recorder):
        path = tmp_path / "burst.csv"
        with path.open("wb") as stream:
            for line in range(30):
                stream.write(b"%d\n" % line)
                stream.flush()
                await asyncio.sleep(0.002)
        for version in range(10):
            path.write_bytes(b"final %d\n" % version)
        await recorder.got(path, sha(b"final 9\n"))
        await asyncio.sleep(QUIET)
    assert [item.sha256 for item in recorder.of(path)] == [sha(b"final 9\n")]


@pytest.mark.skipif(not CLOSE_EVENTS, reason="needs close-after-write events (Linux)")
async def test_a_slow_writer_is_submitted_once_after_it_closes(tmp_path: Path) -> None:
    recorder = Recorder()
    async with watching([tmp_path], recorder):
        path = tmp_path / "slow.csv"
        with path.open("wb") as stream:
            for part in (b"a,b\n", b"1,2\n", b"3,4\n"):
                stream.write(part)
                stream.flush()
                await asyncio.sleep(0.2)  # far longer than the stability checks
        await recorder.got(path)
        await asyncio.sleep(QUIET)
    assert [item.sha256 for item in recorder.of(path)] == [sha(b"a,b\n1,2\n3,4\n")]


async def test_a_temp_file_renamed_is_submitted_under_its_new_name(tmp_path: Path) -> None:
    recorder = Recorder()
    async with watching([tmp_path], recorder):
        temp, final = tmp_path / "report.tmp", tmp_path / "report.csv"
        temp.write_bytes(b"a,b\n1,2\n")
        temp.rename(final)
        await recorder.got(final, sha(b"a,b\n1,2\n"))
        await asyncio.sleep(QUIET)
    assert recorder.names() == {"report.csv"}
    assert len(recorder.of(final)) == 1


async def test_moving_in_submits_and_moving_out_submits_nothing(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    (outside / "arrived.csv").write_bytes(b"x\n1\n")
    recorder = Recorder()
    async with watching([root], recorder):
        (outside / "arrived.csv").rename(root / "arrived.csv")
        await recorder.got(root / "arrived.csv")
        (root / "leaving.csv").write_bytes(b"y\n2\n")
        await recorder.got(root / "leaving.csv")
        (root / "leaving.csv").rename(outside / "leaving.csv")
        (root / "arrived.csv").rename(root / "renamed.csv")
        await recorder.got(root / "renamed.csv")
        await asyncio.sleep(QUIET + 0.5)  # an unpaired move-out is reported after 0.5 s
    assert sorted(item.path.name for item in recorder.ready if item.path.name != MARKER) == [
        "arrived.csv",
        "leaving.csv",
        "renamed.csv",
    ]


async def test_hidden_and_temporary_files_are_ignored(tmp_path: Path) -> None:
    recorder = Recorder()
    skipped = [".hidden.csv", "~$budget.xlsx", "a.tmp", "b.part", "c.swp", "d.crdownload", "e~"]
    async with watching([tmp_path], recorder) as watcher:
        for name in skipped:
            (tmp_path / name).write_bytes(b"skip me")
        (tmp_path / ".git").mkdir()
        (tmp_path / ".git" / "config").write_bytes(b"skip me")
        (tmp_path / "kept.csv").write_bytes(b"keep me")
        await recorder.got(tmp_path / "kept.csv")
        await asyncio.sleep(QUIET)
        assert await watcher.rescan() == 0
    assert recorder.names() == {"kept.csv"}


@pytest.mark.parametrize(
    ("relative", "eligible"),
    [
        ("data/cities.csv", True),
        ("data/.cache/cities.csv", False),
        ("data/~$cities.xlsx", False),
        ("cities.csv.part", False),
        ("notes.txt~", False),
        ("dump.sql", False),
    ],
)
def test_ignore_patterns_apply_to_every_part_below_the_root(
    tmp_path: Path, relative: str, eligible: bool
) -> None:
    async def nothing(_: FileReady) -> None:
        return None

    watcher = FolderWatcher([tmp_path], nothing, ignore=(*DEFAULT_IGNORE, "*.sql"))
    assert watcher.eligible(tmp_path / relative) is eligible
    assert not watcher.eligible(tmp_path.parent / "elsewhere.csv")


async def test_a_changed_file_is_submitted_again_with_the_new_hash(tmp_path: Path) -> None:
    recorder = Recorder()
    path = tmp_path / "people.csv"
    async with watching([tmp_path], recorder):
        for count, content in enumerate((b"v1\n", b"version 2\n", b"v1\n"), start=1):
            path.write_bytes(content)
            await recorder.submitted(path, count)
        path.touch()  # same content: nothing new
        await asyncio.sleep(QUIET)
    assert [item.sha256 for item in recorder.of(path)] == [
        sha(b"v1\n"),
        sha(b"version 2\n"),
        sha(b"v1\n"),
    ]


async def test_the_initial_rescan_finds_files_and_changes_made_while_down(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.csv").write_bytes(b"a1")
    (tmp_path / "sub" / "b.csv").write_bytes(b"b1")
    first = Recorder()
    async with watching([tmp_path], first):
        await first.until(lambda ready: len(ready) == 3)
    assert first.names() == {"a.csv", "b.csv"}

    (tmp_path / "a.csv").write_bytes(b"a2")
    (tmp_path / "c.csv").write_bytes(b"c1")
    second = Recorder()
    async with watching([tmp_path], second):
        await second.until(lambda ready: len(ready) == 4)
    assert second.names() == {"a.csv", "b.csv", "c.csv"}
    assert [item.sha256 for item in second.of(tmp_path / "a.csv")] == [sha(b"a2")]


async def test_a_file_deleted_right_after_creation_is_skipped(tmp_path: Path) -> None:
    recorder = Recorder()
    async with watching([tmp_path], recorder) as watcher:
        for index in range(20):
            short = tmp_path / f"short-{index}.csv"
            short.write_bytes(b"gone soon")
            short.unlink()
        (tmp_path / "stays.csv").write_bytes(b"here")
        await recorder.got(tmp_path / "stays.csv")
        await asyncio.sleep(QUIET)
        assert await watcher.rescan() == 0
    assert recorder.names() == {"stays.csv"}


async def test_a_failing_submit_is_logged_and_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(b"org\n")
    recorder = Recorder(failures=1)
    watcher = FolderWatcher([tmp_path], recorder)
    with caplog.at_level(logging.ERROR, logger="ingest.watcher"):
        assert await watcher.rescan() == 0
    assert str(path) in caplog.text
    assert await watcher.rescan() == 1
    assert await watcher.rescan() == 0
    assert [item.path for item in recorder.ready] == [path]


async def test_a_failing_submit_on_an_event_is_retried_on_the_next_rescan(tmp_path: Path) -> None:
    recorder = Recorder()
    async with watching([tmp_path], recorder) as watcher:
        recorder.failures = 1
        path = tmp_path / "late.csv"
        path.write_bytes(b"late\n")
        await recorder.until(lambda _: recorder.failures == 0)
        await asyncio.sleep(QUIET)
        assert recorder.of(path) == []
        assert await watcher.rescan() == 1
    assert len(recorder.of(path)) == 1


async def test_cancel_stops_the_observer_threads(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    recorder = Recorder()
    async with watching([tmp_path], recorder):
        assert set(threading.enumerate()) - before
    leftover = [
        thread
        for thread in set(threading.enumerate()) - before
        if not thread.name.startswith("asyncio")  # the loop's executor, reused by to_thread
    ]
    assert leftover == []


def test_settings_are_checked(tmp_path: Path) -> None:
    async def nothing(_: FileReady) -> None:
        return None

    with pytest.raises(ValueError, match="stable_checks"):
        FolderWatcher([tmp_path], nothing, stable_checks=0)
