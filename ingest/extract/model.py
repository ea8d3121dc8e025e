"""The common shape every extractor returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class TextChunk(BaseModel):
    """A span of a document's text, small enough to embed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ordinal: int = Field(ge=0, description="position of the chunk in the document, from 0")
    text: str
    locator: str = Field(description='where the span is, e.g. "lines 3-7"')


class ExtractedRow(BaseModel):
    """One record found in a file, with where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    values: dict[str, JsonValue]
    locator: str = Field(description='"line 3", "table 1 row 4", "$[2]"')


class Extraction(BaseModel):
    """What an extractor found in one file; `warnings` lists every record it skipped and why,
    and `skipped` counts those records (kept and skipped records make the whole file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mime: str
    text_chunks: list[TextChunk] = Field(default_factory=list)
    rows: list[ExtractedRow] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    skipped: int = Field(default=0, ge=0, description="records found but not kept")
