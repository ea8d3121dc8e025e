"""Prometheus metrics at `/metrics`, in a registry of their own per app.

Measured as requests pass: the latency of each GraphQL operation by name (unnamed ones are
`anonymous`, names past `MAX_OPERATION_NAMES` are `other`), the GraphQL subscriptions open
now by operation name (the same bounded names), and HTTP responses by status.
Read from the stores when scraped, at most once per `SCRAPE_CACHE_SECONDS`: ingestion runs
by status, the ingestion backlog (jobs and files queued), the trust of active rows per table
as histograms, open conflicts by kind, and where the API can see Neo4j's home
(`neo4j_store_path`) the size of its data (stores, transaction logs) and the disk holding it
(Neo4j Community reports neither). The registry
also holds the process's own figures (memory, CPU, open fds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Request, Response, status
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from graph.errors import GraceError
from graph.graph import Graph
from ingest.metrics import process_registry
from ingest.queue import Backlog, backlog

log = logging.getLogger(__name__)

SCRAPE_CACHE_SECONDS = 10.0
SCRAPE_TIMEOUT_SECONDS = 5.0
MAX_OPERATION_NAMES = 100
TRUST_BUCKETS = 10
"""Trust histograms have buckets 0.1, 0.2 ... 1.0."""
ANONYMOUS = "anonymous"
OTHER = "other"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")


class OperationNames:
    """Bounds the `operation` label: the first `limit` distinct names that authenticated
    callers sent (an anonymous caller cannot take a slot), then `other`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None, *, may_take_slot: bool = True) -> str:
        """The label value for an operation called `name`; a name not seen yet takes a slot
        only when `may_take_slot`."""
        if not name:
            return ANONYMOUS
        if name in self._seen:
            return name
        full = len(self._seen) >= self.limit
        if full or not may_take_slot or not _OPERATION_NAME.fullmatch(name):
            return OTHER
        self._seen.add(name)
        return name


@dataclass(frozen=True)
class StoreSnapshot:
    """What the stores held at one scrape."""

    runs: dict[str, int] = field(default_factory=dict)
    backlog: Backlog = field(default_factory=lambda: Backlog(0, 0, exact=True))
    store_bytes: int | None = None
    """The size of Neo4j's `data/` folder (stores and transaction logs)."""
    disk: tuple[int, int] | None = None
    """The store's file system: (bytes used, bytes in all)."""
    trust: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    """Per table: (rows, summed trust) for each of the `TRUST_BUCKETS` buckets."""
    conflicts: dict[str, int] = field(default_factory=dict)
    conflicts_by_status: dict[tuple[str, str], int] = field(default_factory=dict)


async def read_stores(graph: Graph, redis: Redis, store_path: Path | None) -> StoreSnapshot:
    """One query per figure, run concurrently."""
    runs, trust_rows, conflicts, every_conflict, queued, disk = await asyncio.gather(
        graph.read_plain("api/ops_ingestion_runs"),
        graph.read_plain("api/ops_trust_buckets", {"buckets": TRUST_BUCKETS}),
        graph.read_plain("api/ops_open_conflicts"),
        graph.read_plain("api/ops_conflicts"),
        backlog(redis),
        asyncio.to_thread(disk_usage, store_path),
    )
    trust: dict[str, list[tuple[int, float]]] = {}
    for record in trust_rows:
        buckets = trust.setdefault(record["table"], [(0, 0.0)] * TRUST_BUCKETS)
        buckets[int(record["bucket"]) - 1] = (int(record["rows"]), float(record["trust_sum"]))
    return StoreSnapshot(
        runs={r["status"]: int(r["runs"]) for r in runs},
        backlog=queued,
        trust=trust,
        conflicts={r["kind"]: int(r["conflicts"]) for r in conflicts},
        conflicts_by_status={(r["kind"], r["status"]): int(r["conflicts"]) for r in every_conflict},
        store_bytes=disk[0] if disk else None,
        disk=disk[1:] if disk else None,
    )


