from __future__ import annotations

import signal

import pytest

from graph.errors import ExtractionError, MalformedFileError, SandboxError
from graph.settings import PROJECT_ROOT
from ingest.extract import Limits, extract
from ingest.extract.sandbox import failure_reason, main

REPORT = PROJECT_ROOT / "examples" / "sources" / "reports" / "acme-annual-report-2025.pdf"


def test_the_annual_report_yields_its_text_and_table_values() -> None:
    result = extract(REPORT.read_bytes(), "acme-annual-report-2025.pdf")
    assert result.mime == "application/pdf"
    assert result.warnings == []
    page = result.text_chunks[0]
    assert page.locator == "page 1"
    assert "Acme" in page.text
    for value in ("Organization ID acme", "Employees 1872", "Revenue (MUSD) 415.0", "CEO Helena"):
        assert value in page.text
    [figures] = result.rows  # the "Key figures" label/value table, one record
    assert figures.locator == "page 1 table 1"
    assert figures.values["Organization ID"] == "acme"
    assert figures.values["Revenue (MUSD)"] == "415.0"
    assert figures.values["Founded"] == "2011-03-14"
    assert len(figures.values) == 8


def test_a_corrupt_pdf_is_a_clear_error() -> None:
    with pytest.raises(MalformedFileError, match="not a readable PDF") as caught:
        extract(b"%PDF-1.7\n" + bytes(range(256)) * 8, "broken.pdf")
    assert caught.value.path == "broken.pdf"


def test_a_parser_past_its_wall_clock_limit_is_killed() -> None:
    with pytest.raises(SandboxError, match=r"parser exceeded 0\.001 s") as caught:
        extract(REPORT.read_bytes(), "slow.pdf", Limits(parser_timeout_seconds=0.001))
    assert caught.value.code == "sandbox"


def test_a_parser_without_enough_memory_is_a_clean_error() -> None:
    with pytest.raises(SandboxError, match="parser ran out of memory"):
        extract(REPORT.read_bytes(), "big.pdf", Limits(parser_memory_bytes=16 * 1024 * 1024))


@pytest.mark.parametrize(
    ("returncode", "stderr", "reason"),
    [
        (-signal.SIGXCPU, b"", "parser exceeded 30 s of CPU time"),
        (1, b"Traceback ...\nMemoryError\n", "parser ran out of memory"),
        (
            1,
            b"Traceback ...\nRecursionError: too deep\n",
            "parser crashed: RecursionError: too deep",
        ),
        (-signal.SIGSEGV, b"", "parser crashed: killed by SIGSEGV"),
        (3, b"", "parser crashed: exit status 3"),
    ],
)
def test_failure_reasons(returncode: int, stderr: bytes, reason: str) -> None:
    assert failure_reason(returncode, stderr, Limits()) == reason


def test_the_child_refuses_formats_that_are_not_sandboxed() -> None:
    with pytest.raises(SystemExit, match="not a sandboxed format: csv"):
        main(["csv", "{}"])


def test_sandbox_errors_are_extraction_errors() -> None:
    assert issubclass(SandboxError, ExtractionError)
