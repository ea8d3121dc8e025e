"""Extractors: bytes of one file in, text chunks and rows with locators out (no database)."""

from ingest.extract.extract import extract
from ingest.extract.limits import Limits
from ingest.extract.model import ExtractedRow, Extraction, TextChunk

__all__ = ["ExtractedRow", "Extraction", "Limits", "TextChunk", "extract"]