def disk_usage(home: Path | None) -> tuple[int, int, int] | None:
    """Of a Neo4j home: the bytes of its `data/` folder, and the bytes used and in all of
    the file system holding it; None when the home is not there."""
    data = home / "data" if home is not None else None
    if data is None or not data.is_dir():
        return None
    size = _folder_bytes(data)
    stat = os.statvfs(data)
    total = stat.f_blocks * stat.f_frsize
    return size, total - stat.f_bavail * stat.f_frsize, total


def _folder_bytes(folder: Path) -> int:
    """The bytes of the files below `folder`; a file removed meanwhile (a rotated log) counts
    for nothing."""
    size = 0
    for entry in folder.rglob("*"):
        with contextlib.suppress(FileNotFoundError):
            if entry.is_file() and not entry.is_symlink():
                size += entry.stat().st_size
    return size


class StoreCollector(Collector):
    """Serves the last snapshot of the stores; `refresh` reads them again when it is older
    than `max_age` seconds (concurrent scrapes share one read)."""

    def __init__(
        self, max_age: float = SCRAPE_CACHE_SECONDS, store_path: Path | None = None
    ) -> None:
        self.max_age = max_age
        self.store_path = store_path
        self.snapshot: StoreSnapshot | None = None
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()
        self.failures = 0
        self.up: dict[str, bool] = {}

    async def refresh(self, graph: Graph, redis: Redis) -> None:
        """Read the stores unless the snapshot is fresh; keep the old one if they fail."""
        async with self._lock:
            if time.monotonic() - self._read_at < self.max_age:
                return
            neo4j, redis_up = await asyncio.gather(_answers(graph), _pings(redis))
            self.up = {"neo4j": neo4j, "redis": redis_up}
            try:
                self.snapshot = await asyncio.wait_for(
                    read_stores(graph, redis, self.store_path), SCRAPE_TIMEOUT_SECONDS
                )
            except (GraceError, RedisError, OSError, TimeoutError) as error:
                self.failures += 1
                log.warning("metrics: reading the stores failed: %s", error)
            self._read_at = time.monotonic()

    def collect(self) -> Iterable[Metric]:
        """The gauges and histograms of the last snapshot."""
        failures = GaugeMetricFamily(
            "grace_metrics_store_read_failures",
            "Scrapes whose reads of Neo4j or Redis failed since the API started.",
            value=self.failures,
        )
        yield failures
        up = GaugeMetricFamily(
            "grace_store_up", "1 when the store answered at the last read.", labels=["store"]
        )
        for store, answered in sorted(self.up.items()):
            up.add_metric([store], float(answered))
        yield up
        if self.snapshot is not None:
            yield from _families(self.snapshot)


async def _answers(graph: Graph) -> bool:
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_SECONDS):
            return await graph.ready()
    except TimeoutError:
        return False


async def _pings(redis: Redis) -> bool:
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_SECONDS):
            return bool(await redis.ping())
    except (RedisError, OSError, TimeoutError):
        return False


def _families(snapshot: StoreSnapshot) -> Iterator[Metric]:
    runs = GaugeMetricFamily(
        "grace_ingestion_runs", "Ingestion runs in the graph, by status.", labels=["status"]
    )
    for run_status, count in sorted(snapshot.runs.items()):
        runs.add_metric([run_status], count)
    yield runs
    yield GaugeMetricFamily(
        "grace_ingest_queue_depth",
        "Jobs in the ingestion queue (waiting or running).",
        value=snapshot.backlog.jobs,
    )
    yield GaugeMetricFamily(
        "grace_ingest_backlog_files",
        "Files in the ingestion queue's jobs (of the first 1,000 jobs only: a lower bound).",
        value=snapshot.backlog.files,
    )
    if snapshot.store_bytes is not None:
        yield GaugeMetricFamily(
            "grace_database_store_bytes",
            "Size of Neo4j's data folder (stores and transaction logs).",
            value=snapshot.store_bytes,
        )
    if snapshot.disk is not None:
        used, total = snapshot.disk
        yield GaugeMetricFamily(
            "grace_database_disk_used_bytes",
            "Bytes used on the file system holding the Neo4j store.",
            value=used,
        )
        yield GaugeMetricFamily(
            "grace_database_disk_size_bytes",
            "Size of the file system holding the Neo4j store.",
            value=total,
        )
    trust = HistogramMetricFamily(
        "grace_row_trust", "Trust of the active rows of each table.", labels=["table"]
    )
    for table, buckets in sorted(snapshot.trust.items()):
        cumulative, cumulative_buckets = 0, []
        for index, (rows, _) in enumerate(buckets, start=1):
            cumulative += rows
            cumulative_buckets.append((str(index / TRUST_BUCKETS), float(cumulative)))
        cumulative_buckets.append(("+Inf", float(cumulative)))
        trust.add_metric([table], cumulative_buckets, sum(total for _, total in buckets))
    yield trust
    conflicts = GaugeMetricFamily(
        "grace_conflicts_open", "Conflicts waiting for review, by kind.", labels=["kind"]
    )
    for kind, count in sorted(snapshot.conflicts.items()):
        conflicts.add_metric([kind], count)
    yield conflicts
    every = GaugeMetricFamily(
        "grace_conflicts",
        "Every conflict found so far, by kind and status (none is deleted: increase() is the "
        "rate of new ones).",
        labels=["kind", "status"],
    )
    for (kind, conflict_status), count in sorted(snapshot.conflicts_by_status.items()):
        every.add_metric([kind, conflict_status], count)
    yield every


