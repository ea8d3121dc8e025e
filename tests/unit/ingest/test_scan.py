"""Walking a watched folder: only regular files, links never followed, specials said once."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from ingest.scan import walk


def test_symlinks_and_fifos_are_skipped_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, outside = tmp_path / "inbox", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.csv").write_text("a\n1\n")
    (folder / "good.csv").write_text("a\n1\n")
    (folder / "link.csv").symlink_to(outside / "secret.csv")
    (folder / "link_dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(folder / "fifo.csv")
    caplog.set_level(logging.WARNING)
    assert list(walk(folder)) == [folder / "good.csv"]
    assert list(walk(folder)) == [folder / "good.csv"]  # a FIFO would block a read forever
    said = [record.getMessage() for record in caplog.records]
    assert said == [
        f"{folder / 'fifo.csv'} skipped: it is a FIFO, not a regular file",
        f"{folder / 'link.csv'} skipped: it is a symbolic link (never followed: it may lead "
        "out of the folder), not a regular file",
    ]
