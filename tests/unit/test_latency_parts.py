"""The parts of `bench.latency_parts`: a file's latency split at its trace's span edges."""

from __future__ import annotations

from bench.latency_parts import FileTiming, file_parts, first_file, report
from tests.otlp_receiver import ReceivedSpan

MS = 1_000_000


def span(name: str, start_ms: int, end_ms: int, trace: str = "t1") -> ReceivedSpan:
    return ReceivedSpan("svc", name, trace, name, "", start_ms * MS, end_ms * MS)


TRACE = [
    span("watcher queue", 12, 14),
    span("job ingest_file", 20, 200),
    span("admit", 30, 60),
    span("extract", 61, 101),
    span("cypher ingest/upsert_rows", 110, 160),
    span("activate", 162, 180),
]


def test_the_parts_add_up_to_the_latency_and_split_it_at_the_span_edges() -> None:
    parts = file_parts(FileTiming(0, 190 * MS), TRACE)
    assert parts == {
        "settle": 12.0,
        "enqueue": 2.0,
        "pickup": 6.0,
        "reads": 10.0,
        "admission": 30.0,
        "started event": 1.0,
        "extract": 40.0,
        "document": 9.0,
        "rows": 50.0,
        "progress event": 2.0,
        "activate": 18.0,
        "completed event": 10.0,
    }
    assert sum(parts.values()) == 190.0


def test_a_span_the_code_lacks_gives_its_time_to_the_next_part() -> None:
    without = [s for s in TRACE if s.name != "admit"]
    parts = file_parts(FileTiming(0, 190 * MS), without)
    assert parts is not None
    assert "admission" not in parts
    assert "reads" not in parts
    assert parts["started event"] == 41.0  # job start to extract start
    assert sum(parts.values()) == 190.0


def test_a_file_is_matched_to_the_trace_queued_between_its_close_and_its_event() -> None:
    other = [span("watcher queue", 300, 301, trace="t2")]
    assert file_parts(FileTiming(250 * MS, 400 * MS), TRACE + other) == {
        "settle": 50.0,
        "enqueue": 1.0,
        "completed event": 99.0,
    }
    assert file_parts(FileTiming(500 * MS, 600 * MS), TRACE + other) is None


def test_the_report_gives_medians_then_the_slowest_files() -> None:
    lines = report([FileTiming(0, 190 * MS), FileTiming(1000 * MS, 1001 * MS)], TRACE, 1)
    assert lines[0].startswith("  parts, median of 1 files (ms): settle 12.0, enqueue 2.0")
    assert lines[1].startswith("  a slow file, 190 ms: settle 12, enqueue 2, pickup 6")
    assert report([FileTiming(500 * MS, 600 * MS)], TRACE, 1) == [
        "  parts: no complete trace received"
    ]


def test_the_first_file_shows_its_parts_then_its_spans_of_ten_ms_or_more() -> None:
    parts, spans = first_file(FileTiming(0, 190 * MS), TRACE)
    assert parts.startswith("  the first file's parts (ms): settle 12, enqueue 2, pickup 6")
    assert spans == (
        "  the first file's spans (ms): job ingest_file 180, admit 30, extract 40, "
        "cypher ingest/upsert_rows 50, activate 18"
    )
    assert first_file(FileTiming(500 * MS, 600 * MS), TRACE) == [
        "  the first file's parts: no complete trace received"
    ]
