from __future__ import annotations

from textwrap import dedent

import pytest

from graph.errors import TooManyRowsError
from ingest.extract.limits import Limits
from ingest.extract.text import chunk_text, extract_markdown, extract_text

MARKDOWN = dedent(
    """\
    # Title

    Intro paragraph.

    ## Facts

    | Field | Value |
    |:------|------:|
    | name  | Acme \\| Co |
    | size  | 12    |
    | bad   | 1 | 2 |

    ```
    # not a heading
    | x | y |
    |---|---|
    | 1 | 2 |
    ```

    a | b
    --- | ---
    3 | 4
    """
)


def test_plain_text_chunks_on_paragraphs_with_line_locators() -> None:
    result = extract_text("one\ntwo\n\n\nthree\n", "text/plain", Limits())
    assert [(c.ordinal, c.text, c.locator) for c in result.text_chunks] == [
        (0, "one\ntwo\n\nthree", "lines 1-5")
    ]
    assert result.rows == []


def test_chunks_respect_the_size_limit() -> None:
    text = "\n\n".join(f"paragraph {n} " + "word " * 10 for n in range(20))
    chunks = chunk_text(text, Limits(max_chunk_chars=120), markdown=False)
    assert len(chunks) > 1
    assert all(len(chunk.text) <= 120 for chunk in chunks)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_an_oversized_line_is_cut_at_spaces_and_a_long_word_hard() -> None:
    text = "alpha beta gamma delta\n" + "x" * 25
    chunks = chunk_text(text, Limits(max_chunk_chars=10), markdown=False)
    assert [c.text for c in chunks] == ["alpha beta", "gamma", "delta", "x" * 10, "x" * 10, "x" * 5]
    assert [c.locator for c in chunks] == ["line 1"] * 3 + ["line 2"] * 3


def test_markdown_starts_a_chunk_at_every_heading_outside_code_fences() -> None:
    result = extract_markdown(MARKDOWN, "t.md", "text/markdown", Limits())
    starts = [chunk.text.splitlines()[0] for chunk in result.text_chunks]
    assert starts == ["# Title", "## Facts"]
    assert result.text_chunks[0].locator == "lines 1-3"
    assert "# not a heading" in result.text_chunks[1].text


def test_markdown_tables_become_rows_and_bad_rows_warnings() -> None:
    result = extract_markdown(MARKDOWN, "t.md", "text/markdown", Limits())
    assert [(row.locator, row.values) for row in result.rows] == [
        ("table 1 row 1", {"Field": "name", "Value": "Acme | Co"}),
        ("table 1 row 2", {"Field": "size", "Value": "12"}),
        ("table 2 row 1", {"a": "3", "b": "4"}),
    ]
    assert result.warnings == ["table 1 row 3 (line 11): expected 2 cells, found 3; row skipped"]


def test_a_table_with_a_repeated_header_is_skipped_with_a_warning() -> None:
    result = extract_markdown(
        "| a | a |\n|---|---|\n| 1 | 2 |\n", "t.md", "text/markdown", Limits()
    )
    assert result.rows == []
    assert result.warnings == ["table 1 (line 1): bad header: column name 'a' is repeated; skipped"]


def test_markdown_table_rows_count_against_the_row_limit() -> None:
    table = "| a |\n|---|\n| 1 |\n| 2 |\n"
    with pytest.raises(TooManyRowsError):
        extract_markdown(table, "t.md", "text/markdown", Limits(max_rows=1))