class ApiMetrics:
    """The metrics of one app: its own registry, so several apps in a process never collide."""

    def __init__(self, store_path: Path | None = None) -> None:
        self.registry = process_registry()
        self.operations = Histogram(
            "grace_graphql_operation_seconds",
            "GraphQL operations: time from parsing to the result, by operation name.",
            ["operation"],
            registry=self.registry,
        )
        self.subscriptions = Gauge(
            "grace_api_subscriptions",
            "GraphQL subscriptions open now, by operation name.",
            ["operation"],
            registry=self.registry,
        )
        self.responses = Counter(
            "grace_http_responses",
            "HTTP responses by method and status code.",
            ["method", "status"],
            registry=self.registry,
        )
        self.names = OperationNames(MAX_OPERATION_NAMES)
        self.stores = StoreCollector(store_path=store_path)
        self.registry.register(self.stores)

    async def exposition(self, graph: Graph, redis: Redis) -> bytes:
        """The text format of every metric, the stores read at most every few seconds."""
        await self.stores.refresh(graph, redis)
        return generate_latest(self.registry)


class OperationTimer(SchemaExtension):
    """Times every GraphQL operation into `ApiMetrics.operations` and counts the open
    subscriptions in `ApiMetrics.subscriptions` (one instance per operation)."""

    def __init__(self, metrics: ApiMetrics) -> None:
        self.metrics = metrics
        self.subscribed: str | None = None
        """The label this operation counts under while it is an open subscription."""

    def on_validate(self) -> Iterator[None]:
        yield
        refused = self.execution_context.pre_execution_errors
        if _is_subscription(self.execution_context) and not refused:
            self.subscribed = self._label()
            self.metrics.subscriptions.labels(self.subscribed).inc()

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:  # a subscription ends by its client leaving: the generator is closed
            if self.subscribed is not None:
                self.metrics.subscriptions.labels(self.subscribed).dec()
        if _is_subscription(self.execution_context):
            return  # it lasts as long as its client listens: no latency to speak of
        self.metrics.operations.labels(self._label()).observe(time.perf_counter() - started)

    def _label(self) -> str:
        caller = getattr(self.execution_context.context, "principal", None)
        return self.metrics.names.label(
            self.execution_context.operation_name, may_take_slot=caller is not None
        )


def _is_subscription(context: ExecutionContext) -> bool:
    try:
        return context.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # the document did not parse, or names no such operation
        return False


class ResponseCounter:
    """Pure ASGI middleware counting HTTP responses by method and status."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                method = scope["method"] if scope["method"] in HTTP_METHODS else OTHER
                self.metrics.responses.labels(method, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting_send)


router = APIRouter(tags=["operations"])


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Every metric in Prometheus's text format; 503 until the app has started."""
    services = getattr(request.app.state, "services", None)
    if services is None:
        return Response(status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    api_metrics: ApiMetrics = request.app.state.metrics
    text = await api_metrics.exposition(services.graph, services.queue)
    return Response(text, media_type=CONTENT_TYPE_LATEST)
