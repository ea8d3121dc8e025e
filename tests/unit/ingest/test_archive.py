from __future__ import annotations

import io
import zipfile

import pytest

from graph.errors import UnsafeArchiveError
from ingest.extract import Limits, extract
from ingest.extract.archive import check_archive


def archive(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            target.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    data = archive({"word/document.xml": b"<w/>", "word/media/zeros.bin": bytes(50_000_000)})
    assert len(data) < 100_000
    with pytest.raises(UnsafeArchiveError, match="zip bomb") as caught:
        extract(data, "bomb.docx")
    assert caught.value.code == "unsafe_archive"
    assert "word/media/zeros.bin" in str(caught.value)


def test_too_many_entries_are_refused() -> None:
    data = archive({f"xl/{n}.xml": b"<x/>" for n in range(11)} | {"xl/workbook.xml": b"<w/>"})
    with pytest.raises(UnsafeArchiveError, match="12 entries is over the limit of 10"):
        extract(data, "many.xlsx", Limits(max_zip_entries=10))


def test_the_total_unpacked_size_is_bounded() -> None:
    data = archive({"xl/workbook.xml": b"<w/>", "xl/a.xml": b"a" * 600, "xl/b.xml": b"b" * 600})
    with pytest.raises(UnsafeArchiveError, match="more than the limit of 1000 bytes"):
        check_archive(data, "big.xlsx", Limits(max_unzipped_bytes=1000))


@pytest.mark.parametrize("name", ["../evil", "word/../../evil", "/etc/evil", "C:/evil", "..\\evil"])
def test_entries_that_leave_the_archive_are_refused(name: str) -> None:
    data = archive({"word/document.xml": b"<w/>", name: b"x"})
    with pytest.raises(UnsafeArchiveError, match=r"absolute path|leaves the archive"):
        extract(data, "evil.docx")


def test_encrypted_entries_are_refused() -> None:
    data = bytearray(archive({"xl/workbook.xml": b"<w/>"}))
    # Set the "encrypted" flag bit in the central directory header (general purpose flags).
    central = data.rindex(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(UnsafeArchiveError, match="encrypted"):
        check_archive(bytes(data), "locked.xlsx", Limits())


def test_an_ordinary_archive_passes() -> None:
    check_archive(archive({"word/document.xml": b"<w/>" * 100}), "ok.docx", Limits())
