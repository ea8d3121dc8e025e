"""Operations endpoints on the real stores: the health probes and each way readiness fails,
Prometheus metrics scraped and parsed, and one trace from an API request into the worker's
job."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
import strawberry
from arq.connections import create_pool
from arq.jobs import Job
from fastapi.testclient import TestClient
from neo4j import AsyncGraphDatabase
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from strawberry.types import ExecutionResult

from api.app import create_app
from api.metrics import ANONYMOUS, OTHER, ApiMetrics, OperationNames, OperationTimer
from api.schema import schema_for
from api.tracing import http_telemetry
from governance.audit import AuditLog
from governance.rbac import Principal
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Profile, Settings, load_settings
from graph.tracing import API_SERVICE, tracer_provider
from ingest.after_ingest import AfterIngest
from ingest.queue import QUEUE_NAME, deserialize, redis_settings, serialize
from ingest.service import IngestionService
from ingest.worker import ingest_file
from tests.integration.api_support import Callers, gql
from tests.integration.conftest import SourceFolder
from trust.services import TrustServices

pytestmark = pytest.mark.integration

CITIES = "city_id,name,population\nops-1,Opsville,1200\n"


# health


def test_before_startup_only_liveness_answers(settings: Settings) -> None:
    client = TestClient(create_app(settings))  # not entered: the lifespan has not run
    assert client.get("/health/live").json() == {"status": "ok"}
    for path in ("/health/startup", "/health/ready", "/metrics"):
        assert client.get(path).status_code == 503, path


def test_started_and_ready_on_migrated_stores(api_client: TestClient, graph: Graph) -> None:
    assert api_client.get("/health/startup").json() == {"status": "ok"}
    ready = api_client.get("/health/ready")
    assert ready.status_code == 200
    report = ready.json()
    assert report["failed"] == []
    assert report["pending_migrations"] == []
    assert (report["neo4j"], report["redis"], report["migrations"]) == (True, True, True)


def test_readiness_is_503_naming_redis_when_redis_is_down(settings: Settings, graph: Graph) -> None:
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(broken)) as client:
        ready = client.get("/health/ready")
        assert client.get("/health/startup").status_code == 200
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["redis"]


def test_readiness_is_503_naming_neo4j_when_neo4j_stops_answering(
    settings: Settings, graph: Graph
) -> None:
    driver = AsyncGraphDatabase.driver("bolt://127.0.0.1:1", auth=("neo4j", "unused"))
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        gone = Graph(driver, services.graph.registry, settings.neo4j_database, "bolt://127.0.0.1:1")
        client.app.state.services = dataclasses.replace(services, graph=gone)  # type: ignore[attr-defined]
        try:
            ready = client.get("/health/ready")
        finally:
            client.app.state.services = services  # type: ignore[attr-defined]
            client.portal.call(driver.close)  # type: ignore[union-attr]
    assert ready.status_code == 503
    assert set(ready.json()["failed"]) == {"neo4j", "migrations"}


def root_with_migrations(tmp_path: Path) -> Path:
    """A copy of the project's `cypher/` (and the Browser files the app serves) under a new
    root, to add or edit migrations in."""
    shutil.copytree(PROJECT_ROOT / "cypher", tmp_path / "cypher")
    shutil.copytree(PROJECT_ROOT / "deploy" / "browser", tmp_path / "deploy" / "browser")
    return tmp_path


def test_readiness_is_503_naming_a_pending_migration(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    root = root_with_migrations(tmp_path)
    (root / "cypher" / "migrations" / "999_index_ops_probe.cypher").write_text(
        "CREATE INDEX ops_probe IF NOT EXISTS FOR (n:OpsProbe) ON (n.id)\n"
    )
    with TestClient(create_app(settings.model_copy(update={"root": root}))) as client:
        ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["migrations"]
    assert ready.json()["pending_migrations"] == ["migrations/999_index_ops_probe"]


def test_readiness_is_503_when_an_applied_migration_was_edited(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    root = root_with_migrations(tmp_path)
    first = sorted((root / "cypher" / "migrations").glob("*.cypher"))[0]
    first.write_text(first.read_text() + "\n// edited after it was applied\n")
    with TestClient(create_app(settings.model_copy(update={"root": root}))) as client:
        ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["migrations"]


# metrics


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    """Every sample of `/metrics`, by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


@pytest.fixture
def fresh_metrics(api_client: TestClient) -> Iterator[TestClient]:
    """The app's metrics reading the stores at every scrape (as if 10 s had passed)."""
    stores = api_client.app.state.metrics.stores  # type: ignore[attr-defined]
    stores.max_age = 0.0
    yield api_client
    stores.max_age = 10.0


