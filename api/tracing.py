"""OpenTelemetry tracing, on when an OTLP endpoint is configured (`otel_exporter_otlp_endpoint`,
or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`): a span for every HTTP request (FastAPI's native
telemetry, continuing a caller's W3C `traceparent`) and every GraphQL operation. Jobs enqueued
meanwhile carry the trace into the worker (`ingest.queue`, `ingest.worker`). Without an
endpoint nothing is installed: telemetry off, no extension, the worker's no-op tracer.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension

from graph.settings import Settings

API_SERVICE = "grace-api"
WORKER_SERVICE = "grace-worker"
TRACES_PATH = "/v1/traces"


def tracer_provider(
    settings: Settings, service: str, processor: SpanProcessor | None = None
) -> TracerProvider | None:
    """A provider exporting to the configured OTLP endpoint (or to `processor`, given one);
    None when neither is there."""
    if processor is None:
        if settings.otel_exporter_otlp_endpoint is None:
            return None
        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + TRACES_PATH
        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(processor)
    return provider


def http_telemetry(provider: TracerProvider | None) -> TelemetryConfig:
    """FastAPI's native telemetry: request spans through `provider`; everything off without
    one (metrics are Prometheus's, see `api.metrics`)."""
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {"tracer_provider": provider, "metrics": False, "logs": False, "operation_spans": False}


def install(settings: Settings, service: str = WORKER_SERVICE) -> TracerProvider | None:
    """Make the configured provider the process's global one (the worker's jobs trace through
    it); nothing when no endpoint is configured."""
    provider = tracer_provider(settings, service)
    if provider is not None:
        trace.set_tracer_provider(provider)
    return provider


class OperationTracing(SchemaExtension):
    """A span per GraphQL operation, a child of its request's span."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer

    def on_operation(self) -> Iterator[None]:
        # Not made current: the runner may resume this generator in another context
        # (subscriptions), and detaching there fails. Its parent is the request's span.
        span = self.tracer.start_span("graphql", kind=SpanKind.INTERNAL)
        try:
            yield
        finally:
            name = self.execution_context.operation_name or "anonymous"
            span.update_name(f"graphql {name}")
            span.set_attribute("graphql.operation.name", name)
            if getattr(self.execution_context.result, "errors", None):
                span.set_status(Status(StatusCode.ERROR))
            span.end()
