"""Where one watched file's latency goes, part by part, from the spans the watcher and the
worker export (`bench.ingest_latency` runs them with an OTLP endpoint of its own).

A file's parts are the gaps between consecutive marks of its trace, from the bench's clock
at close to the bench's clock when the `ingestion.completed` event arrived, so they add up to
the latency measured. Processes of one machine share the wall clock the spans are stamped
with."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tests.otlp_receiver import ReceivedSpan

QUEUE_SPAN = "watcher queue"
JOB_SPAN = "job ingest_file"

MARKS: tuple[tuple[str, str, str], ...] = (
    ("settle", QUEUE_SPAN, "start"),
    ("enqueue", QUEUE_SPAN, "end"),
    ("pickup", JOB_SPAN, "start"),
    ("reads", "admit", "start"),
    ("admission", "admit", "end"),
    ("started event", "extract", "start"),
    ("extract", "extract", "end"),
    ("document", "cypher ingest/upsert_rows", "start"),
    ("rows", "cypher ingest/upsert_rows", "end"),
    ("progress event", "activate", "start"),
    ("activate", "activate", "end"),
)
"""Each part's name with the span edge it ends at: `settle` runs from the file's close to
the watcher's queue span (inotify, the settle checks, hashing, the batch window), `pickup`
from the job queued to the worker's job span (arq's poll and its start of the job), `reads`
the version and table checks before admission, `document` the version's and schema link's
statements; the last part, `completed event`, ends when the bench receives the event."""
LAST_PART = "completed event"
SPAN_SHOWN_MS = 10
"""The first file's spans shorter than this are left out of its line."""


@dataclass(frozen=True)
class FileTiming:
    """One file: the bench's clock at close and at its event, nanoseconds since the epoch."""

    closed_ns: int
    received_ns: int


def _trace(timing: FileTiming, spans: Sequence[ReceivedSpan]) -> list[ReceivedSpan]:
    """The spans of the file's trace: the one whose queue span started after the close and
    before the event (none when not exactly one did)."""
    queued = [
        span
        for span in spans
        if span.name == QUEUE_SPAN and timing.closed_ns <= span.start_ns <= timing.received_ns
    ]
    if len(queued) != 1:
        return []
    return [span for span in spans if span.trace_id == queued[0].trace_id]


def file_parts(timing: FileTiming, spans: Sequence[ReceivedSpan]) -> dict[str, float] | None:
    """A file's parts in milliseconds, from the spans of its trace (`_trace`); None without
    that trace."""
    trace = _trace(timing, spans)
    if not trace:
        return None
    first: dict[str, ReceivedSpan] = {}
    for span in sorted(trace, key=lambda span: span.start_ns):
        first.setdefault(span.name, span)
    parts: dict[str, float] = {}
    previous = timing.closed_ns
    for part, name, edge in MARKS:
        found = first.get(name)
        if found is None:  # code without that span: the next part takes its time
            continue
        mark = found.start_ns if edge == "start" else found.end_ns
        parts[part] = (mark - previous) / 1e6
        previous = mark
    parts[LAST_PART] = (timing.received_ns - previous) / 1e6
    return parts


def first_file(timing: FileTiming, spans: Sequence[ReceivedSpan]) -> list[str]:
    """The first file's parts, then each span of its trace that took `SPAN_SHOWN_MS` or more
    (its statements one by one): what it waited for that later files do not."""
    parts = file_parts(timing, spans)
    if parts is None:
        return ["  the first file's parts: no complete trace received"]
    trace = _trace(timing, spans)
    return [
        "  the first file's parts (ms): "
        + ", ".join(f"{part} {ms:.0f}" for part, ms in parts.items()),
        "  the first file's spans (ms): "
        + ", ".join(
            f"{span.name} {(span.end_ns - span.start_ns) / 1e6:.0f}"
            for span in sorted(trace, key=lambda span: span.start_ns)
            if span.end_ns - span.start_ns >= SPAN_SHOWN_MS * 1e6
        ),
    ]


def report(timings: Sequence[FileTiming], spans: Sequence[ReceivedSpan], slowest: int) -> list[str]:
    """The median of each part over the files, then the parts of the `slowest` files."""
    each = [(timing, file_parts(timing, spans)) for timing in timings]
    known = [(timing, parts) for timing, parts in each if parts is not None]
    if not known:
        return ["  parts: no complete trace received"]
    by_part: defaultdict[str, list[float]] = defaultdict(list)
    for _, parts in known:
        for part, ms in parts.items():
            by_part[part].append(ms)
    lines = [
        f"  parts, median of {len(known)} files (ms): "
        + ", ".join(f"{part} {statistics.median(values):.1f}" for part, values in by_part.items())
    ]
    known.sort(key=lambda item: item[0].received_ns - item[0].closed_ns, reverse=True)
    for timing, parts in known[:slowest]:
        total = (timing.received_ns - timing.closed_ns) / 1e6
        lines.append(
            f"  a slow file, {total:.0f} ms: "
            + ", ".join(f"{part} {ms:.0f}" for part, ms in parts.items() if ms >= 1)
        )
    return lines
