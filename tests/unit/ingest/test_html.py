from __future__ import annotations

from ingest.extract import Limits, extract

PAGE = b"""<!doctype html>
<html><head><title>Hidden title</title>
<style>p { color: red }</style>
<script>document.write("injected");</script></head>
<body>
<h1>Acme &amp; partners</h1>
<p>Revenue rose to <b>415.0</b> million.</p>
<table>
  <thead><tr><th>Field</th><th>Value</th></tr></thead>
  <tbody>
    <tr><td>CEO</td><td>Helena <i>Marsh</i></td></tr>
    <tr><td>Employees</td><td>1872</td></tr>
    <tr><td>only one cell</td></tr>
  </tbody>
</table>
<p>The end.</p>
</body></html>
"""


def test_visible_text_and_table_rows() -> None:
    result = extract(PAGE, "report.bin")
    assert result.mime == "text/html"
    text = "\n".join(chunk.text for chunk in result.text_chunks)
    assert "Acme & partners" in text
    assert "Revenue rose to 415.0 million." in text
    assert "CEO | Helena Marsh" in text
    assert "injected" not in text
    assert "color" not in text
    assert "Hidden title" not in text
    assert [(row.locator, row.values) for row in result.rows] == [
        ("table 1 row 1", {"Field": "CEO", "Value": "Helena Marsh"}),
        ("table 1 row 2", {"Field": "Employees", "Value": "1872"}),
    ]
    assert result.warnings == ["table 1 row 3: expected 2 cells, found 1; row skipped"]
    assert result.text_chunks[0].locator == "paragraphs 1-7"


def test_entities_declared_in_a_doctype_are_not_expanded() -> None:
    page = b"""<!DOCTYPE x [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lollollollollollollollollol">
]>
<p>before &secret; &lol; after</p>
"""
    result = extract(page, "entity.html")
    assert [chunk.text for chunk in result.text_chunks] == ["before &secret; &lol; after"]
    assert "root:" not in result.model_dump_json()


def test_tables_are_numbered_in_document_order_and_chunks_are_bounded() -> None:
    words = " ".join(f"word{n}" for n in range(200))
    page = (
        "<div><table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>"
        f"<p>{words}</p>"
        "<table><tr><th>a</th><th>a</th></tr><tr><td>1</td><td>2</td></tr></table></div>"
    )
    result = extract(page.encode(), "page.txt", Limits(max_chunk_chars=300))
    assert [row.locator for row in result.rows] == ["table 1 row 1"]
    assert result.warnings == ["table 2: bad header: column name 'a' is repeated; skipped"]
    assert all(len(chunk.text) <= 300 for chunk in result.text_chunks)
    assert "word199" in result.text_chunks[-2].text
