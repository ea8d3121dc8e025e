"""Tracing of the API: a span for every HTTP request (FastAPI's native telemetry, continuing a
caller's W3C `traceparent`) and every GraphQL operation. Jobs enqueued meanwhile carry the
trace into the worker (`ingest.queue`, `ingest.worker`). The provider comes from
`graph.tracing`; without an OTLP endpoint telemetry is off and no extension is installed.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.telemetry import TelemetryConfig
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension


def http_telemetry(provider: TracerProvider | None) -> TelemetryConfig:
    """FastAPI's native telemetry: request spans through `provider`; everything off without
    one (metrics are Prometheus's, see `api.metrics`)."""
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {"tracer_provider": provider, "metrics": False, "logs": False, "operation_spans": False}


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
