from __future__ import annotations

import csv
import io
import threading
import zipfile

import pytest

from graph.errors import FileTooLargeError, MalformedFileError, UnsupportedFormatError
from graph.settings import PROJECT_ROOT
from ingest.extract import Extraction, Limits, extract

EXAMPLES = PROJECT_ROOT / "examples" / "sources"


def demo(name: str) -> Extraction:
    return extract((EXAMPLES / name).read_bytes(), name)


def test_registry_cities_csv() -> None:
    result = demo("registry/cities.csv")
    assert result.mime == "text/csv"
    assert len(result.rows) == 10
    assert result.warnings == []
    gdansk = result.rows[2]
    assert gdansk.locator == "line 4"
    assert gdansk.values["name"] == "Gdańsk"
    assert gdansk.values["population"] == "486022"


def test_open_data_cities_json() -> None:
    result = demo("open-data/cities.json")
    assert result.mime == "application/json"
    assert len(result.rows) == 10
    assert result.rows[0].locator == "$[0]"
    assert result.rows[0].values["population"] == 480470


def test_open_data_datasets_jsonl() -> None:
    result = demo("open-data/datasets.jsonl")
    assert result.mime == "application/jsonl"
    assert [row.locator for row in result.rows] == [f"line {n}" for n in range(1, 7)]
    assert result.rows[0].values["classification"] == "public"


def test_hr_people_csv_keeps_multi_valued_cells_as_written() -> None:
    result = demo("hr/people.csv")
    assert len(result.rows) == 12
    assert result.rows[0].values["phones"] == "+49 89 5550 1100;+49 151 5550 2211"


def test_wiki_markdown_gives_chunks_and_the_key_facts_as_one_record() -> None:
    result = demo("wiki/acme.md")
    assert result.mime == "text/markdown"
    [facts] = result.rows
    assert facts.locator == "table 1"
    assert facts.values["org_id"] == "acme"
    assert facts.values["CEO"] == "Tobias Wren"
    assert [chunk.text.splitlines()[0] for chunk in result.text_chunks] == [
        "# Acme Robotics",
        "## History",
        "## Operations",
        "## Key facts",
        "## See also",
    ]


def test_research_publications_json_keeps_lists() -> None:
    result = demo("research/publications.json")
    assert len(result.rows) == 5
    assert result.rows[0].values["authors"] == ["J. Albrecht", "M. Okafor", "R. Castellanos"]


def test_bad_cities_csv_skips_line_3_visibly() -> None:
    result = demo("bad/cities.csv")
    assert [row.values["city_id"] for row in result.rows] == ["turin-it", "bologna-it", "verona-it"]
    assert result.warnings == ["line 3: expected 7 fields, found 8; row skipped"]


def test_truncated_publications_json_is_rejected_with_a_line() -> None:
    with pytest.raises(MalformedFileError) as caught:
        demo("bad/publications.json")
    assert caught.value.path == "bad/publications.json"
    assert caught.value.line == 12
    assert caught.value.column is not None
    assert caught.value.code == "malformed_file"


def test_the_pdf_report_gives_its_page_text() -> None:
    result = demo("reports/acme-annual-report-2025.pdf")
    assert result.mime == "application/pdf"
    assert [chunk.locator for chunk in result.text_chunks] == ["page 1"]
    assert "Acme Robotics" in result.text_chunks[0].text


def test_a_plain_zip_is_still_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UnsupportedFormatError) as caught:
        extract(buffer.getvalue(), "notes.zip")
    assert caught.value.file_format == "zip"


def test_oversize_input_is_refused_before_parsing() -> None:
    with pytest.raises(FileTooLargeError) as caught:
        extract(b"\x00" * 11, "big.bin", Limits(max_bytes=10))
    assert (caught.value.size, caught.value.limit) == (11, 10)
    assert extract(b"a,b\n1,2\n", "ok.csv", Limits(max_bytes=8)).rows


def test_unknown_binary_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedFormatError, match="unknown binary"):
        extract(b"\x7fELF\x02\x01\x01\x00\x00\x00", "program.csv")


def test_a_csv_named_txt_is_read_as_csv() -> None:
    result = extract((EXAMPLES / "registry/cities.csv").read_bytes(), "cities.txt")
    assert result.mime == "text/csv"
    assert len(result.rows) == 10


def test_a_csv_with_a_bad_line_named_txt_is_still_csv() -> None:
    result = extract((EXAMPLES / "bad/cities.csv").read_bytes(), "cities.txt")
    assert result.mime == "text/csv"
    assert result.warnings == ["line 3: expected 7 fields, found 8; row skipped"]


def test_json_named_csv_is_read_as_json() -> None:
    result = extract((EXAMPLES / "open-data/cities.json").read_bytes(), "cities.csv")
    assert result.mime == "application/json"
    assert len(result.rows) == 10


def test_yaml_with_a_python_tag_is_refused() -> None:
    data = b"- !!python/object:os.system {}\n"
    with pytest.raises(MalformedFileError, match="constructor"):
        extract(data, "evil.yaml")


def test_bom_prefixed_csv() -> None:
    result = extract(b"\xef\xbb\xbfid,name\r\n1,Ann\r\n", "bom.csv")
    assert result.rows[0].values == {"id": "1", "name": "Ann"}


def test_plain_text() -> None:
    result = extract(b"Just a note, nothing more.\n", "note.txt")
    assert result.mime == "text/plain"
    assert [chunk.text for chunk in result.text_chunks] == ["Just a note, nothing more."]


def test_concurrent_extractions_restore_the_csv_field_limit() -> None:
    before = csv.field_size_limit()
    data = b"a,b\n" + b"1,2\n" * 200
    errors: list[BaseException] = []

    def work(limit: int) -> None:
        try:
            for _ in range(20):
                assert len(extract(data, "t.csv", Limits(max_field_bytes=limit)).rows) == 200
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(limit,)) for limit in (10, 1000, 100_000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert csv.field_size_limit() == before


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_rows"):
        Limits(max_rows=0)
