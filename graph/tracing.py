"""OpenTelemetry tracing of every Grace process, on when an OTLP endpoint is configured
(`otel_exporter_otlp_endpoint`, or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`). Without one
nothing is installed and the processes use OpenTelemetry's no-op tracer."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from graph.settings import Settings

API_SERVICE = "grace-api"
WORKER_SERVICE = "grace-worker"
WATCHER_SERVICE = "grace-watcher"
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


def install(settings: Settings, service: str = WORKER_SERVICE) -> TracerProvider | None:
    """Make the configured provider the process's global one (the worker's jobs trace through
    it); nothing when no endpoint is configured."""
    provider = tracer_provider(settings, service)
    if provider is not None:
        trace.set_tracer_provider(provider)
    return provider
