"""Detect a file's format from its content, using the file name only to break ties."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from graph.errors import ExtractionError, UndecodableTextError, UnsupportedFormatError
from ingest.extract.limits import field_size_limit

SNIFF_CHARS = 16 * 1024
SAMPLE_CHARS = 64 * 1024
SNIFF_LINES = 50
DELIMITERS = ",;\t"
HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
LEADING_TAG = re.compile(r"<([a-z][a-z0-9]*)[\s/>]", re.IGNORECASE)
BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
LEGACY_ENCODING = "cp1252"
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
"""Control characters that text never holds (tab, line ends, form feed are whitespace)."""
HTML_TAGS = frozenset(
    {"head", "body", "meta", "title", "div", "p", "table", "h1", "h2", "h3", "ul", "section"}
)


class FileKind(StrEnum):
    """The formats Grace recognises."""

    PDF = "pdf"
    XLSX = "xlsx"
    DOCX = "docx"
    ZIP = "zip"
    HTML = "html"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    YAML = "yaml"
    MARKDOWN = "markdown"
    TEXT = "text"

    @property
    def mime(self) -> str:
        """The media type recorded on the Document."""
        return MIME[self]


MIME = {
    FileKind.PDF: "application/pdf",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.ZIP: "application/zip",
    FileKind.HTML: "text/html",
    FileKind.JSON: "application/json",
    FileKind.JSONL: "application/jsonl",
    FileKind.CSV: "text/csv",
    FileKind.TSV: "text/tab-separated-values",
    FileKind.YAML: "application/yaml",
    FileKind.MARKDOWN: "text/markdown",
    FileKind.TEXT: "text/plain",
}


@dataclass(frozen=True)
class Detection:
    """A detected format; `delimiter` is set for CSV and TSV."""

    kind: FileKind
    delimiter: str | None = None


def detect_binary(data: bytes, path: str) -> FileKind | None:
    """The kind of a binary container (PDF, XLSX, DOCX, ZIP), or None for anything else.

    ZIP files are told apart by their entry names, read from the central directory without
    extracting anything.
    """
    if data.startswith(b"%PDF-"):
        return FileKind.PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise ExtractionError(path, f"damaged ZIP archive: {error}") from error
    if "xl/workbook.xml" in names:
        return FileKind.XLSX
    if "word/document.xml" in names:
        return FileKind.DOCX
    return FileKind.ZIP


def decode(data: bytes, path: str) -> str:
    """Text of a non-container file, in the first encoding that fits.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32; the mark is dropped); else strict
    UTF-8; else Windows-1252, the superset of Latin-1 that legacy exports use, when every
    byte is defined there and no control character other than whitespace appears. Raises
    `UnsupportedFormatError` for binary data (a NUL byte near the start) and
    `UndecodableTextError` for anything else.
    """
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise UndecodableTextError(path, error.start + len(mark), data) from error
    if b"\x00" in data[:8192]:
        raise UnsupportedFormatError(path, "unknown binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: a legacy single-byte encoding, or not text
    try:
        text = data.decode(LEGACY_ENCODING)
    except UnicodeDecodeError as error:
        raise UndecodableTextError(path, error.start, data) from error
    control = CONTROL.search(text)
    if control is not None:
        raise UndecodableTextError(path, control.start(), data)
    return text


def detect_text(text: str, filename: str) -> Detection:
    """The format of decoded text, from its content first and its extension second."""
    suffix = PurePath(filename).suffix.lower()
    head = text.lstrip()[:1]
    if head in ("{", "["):
        if suffix in (".jsonl", ".ndjson") and _is_json_lines(text):
            return Detection(FileKind.JSONL)
        if _parses_as_json(text):
            return Detection(FileKind.JSON)
        if _is_json_lines(text):
            return Detection(FileKind.JSONL)
        if suffix == ".json":
            return Detection(FileKind.JSON)
        if suffix in (".jsonl", ".ndjson"):
            return Detection(FileKind.JSONL)
    lowered = text.lstrip()[:64].lower()
    if lowered.startswith(("<!doctype html", "<html")) or suffix in (".html", ".htm"):
        return Detection(FileKind.HTML)
    tag = LEADING_TAG.match(lowered)
    if tag is not None and tag.group(1) in HTML_TAGS and suffix not in (".md", ".markdown"):
        return Detection(FileKind.HTML)
    if suffix in (".md", ".markdown"):
        return Detection(FileKind.MARKDOWN)
    if suffix in (".yaml", ".yml") or text.startswith(("---\n", "---\r\n", "%YAML")):
        return Detection(FileKind.YAML)
    if HEADING.search(text[:SNIFF_CHARS]):
        return Detection(FileKind.MARKDOWN)
    delimiter = _sniff_delimiter(text, lenient=suffix in (".csv", ".tsv"))
    if delimiter is not None:
        return Detection(FileKind.TSV if delimiter == "\t" else FileKind.CSV, delimiter)
    if suffix == ".csv":
        return Detection(FileKind.CSV, ",")
    if suffix == ".tsv":
        return Detection(FileKind.TSV, "\t")
    return Detection(FileKind.TEXT)


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _is_json_lines(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()][:SNIFF_LINES]
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                return False
        except (ValueError, RecursionError):
            return False
    return bool(lines)


def _sniff_delimiter(text: str, lenient: bool) -> str | None:
    """The delimiter of a table with a header, or None when the text is not one.

    csv.Sniffer proposes a delimiter (when it cannot, each of `DELIMITERS` is tried, so one
    bad line does not hide a table). Without a .csv/.tsv extension the sample must show a
    header and at least one row, and most lines must have as many fields as the header:
    csv.Sniffer alone calls prose CSV.
    """
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        candidates = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        candidates = DELIMITERS
    for delimiter in candidates:
        if _looks_tabular(sample, delimiter, lenient):
            return delimiter
    return None


def _looks_tabular(sample: str, delimiter: str, lenient: bool) -> bool:
    try:
        with field_size_limit(SNIFF_CHARS):
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
    except csv.Error:
        return False
    if not records or len(records[0]) < 2:
        return False
    if lenient:
        return True
    matching = sum(1 for record in records if len(record) == len(records[0]))
    return len(records) >= 2 and matching >= 0.8 * len(records)


@dataclass(frozen=True)
class Sniffed:
    """What admission needs of a file before extraction: its media type and the start of its
    text (decoded as extraction will decode it; empty for binary files)."""

    mime: str
    sample: str


def sniff(data: bytes, path: str) -> Sniffed:
    """The media type of a file from its content (and name), without extracting it;
    `application/octet-stream` for anything Grace does not read.

    Raises `UndecodableTextError` for a file that is neither binary nor text in a supported
    encoding: naming the encoding problem says more than refusing an unknown type.
    """
    try:
        kind = detect_binary(data, path)
        if kind is not None:
            return Sniffed(MIME[kind], "")
        text = decode(data, path)
    except UndecodableTextError:
        raise
    except ExtractionError:  # unknown binary, damaged ZIP
        return Sniffed("application/octet-stream", "")
    head = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in head:
        head = head[: head.rindex("\n")]
    return Sniffed(MIME[detect_text(head, path).kind], head)
