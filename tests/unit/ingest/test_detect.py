from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from graph.errors import ExtractionError, UndecodableTextError, UnsupportedFormatError
from ingest.extract.detect import (
    Detection,
    FileKind,
    Sniffed,
    decode,
    detect_binary,
    detect_text,
    sniff,
)


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


CITIES = "city_id,name\nsao-paulo-br,São Paulo\nzurich-ch,Zürich\ngdansk-pl,Gdańsk\n"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (CITIES.encode("utf-8"), CITIES),
        (codecs.BOM_UTF8 + CITIES.encode("utf-8"), CITIES),
        (codecs.BOM_UTF16_LE + CITIES.encode("utf-16-le"), CITIES),
        (codecs.BOM_UTF16_BE + CITIES.encode("utf-16-be"), CITIES),
        (codecs.BOM_UTF32_LE + CITIES.encode("utf-32-le"), CITIES),
        ("São Paulo;Zürich\n".encode("latin-1"), "São Paulo;Zürich\n"),
        (b"\x93Z\xfcrich\x94 costs 12 \x80\n", "\u201cZ\u00fcrich\u201d costs 12 \u20ac\n"),
    ],
)
def test_decode_reads_utf_with_or_without_a_mark_and_windows_1252(data: bytes, text: str) -> None:
    assert decode(data, "cities.csv") == text


def test_decode_refuses_binary() -> None:
    with pytest.raises(UnsupportedFormatError, match="unknown binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"id,name\n1,\x81\x8d\x90\n", "byte 0x81 at offset 10"),  # undefined in Windows-1252
        (b"id,name\n1,caf\xe9\x1b[0m\n", "byte 0x1b at offset 14"),  # a control character
        (codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "offset 4"),  # a lone surrogate
    ],
)
def test_text_in_no_supported_encoding_is_undecodable(data: bytes, where: str) -> None:
    with pytest.raises(UndecodableTextError) as caught:
        decode(data, "x.csv")
    assert caught.value.code == "undecodable_text"
    assert "not valid text in any supported encoding" in str(caught.value)
    assert where in str(caught.value)


def test_sniff_names_the_type_and_samples_the_decoded_text() -> None:
    latin = "name,email\nZoë,zoe@example.org\n".encode("latin-1")
    assert sniff(latin, "people.csv") == Sniffed("text/csv", "name,email\nZoë,zoe@example.org\n")
    wide = codecs.BOM_UTF16_LE + ("a,b\n" + "1,2\n" * 20_000).encode("utf-16-le")
    sniffed = sniff(wide, "big.csv")
    assert sniffed.mime == "text/csv"
    assert sniffed.sample.startswith("a,b\n1,2\n")
    assert sniffed.sample.endswith("1,2")  # cut at a line end, in characters
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png") == Sniffed(
        "application/octet-stream", ""
    )
    with pytest.raises(UndecodableTextError):
        sniff(b"id\n\x81\x8d\n", "x.csv")


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
