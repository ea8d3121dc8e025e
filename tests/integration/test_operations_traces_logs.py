"""Traces and logs of real processes: a file dropped into the watched folder is one trace
from the watcher's queueing through the worker's job, extraction, writes, pass steps and
events, exported by OTLP to a receiver in this process; every process logs JSON lines
carrying the trace, and no configured secret appears in any log."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from graph.graph import Graph
from graph.settings import Settings
from tests.integration.process_stack import ProcessStack, port_in_range
from tests.integration.test_survival import until
from tests.otlp_receiver import OtlpReceiver, ReceivedSpan

pytestmark = pytest.mark.integration

ROWS = "city_id,name,population\n" + "".join(f"t{i}-zz,City {i},{2000 + i}\n" for i in range(3))
SECRETS = {
    "GRACE_API_SECRET_KEY": f"api-secret-{uuid.uuid4().hex}",
    "GRACE_VAULT_TOKEN": f"vault-token-{uuid.uuid4().hex}",
}
LINE_KEYS = {"time", "level", "process", "logger", "message"}


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[OtlpReceiver]:
    otlp = OtlpReceiver(port_in_range())
    yield otlp
    otlp.close()


@pytest.fixture(scope="module")
async def stack(
    settings: Settings, receiver: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ProcessStack]:
    env = {
        **SECRETS,
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    processes = ProcessStack(settings, tmp_path_factory.mktemp("traced"), env=env)
    async with processes.running():
        yield processes


@pytest.fixture(scope="module")
async def file_trace(
    stack: ProcessStack, receiver: OtlpReceiver, graph: Graph
) -> list[ReceivedSpan]:
    """The spans of the trace of one file, from the watcher to the worker's last event."""
    name = f"traced-{uuid.uuid4().hex[:10]}"
    (stack.inbox / name).mkdir()
    (stack.inbox / name / "cities.csv").write_text(ROWS)

    def job() -> ReceivedSpan | None:
        jobs = [s for s in receiver.received() if s.name == "job ingest_file"]
        return jobs[0] if jobs else None

    async def finished() -> bool:
        found = job()
        if found is None:
            return False
        names = {s.name for s in receiver.received() if s.trace_id == found.trace_id}
        return {"step sync_facts", "job resume_pass"} <= names  # the pass job ends last

    await until(finished, [p.managed for p in stack.processes.values()])
    found = job()
    assert found is not None
    return [s for s in receiver.received() if s.trace_id == found.trace_id]


async def test_one_file_is_one_trace_from_the_watcher_to_the_events(
    file_trace: list[ReceivedSpan],
) -> None:
    by_name = {span.name: span for span in file_trace}
    queued, job = by_name["watcher queue"], by_name["job ingest_file"]
    assert queued.service == "grace-watcher"
    assert job.service == "grace-worker"
    assert job.parent_id == queued.span_id
    for phase in ("extract", "write"):
        assert by_name[phase].parent_id == job.span_id
    steps = {name for name in by_name if name.startswith("step ")}
    assert steps >= {
        "step embed",
        "step detect_contradictions",
        "step update_trust",
        "step sync_facts",
    }
    # the pass is a job of its own, queued by the file's job: its steps continue the trace
    pass_job = by_name["job resume_pass"]
    assert pass_job.parent_id == job.span_id
    assert all(by_name[step].parent_id == pass_job.span_id for step in steps)
    writes = [s for s in file_trace if s.name.startswith("cypher ingest/")]
    assert writes
    assert all(descends(write, job, file_trace) for write in writes)
    under_write = [s for s in writes if descends(s, by_name["write"], file_trace)]
    assert under_write  # the write phases' statements run inside the write span
    assert {"event ingestion.started", "event ingestion.completed"} <= set(by_name)
    assert any(name.startswith("event pipeline.step") for name in by_name)


def descends(span: ReceivedSpan, ancestor: ReceivedSpan, spans: list[ReceivedSpan]) -> bool:
    """Whether `ancestor` is on `span`'s chain of parents."""
    by_id = {s.span_id: s for s in spans}
    parent = by_id.get(span.parent_id)
    while parent is not None:
        if parent.span_id == ancestor.span_id:
            return True
        parent = by_id.get(parent.parent_id)
    return False


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def test_every_process_logs_json_lines_carrying_the_trace(
    stack: ProcessStack, file_trace: list[ReceivedSpan]
) -> None:
    trace_id = file_trace[0].trace_id
    for name, process in stack.processes.items():
        lines = json_lines(process.log())
        assert lines, name
        for line in lines:
            assert set(line) >= LINE_KEYS, line
            assert line["process"] == name.split("-")[0]
    worker_lines = json_lines(stack["worker-0"].log())
    traced = [line for line in worker_lines if line.get("trace_id") == trace_id]
    assert traced
    assert all(len(str(line["span_id"])) == 16 for line in traced)


async def test_no_configured_secret_appears_in_any_log(
    stack: ProcessStack, settings: Settings, file_trace: list[ReceivedSpan]
) -> None:
    # a caller putting a secret in a URL: uvicorn's access log writes the URL
    leaked = SECRETS["GRACE_API_SECRET_KEY"]
    async with httpx.AsyncClient(timeout=10) as client:
        await client.get(f"{stack['api-0'].url}/health/live", params={"token": leaked})
    await until(lambda: _logged(stack, "/health/live"), [stack["api-0"].managed])
    logs = stack.logs() + (stack.folder / "redis.log").read_text(errors="replace")
    assert "[redacted]" in logs
    for secret in [*SECRETS.values(), settings.neo4j_password.get_secret_value()]:
        assert secret not in logs


async def _logged(stack: ProcessStack, text: str) -> bool:
    return text in stack["api-0"].log()
