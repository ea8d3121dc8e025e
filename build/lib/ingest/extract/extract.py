"""The entry point: bytes and a file name in, an `Extraction` out."""

from __future__ import annotations

from graph.errors import FileTooLargeError, UnsupportedFormatError
from ingest.extract.archive import check_archive
from ingest.extract.delimited import extract_delimited
from ingest.extract.detect import FileKind, decode, detect_binary, detect_text
from ingest.extract.html import extract_html
from ingest.extract.json_records import extract_json, extract_json_lines
from ingest.extract.limits import Limits
from ingest.extract.model import Extraction
from ingest.extract.sandbox import SANDBOXED, run_sandboxed
from ingest.extract.text import extract_markdown, extract_text
from ingest.extract.yaml_records import extract_yaml

DEFAULT_LIMITS = Limits()


def extract(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Extraction:
    """Detect the format of `data` from its content and extract chunks and rows.

    Raises `FileTooLargeError` before parsing anything, `UnsafeArchiveError` for a hostile
    XLSX or DOCX container, `SandboxError` when the PDF, XLSX or DOCX parser runs out of time
    or memory or crashes, `UnsupportedFormatError` for other ZIP and unknown binary data, and
    `MalformedFileError` when the content does not parse as its format.
    """
    if len(data) > limits.max_bytes:
        raise FileTooLargeError(filename, len(data), limits.max_bytes)
    binary = detect_binary(data, filename)
    if binary in (FileKind.XLSX, FileKind.DOCX):
        check_archive(data, filename, limits)
    if binary in SANDBOXED:
        return run_sandboxed(binary, data, filename, limits)
    if binary is not None:
        raise UnsupportedFormatError(filename, binary.value)
    text = decode(data, filename)
    detection = detect_text(text, filename)
    kind, mime = detection.kind, detection.kind.mime
    if kind in (FileKind.CSV, FileKind.TSV):
        delimiter = detection.delimiter or ("\t" if kind is FileKind.TSV else ",")
        return extract_delimited(text, filename, delimiter, mime, limits)
    if kind is FileKind.JSON:
        return extract_json(text, filename, mime, limits)
    if kind is FileKind.JSONL:
        return extract_json_lines(text, filename, mime, limits)
    if kind is FileKind.YAML:
        return extract_yaml(text, filename, mime, limits)
    if kind is FileKind.MARKDOWN:
        return extract_markdown(text, filename, mime, limits)
    if kind is FileKind.HTML:
        return extract_html(text, filename, mime, limits)
    if kind is FileKind.TEXT:
        return extract_text(text, mime, limits)
    raise UnsupportedFormatError(filename, kind.value)