def test_graphql_operations_are_timed_by_name(fresh_metrics: TestClient, callers: Callers) -> None:
    gql(fresh_metrics, callers.viewer, "query OpsProbe { health { status } }")
    gql(fresh_metrics, callers.anonymous, "query AnonProbe { health { status } }")
    gql(fresh_metrics, callers.anonymous, "{ health { status } }")
    samples = scrape(fresh_metrics)
    count = "grace_graphql_operation_seconds_count"
    assert samples[(count, (("operation", "OpsProbe"),))] >= 1
    assert (count, (("operation", "AnonProbe"),)) not in samples  # took no label slot
    assert samples[(count, (("operation", OTHER),))] >= 1
    assert samples[(count, (("operation", ANONYMOUS),))] >= 1
    assert samples[("grace_http_responses_total", (("method", "POST"), ("status", "200")))] >= 2


@strawberry.type
class PingQuery:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


@strawberry.type
class TickSubscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncIterator[int]:
        yield 1


async def test_queries_are_timed_and_subscriptions_are_not() -> None:
    metrics = ApiMetrics()
    observers = [partial(OperationTimer, metrics)]
    schema = schema_for(Profile.DEV, PingQuery, subscription=TickSubscription, observers=observers)
    caller = SimpleNamespace(principal=Principal.system("tests"))
    await schema.execute("query Ping { ping }", context_value=caller)
    events = await schema.subscribe("subscription Tick { ticks }", context_value=caller)
    assert not isinstance(events, ExecutionResult)
    assert [event.data async for event in events] == [{"ticks": 1}]
    count = "grace_graphql_operation_seconds_count"
    assert metrics.registry.get_sample_value(count, {"operation": "Ping"}) == 1
    assert metrics.registry.get_sample_value(count, {"operation": "Tick"}) is None


@strawberry.type
class EndlessSubscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncIterator[int]:
        while True:
            yield 1


async def test_open_subscriptions_are_counted_by_name_until_their_clients_leave() -> None:
    metrics = ApiMetrics()
    metrics.names = OperationNames(limit=1)
    observers = [partial(OperationTimer, metrics)]
    schema = schema_for(
        Profile.DEV, PingQuery, subscription=EndlessSubscription, observers=observers
    )
    caller = SimpleNamespace(principal=Principal.system("tests"))

    def open_now(operation: str) -> float | None:
        return metrics.registry.get_sample_value(
            "grace_api_subscriptions", {"operation": operation}
        )

    streams = []
    for document in ("subscription Live { ticks }",) * 2 + ("subscription Extra { ticks }",):
        events = await schema.subscribe(document, context_value=caller)
        assert not isinstance(events, ExecutionResult)
        assert (await anext(events)).data == {"ticks": 1}
        streams.append(events)
    refused = await schema.subscribe("subscription Bad { nothing }", context_value=caller)
    assert not isinstance(refused, ExecutionResult)
    assert (await anext(refused)).errors  # invalid: never counted
    assert (open_now("Live"), open_now(OTHER), open_now("Bad")) == (2, 1, None)
    for events in streams:
        await events.aclose()  # what the websocket handler does when a client leaves
    assert (open_now("Live"), open_now(OTHER)) == (0, 0)


def test_operation_names_are_bounded() -> None:
    names = OperationNames(limit=2)
    assert names.label(None) == ANONYMOUS
    assert names.label("Junk", may_take_slot=False) == OTHER  # an anonymous caller's name
    assert names.label("First") == "First"
    assert names.label("First", may_take_slot=False) == "First"
    assert names.label("not a name; DROP") == OTHER
    assert names.label("Second") == "Second"
    assert names.label("Third") == OTHER
    assert names.label("First") == "First"


async def test_store_figures_are_read_at_scrape_time(
    fresh_metrics: TestClient, graph: Graph, unique: str
) -> None:
    table, status, kind = f"ops_{unique}", f"ops-{unique}", f"ops-{unique}"
    trust = [0.0, 0.05, 0.1, 0.55, 1.0]
    seed = {"marker": unique, "runs": 3, "status": status, "table": table, "trust": trust}
    await graph.write("testing/ops_seed", {**seed, "conflicts": 2, "kind": kind})
    try:
        samples = scrape(fresh_metrics)
    finally:
        await graph.write("testing/ops_delete", {"marker": unique})
    assert samples[("grace_ingestion_runs", (("status", status),))] == 3
    assert samples[("grace_conflicts_open", (("kind", kind),))] == 2
    bucket = "grace_row_trust_bucket"
    cumulative = {
        le: samples[(bucket, (("le", le), ("table", table)))]
        for le in ("0.1", "0.5", "0.6", "1.0", "+Inf")
    }
    assert cumulative == {"0.1": 3, "0.5": 3, "0.6": 4, "1.0": 5, "+Inf": 5}
    assert samples[("grace_row_trust_count", (("table", table),))] == 5
    assert samples[("grace_row_trust_sum", (("table", table),))] == pytest.approx(1.7)
    assert ("grace_ingest_queue_depth", ()) in samples
    assert samples[("grace_metrics_store_read_failures", ())] == 0


