from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import FileTooLargeError
from ingest.extract.reading import read_limited


def test_a_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert read_limited(path, 8) == b"a,b\n1,2\n"
    assert read_limited(tmp_path / "ok.csv", 100) == b"a,b\n1,2\n"


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 3_000_000)
    with pytest.raises(FileTooLargeError) as caught:
        read_limited(path, 2_500_000)
    assert caught.value.limit == 2_500_000
    assert caught.value.size == 2_500_001


def test_a_source_whose_size_lies_is_not_read_past_the_limit() -> None:
    # /dev/zero reports size 0 and never ends: only streaming with a bound stops it.
    with pytest.raises(FileTooLargeError) as caught:
        read_limited(Path("/dev/zero"), 10_000)
    assert caught.value.size == 10_001
