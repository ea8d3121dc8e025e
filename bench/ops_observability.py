"""Observability costs: the scrape of each process's /metrics (ms, series) against a registry
with the process collectors alone, and tracing on the ingest path (spans exported by OTLP to
an in-process receiver) against the same ingest with tracing off, in one run."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from api.metrics import ApiMetrics
from bench.common import delete_source, service, write_csv
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.metrics import WATCHER, WORKER, process_registry
from tests.otlp_receiver import OtlpReceiver

SCRAPES = 20
FILES = 4
ROWS_PER_FILE = 2_000
RECEIVER_PORT = 28990


def _series(text: bytes) -> int:
    return sum(len(f.samples) for f in text_string_to_metric_families(text.decode()))


async def _timed(scrape: Callable[[], Awaitable[bytes]]) -> tuple[float, int]:
    times, text = [], b""
    for _ in range(SCRAPES):
        start = time.perf_counter()
        text = await scrape()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, _series(text)


async def scrape_cost(graph: Graph, settings: Settings) -> list[str]:
    """Median time of a scrape of each registry (the API's reading the stores each time)."""
    redis = Redis.from_url(settings.redis_url)
    api = ApiMetrics(settings.store_path)
    api.stores.max_age = 0.0

    def local(registry: CollectorRegistry) -> Callable[[], Awaitable[bytes]]:
        async def scrape() -> bytes:
            return generate_latest(registry)

        return scrape

    try:
        floor = await _timed(local(process_registry()))
        lines = [f"process collectors alone (baseline): {floor[0]:.2f} ms, {floor[1]} series"]
        for name, scrape in (
            ("worker", local(WORKER.registry)),
            ("watcher", local(WATCHER.registry)),
            ("api (stores read at every scrape)", lambda: api.exposition(graph, redis)),
        ):
            ms, series = await _timed(scrape)
            lines.append(f"{name}: {ms:.2f} ms, {series} series = {ms / floor[0]:.1f}x baseline")
        return lines
    finally:
        await redis.aclose()


async def _ingest_seconds(graph: Graph, bus: EventBus, label: str) -> float:
    ingest = await service(graph, bus)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = f"bench_trace_{label}"
        paths = [
            write_csv(root / source, f"cities{n}.csv", f"{label}{n}", ROWS_PER_FILE)
            for n in range(FILES)
        ]
        start = time.perf_counter()
        for path in paths:
            await ingest.ingest_file(path, root)
        elapsed = time.perf_counter() - start
    await delete_source(graph, f"folder:{source}")
    return elapsed


async def tracing_overhead(graph: Graph, bus: EventBus) -> list[str]:
    """Ingest with tracing off, then with every span exported by OTLP, same files' shape."""
    await _ingest_seconds(graph, bus, "warmup")
    off = await _ingest_seconds(graph, bus, "off")
    receiver = OtlpReceiver(RECEIVER_PORT)
    provider = TracerProvider(resource=Resource.create({"service.name": "grace-bench"}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{receiver.endpoint}/v1/traces"))
    )
    trace.set_tracer_provider(provider)
    try:
        on = await _ingest_seconds(graph, bus, "on")
        provider.force_flush()
    finally:
        provider.shutdown()
        receiver.close()
    rows = FILES * ROWS_PER_FILE
    return [
        f"ingest, tracing off (baseline): {rows / off:,.0f} rows/s ({off:.2f} s)",
        f"ingest, spans exported by OTLP: {rows / on:,.0f} rows/s ({on:.2f} s, "
        f"{len(receiver.received())} spans) = {off / on:.2f} of baseline",
    ]
