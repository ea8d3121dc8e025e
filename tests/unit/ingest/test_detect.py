from __future__ import annotations

import io
import zipfile

import pytest

from graph.errors import ExtractionError, UnsupportedFormatError
from ingest.extract.detect import Detection, FileKind, decode, detect_binary, detect_text


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", FileKind.PDF),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), FileKind.XLSX),
        (zipped("[Content_Types].xml", "word/document.xml"), FileKind.DOCX),
        (zipped("notes.txt"), FileKind.ZIP),
        (b"a,b\n1,2\n", None),
    ],
)
def test_binary_containers_by_magic_bytes(data: bytes, kind: FileKind | None) -> None:
    assert detect_binary(data, "upload.bin") is kind


def test_a_damaged_zip_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="damaged ZIP"):
        detect_binary(b"PK\x03\x04 not really a zip", "x.xlsx")


def test_decode_strips_the_utf8_bom_and_reads_utf16() -> None:
    assert decode(b"\xef\xbb\xbfa,b\n", "x.csv") == "a,b\n"
    assert decode("é,b\n".encode("utf-16"), "x.csv") == "é,b\n"


def test_decode_refuses_binary_and_other_encodings() -> None:
    with pytest.raises(UnsupportedFormatError, match="unknown binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv")
    with pytest.raises(ExtractionError, match="UTF-8"):
        decode("café,1\n".encode("latin-1"), "x.csv")


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ('[{"a": 1}]', "data.csv", Detection(FileKind.JSON)),
        ('  {"a": 1}', "data.txt", Detection(FileKind.JSON)),
        ('{"a": 1}\n{"a": 2}\n', "feed.txt", Detection(FileKind.JSONL)),
        ('{"a": 1}\n', "feed.jsonl", Detection(FileKind.JSONL)),
        ('[{"a": 1', "broken.json", Detection(FileKind.JSON)),
        ("a,b,c\n1,2,3\n4,5,6\n", "table.txt", Detection(FileKind.CSV, ",")),
        ("a;b\n1;2\n", "table.dat", Detection(FileKind.CSV, ";")),
        ("a\tb\n1\t2\n", "table.txt", Detection(FileKind.TSV, "\t")),
        ("id\n1\n", "ids.csv", Detection(FileKind.CSV, ",")),
        ("key: value\n", "config.yml", Detection(FileKind.YAML)),
        ("---\nkey: value\n", "config", Detection(FileKind.YAML)),
        ("Plain words.\n", "notes.md", Detection(FileKind.MARKDOWN)),
        ("# Title\n\nBody, with a comma.\n", "notes.txt", Detection(FileKind.MARKDOWN)),
        ("<!DOCTYPE html><html></html>", "page.txt", Detection(FileKind.HTML)),
        ("<table><tr><td>1</td></tr></table>", "page.txt", Detection(FileKind.HTML)),
        ("<div>Notes</div>\n\n# Title\n", "notes.md", Detection(FileKind.MARKDOWN)),
        ("<config><a>1</a></config>", "settings.txt", Detection(FileKind.TEXT)),
        ("Hello, world. This is prose, with commas.\n", "notes.txt", Detection(FileKind.TEXT)),
        ("One, two.\nThree four, five, six, seven.\n", "notes", Detection(FileKind.TEXT)),
        ("", "empty.txt", Detection(FileKind.TEXT)),
    ],
)
def test_text_formats_from_content_then_extension(
    text: str, filename: str, expected: Detection
) -> None:
    assert detect_text(text, filename) == expected


def test_every_kind_has_a_mime_type() -> None:
    assert {kind.mime for kind in FileKind} >= {"text/csv", "application/json", "text/markdown"}
    assert all(kind.mime for kind in FileKind)
