"""Metrics of every process, scraped from real ones: a worker, a watcher and an API process
against the test Neo4j and a private Redis. Each exposition is walked: the families each
process must export, labels from bounded sets only, and a series count that does not grow
with the number of files ingested. Every PromQL expression of the dashboards and alert
rules names series these scrapes hold."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings
from ingest.metrics import JobOutcome, SkipReason
from ingest.pipeline import StepStatus, load_pipeline
from ingest.service import OutcomeStatus
from ingest.worker import INGEST_LANE_TASKS, PASS_LANE_TASKS
from tests.integration.process_stack import ProcessStack
from tests.integration.test_survival import until
from tests.promql_names import (
    PROMETHEUS_OWN,
    dashboard_expressions,
    metric_names,
    recorded_names,
    rule_expressions,
)

pytestmark = pytest.mark.integration

ROWS = "city_id,name,population\n" + "".join(f"m{i}-zz,City {i},{1000 + i}\n" for i in range(3))
PIPELINE = load_pipeline(PROJECT_ROOT / "deploy" / "pipelines" / "after_ingest.yaml")
BOUNDED_LABELS: dict[str, set[str]] = {
    "task": {task.__name__ for task in INGEST_LANE_TASKS + PASS_LANE_TASKS},
    "outcome": {outcome.value for outcome in JobOutcome},
    "reason": {reason.value for reason in SkipReason},
    "step": {step.name for step in PIPELINE.steps},
    "via": {"event", "rescan"},
}
STATUS_OF = {
    "grace_ingest_files_total": {status.value for status in OutcomeStatus},
    "grace_pipeline_step_seconds": {status.value for status in StepStatus},
}
STORE_BYTES = 4096
MAX_SERIES = 600
"""Per process: process, platform and GC figures plus Grace's, with every label used."""


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples_of(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


SUFFIXES = {"counter": ("",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
_TYPE = re.compile(r"^# TYPE (\S+) (\w+)$", re.MULTILINE)


def exported_names(text: str) -> set[str]:
    """Every series name an exposition declares (also families with no sample yet)."""
    declared = {
        name + suffix for name, kind in _TYPE.findall(text) for suffix in SUFFIXES.get(kind, ("",))
    }
    return declared | {name for name, _ in samples_of(text)}


async def runs_of(graph: Graph, source: str) -> list[str]:
    [record] = await graph.read("testing/source_graph", {"source": source})
    return [document["status"] for document in record["documents"]]


@pytest.fixture(scope="module")
async def stack(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ProcessStack]:
    folder = tmp_path_factory.mktemp("operations")
    home = folder / "neo4j-home"  # what the API measures as Neo4j's home: a known size
    (home / "data" / "databases").mkdir(parents=True)
    (home / "data" / "databases" / "store").write_bytes(b"\0" * STORE_BYTES)
    processes = ProcessStack(settings, folder, env={"GRACE_NEO4J_STORE_PATH": str(home)})
    async with processes.running():
        yield processes


@pytest.fixture(scope="module")
async def source(stack: ProcessStack, graph: Graph) -> str:
    """A source whose one file the watcher queued and the worker ingested."""
    name = f"ops-{uuid.uuid4().hex[:10]}"
    folder = stack.inbox / name
    folder.mkdir()
    (folder / "cities.csv").write_text(ROWS)
    source = f"folder:{name}"

    async def ingested() -> bool:
        return "active" in await runs_of(graph, source)

    await until(ingested, [p.managed for p in stack.processes.values()])

    async def counted() -> bool:
        return ("grace_ingest_files_total", (("status", "ingested"),)) in samples_of(
            stack["worker-0"].scrape()
        )

    await until(counted, [stack["worker-0"].managed])
    return source


def assert_bounded(text: str) -> int:
    """Every label value from its bounded set; returns the number of series."""
    series = samples_of(text)
    for name, labels in series:
        for label, value in labels:
            if label in BOUNDED_LABELS:
                assert value in BOUNDED_LABELS[label], (name, label, value)
            if label == "status" and name.removesuffix("_count").removesuffix("_sum") in STATUS_OF:
                assert value in STATUS_OF[name.removesuffix("_count").removesuffix("_sum")]
    assert len(series) <= MAX_SERIES
    return len(series)


def steps(samples: Samples) -> set[str]:
    """The pass steps the worker has timed."""
    return {
        dict(labels)["step"]
        for name, labels in samples
        if name == "grace_pipeline_step_seconds_count"
    }


async def test_the_worker_counts_jobs_files_rows_steps_and_its_process(
    stack: ProcessStack, source: str
) -> None:
    worker = stack["worker-0"]

    async def passed() -> bool:  # the file's pass is a job of its own, after its ingestion
        return {"detect_contradictions", "update_trust"} <= steps(samples_of(worker.scrape()))

    await until(passed, [worker.managed])
    samples = samples_of(worker.scrape())
    succeeded = ("grace_worker_jobs_total", (("outcome", "succeeded"), ("task", "ingest_file")))
    assert samples[succeeded] >= 1
    assert samples[("grace_ingest_rows_written_total", ())] >= 3
    assert samples[("grace_worker_job_seconds_count", (("task", "ingest_file"),))] >= 1
    assert samples[("grace_worker_queue_wait_seconds_count", (("task", "ingest_file"),))] >= 1
    for process_figure in (
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
    ):
        assert samples[(process_figure, ())] > 0


async def test_the_watcher_counts_files_seen_queued_skipped_and_rescans(
    stack: ProcessStack, source: str
) -> None:
    folder = stack.inbox / source.removeprefix("folder:")
    (folder / ".hidden.csv").write_text(ROWS)  # ignored: a hidden file

    async def ignored() -> bool:
        skipped = samples_of(stack["watcher"].scrape())
        return skipped[("grace_watcher_files_skipped_total", (("reason", "ignored"),))] >= 1

    await until(ignored, [stack["watcher"].managed])
    samples = samples_of(stack["watcher"].scrape())
    assert samples[("grace_watcher_files_queued_total", ())] >= 1
    assert samples[("grace_watcher_jobs_queued_total", ())] >= 1
    assert samples[("grace_watcher_rescans_total", ())] >= 1
    assert samples[("grace_watcher_files_seen_total", (("via", "event"),))] >= 1
    assert samples[("process_resident_memory_bytes", ())] > 0


async def test_the_api_exports_backlog_database_size_and_its_process(
    stack: ProcessStack, source: str
) -> None:
    samples = samples_of(stack["api-0"].scrape())
    assert samples[("grace_ingest_backlog_files", ())] >= 0
    assert samples[("grace_ingest_queue_depth", ())] >= 0
    assert samples[("process_resident_memory_bytes", ())] > 0
    assert samples[("grace_metrics_store_read_failures", ())] == 0
    assert samples[("grace_store_up", (("store", "neo4j"),))] == 1
    assert samples[("grace_store_up", (("store", "redis"),))] == 1
    assert samples[("grace_database_store_bytes", ())] == STORE_BYTES
    used = samples[("grace_database_disk_used_bytes", ())]
    assert 0 < used <= samples[("grace_database_disk_size_bytes", ())]


async def test_series_stay_bounded_however_many_files_arrive(
    stack: ProcessStack, source: str, graph: Graph
) -> None:
    names = ("worker-0", "watcher", "api-0")
    counts = []
    for round_ in range(2):  # the first round brings any outcome not seen yet; the second none
        await drop_files(stack, source, graph, round_)
        await passes_done(stack, source, graph)
        await asyncio.sleep(1)  # the worker's last counters follow its graph writes
        await api_snapshot_holds_every_run(stack, graph)
        counts.append({name: assert_bounded(stack[name].scrape()) for name in names})
    assert counts[1] == counts[0]


async def passes_done(stack: ProcessStack, source: str, graph: Graph) -> None:
    """Until every active document of `source` has had its after-ingest pass (which scores
    its rows: the API's trust series follow)."""

    async def passed() -> bool:
        [record] = await graph.read("testing/source_passes", {"source": source})
        return bool(record["passed"] == record["documents"])

    await until(passed, [p.managed for p in stack.processes.values()])


async def api_snapshot_holds_every_run(stack: ProcessStack, graph: Graph) -> None:
    """Until the API serves a snapshot of the stores read after now (it keeps one for
    `SCRAPE_CACHE_SECONDS`, and keeps the last one when a read times out on a busy
    machine): one that counts every ingestion run in the graph now."""
    runs = sum(int(r["runs"]) for r in await graph.read("api/ops_ingestion_runs"))
    api = stack["api-0"]

    async def fresh() -> bool:
        samples = samples_of(api.scrape())
        shown = sum(v for (name, _), v in samples.items() if name == "grace_ingestion_runs")
        return shown >= runs

    await until(fresh, [api.managed])


async def drop_files(stack: ProcessStack, source: str, graph: Graph, round_: int) -> None:
    """Twelve new files at once (a batch job), until the worker made their documents."""
    folder = stack.inbox / source.removeprefix("folder:")
    expected = (await runs_of(graph, source)).count("active") + 12
    for index in range(12):
        text = ROWS.replace("m0-zz", f"r{round_}-{index}-zz")
        (folder / f"round-{round_}-{index}.csv").write_text(text)

    async def ingested() -> bool:
        return (await runs_of(graph, source)).count("active") >= expected

    await until(ingested, [p.managed for p in stack.processes.values()])


async def test_every_dashboard_and_alert_query_names_series_grace_exports(
    stack: ProcessStack, source: str
) -> None:
    exported = set(PROMETHEUS_OWN) | recorded_names()
    for name in ("worker-0", "watcher", "api-0"):
        exported |= exported_names(stack[name].scrape())
    queries = [*rule_expressions(), *dashboard_expressions()]
    missing = {
        (where, name)
        for where, expression in queries
        for name in metric_names(expression)
        if name not in exported
    }
    assert not missing
    assert len(queries) > 30