async def test_scrapes_within_the_cache_window_read_the_stores_once(
    api_client: TestClient, graph: Graph, unique: str
) -> None:
    scrape(api_client)  # the snapshot is at most 10 s old from here
    seed = {"marker": unique, "runs": 1, "status": f"ops-{unique}", "table": f"ops_{unique}"}
    await graph.write("testing/ops_seed", {**seed, "trust": [], "conflicts": 0, "kind": "value"})
    try:
        cached = scrape(api_client)
    finally:
        await graph.write("testing/ops_delete", {"marker": unique})
    assert ("grace_ingestion_runs", (("status", f"ops-{unique}"),)) not in cached


def test_a_failed_store_read_is_counted_and_the_scrape_still_answers(
    settings: Settings,
) -> None:
    broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(broken)) as client:
        samples = scrape(client)
    assert samples[("grace_metrics_store_read_failures", ())] == 1
    assert ("grace_ingest_queue_depth", ()) not in samples


# tracing


def test_no_endpoint_means_no_tracing_installed(settings: Settings) -> None:
    assert tracer_provider(settings, API_SERVICE) is None
    assert http_telemetry(None) == {"tracing": False, "metrics": False, "logs": False}


def test_the_standard_otlp_environment_variable_turns_tracing_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector.internal:4318")
    settings = load_settings("dev")
    assert settings.otel_exporter_otlp_endpoint == "http://collector.internal:4318"
    provider = tracer_provider(settings, API_SERVICE)
    assert provider is not None
    provider.shutdown()


def only(spans: tuple[ReadableSpan, ...], kind: SpanKind, prefix: str) -> ReadableSpan:
    [span] = [s for s in spans if s.kind is kind and s.name.startswith(prefix)]
    return span


async def test_a_request_and_the_job_it_enqueues_share_one_trace(
    settings: Settings,
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    source: SourceFolder,
    callers: Callers,
) -> None:
    outcome = await service.ingest_file(source.write("cities.csv", CITIES), source.root)
    api_spans = InMemorySpanExporter()
    with TestClient(create_app(settings, SimpleSpanProcessor(api_spans))) as client:
        body = gql(
            client,
            callers.admin,
            "mutation Again($id: String!) { reingest(documentId: $id) { jobId queued } }",
            {"id": outcome.document_id},
        )
        queue = client.app.state.services.queue  # type: ignore[attr-defined]
        job_id = body["data"]["reingest"]["jobId"]
        job = Job(job_id, queue, _queue_name=QUEUE_NAME, _deserializer=deserialize)
        info = client.portal.call(job.info)  # type: ignore[union-attr]
        client.portal.call(queue.zrem, QUEUE_NAME, job_id)  # type: ignore[union-attr]
        client.portal.call(queue.delete, f"arq:job:{job_id}")  # type: ignore[union-attr]
    assert body["data"]["reingest"]["queued"] is True
    assert info is not None
    assert "traceparent" in info.kwargs["trace"]

    worker_spans = InMemorySpanExporter()  # the worker is another process: its own provider
    worker_provider = TracerProvider()
    worker_provider.add_span_processor(SimpleSpanProcessor(worker_spans))
    ctx = {
        "tracer": worker_provider.get_tracer("grace.worker"),
        "service": service,
        "graph": graph,
        "bus": bus,
        "after_ingest": AfterIngest.declared(await TrustServices.open(graph, bus, AuditLog(graph))),
        "settings": settings,
        "job_id": job_id,
        # the file's pass is queued there
        "redis": await create_pool(
            redis_settings(settings), job_serializer=serialize, job_deserializer=deserialize
        ),
    }
    try:
        await ingest_file(ctx, *info.args, **info.kwargs)
    finally:
        await ctx["redis"].aclose()

    request = only(api_spans.get_finished_spans(), SpanKind.SERVER, "POST /graphql")
    operation = only(api_spans.get_finished_spans(), SpanKind.INTERNAL, "graphql Again")
    job_span = only(worker_spans.get_finished_spans(), SpanKind.CONSUMER, "job ingest_file")
    assert request.context is not None
    assert job_span.context is not None
    assert job_span.context.trace_id == request.context.trace_id
    assert job_span.parent is not None
    assert job_span.parent.span_id == request.context.span_id
    assert operation.parent is not None
    assert operation.parent.span_id == request.context.span_id
