"""PDF -> the text of every page, in chunks located "page N". Runs in the sandbox.

Tables are not detected: a page's "Label   value" lines stay text.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from graph.errors import MalformedFileError
from ingest.extract.detect import FileKind
from ingest.extract.limits import Limits
from ingest.extract.model import Extraction
from ingest.extract.units import chunk_units


def extract_pdf(data: bytes, path: str, limits: Limits) -> Extraction:
    """Chunks of each page's text; an encrypted or damaged PDF is a `MalformedFileError`."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise MalformedFileError(path, None, None, "the PDF is password-protected")
        pages = [(number, page.extract_text()) for number, page in enumerate(reader.pages, 1)]
    except PyPdfError as error:
        raise MalformedFileError(path, None, None, f"not a readable PDF: {error}") from error
    warnings = [f"page {number} has no text" for number, text in pages if not text.strip()]
    chunks = chunk_units(pages, "page", limits, merge=False)
    return Extraction(mime=FileKind.PDF.mime, text_chunks=chunks, warnings=warnings)
